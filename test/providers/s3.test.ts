import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, isStorageError } from '../../electron/providers/errors';
import { createS3Provider, decodeListingKey, mapS3Error, resolveS3Settings } from '../../electron/providers/s3';
import { decodeMetadataValue, encodeMetadataValue, fullObjectChecksums, md5FromEtag, parseCompleteMultipart, uniformPartSize } from '../../electron/providers/s3-common';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
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

describeProviderConformance('s3', async () => conformanceTarget(createS3Provider(awsSettingsFor(server)), 's3-conformance-'));
// s3rver gives multipart uploads plain MD5 ETags, ignores partNumber on HEAD and has no UploadPartCopy.
describeS3Integrity('s3', {
  server: () => server,
  create: (s, options) => createS3Provider(awsSettingsFor(s), options),
  traits: { multipartEtags: false, partNumberHead: false, uploadPartCopy: false, checksContentMd5: false },
});

describe('s3 settings', () => {
  it('forces path-style addressing for localhost and IP endpoints only', () => {
    expect(resolveS3Settings({ endpoint: 'http://localhost:4568' }).forcePathStyle).toBe(true);
    expect(resolveS3Settings({ endpoint: '127.0.0.1:9000', disableSSL: true }).forcePathStyle).toBe(true);
    expect(resolveS3Settings({ endpoint: 'http://[::1]:9000' }).forcePathStyle).toBe(true);
    expect(resolveS3Settings({ endpoint: 'https://s3.example.com' }).forcePathStyle).toBe(false);
    expect(resolveS3Settings({ endpoint: 'https://s3.example.com', forcePathStyle: true }).forcePathStyle).toBe(true);
    expect(resolveS3Settings({}).forcePathStyle).toBe(false);
  });

  it('adds http:// to a scheme-less endpoint when disableSSL, https:// otherwise', () => {
    expect(resolveS3Settings({ endpoint: 'minio.local:9000', disableSSL: true }).endpoint).toBe('http://minio.local:9000');
    expect(resolveS3Settings({ endpoint: 'minio.local:9000' }).endpoint).toBe('https://minio.local:9000');
    expect(resolveS3Settings({ endpoint: 'http://minio.local:9000/', disableSSL: false }).endpoint).toBe('http://minio.local:9000');
    expect(resolveS3Settings({}).endpoint).toBeUndefined();
    expect(resolveS3Settings({}).region).toBe('us-east-1');
  });

  // Unusable settings are refused by createProvider (test/providers/registry.test.ts).
  it('uses the SDK default credential chain without keys, and both keys with a session token when given', () => {
    expect(resolveS3Settings({}).credentials).toBeUndefined();
    expect(resolveS3Settings({ accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' }).credentials).toEqual({ accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' });
  });

  it('defaults checksums to WHEN_SUPPORTED on AWS and WHEN_REQUIRED on custom endpoints, unless set', () => {
    expect(resolveS3Settings({}).checksumMode).toBe('WHEN_SUPPORTED');
    expect(resolveS3Settings({ endpoint: 'http://127.0.0.1:9000' }).checksumMode).toBe('WHEN_REQUIRED');
    expect(resolveS3Settings({ checksumMode: 'WHEN_REQUIRED' }).checksumMode).toBe('WHEN_REQUIRED');
    expect(resolveS3Settings({ endpoint: 'http://127.0.0.1:9000', checksumMode: 'WHEN_SUPPORTED' }).checksumMode).toBe('WHEN_SUPPORTED');
  });
});

describe('s3 etags and listing keys', () => {
  it('takes an MD5 only from a plain 32-hex-digit ETag', () => {
    expect(md5FromEtag('"9b2cf535f27731c974343645a3985328"')).toBe('9b2cf535f27731c974343645a3985328');
    expect(md5FromEtag('"9B2CF535F27731C974343645A3985328"')).toBe('9b2cf535f27731c974343645a3985328');
    expect(md5FromEtag('9b2cf535f27731c974343645a3985328')).toBe('9b2cf535f27731c974343645a3985328');
    expect(md5FromEtag('"9b2cf535f27731c974343645a3985328-3"')).toBeUndefined(); // multipart
    expect(md5FromEtag('"9b2cf535f27731c974343645a398532"')).toBeUndefined();
    expect(md5FromEtag('"not-an-md5-at-all-but-32-chars!"')).toBeUndefined();
    expect(md5FromEtag('')).toBeUndefined();
    expect(md5FromEtag(undefined)).toBeUndefined();
  });

  it('takes no MD5 from the ETag of an SSE-KMS, DSSE-KMS or SSE-C answer; SSE-S3 (AES256) keeps it', () => {
    const etag = '"9b2cf535f27731c974343645a3985328"';
    expect(md5FromEtag(etag, { serverSide: 'aws:kms' })).toBeUndefined();
    expect(md5FromEtag(etag, { serverSide: 'aws:kms:dsse' })).toBeUndefined();
    expect(md5FromEtag(etag, { customerAlgorithm: 'AES256' })).toBeUndefined();
    expect(md5FromEtag(etag, { serverSide: 'AES256' })).toBe('9b2cf535f27731c974343645a3985328');
  });

  it('keeps only full-object checksums: a multipart object needs FULL_OBJECT, a `-N` value is composite', () => {
    const single = '"9b2cf535f27731c974343645a3985328"';
    const multipart = '"9b2cf535f27731c974343645a3985328-2"';
    expect(fullObjectChecksums({ crc32: 'AAAAAA==', sha256: 'x' }, single)).toEqual({ crc32: 'AAAAAA==', sha256: 'x' });
    expect(fullObjectChecksums({ crc32c: 'AAAAAA==' }, multipart)).toBeUndefined();
    expect(fullObjectChecksums({ crc32c: 'AAAAAA==', type: 'FULL_OBJECT' }, multipart)).toEqual({ crc32c: 'AAAAAA==' });
    expect(fullObjectChecksums({ crc32c: 'AAAAAA==-2', type: 'COMPOSITE' }, multipart)).toBeUndefined();
    expect(fullObjectChecksums({ crc64nvme: 'AAAAAAAAAAA=', crc32: 'AAAAAA==-3' }, single)).toEqual({ crc64nvme: 'AAAAAAAAAAA=' });
  });

  it('trusts a part size only when the partNumber answers are consistent with equal parts', () => {
    const MiB = 1024 * 1024;
    expect(uniformPartSize(11 * MiB, 3, { size: 5 * MiB, partsCount: 3 }, MiB)).toBe(5 * MiB);
    expect(uniformPartSize(11 * MiB, 3, { size: 5 * MiB, partsCount: 3 }, 2 * MiB)).toBeUndefined(); // uneven parts
    expect(uniformPartSize(11 * MiB, 3, { size: 11 * MiB, partsCount: undefined }, undefined)).toBeUndefined(); // partNumber ignored
    expect(uniformPartSize(7 * MiB, 2, { size: 5 * MiB, partsCount: 2 }, undefined)).toBe(5 * MiB);
    expect(uniformPartSize(7 * MiB, 2, { size: 3 * MiB, partsCount: 2 }, undefined)).toBeUndefined();
  });

  it('encodes metadata values that are not printable ASCII as RFC 2047 and decodes B and Q words', () => {
    expect(encodeMetadataValue('plain value')).toBe('plain value');
    expect(encodeMetadataValue('日本')).toBe('=?UTF-8?B?5pel5pys?=');
    for (const value of ['é', '日本', '😀', 'tab\there', 'line\nbreak']) expect(decodeMetadataValue(encodeMetadataValue(value))).toBe(value);
    expect(decodeMetadataValue('=?utf-8?Q?caf=C3=A9_au_lait?= =?UTF-8?B?5pel?=')).toBe('café au lait日');
    expect(decodeMetadataValue('=?ISO-8859-1?Q?caf=E9?=')).toBe('café');
    expect(decodeMetadataValue('=?x-no-such-charset?B?5pel?=')).toBe('=?x-no-such-charset?B?5pel?=');
  });

  it('reads the ETag or the error of a CompleteMultipartUpload answer, whatever its root element', () => {
    expect(parseCompleteMultipart('<?xml version="1.0"?><CompleteMultipartUploadResult><ETag>&quot;abc-2&quot;</ETag></CompleteMultipartUploadResult>')).toEqual({ etag: 'abc-2' });
    expect(parseCompleteMultipart('<CompleteMultipartUploadResponse><ETag>"abc-2"</ETag></CompleteMultipartUploadResponse>')).toEqual({ etag: 'abc-2' });
    expect(parseCompleteMultipart('<?xml version="1.0"?>\n<Error><Code>InternalError</Code><Message>try again</Message></Error>')).toEqual({ code: 'InternalError', message: 'try again' });
  });

  it('decodes url-encoded listing keys, + meaning a space', () => {
    expect(decodeListingKey('a+b%2Bc%25%F0%9F%98%80%2F')).toBe('a b+c%😀/');
  });
});

describe('s3 error mapping', () => {
  const sdkError = (name: string, status?: number, extra: object = {}): Error =>
    Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status }, ...extra });
  const cases: [string, string, Error][] = [
    ['NoSuchBucket', 'NotFound', sdkError('NoSuchBucket', 404)],
    ['NoSuchKey', 'NotFound', sdkError('NoSuchKey', 404)],
    ['NotFound (HEAD)', 'NotFound', sdkError('NotFound', 404)],
    ['AccessDenied', 'AccessDenied', sdkError('AccessDenied', 403)],
    ['InvalidAccessKeyId', 'AccessDenied', sdkError('InvalidAccessKeyId', 403)],
    ['SignatureDoesNotMatch', 'AccessDenied', sdkError('SignatureDoesNotMatch', 403)],
    ['SlowDown', 'Throttled', sdkError('SlowDown', 503)],
    ['Throttling (400)', 'Throttled', sdkError('Throttling', 400)],
    ['InternalError', 'Transient', sdkError('InternalError', 500)],
    ['unknown 502', 'Transient', sdkError('BadGateway', 502)],
    ['RequestTimeout (400)', 'Transient', sdkError('RequestTimeout', 400)],
    ['SDK socket timeout', 'Transient', sdkError('TimeoutError')],
    ['connection reset', 'Transient', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['InvalidBucketName', 'InvalidConfig', sdkError('InvalidBucketName', 400)],
    ['PermanentRedirect', 'InvalidConfig', sdkError('PermanentRedirect', 301)],
    ['unknown 400', 'Fatal', sdkError('InvalidArgument', 400)],
    ['BadDigest', 'Fatal', sdkError('BadDigest', 400)],
  ];
  it.each(cases)('%s → %s', (_label, code, err) => {
    const mapped = mapS3Error(err, { op: 'read', bucket: 'my-bucket', key: 'k' });
    expect(mapped).toBeInstanceOf(StorageError);
    expect((mapped as StorageError).code).toBe(code);
    expect((mapped as StorageError).cause).toBe(err);
  });

  it('names the bucket for InvalidBucketName', () => {
    const mapped = mapS3Error(sdkError('InvalidBucketName', 400), { op: 'list', bucket: 'Bad_Bucket' }) as StorageError;
    expect(mapped.message).toContain('"Bad_Bucket"');
    expect(mapped.field).toBe('bucket');
  });

  it('passes abort errors and StorageErrors through unchanged', () => {
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(mapS3Error(abort, { op: 'read' })).toBe(abort);
    const storage = new StorageError('Throttled', 'x');
    expect(mapS3Error(storage, { op: 'read' })).toBe(storage);
  });

  it('maps real server answers: invalid bucket name, unknown access key, closed port', async () => {
    const provider = createS3Provider(awsSettingsFor(server));
    const badName = await provider.createBucket('Bad_Bucket!').then(() => null, (e: unknown) => e);
    expect(isStorageError(badName, 'InvalidConfig'), String(badName)).toBe(true);
    expect((badName as StorageError).message).toContain('"Bad_Bucket!"');
    await provider.createBucket('s3-errors');
    await provider.close();

    // s3rver checks that the access key exists but does not verify SigV4 signatures.
    const wrongKey = createS3Provider({ ...awsSettingsFor(server), accessKeyId: 'NOT-A-KEY' });
    const denied = await consume(wrongKey.list('s3-errors', '')).then(() => null, (e: unknown) => e);
    expect(isStorageError(denied, 'AccessDenied'), String(denied)).toBe(true);
    await wrongKey.close();

    const closed = createS3Provider({ ...awsSettingsFor(server), endpoint: `http://127.0.0.1:${await freePort()}` });
    const refused = await closed.listBuckets().then(() => null, (e: unknown) => e);
    expect(isStorageError(refused, 'Transient'), String(refused)).toBe(true);
    await closed.close();
  });
});

