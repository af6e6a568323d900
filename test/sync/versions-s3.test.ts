// keepVersions on S3, where versioning is a bucket property. moto has real versioning: with it
// enabled, an overwrite and a delete leave the old version listable and readable by version id;
// without it the run is refused before anything is copied, naming the bucket and how to enable it;
// createTargetBucket creates the bucket with versioning on. s3rver has no versioning at all: what it
// answers is pinned here (see docs/versions.md), through both the s3 and the minio provider.
import { GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { createMinioProvider } from '../../electron/providers/minio';
import type { StorageProvider } from '../../electron/providers/provider';
import { createS3Provider } from '../../electron/providers/s3';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping } from '../../electron/sync/runner';
import { startEndpoints, type Endpoints } from '../support/endpoints';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, minioSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { listAll, putText, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

function mappingFor(sourceBucket: string, targetBucket: string, patch: Partial<Mapping> = {}): Mapping {
  return {
    id: 'm1', name: 'versions', sourceConnectionId: 'src', sourceBucket, sourcePrefix: '',
    targetConnectionId: 'dst', targetBucket, targetPrefix: 'copy/',
    transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, keepVersions: true, ...patch,
  };
}

describe('keepVersions on S3 bucket versioning', () => {
  let endpoints: Endpoints;
  let moto: S3TestServer;
  let s3rver: S3TestServer;
  let local: StorageProvider;
  let sourceBucket: string;
  beforeAll(async () => {
    [endpoints, moto, s3rver] = await Promise.all([startEndpoints(['local']), startMotoServer(), startS3Server()]);
    local = endpoints.provider('local');
    sourceBucket = uniqueBucket('src');
    await local.createBucket(sourceBucket);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([endpoints?.stop(), moto?.stop(), s3rver?.stop()]);
  });

  const run = (state: MemoryState, target: StorageProvider, mapping: Mapping, dryRun = false) =>
    runMapping({ state, mapping, source: local, target, sameConnection: false, retry: FAST_RETRY, dryRun });

  describe('moto', () => {
    let target: StorageProvider;
    let client: S3Client;
    beforeAll(() => {
      target = createS3Provider(awsSettingsFor(moto));
      client = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey } });
    });
    afterAll(async () => {
      await target.close();
      client.destroy();
    });

    it('a bucket without versioning: the run and its preview are refused, naming the bucket and how to enable it; nothing is copied', async () => {
      const bucket = uniqueBucket('plain');
      await target.createBucket(bucket);
      expect(await target.versioning!(bucket)).toBe('off');
      await putText(local, sourceBucket, 'a.txt', 'alpha');
      const state = new MemoryState();
      for (const dryRun of [true, false]) {
        const { run: summary } = await run(state, target, mappingFor(sourceBucket, bucket), dryRun);
        expect(summary).toMatchObject({ status: 'failed', copied: 0, errorCode: 'VersionsUnavailable' });
        expect(summary.firstError).toBe(
          `keepVersions: target bucket "${bucket}" does not keep previous versions (its versioning is off). Nothing was copied or deleted. ` +
            `Enable versioning on the bucket (aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled, or the S3 console: Properties, Bucket Versioning) or turn keepVersions off. ` +
            'This app never changes the settings of a bucket it did not create: versioning keeps every old version, which costs storage.',
        );
      }
      expect(await listAll(target, bucket)).toEqual([]);
      expect(await target.versioning!(bucket)).toBe('off');
      // Without keepVersions the same bucket syncs.
      expect((await run(state, target, mappingFor(sourceBucket, bucket, { keepVersions: false }))).run.status).toBe('success');
    });

    it('a missing bucket without createTargetBucket fails as any run does, naming it', async () => {
      const { run: summary } = await run(new MemoryState(), target, mappingFor(sourceBucket, 'never-made-versions'));
      expect(summary).toMatchObject({ status: 'failed', copied: 0, errorCode: 'NotFound' });
      expect(summary.firstError).toBe('target bucket "never-made-versions" was not found on connection "dst". Nothing was deleted.');
    });

    it('a bucket whose versioning was suspended keeps no new versions: the run is refused, saying so', async () => {
      const bucket = uniqueBucket('suspended');
      await target.createBucket(bucket, undefined, { versioning: true });
      expect(await target.versioning!(bucket)).toBe('enabled');
      await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
      expect(await target.versioning!(bucket)).toBe('suspended');
      const { run: summary } = await run(new MemoryState(), target, mappingFor(sourceBucket, bucket));
      expect(summary).toMatchObject({ status: 'failed', copied: 0, errorCode: 'VersionsUnavailable' });
      expect(summary.firstError).toMatch(/does not keep previous versions \(its versioning is suspended\)/);
    });

    it('createTargetBucket makes the bucket with versioning on; an overwrite and a delete leave the old versions readable by version id', async () => {
      const src = uniqueBucket('src');
      await local.createBucket(src);
      await putText(local, src, 'a.txt', 'alpha v1');
      await putText(local, src, 'gone.txt', 'to be deleted');
      const bucket = uniqueBucket('versioned');
      const state = new MemoryState();
      const mapping = mappingFor(src, bucket, { createTargetBucket: true });
      const dryState = new MemoryState();
      const drySummary = await run(dryState, target, mapping, true);
      expect(drySummary.run.status).toBe('success');
      expect(dryState.logs(drySummary.run.id).map((l) => l.message)).toContain(`Target bucket ${bucket} does not exist: a run would create it with versioning on (createTargetBucket)`);
      expect(drySummary.versions).toBe(`A run would overwrite or delete 0 object(s); bucket versioning of ${bucket} keeps their previous versions (keepVersions)`);
      expect((await target.listBuckets())).not.toContain(bucket);

      const first = await run(state, target, mapping);
      expect(first.run).toMatchObject({ status: 'success', copied: 2 });
      expect(state.logs(first.run.id).map((l) => l.message)).toContain(`Created target bucket ${bucket} with versioning on (keepVersions)`);
      expect(await target.versioning!(bucket)).toBe('enabled');

      await putText(local, src, 'a.txt', 'alpha v2');
      await local.remove(src, ['gone.txt']);
      const second = await run(state, target, mapping);
      expect(second.run).toMatchObject({ status: 'success', copied: 1, deleted: 1 });
      expect(second.versions).toBe(`Overwrote or deleted 2 object(s); bucket versioning of ${bucket} keeps their previous versions (keepVersions)`);
      expect((await readAll(target, bucket, 'copy/a.txt')).toString()).toBe('alpha v2');
      expect(await target.head(bucket, 'copy/gone.txt')).toBeNull();

      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'copy/' }));
      const versions = (listed.Versions ?? []).map((v) => ({ key: v.Key, latest: v.IsLatest, id: v.VersionId! }));
      const deleteMarkers = (listed.DeleteMarkers ?? []).map((m) => m.Key);
      expect(versions.filter((v) => v.key === 'copy/a.txt')).toHaveLength(2);
      expect(deleteMarkers).toEqual(['copy/gone.txt']);
      const old = async (key: string) => {
        const version = versions.find((v) => v.key === key && !v.latest)!;
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version.id }));
        return out.Body!.transformToString();
      };
      expect(await old('copy/a.txt')).toBe('alpha v1');
      expect(versions.filter((v) => v.key === 'copy/gone.txt')).toHaveLength(1);
      const gone = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy/gone.txt', VersionId: versions.find((v) => v.key === 'copy/gone.txt')!.id }));
      expect(await gone.Body!.transformToString()).toBe('to be deleted');
    });
  });

  // s3rver has no bucket versioning: GET ?versioning is answered as a plain bucket listing, without
  // a Status, so the providers read "off" and the run is refused as on a bucket without it. PUT
  // ?versioning is taken for a bucket creation ("The requested bucket already exists"), so a bucket a
  // run creates stays without versioning: that run fails saying so, and the next is refused.
  for (const kind of ['s3', 'minio'] as const) {
    describe(`s3rver (${kind} provider)`, () => {
      let target: StorageProvider;
      beforeAll(() => {
        target = kind === 's3' ? createS3Provider(awsSettingsFor(s3rver)) : createMinioProvider(minioSettingsFor(s3rver));
      });
      afterAll(async () => {
        await target.close();
      });

      it('an existing bucket reads as versioning off, and the run is refused', async () => {
        const bucket = uniqueBucket('plain');
        await target.createBucket(bucket);
        await putText(local, sourceBucket, 'a.txt', 'alpha');
        const { run: summary } = await run(new MemoryState(), target, mappingFor(sourceBucket, bucket));
        expect(summary).toMatchObject({ status: 'failed', copied: 0, errorCode: 'VersionsUnavailable' });
        expect(summary.firstError).toMatch(new RegExp(`^keepVersions: target bucket "${bucket}" does not keep previous versions \\(its versioning is off\\)`));
        expect(await listAll(target, bucket)).toEqual([]);
      });

      it('createTargetBucket: the bucket is made but versioning cannot be turned on; the run fails saying so, copies nothing, and the next run is refused', async () => {
        const bucket = uniqueBucket('made');
        const mapping = mappingFor(sourceBucket, bucket, { createTargetBucket: true });
        const state = new MemoryState();
        const { run: first } = await run(state, target, mapping);
        expect(first).toMatchObject({ status: 'failed', copied: 0, errorCode: 'Fatal' });
        expect(first.firstError).toBe(
          `bucket "${bucket}" was created, but its versioning could not be turned on (enable versioning of bucket "${bucket}": The requested bucket already exists); the bucket is left without versioning`,
        );
        expect(await target.listBuckets()).toContain(bucket);
        expect(await listAll(target, bucket)).toEqual([]);
        const { run: second } = await run(state, target, mapping);
        expect(second).toMatchObject({ status: 'failed', copied: 0, errorCode: 'VersionsUnavailable' });
        expect(second.firstError).toMatch(/its versioning is off/);
      });
    });
  }
});
