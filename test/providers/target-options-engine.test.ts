// The engine with tags, storage class and encryption: which requests tags cost (counted wrapper),
// what happens to tags a target cannot store (dropped with one warning, or the object failed), that
// an archive class is never read back, and that SSE-KMS writes are still checked by S3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCounts, counted } from '../../electron/providers/counted';
import { createS3Provider } from '../../electron/providers/s3';
import type { StorageProvider } from '../../electron/providers/provider';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping, type RunLogLine } from '../../electron/sync/runner';
import type { Mapping } from '../../shared/model';
import { startEndpoints, type Endpoints } from '../support/endpoints';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
import { putText, uniqueBucket } from '../support/objects';
import { startSseKmsProxy, type SseKmsProxy } from './s3-sse-proxy';

const TAGS = { project: 'apollo', tier: 'gold' };

function mappingFor(sourceBucket: string, targetBucket: string, extra: Partial<Mapping> = {}): Mapping {
  return {
    id: `m-${sourceBucket}`, name: 'm', sourceConnectionId: 'src', sourceBucket, sourcePrefix: '', targetConnectionId: 'dst', targetBucket, targetPrefix: '',
    transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...extra,
  };
}

describe('the engine with target options', () => {
  let endpoints: Endpoints;
  let moto: S3TestServer;
  beforeAll(async () => {
    [endpoints, moto] = await Promise.all([startEndpoints(['azure', 'gcs', 'local']), startMotoServer()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([endpoints?.stop(), moto?.stop()]);
  });

  /** A moto bucket with one tagged and two untagged objects. */
  async function s3Source(): Promise<{ provider: StorageProvider; bucket: string }> {
    const provider = createS3Provider(awsSettingsFor(moto));
    const bucket = uniqueBucket('src');
    await provider.createBucket(bucket);
    await putText(provider, bucket, 'tagged.txt', 'tagged', { tags: TAGS });
    await putText(provider, bucket, 'plain-1.txt', 'plain one');
    await putText(provider, bucket, 'plain-2.txt', 'plain two');
    return { provider, bucket };
  }

  async function run(source: StorageProvider, target: StorageProvider, mapping: Mapping, state = new MemoryState()) {
    const logs: RunLogLine[] = [];
    const outcome = await runMapping({ state, mapping, source, target, sameConnection: false, onLog: (l) => logs.push(l) });
    return { ...outcome, logs };
  }

  it('S3 → Azure: tags are read (GetObjectTagging) only for the object HEAD counted tags on, and arrive as blob index tags', async () => {
    const src = await s3Source();
    const counts = new RequestCounts();
    const target = endpoints.provider('azure');
    const targetBucket = uniqueBucket('dst');
    await target.createBucket(targetBucket);
    const { run: summary } = await run(counted(src.provider, counts), target, mappingFor(src.bucket, targetBucket, { targetStorageClass: 'Cool' }));
    expect(summary.status, summary.firstError ?? '').toBe('success');
    expect(summary.copied).toBe(3);
    expect(counts.calls.getTags).toBe(1);
    expect(await target.getTags!(targetBucket, 'tagged.txt')).toEqual(TAGS);
    expect(await target.getTags!(targetBucket, 'plain-1.txt')).toEqual({});
    expect((await target.head(targetBucket, 'plain-2.txt'))?.storageClass).toBe('Cool');
  });

  it('Azure → S3: blob index tags arrive as S3 object tags, read once per tagged blob', async () => {
    const source = endpoints.provider('azure');
    const bucket = uniqueBucket('src');
    await source.createBucket(bucket);
    await putText(source, bucket, 'tagged.txt', 'tagged', { tags: TAGS });
    await putText(source, bucket, 'plain.txt', 'plain');
    const counts = new RequestCounts();
    const target = createS3Provider(awsSettingsFor(moto));
    const targetBucket = uniqueBucket('dst');
    await target.createBucket(targetBucket);
    const { run: summary } = await run(counted(source, counts), target, mappingFor(bucket, targetBucket, { targetStorageClass: 'STANDARD_IA', targetEncryption: { sse: 'AES256' } }));
    expect(summary.status, summary.firstError ?? '').toBe('success');
    expect(counts.calls.getTags).toBe(1);
    expect(await target.getTags!(targetBucket, 'tagged.txt')).toEqual(TAGS);
    const head = await target.head(targetBucket, 'plain.txt');
    expect(head).toMatchObject({ storageClass: 'STANDARD_IA', encryption: { sse: 'AES256' }, tagCount: 0 });
  });

  it('S3 → GCS: tags are not read, the objects are copied without them, and the run warns once with a count', async () => {
    const src = await s3Source();
    const counts = new RequestCounts();
    const target = endpoints.provider('gcs');
    const targetBucket = uniqueBucket('dst');
    await target.createBucket(targetBucket);
    const { run: summary, logs } = await run(counted(src.provider, counts), target, mappingFor(src.bucket, targetBucket, { targetStorageClass: 'COLDLINE' }));
    expect(summary.status, summary.firstError ?? '').toBe('success');
    expect(counts.calls.getTags).toBe(0);
    const warnings = logs.filter((l) => /had tags/.test(l.message));
    expect(warnings).toEqual([{ level: 'warn', message: '1 object(s) had tags that Google Cloud Storage cannot store (Google Cloud Storage objects have no tags); they were copied without them', key: undefined }]);
    expect(logs.map((l) => l.message)).toContain('Objects written to the target get storage class COLDLINE');
    expect((await target.head(targetBucket, 'tagged.txt'))?.storageClass).toBe('COLDLINE');
  });

  it('S3 → Azure: an object with a tag Azure cannot store fails, naming the tag; the others are copied', async () => {
    const src = await s3Source();
    await putText(src.provider, src.bucket, 'mail.txt', 'x', { tags: { owner: 'ops@example.com' } });
    const target = endpoints.provider('azure');
    const targetBucket = uniqueBucket('dst');
    await target.createBucket(targetBucket);
    const { run: summary, logs } = await run(src.provider, target, mappingFor(src.bucket, targetBucket));
    expect(summary.status).toBe('partial');
    expect(summary.copied).toBe(3);
    expect(summary.failed).toBe(1);
    const failure = logs.find((l) => l.level === 'error' && l.key === 'mail.txt')?.message ?? '';
    expect(failure).toContain('"owner" = "ops@example.com"');
    expect(await target.head(targetBucket, 'mail.txt')).toBeNull();
  });

  it('an archive class (S3 GLACIER on moto, Azure Archive) is written and never read back', async () => {
    const local = endpoints.provider('local');
    const bucket = uniqueBucket('src');
    await local.createBucket(bucket);
    await putText(local, bucket, 'cold.bin', Buffer.alloc(1000, 7));
    for (const [target, storageClass] of [[createS3Provider(awsSettingsFor(moto)), 'GLACIER'], [endpoints.provider('azure'), 'Archive']] as const) {
      const counts = new RequestCounts();
      const targetBucket = uniqueBucket('dst');
      await target.createBucket(targetBucket);
      const state = new MemoryState();
      const mapping = mappingFor(bucket, targetBucket, { id: `archive-${storageClass}`, targetStorageClass: storageClass });
      const { run: summary, logs } = await run(local, counted(target, counts), mapping, state);
      expect(summary.status, summary.firstError ?? '').toBe('success');
      expect(counts.calls.read).toBe(0);
      expect((await target.head(targetBucket, 'cold.bin'))?.storageClass).toBe(storageClass);
      expect(logs.some((l) => l.message.includes('an archive class: objects are never read back'))).toBe(true);
      // The next run compares listings and the recorded state only: nothing is read, nothing copied again.
      const again = await run(local, counted(target, counts), mapping, state);
      expect(again.run.status, again.run.firstError ?? '').toBe('success');
      expect(again.run.skipped).toBe(1);
      expect(counts.calls.read).toBe(0);
    }
  });

  describe('SSE-KMS behind a proxy that answers as AWS does (ETag not an MD5)', () => {
    let proxy: SseKmsProxy;
    beforeAll(async () => {
      proxy = await startSseKmsProxy(moto.port);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('an object whose MD5 is unknown before the upload goes in parts, each with its Content-MD5, and keeps no false MD5', async () => {
      const local = endpoints.provider('local');
      const bucket = uniqueBucket('src');
      await local.createBucket(bucket);
      await putText(local, bucket, 'secret.txt', 'kms protected');
      const target = createS3Provider({ ...awsSettingsFor(moto), endpoint: proxy.endpoint });
      const targetBucket = uniqueBucket('dst');
      await target.createBucket(targetBucket);
      const { run: summary, logs } = await run(local, target, mappingFor(bucket, targetBucket, { targetEncryption: { sse: 'aws:kms', kmsKeyId: 'test-key' } }));
      expect(summary.status, summary.firstError ?? '').toBe('success');
      const head = await target.head(targetBucket, 'secret.txt');
      // A multipart ETag (…-1): one part, sent with its Content-MD5.
      expect(head?.etag).toMatch(/-1$/);
      expect(head?.md5).toBeUndefined();
      expect(head?.encryption).toEqual({ sse: 'aws:kms', kmsKeyId: 'test-key' });
      expect(logs.map((l) => l.message)).toContain(
        "Objects written to the target get SSE-KMS encryption (key test-key; ETags are not MD5s, so the bytes are checked by Content-MD5 on upload)",
      );
    });
  });
});
