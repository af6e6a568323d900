// Connection type → provider constructor: the one place that names every provider module, one line
// each. Each module (and its SDK) is loaded on first use: a process that only syncs local folders to
// S3 never loads the Azure or GCS SDKs, which keeps start-up fast and memory low. The imports are
// literal so that a bundler (electron-vite's, for the main process) sees every module.
// The settings are checked here, by their descriptor, before any factory sees them: a factory only
// builds its client and takes the settings as valid.
import { connectionSettings, descriptorOf, settingsIssues, type ProviderType, type SettingsFor } from '../../shared/providers';
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

/**
 * A provider for one connection. Rejects with StorageError('InvalidConfig') for an unknown type or
 * settings its descriptor refuses (settingsIssues), naming the first refused setting in `field`.
 */
export async function createProvider(connection: Connection): Promise<StorageProvider> {
  // Any type's factory, given the settings of its own type (looked up by that type).
  const factory = Object.hasOwn(FACTORIES, connection.type) ? (FACTORIES as Record<string, (settings: object) => Promise<StorageProvider>>)[connection.type] : undefined;
  if (!factory) throw new StorageError('InvalidConfig', `Provider has unknown type "${connection.type}"`, { field: 'type' });
  const settings = connectionSettings(connection);
  const errors = settingsIssues(connection.type, settings).filter((issue) => issue.level === 'error');
  const first = errors[0];
  if (first) {
    // Named as the config and the API name them: "aws.secretAccessKey", or "aws" for the settings as a whole.
    const pathOf = (field: string) => (field === '' ? connection.type : `${connection.type}.${field}`);
    const problems = errors.map((issue) => `${pathOf(issue.field)} ${issue.message}`).join('; ');
    throw new StorageError('InvalidConfig', `${descriptorOf(connection.type).label} settings of "${connection.name}" are not usable: ${problems}`, { field: pathOf(first.field) });
  }
  return factory(settings);
}
