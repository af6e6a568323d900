// Connection type → provider constructor. The only place that knows every provider module.
import type { Connection } from '../../shared/model';
import { createAzureProvider } from './azure';
import { StorageError } from './errors';
import { createGcsProvider } from './gcs';
import { createLocalProvider } from './local';
import { createMinioProvider } from './minio';
import type { StorageProvider } from './provider';
import { createS3Provider } from './s3';

/** A provider for one connection. Throws StorageError('InvalidConfig') for unusable settings or types. */
export function createProvider(connection: Connection): StorageProvider {
  switch (connection.type) {
    case 'local':
      return createLocalProvider(connection.local);
    case 'aws':
      return createS3Provider(connection.aws);
    case 'minio':
      return createMinioProvider(connection.minio);
    case 'azure':
      return createAzureProvider(connection.azure);
    case 'gcs':
      return createGcsProvider(connection.gcs);
    default: {
      const unknown: never = connection;
      throw new StorageError('InvalidConfig', `Provider has unknown type "${(unknown as { type?: string }).type}"`, { field: 'type' });
    }
  }
}