describe('s3 multipart specifics', () => {
  it('stores the known MD5 of a multipart upload as md5chksum metadata and exposes it as md5, not as user metadata', async () => {
    const provider = createS3Provider(awsSettingsFor(server), { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const raw = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    try {
      await provider.createBucket('s3-multipart');
      const data = randomBytes(11 * 1024 * 1024 + 1);
      const md5 = createHash('md5').update(data).digest('hex');
      const chunks = Array.from({ length: 12 }, (_, i) => data.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
      const written = await provider.write('s3-multipart', 'big.bin', async () => Readable.from(chunks), data.length, { md5, metadata: { a: 'b' } });
      expect(written.size).toBe(data.length);
      const head = await raw.send(new HeadObjectCommand({ Bucket: 's3-multipart', Key: 'big.bin' }));
      expect(head.Metadata).toEqual({ a: 'b', md5chksum: md5 });
      const info = await provider.head('s3-multipart', 'big.bin');
      expect(info?.md5).toBe(md5);
      expect(info?.metadata).toEqual({ a: 'b' });
    } finally {
      raw.destroy();
      await provider.close();
    }
  });

  it('refuses part sizes below the 5 MiB S3 minimum', () => {
    expect(() => createS3Provider(awsSettingsFor(server), { partSize: 1024 })).toThrow(expect.objectContaining({ code: 'InvalidConfig' }));
  });
});

describe('s3 DeleteObjects requests (against a recording loopback server)', () => {
  interface Recorded { headers: http.IncomingHttpHeaders; body: string }
  /** Answers every request with `reply` and records it. */
  async function recordingServer(reply: string): Promise<{ endpoint: string; requests: Recorded[]; close: () => Promise<void> }> {
    const requests: Recorded[] = [];
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        requests.push({ headers: req.headers, body });
        res.setHeader('content-type', 'application/xml');
        res.end(reply);
      });
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as net.AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => srv.close(() => r())) };
  }
  const EMPTY_RESULT = '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>';
  const keys = { accessKeyId: 'a', secretAccessKey: 'b' };

  it('sends Content-MD5 (not the SDK CRC32 many S3-compatible services refuse) on custom endpoints', async () => {
    const fake = await recordingServer(EMPTY_RESULT);
    const provider = createS3Provider({ endpoint: fake.endpoint, ...keys });
    try {
      await provider.remove('bucket-x', ['a', 'b/c']);
      const [req] = fake.requests;
      expect(req!.headers['content-md5']).toBe(createHash('md5').update(req!.body).digest('base64'));
      expect(Object.keys(req!.headers).filter((h) => h.startsWith('x-amz-checksum-') || h.startsWith('x-amz-sdk-checksum-'))).toEqual([]);
    } finally {
      await provider.close();
      await fake.close();
    }
  });

  it('keeps the SDK checksum when checksumMode is WHEN_SUPPORTED', async () => {
    const fake = await recordingServer(EMPTY_RESULT);
    const provider = createS3Provider({ endpoint: fake.endpoint, checksumMode: 'WHEN_SUPPORTED', ...keys });
    try {
      await provider.remove('bucket-x', ['a']);
      expect(fake.requests[0]!.headers['x-amz-checksum-crc32']).toBeDefined();
    } finally {
      await provider.close();
      await fake.close();
    }
  });

  it('throws when the 200 answer lists per-key errors, with the mapped code; sends 1000 keys per request', async () => {
    const fake = await recordingServer(
      '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Error><Key>locked.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>',
    );
    const provider = createS3Provider({ endpoint: fake.endpoint, ...keys });
    try {
      const many = Array.from({ length: 1001 }, (_, i) => `k${i}`);
      const err = await provider.remove('bucket-x', many).then(() => null, (e: unknown) => e);
      expect(isStorageError(err, 'AccessDenied'), String(err)).toBe(true);
      expect((err as StorageError).message).toContain('locked.txt');
      // The first batch already failed, so the second is never sent.
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]!.body.match(/<Key>/g)).toHaveLength(1000);
    } finally {
      await provider.close();
      await fake.close();
    }
  });
});
