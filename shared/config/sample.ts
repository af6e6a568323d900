// The sample config.json written by --generate-config.
import { DEFAULT_AWS_REGION, DEFAULT_DATABASE_PATH, DEFAULT_TRANSFERS, PLACEHOLDER_PREFIX } from './defaults';

/**
 * The file written by --generate-config: one provider of each type, placeholders where secrets go
 * (each reported as a warning until filled in), and mappings that refer to providers that exist.
 * The cloud mapping starts disabled so a first run does not try placeholder keys.
 */
export function generateSampleConfig(): string {
  const sample = {
    databasePath: DEFAULT_DATABASE_PATH,
    providers: [
      { id: 'local', name: 'Local folder (each subfolder is a bucket)', type: 'local', local: { root: '/tmp/cloud-data-sync/local' } },
      {
        id: 'minio',
        name: 'MinIO on this machine',
        type: 'minio',
        minio: { endpoint: 'localhost:9000', accessKey: `${PLACEHOLDER_PREFIX}MINIO_ACCESS_KEY`, secretKey: `${PLACEHOLDER_PREFIX}MINIO_SECRET_KEY`, useSSL: false },
      },
      {
        id: 'aws',
        name: 'Amazon S3',
        type: 'aws',
        aws: { region: DEFAULT_AWS_REGION, accessKeyId: `${PLACEHOLDER_PREFIX}AWS_ACCESS_KEY_ID`, secretAccessKey: `${PLACEHOLDER_PREFIX}AWS_SECRET_ACCESS_KEY` },
      },
      {
        id: 'gcs',
        name: 'Google Cloud Storage',
        type: 'gcs',
        gcs: { projectId: `${PLACEHOLDER_PREFIX}GCP_PROJECT_ID`, keyFile: `${PLACEHOLDER_PREFIX}PATH_TO_SERVICE_ACCOUNT_KEY_JSON` },
      },
      {
        id: 'azure',
        name: 'Azure Blob Storage',
        type: 'azure',
        azure: { accountName: `${PLACEHOLDER_PREFIX}STORAGE_ACCOUNT_NAME`, accountKey: `${PLACEHOLDER_PREFIX}STORAGE_ACCOUNT_KEY` },
      },
    ],
    mappings: [
      {
        name: 'Local photos to MinIO',
        sourceProviderId: 'local',
        sourceBucket: 'photos',
        sourcePrefix: '',
        targetProviderId: 'minio',
        targetBucket: 'photos-backup',
        targetPrefix: 'laptop/',
        transfers: DEFAULT_TRANSFERS,
        deleteMode: 'synced',
        maxDelete: '10%',
        dryRun: false,
        enabled: true,
      },
      {
        name: 'GCS to S3, hourly (enable once the credentials are filled in)',
        sourceProviderId: 'gcs',
        sourceBucket: 'example-source-bucket',
        sourcePrefix: 'exports/',
        targetProviderId: 'aws',
        targetBucket: 'example-target-bucket',
        targetPrefix: 'exports/',
        transfers: 16,
        deleteMode: 'mirror',
        maxDelete: 100,
        dryRun: true,
        enabled: false,
        intervalSeconds: 3600,
      },
    ],
  };
  return `${JSON.stringify(sample, null, 2)}\n`;
}
