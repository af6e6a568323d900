// Connection type → provider constructor. The only place that knows every provider module. Each
// provider's module (and its SDK) is loaded on first use: a process that only syncs local folders to
// S3 never loads the Azure or GCS SDKs, which keeps start-up fast and memory low.
import type { Connection } from '../../shared/model';
import { StorageError } from './errors';
import type { StorageProvider } from './provider';

/** A provider for one connection. Rejects with StorageError('InvalidConfig') for unusable settings or types. */
export async function createProvider(connection: Connection): Promise<StorageProvider> {
  switch (connection.type) {
    case 'local':
      return (await import('./local')).createLocalProvider(connection.local, { symlinks: connection.local.symlinks });
    case 'aws':
      return (await import('./s3')).createS3Provider(connection.aws);
    case 'minio':
      return (await import('./minio')).createMinioProvider(connection.minio);
    case 'azure':
      return (await import('./azure')).createAzureProvider(connection.azure);
    case 'gcs':
      return (await import('./gcs')).createGcsProvider(connection.gcs);
    default: {
      const unknown: never = connection;
      throw new StorageError('InvalidConfig', `Provider has unknown type "${(unknown as { type?: string }).type}"`, { field: 'type' });
    }
  }
}
