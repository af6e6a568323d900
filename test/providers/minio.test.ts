import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client, InvalidBucketNameError, S3Error } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, isStorageError } from '../../electron/providers/errors';
import { createMinioProvider, mapMinioError, resolveMinioSettings } from '../../electron/providers/minio';
import { minioSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { freePort } from '../support/free-port';
import { conformanceTarget, describeProviderConformance } from './conformance';
import { describeS3Integrity } from './s3-integrity';
import { consume } from './helpers';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

describeProviderConformance('minio', async () => conformanceTarget(createMinioProvider(minioSettingsFor(server)), 'minio-conformance-'));
// s3rver gives multipart uploads plain MD5 ETags, ignores partNumber on HEAD and has no UploadPartCopy.
describeS3Integrity('minio', {
  server: () => server,
  create: (s, options) => createMinioProvider(minioSettingsFor(s), options),
  traits: { multipartEtags: false, partNumberHead: false, uploadPartCopy: false, checksContentMd5: false },
});

describe('minio settings', () => {
  const keys = { accessKey: 'a', secretKey: 's' };
  it('parses the original host:port endpoint, useSSL deciding the scheme', () => {
    expect(resolveMinioSettings({ endpoint: 'localhost:9000', ...keys })).toMatchObject({ endPoint: 'localhost', port: 9000, useSSL: false, region: 'us-east-1' });
    expect(resolveMinioSettings({ endpoint: 'minio.example.com:9000', useSSL: true, ...keys })).toMatchObject({ endPoint: 'minio.example.com', port: 9000, useSSL: true });
    expect(resolveMinioSettings({ endpoint: '[::1]:9000', ...keys })).toMatchObject({ endPoint: '::1', port: 9000 });
    expect(resolveMinioSettings({ endpoint: 'play.min.io', useSSL: true, ...keys, region: 'eu-west-1' })).toMatchObject({ port: undefined, region: 'eu-west-1' });
  });

  // Unusable settings (a scheme, a path, a missing key) are refused by createProvider (test/providers/registry.test.ts).
});

describe('minio error mapping', () => {
  const s3Error = (code: string): Error => Object.assign(new S3Error(`${code} message`), { code });
  const retryable = (status: number): Error => new Error(`Request failed after 0 retries: Error: Retryable HTTP status: ${status}`);
  const cases: [string, string, Error][] = [
    ['NoSuchBucket', 'NotFound', s3Error('NoSuchBucket')],
    ['NoSuchKey', 'NotFound', s3Error('NoSuchKey')],
    ['NotFound (HEAD)', 'NotFound', s3Error('NotFound')],
    ['AccessDenied', 'AccessDenied', s3Error('AccessDenied')],
    ['InvalidAccessKeyId', 'AccessDenied', s3Error('InvalidAccessKeyId')],
    ['SignatureDoesNotMatch', 'AccessDenied', s3Error('SignatureDoesNotMatch')],
    ['SlowDown', 'Throttled', s3Error('SlowDown')],
    ['status 503 (retry message)', 'Throttled', retryable(503)],
    ['status 500 (retry message)', 'Transient', retryable(500)],
    ['status 429 (retry message)', 'Throttled', retryable(429)],
    ['connection refused', 'Transient', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['InvalidBucketNameError', 'InvalidConfig', new InvalidBucketNameError('Invalid bucket name: Bad_Bucket')],
    ['MovedPermanently', 'InvalidConfig', s3Error('MovedPermanently')],
    ['unknown S3 code', 'Fatal', s3Error('InvalidArgument')],
  ];
  it.each(cases)('%s → %s', (_label, code, err) => {
    const mapped = mapMinioError(err, { op: 'read', bucket: 'Bad_Bucket', key: 'k' });
    expect(mapped).toBeInstanceOf(StorageError);
    expect((mapped as StorageError).code).toBe(code);
    expect((mapped as StorageError).cause).toBe(err);
  });

  it('passes abort errors through unchanged', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(mapMinioError(abort, { op: 'read' })).toBe(abort);
  });

  it('maps real server answers: invalid bucket name, unknown access key, closed port', async () => {
    const provider = createMinioProvider(minioSettingsFor(server));
    const badName = await provider.createBucket('Bad_Bucket!').then(() => null, (e: unknown) => e);
    expect(isStorageError(badName, 'InvalidConfig'), String(badName)).toBe(true);
    expect((badName as StorageError).message).toContain('"Bad_Bucket!"');
    await provider.createBucket('minio-errors');
    await provider.close();

    // s3rver checks that the access key exists but does not verify SigV4 signatures.
    const wrongKey = createMinioProvider({ ...minioSettingsFor(server), accessKey: 'NOT-A-KEY' });
    const denied = await consume(wrongKey.list('minio-errors', '')).then(() => null, (e: unknown) => e);
    expect(isStorageError(denied, 'AccessDenied'), String(denied)).toBe(true);
    await wrongKey.close();

    const closed = createMinioProvider({ ...minioSettingsFor(server), endpoint: `127.0.0.1:${await freePort()}` });
    const refused = await closed.listBuckets().then(() => null, (e: unknown) => e);
    expect(isStorageError(refused, 'Transient'), String(refused)).toBe(true);
    await closed.close();
  });
});

describe('minio multipart specifics', () => {
  it('drives multipart itself (s3rver has no ListMultipartUploads) and stores the known MD5 as md5chksum', async () => {
    const provider = createMinioProvider(minioSettingsFor(server), { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const settings = minioSettingsFor(server);
    const raw = new Client({ endPoint: '127.0.0.1', port: server.port, useSSL: false, accessKey: settings.accessKey, secretKey: settings.secretKey, region: 'us-east-1' });
    try {
      await provider.createBucket('minio-multipart');
      const data = randomBytes(11 * 1024 * 1024 + 1);
      const md5 = createHash('md5').update(data).digest('hex');
      const chunks = Array.from({ length: 12 }, (_, i) => data.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      const written = await provider.write('minio-multipart', 'big.bin', async () => Readable.from(chunks), data.length, { md5, metadata: { a: 'b' } });
      expect(written.size).toBe(data.length);
      const stat = await raw.statObject('minio-multipart', 'big.bin');
      expect(stat.metaData).toMatchObject({ a: 'b', md5chksum: md5 });
      const info = await provider.head('minio-multipart', 'big.bin');
      expect(info?.md5).toBe(md5);
      expect(info?.metadata).toEqual({ a: 'b' });
      const back = createHash('md5');
      for await (const chunk of await provider.read('minio-multipart', 'big.bin')) back.update(chunk as Buffer);
      expect(back.digest('hex')).toBe(md5);
    } finally {
      await provider.close();
    }
  });

  it('refuses a single-request upload whose bytes do not match the expected MD5, before sending it', async () => {
    const provider = createMinioProvider(minioSettingsFor(server));
    try {
      await provider.createBucket('minio-md5');
      const err = await provider
        .write('minio-md5', 'k', async () => Readable.from([Buffer.from('actual bytes')]), 12, { md5: createHash('md5').update('other bytes!').digest('hex') })
        .then(() => null, (e: unknown) => e);
      expect(isStorageError(err, 'Fatal'), String(err)).toBe(true);
      expect(await provider.head('minio-md5', 'k')).toBeNull();
    } finally {
      await provider.close();
    }
  });
});
