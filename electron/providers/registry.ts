// Connection type → provider constructor: the one place that names every provider module, one line
// each. Each module (and its SDK) is loaded on first use: a process that only syncs local folders to
// S3 never loads the Azure or GCS SDKs, which keeps start-up fast and memory low. The imports are
// literal so that a bundler (electron-vite's, for the main process) sees every module.
import { connectionSettings, type ProviderType, type SettingsFor } from '../../shared/providers';
import type { Connection } from '../../shared/model';
import { StorageError } from './errors';
import type { StorageProvider } from './provider';

type Factories = { [T in ProviderType]: (settings: SettingsFor<T>) => Promise<StorageProvider> };

const FACTORIES: Factories = {
  local: async (s) => (await import('./local')).createLocalProvider(s, { symlinks: s.symlinks }),
  aws: async (s) => (await import('./s3')).createS3Provider(s),
  minio: async (s) => (await import('./minio')).createMinioProvider(s),
  gcs: async (s) => (await import('./gcs')).createGcsProvider(s),
  azure: async (s) => (await import('./azure')).createAzureProvider(s),
};

/** A provider for one connection. Rejects with StorageError('InvalidConfig') for unusable settings or types. */
export async function createProvider(connection: Connection): Promise<StorageProvider> {
  // Any type's factory, given the settings of its own type (looked up by that type).
  const factory = Object.hasOwn(FACTORIES, connection.type) ? (FACTORIES as Record<string, (settings: object) => Promise<StorageProvider>>)[connection.type] : undefined;
  if (!factory) throw new StorageError('InvalidConfig', `Provider has unknown type "${connection.type}"`, { field: 'type' });
  return factory(connectionSettings(connection));
}
