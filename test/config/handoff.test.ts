// The hand-off plans (shared/handoff.ts): the requests that would have a cloud's transfer service copy
// a mapping, and the refusals where a service would copy something else than the mapping says.
import { describe, expect, it } from 'vitest';
import { handoffPlan, HandoffError } from '../../shared/handoff';
import type { Connection, Mapping } from '../../shared/model';

const SECRETS = ['AKIA-secret-id-123', 'aws-secret-key-456', 'azure-account-key-789', '{"private_key":"-----BEGIN PRIVATE KEY-----gcs"}'];

const aws: Connection = { id: 'aws', name: 'AWS', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: SECRETS[0]!, secretAccessKey: SECRETS[1]! } };
const awsTarget: Connection = { id: 'aws2', name: 'AWS backup', type: 'aws', aws: { region: 'us-west-2', accessKeyId: SECRETS[0]!, secretAccessKey: SECRETS[1]! } };
const azure: Connection = { id: 'az', name: 'Azure', type: 'azure', azure: { accountName: 'myaccount', accountKey: SECRETS[2]! } };
const gcs: Connection = { id: 'gcs', name: 'GCS', type: 'gcs', gcs: { projectId: 'my-project', credentialsJson: SECRETS[3]! } };
const minio: Connection = { id: 'minio', name: 'MinIO', type: 'minio', minio: { endpoint: 'minio.lan:9000', accessKey: 'k', secretKey: 'secret-minio', useSSL: false } };
const local: Connection = { id: 'disk', name: 'Disk', type: 'local', local: { root: '/data' } };

function mapping(source: Connection, target: Connection, extra: Partial<Mapping> = {}): Mapping {
  return {
    id: 'm1',
    name: 'Archive',
    sourceConnectionId: source.id,
    sourceBucket: 'src-bucket',
    sourcePrefix: 'photos/',
    targetConnectionId: target.id,
    targetBucket: 'dst-bucket',
    targetPrefix: 'backup/photos/',
    transfers: 8,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
    ...extra,
  };
}

function refusal(run: () => unknown): HandoffError {
  try {
    run();
  } catch (err) {
    if (err instanceof HandoffError) return err;
    throw err;
  }
  throw new Error('expected a HandoffError');
}

describe('Google Storage Transfer Service (→ GCS)', () => {
  it('S3 → GCS: a job with the S3 bucket and folder, the GCS bucket and folder, never deleting, then run and follow it', () => {
    const plan = handoffPlan(mapping(aws, gcs), aws, gcs);
    expect(plan.service).toBe('google-storage-transfer');
    expect(plan.calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
      'GET https://storagetransfer.googleapis.com/v1/googleServiceAccounts/my-project',
      'POST https://storagetransfer.googleapis.com/v1/transferJobs',
      'POST https://storagetransfer.googleapis.com/v1/<JOB_NAME>:run',
      'GET https://storagetransfer.googleapis.com/v1/transferOperations',
    ]);
    expect(plan.calls[1]!.body).toMatchObject({
      projectId: 'my-project',
      transferSpec: {
        awsS3DataSource: { bucketName: 'src-bucket', path: 'photos/', roleArn: '<AWS_ROLE_ARN>' },
        gcsDataSink: { bucketName: 'dst-bucket', path: 'backup/photos/' },
        transferOptions: { deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false },
      },
    });
    expect(decodeURIComponent(plan.calls[3]!.url)).toContain('"jobNames":["<JOB_NAME>"]');
    // Every placeholder used is explained, and every explained one is used.
    const text = JSON.stringify(plan.calls);
    const used = new Set(text.match(/<[A-Z0-9_]+>/g));
    expect([...used].sort()).toEqual(Object.keys(plan.placeholders).sort());
  });

  it('Azure → GCS reads the account at *.blob.core.windows.net with a SAS token placeholder; GCS → GCS needs no credentials', () => {
    const fromAzure = handoffPlan(mapping(azure, gcs), azure, gcs);
    expect(fromAzure.calls[1]!.body).toMatchObject({ transferSpec: { azureBlobStorageDataSource: { storageAccount: 'myaccount', container: 'src-bucket', path: 'photos/', azureCredentials: { sasToken: '<AZURE_SAS_TOKEN>' } } } });
    const fromGcs = handoffPlan(mapping(gcs, gcs), gcs, gcs);
    expect(fromGcs.calls[1]!.body).toMatchObject({ transferSpec: { gcsDataSource: { bucketName: 'src-bucket', path: 'photos/' } } });
    expect(Object.keys(fromGcs.placeholders)).toEqual(['<JOB_NAME>']);
  });
});

