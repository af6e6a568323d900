// Tags, storage class and server-side encryption of the objects a provider writes and copies
// (WriteOptions.tags/storageClass/encryption, copy's options, head's report, getTags), on every
// implementation that has them: the s3 and minio providers on moto (which keeps all three) and on
// s3rver (storage class only), Azurite (tier, tags; it ignores encryption scopes, so those are
// checked on the wire) and the GCS test server (class and KMS key name). What each server lacks is
// named per case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMinioProvider } from '../../electron/providers/minio';
import { createS3Provider } from '../../electron/providers/s3';
import type { StorageProvider, TargetObjectOptions, WriteOptions } from '../../electron/providers/provider';
import { isStorageError } from '../../electron/providers/errors';
import type { TargetEncryption } from '../../shared/model';
import { startEndpoints, type Endpoints } from '../support/endpoints';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, minioSettingsFor, type S3TestServer } from '../support/s3-server';
import { putText, readAll, uniqueBucket } from '../support/objects';
import { startFaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import { azureSettingsFor, startAzurite, type AzuriteServer } from '../support/azurite';
import { createAzureProvider } from '../../electron/providers/azure';

interface Implementation {
  name: string;
  provider(multipart: boolean): StorageProvider;
  /** The storage class a write asks for, and how head reports the default. */
  storageClass: string;
  defaultClass: string | undefined;
  encryption?: TargetEncryption;
  /** The server stores tags sent with the write (s3rver ignores x-amz-tagging). */
  tagsOnWrite: boolean;
  /** The server stores and reports encryption. */
  reportsEncryption: boolean;
  /** CopyObject takes a new storage class (s3rver keeps the source's: it copies x-amz-storage-class as metadata under MetadataDirective COPY). */
  classOnCopy: boolean;
}

const TAGS = { project: 'apollo', 'cost-center': 'R+D/7', empty: '' };
const CONTENT: WriteOptions = { contentType: 'text/plain', metadata: { owner: 'team-7' } };

describe('target options on the providers', () => {
  let endpoints: Endpoints;
  let moto: S3TestServer;
  let azurite: AzuriteServer;
  const implementations: Implementation[] = [];
  beforeAll(async () => {
    [endpoints, moto, azurite] = await Promise.all([startEndpoints(['s3', 'gcs']), startMotoServer(), startAzurite()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([endpoints?.stop(), moto?.stop(), azurite?.stop()]);
  });

  const parts = (multipart: boolean) => (multipart ? { multipartThreshold: 1, partSize: 5 * 1024 * 1024 } : {});
  const kms: TargetEncryption = { sse: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/test-key' };
  implementations.push(
    { name: 's3 on moto', provider: (m) => createS3Provider(awsSettingsFor(moto), parts(m)), storageClass: 'STANDARD_IA', defaultClass: 'STANDARD', encryption: kms, tagsOnWrite: true, reportsEncryption: true, classOnCopy: true },
    { name: 'minio on moto', provider: (m) => createMinioProvider(minioSettingsFor(moto), parts(m)), storageClass: 'REDUCED_REDUNDANCY', defaultClass: 'STANDARD', encryption: { sse: 'AES256' }, tagsOnWrite: true, reportsEncryption: true, classOnCopy: true },
    { name: 's3 on s3rver', provider: (m) => endpoints.provider('s3', parts(m)), storageClass: 'STANDARD_IA', defaultClass: 'STANDARD', tagsOnWrite: false, reportsEncryption: false, classOnCopy: false },
    { name: 'minio on s3rver', provider: (m) => endpoints.provider('minio', parts(m)), storageClass: 'REDUCED_REDUNDANCY', defaultClass: 'STANDARD', tagsOnWrite: false, reportsEncryption: false, classOnCopy: false },
    { name: 'azure on Azurite', provider: (m) => createAzureProvider(azureSettingsFor(azurite), m ? { multipartThreshold: 1, blockSize: 1024 } : {}), storageClass: 'Cool', defaultClass: 'Hot', tagsOnWrite: true, reportsEncryption: false, classOnCopy: true },
    {
      name: 'gcs on the test server',
      provider: (m) => endpoints.provider('gcs', m ? { multipartThreshold: 1, partSize: 256 * 1024 } : undefined),
      storageClass: 'NEARLINE',
      defaultClass: 'STANDARD',
      encryption: { kmsKeyName: 'projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k' },
      tagsOnWrite: false,
      reportsEncryption: true,
      classOnCopy: true,
    },
  );

  for (const impl of implementations) {
    for (const multipart of [false, true]) {
      const path = multipart ? 'in parts' : 'in one request';
      it(`${impl.name}: a write ${path} stores the class${impl.encryption ? ', the encryption' : ''}${impl.tagsOnWrite ? ' and the tags' : ''} it was given`, async () => {
        const provider = impl.provider(multipart);
        const bucket = uniqueBucket('to');
        await provider.createBucket(bucket);
        const options: WriteOptions = { ...CONTENT, storageClass: impl.storageClass, encryption: impl.encryption, tags: provider.capabilities.tags ? TAGS : undefined };
        await putText(provider, bucket, 'a.txt', 'hello tags', options);
        const head = await provider.head(bucket, 'a.txt');
        expect(head?.storageClass).toBe(impl.storageClass);
        expect(head?.contentType).toBe('text/plain');
        if (impl.reportsEncryption) expect(head?.encryption).toEqual(impl.encryption);
        if (provider.capabilities.tags && impl.tagsOnWrite) {
          expect(head?.tagCount).toBe(3);
          expect(await provider.getTags!(bucket, 'a.txt')).toEqual(TAGS);
        }
        // Written without options: the bucket's default class, no tags.
        await putText(provider, bucket, 'b.txt', 'plain', CONTENT);
        const plain = await provider.head(bucket, 'b.txt');
        expect(plain?.storageClass).toBe(impl.defaultClass);
        expect(plain?.encryption).toBeUndefined();
        if (provider.capabilities.tags) {
          expect(plain?.tagCount).toBe(0);
          expect(await provider.getTags!(bucket, 'b.txt')).toEqual({});
        }
        expect((await readAll(provider, bucket, 'a.txt')).toString()).toBe('hello tags');
      });
    }

    it(`${impl.name}: a server-side copy takes the class${impl.encryption ? ' and encryption' : ''} asked for and keeps the source's tags`, async () => {
      const provider = impl.provider(false);
      const bucket = uniqueBucket('cp');
      await provider.createBucket(bucket);
      await putText(provider, bucket, 'src.txt', 'copy me', { ...CONTENT, tags: provider.capabilities.tags ? TAGS : undefined });
      const options: TargetObjectOptions = { storageClass: impl.storageClass, encryption: impl.name.startsWith('azure') ? undefined : impl.encryption };
      await provider.copy!(bucket, 'src.txt', bucket, 'dst.txt', undefined, options);
      const head = await provider.head(bucket, 'dst.txt');
      expect(head?.storageClass).toBe(impl.classOnCopy ? impl.storageClass : impl.defaultClass);
      expect(head?.contentType).toBe('text/plain');
      expect(head?.metadata).toEqual({ owner: 'team-7' });
      if (impl.reportsEncryption && options.encryption) expect(head?.encryption).toEqual(options.encryption);
      if (provider.capabilities.tags && impl.tagsOnWrite) expect(await provider.getTags!(bucket, 'dst.txt')).toEqual(TAGS);
    });
  }

  it('s3 and minio on moto: a multipart copy (UploadPartCopy) gets the source\'s tags, read because HEAD counted them, and the class and encryption asked for', async () => {
    const multipartCopy = { copyThreshold: 0 };
    for (const provider of [createS3Provider(awsSettingsFor(moto), multipartCopy), createMinioProvider(minioSettingsFor(moto), multipartCopy)]) {
      const bucket = uniqueBucket('mpc');
      await provider.createBucket(bucket);
      await putText(provider, bucket, 'src.txt', 'copied in parts', { ...CONTENT, tags: TAGS });
      await putText(provider, bucket, 'plain.txt', 'no tags', CONTENT);
      const options: TargetObjectOptions = { storageClass: 'REDUCED_REDUNDANCY', encryption: { sse: 'AES256' } };
      await provider.copy!(bucket, 'src.txt', bucket, 'dst.txt', undefined, options);
      await provider.copy!(bucket, 'plain.txt', bucket, 'plain-copy.txt', undefined, options);
      const head = await provider.head(bucket, 'dst.txt');
      expect(head).toMatchObject({ storageClass: 'REDUCED_REDUNDANCY', encryption: { sse: 'AES256' }, contentType: 'text/plain', metadata: { owner: 'team-7' }, tagCount: 3 });
      expect(head?.etag).toMatch(/-1$/);
      expect(await provider.getTags!(bucket, 'dst.txt')).toEqual(TAGS);
      expect(await provider.getTags!(bucket, 'plain-copy.txt')).toEqual({});
    }
  });

  it('s3 and minio: a tag S3 cannot store fails the write, naming the tag, and nothing is written', async () => {
    for (const provider of [createS3Provider(awsSettingsFor(moto)), createMinioProvider(minioSettingsFor(moto))]) {
      const bucket = uniqueBucket('bad');
      await provider.createBucket(bucket);
      const failure = await putText(provider, bucket, 'x.txt', 'x', { tags: { note: 'a#b' } }).then(() => null, (err: unknown) => err);
      expect(isStorageError(failure, 'Fatal')).toBe(true);
      expect(String((failure as Error).message)).toContain('"note" = "a#b"');
      expect(await provider.head(bucket, 'x.txt')).toBeNull();
    }
  });

  it('azure: a tag Azure cannot store (an S3 tag with @ or a non-ASCII letter) fails the write, naming the tag', async () => {
    const provider = createAzureProvider(azureSettingsFor(azurite));
    const bucket = uniqueBucket('bad');
    await provider.createBucket(bucket);
    for (const tags of [{ owner: 'ops@example.com' }, { 'café': 'yes' }, Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v']))]) {
      const failure = await putText(provider, bucket, 'x.txt', 'x', { tags }).then(() => null, (err: unknown) => err);
      expect(isStorageError(failure, 'Fatal'), JSON.stringify(tags)).toBe(true);
      expect(await provider.head(bucket, 'x.txt')).toBeNull();
    }
  });

  it('azure: the encryption scope and tier go on Put Blob and on Put Block List (Azurite ignores the scope, so the requests are watched)', async () => {
    const server = azurite;
    const proxy = await startFaultProxy({ upstream: `http://127.0.0.1:${server.port}`, seed: 1 });
    try {
      const settings = { ...azureSettingsFor(server), endpointUrl: `${proxy.url}/${server.accountName}` };
      const bucket = uniqueBucket('scope');
      await createAzureProvider(settings).createBucket(bucket);
      const scoped = (comp: string | null) => ({
        method: 'PUT',
        query: (q: URLSearchParams) => q.get('comp') === comp,
        test: (req: ProxiedRequest) => req.headers['x-ms-encryption-scope'] === 'scope-1' && req.headers['x-ms-access-tier'] === 'Cool',
      });
      const putBlob = proxy.watch(scoped(null));
      const putBlockList = proxy.watch(scoped('blocklist'));
      const options: WriteOptions = { storageClass: 'Cool', encryption: { encryptionScope: 'scope-1' } };
      await putText(createAzureProvider(settings), bucket, 'one.txt', 'one request', options);
      await putText(createAzureProvider(settings, { multipartThreshold: 1, blockSize: 4 }), bucket, 'blocks.txt', 'in blocks', options);
      expect(putBlob.requests).toBe(1);
      expect(putBlockList.requests).toBe(1);
    } finally {
      await proxy.stop();
    }
  });

  it('azure: a copy into an encryption scope is left to a streamed copy (Copy Blob cannot set one)', async () => {
    const provider = createAzureProvider(azureSettingsFor(azurite));
    const bucket = uniqueBucket('scope');
    await provider.createBucket(bucket);
    await putText(provider, bucket, 'src.txt', 'x');
    const failure = await provider.copy!(bucket, 'src.txt', bucket, 'dst.txt', undefined, { encryption: { encryptionScope: 'scope1' } }).then(() => null, (err: unknown) => err);
    expect(isStorageError(failure, 'Fatal')).toBe(true);
    expect((failure as { cause?: { name?: string } }).cause?.name).toBe('NotImplemented');
    expect(await provider.head(bucket, 'dst.txt')).toBeNull();
  });
});
