// The sample config.json written by --generate-config.
import { DESCRIPTORS } from '../providers';
import { DEFAULT_DATABASE_PATH, DEFAULT_TRANSFERS } from './defaults';

/**
 * The file written by --generate-config: one provider of each type, placeholders where secrets go
 * (each reported as a warning until filled in), and mappings that refer to providers that exist.
 * The cloud mapping starts disabled so a first run does not try placeholder keys.
 */
export function generateSampleConfig(): string {
  const sample = {
    databasePath: DEFAULT_DATABASE_PATH,
    // One of each type, from its descriptor; the mappings below use their ids (the type names).
    providers: DESCRIPTORS.map((d) => ({ id: d.type, name: d.sample.name, type: d.type, [d.type]: d.sample.settings })),
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