describe('AWS DataSync (→ S3)', () => {
  it('Azure → S3: locations, an Enhanced-mode task that verifies and never deletes, start and follow, in the target region', () => {
    const plan = handoffPlan(mapping(azure, awsTarget, { targetStorageClass: 'STANDARD_IA' }), azure, awsTarget);
    expect(plan.service).toBe('aws-datasync');
    expect(plan.calls.map((c) => c.target)).toEqual([
      'FmrsService.CreateLocationAzureBlob',
      'FmrsService.CreateLocationS3',
      'FmrsService.CreateTask',
      'FmrsService.StartTaskExecution',
      'FmrsService.DescribeTaskExecution',
    ]);
    expect(new Set(plan.calls.map((c) => c.url))).toEqual(new Set(['https://datasync.us-west-2.amazonaws.com/']));
    expect(plan.calls[0]!.body).toMatchObject({ ContainerUrl: 'https://myaccount.blob.core.windows.net/src-bucket', Subdirectory: '/photos/', AuthenticationType: 'SAS' });
    expect(plan.calls[1]!.body).toMatchObject({ S3BucketArn: 'arn:aws:s3:::dst-bucket', Subdirectory: '/backup/photos/', S3StorageClass: 'STANDARD_IA' });
    expect(plan.calls[2]!.body).toMatchObject({ TaskMode: 'ENHANCED', Options: { VerifyMode: 'ONLY_FILES_TRANSFERRED', PreserveDeletedFiles: 'PRESERVE', TransferMode: 'CHANGED' } });
    const used = new Set(JSON.stringify(plan.calls).match(/<[A-Z0-9_]+>/g));
    expect([...used].sort()).toEqual(Object.keys(plan.placeholders).sort());
  });

  it('GCS → S3 goes through the XML API with an HMAC key and an agent; S3 → S3 with the access role', () => {
    const fromGcs = handoffPlan(mapping(gcs, awsTarget), gcs, awsTarget);
    expect(fromGcs.calls[0]).toMatchObject({ target: 'FmrsService.CreateLocationObjectStorage', body: { ServerHostname: 'storage.googleapis.com', BucketName: 'src-bucket', AgentArns: ['<AGENT_ARN>'] } });
    const fromS3 = handoffPlan(mapping(aws, awsTarget), aws, awsTarget);
    expect(fromS3.calls[0]).toMatchObject({ target: 'FmrsService.CreateLocationS3', body: { S3BucketArn: 'arn:aws:s3:::src-bucket', Subdirectory: '/photos/' } });
  });
});

describe('what cannot be handed off is refused, naming the setting', () => {
  it('a target no service writes to, or a source it cannot reach', () => {
    expect(refusal(() => handoffPlan(mapping(aws, azure), aws, azure))).toMatchObject({ field: 'targetConnectionId' });
    expect(refusal(() => handoffPlan(mapping(aws, minio), aws, minio)).message).toMatch(/no cloud transfer service writes to connection "MinIO"/);
    expect(refusal(() => handoffPlan(mapping(local, gcs), local, gcs))).toMatchObject({ field: 'sourceConnectionId' });
    expect(refusal(() => handoffPlan(mapping(minio, gcs), minio, gcs))).toMatchObject({ field: 'sourceConnectionId' });
    const azurite: Connection = { id: 'azurite', name: 'Azurite', type: 'azure', azure: { connectionString: 'UseDevelopmentStorage=true' } };
    expect(refusal(() => handoffPlan(mapping(azurite, gcs), azurite, gcs)).message).toMatch(/\*\.blob\.core\.windows\.net/);
    const s3Compatible: Connection = { id: 'wasabi', name: 'Wasabi', type: 'aws', aws: { region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 'b', endpoint: 'https://s3.wasabisys.com' } };
    expect(refusal(() => handoffPlan(mapping(aws, s3Compatible), aws, s3Compatible))).toMatchObject({ field: 'targetConnectionId' });
  });

  it('filters the services cannot express, and prefixes that are not folders', () => {
    expect(refusal(() => handoffPlan(mapping(aws, gcs, { exclude: ['*.tmp'] }), aws, gcs))).toMatchObject({ field: 'exclude' });
    expect(refusal(() => handoffPlan(mapping(aws, gcs, { includeRegex: ['^a'] }), aws, gcs))).toMatchObject({ field: 'includeRegex' });
    expect(refusal(() => handoffPlan(mapping(aws, gcs, { maxSize: 10 }), aws, gcs))).toMatchObject({ field: 'maxSize' });
    expect(refusal(() => handoffPlan(mapping(aws, gcs, { sourcePrefix: 'photos' }), aws, gcs))).toMatchObject({ field: 'sourcePrefix' });
    expect(refusal(() => handoffPlan(mapping(aws, gcs, { targetPrefix: 'b' }), aws, gcs))).toMatchObject({ field: 'targetPrefix' });
    // Empty filters are no filters.
    expect(handoffPlan(mapping(aws, gcs, { include: [], minAge: null }), aws, gcs).service).toBe('google-storage-transfer');
  });
});

it('no plan carries a secret of the connections, and afterwards names the adopting run and the delete mode', () => {
  for (const [source, target] of [[aws, gcs], [azure, gcs], [gcs, gcs], [azure, awsTarget], [gcs, awsTarget], [aws, awsTarget]] as const) {
    const plan = handoffPlan(mapping(source, target, { deleteMode: 'mirror' }), source, target);
    const text = JSON.stringify(plan);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(plan.afterwards.join(' ')).toMatch(/adopted/);
    expect(plan.afterwards.join(' ')).toMatch(/delete mode \(mirror\)/);
  }
});
