// createBucket with options (createTargetBucket's call) on every provider's test server: the bucket
// exists and is empty afterwards, and a second call for our own bucket succeeds. On moto the public
// access block is read back; s3rver has no such API, and the GCS test server and Azurite keep no
// location or access settings to read (README: createTargetBucket).
import { GetPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
import type { CreateBucketOptions } from '../../electron/providers/provider';
import { createS3Provider } from '../../electron/providers/s3';

const KINDS: readonly EndpointKind[] = ['local', 's3', 'minio', 'azure', 'gcs'];
const OPTIONS: Record<string, CreateBucketOptions> = { s3: { region: 'us-east-1' }, minio: { region: 'us-east-1' }, gcs: { location: 'EU' } };

describe('createBucket with options', () => {
  let endpoints: Endpoints;
  let moto: S3TestServer;
  beforeAll(async () => {
    [endpoints, moto] = await Promise.all([startEndpoints(KINDS), startMotoServer()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([endpoints?.stop(), moto?.stop()]);
  });

  for (const kind of KINDS) {
    it(`${kind}: creates an empty bucket, and a second call for our own bucket succeeds`, async () => {
      const provider = endpoints.provider(kind);
      const bucket = `created-${kind}`;
      expect(await provider.listBuckets()).not.toContain(bucket);
      await provider.createBucket(bucket, undefined, OPTIONS[kind]);
      await provider.createBucket(bucket, undefined, OPTIONS[kind]);
      expect(await provider.listBuckets()).toContain(bucket);
      expect((await provider.listPage(bucket, '', null)).items).toEqual([]);
    });
  }

  it('moto: a new bucket blocks public access, outside us-east-1 too', async () => {
    const settings = { ...awsSettingsFor(moto), region: 'eu-west-1' };
    const provider = createS3Provider(settings);
    const client = new S3Client({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
    });
    try {
      await provider.createBucket('created-private');
      await provider.createBucket('created-private-us', undefined, { region: 'us-east-1' });
      for (const bucket of ['created-private', 'created-private-us']) {
        const block = await client.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
        expect(block.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      }
      expect(await provider.listBuckets()).toEqual(expect.arrayContaining(['created-private', 'created-private-us']));
    } finally {
      client.destroy();
      await provider.close();
    }
  });
});
