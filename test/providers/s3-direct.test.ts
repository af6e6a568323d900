// PutObject, GetObject and HeadObject go out as one signed request each (s3-direct.ts), not through
// the SDK's per-request stack. These pin that what goes on the wire is what the SDK would send, and
// that answers and errors come back as the SDK's would: a stand-in server records each request and
// answers from a script. The same calls against s3rver and moto run in s3.test.ts and s3-moto.test.ts.
import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SourceChangedError } from '../../electron/providers/errors';
import { createS3Provider } from '../../electron/providers/s3';
import { S3DirectCalls, cachingSigningKeys } from '../../electron/providers/s3-direct';
import { expectStorageError, md5Hex, readAll, rejection } from './helpers';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

let server: http.Server;
let endpoint: string;
const seen: Seen[] = [];
/** The next answers, in order; when empty: 200 with an ETag. */
const script: Answer[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      const answer = script.shift() ?? { status: 200, headers: { etag: '"0123456789abcdef0123456789abcdef"' } };
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const settings = (checksumMode?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED') => ({ region: 'us-east-1', endpoint, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', ...(checksumMode ? { checksumMode } : {}) });
const errorXml = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
/** The headers that carry meaning (the SDK adds its user agent and invocation ids besides). */
const meaningful = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !/^(user-agent|x-amz-user-agent|amz-sdk-|authorization|x-amz-date|connection|content-md5|x-amz-content-sha256)/.test(name)));

describe('S3 direct calls', () => {
  it('PutObject goes to the path the SDK uses, with the same headers, plus the MD5 of the body', async () => {
    const key = 'a b/c+d~!(x)*.txt';
    const body = Buffer.from('hello, direct');
    const sdk = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
    seen.length = 0;
    await sdk.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: body, ContentLength: body.length, Metadata: { colour: 'blue' }, CacheControl: 'no-cache', Tagging: 'a=1' }));
    const provider = createS3Provider(settings());
    const written = await provider.write('bkt', key, async () => Readable.from([body]), body.length, { metadata: { colour: 'blue' }, cacheControl: 'no-cache', tags: { a: '1' } });
    const [viaSdk, direct] = seen;
    expect(direct!.url).toBe(viaSdk!.url.replace(/\?x-id=PutObject$/, ''));
    expect(meaningful(direct!.headers)).toEqual(meaningful(viaSdk!.headers));
    expect(direct!.headers['content-md5']).toBe(createHash('md5').update(body).digest('base64'));
    expect(direct!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*content-md5[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    expect(direct!.body.equals(body)).toBe(true);
    expect(written.etag).toBe('0123456789abcdef0123456789abcdef');
  });

  it('a declared MD5 goes out as the Content-MD5, as declared, so S3 refuses bytes that are not its object', async () => {
    const body = Buffer.from('bytes that are not the declared object');
    const declared = createHash('md5').update('the declared object').digest('hex');
    script.push({ status: 400, body: '<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>' });
    seen.length = 0;
    await expectStorageError(createS3Provider(settings()).write('bkt', 'k', async () => Readable.from([body]), body.length, { md5: declared }), 'Fatal');
    expect(seen[0]!.headers['content-md5']).toBe(Buffer.from(declared, 'hex').toString('base64'));
  });

  it('under WHEN_SUPPORTED (AWS itself) a put also carries the CRC32 the SDK would send', async () => {
    const body = Buffer.from('checksummed');
    seen.length = 0;
    script.push({ status: 200, headers: { etag: `"${md5Hex(body)}"`, 'x-amz-checksum-crc32': 'AAAAAA==' } });
    const written = await createS3Provider(settings('WHEN_SUPPORTED')).write('bkt', 'k', async () => Readable.from([body]), body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    expect(seen[0]!.headers['x-amz-checksum-crc32']).toBe(crc.toString('base64'));
    expect(seen[0]!.headers['x-amz-sdk-checksum-algorithm']).toBe('CRC32');
    expect(written.checksums).toEqual({ crc32: 'AAAAAA==' });
  });

  it('error answers map as the SDK’s do: SlowDown is Throttled, InternalError Transient, a HEAD 404 no object, a GET 412 a changed source', async () => {
    const provider = createS3Provider(settings());
    const body = Buffer.from('b');
    script.push({ status: 503, body: errorXml('SlowDown', 'Please reduce your request rate.') });
    await expectStorageError(provider.write('bkt', 'k', async () => Readable.from([body]), 1), 'Throttled');
    script.push({ status: 500, body: errorXml('InternalError', 'We encountered an internal error.') });
    await expectStorageError(provider.write('bkt', 'k', async () => Readable.from([body]), 1), 'Transient');
    script.push({ status: 403, body: errorXml('AccessDenied', 'Access &amp; denied') });
    const denied = await rejection(provider.read('bkt', 'k'));
    expect(String(denied)).toContain('Access & denied');
    script.push({ status: 404 });
    expect(await provider.head('bkt', 'missing')).toBeNull();
    script.push({ status: 412, body: errorXml('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold') });
    expect(await rejection(provider.read('bkt', 'k', undefined, 'abc'))).toBeInstanceOf(SourceChangedError);
  });

  it('GET sends If-Match and streams the body; HEAD reads checksums, metadata and parts from the headers', async () => {
    const provider = createS3Provider(settings());
    seen.length = 0;
    script.push({ status: 200, headers: { etag: '"abc"', 'content-length': '5' }, body: 'hello' });
    expect((await readAll(await provider.read('bkt', 'dir/k', undefined, 'abc'))).toString()).toBe('hello');
    expect(seen[0]!.headers['if-match']).toBe('"abc"');
    const etag = md5Hex(Buffer.from('x'));
    script.push({
      status: 200,
      headers: { etag: `"${etag}"`, 'content-length': '1', 'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT', 'content-type': 'text/plain', 'x-amz-meta-colour': 'blue', 'x-amz-checksum-crc32c': 'yZRlqg==', 'x-amz-storage-class': 'STANDARD_IA' },
    });
    const info = await provider.head('bkt', 'dir/k');
    expect(seen[1]!.method).toBe('HEAD');
    expect(seen[1]!.headers['x-amz-checksum-mode']).toBe('ENABLED');
    expect(info).toMatchObject({ key: 'dir/k', size: 1, md5: etag, lastModified: Date.parse('2026-11-25T10:00:00Z'), contentType: 'text/plain', metadata: { colour: 'blue' }, checksums: { crc32c: 'yZRlqg==' } });
  });

  it('after a clock-skew error the next request is signed with the server’s time, as the SDK does', async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const direct = new S3DirectCalls(client);
    const target = (await direct.endpointFor('bkt'))!;
    const serverTime = Date.now() + 3 * 3600_000;
    script.push({ status: 403, headers: { date: new Date(serverTime).toUTCString() }, body: errorXml('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.') });
    seen.length = 0;
    const skewed = await rejection(direct.send({ method: 'GET', bucket: 'bkt', key: 'k' }, target));
    expect((skewed as Error).name).toBe('RequestTimeTooSkewed');
    await direct.send({ method: 'GET', bucket: 'bkt', key: 'k' }, target).then((answer) => answer.body.resume());
    const signedAt = (header: unknown) => Date.parse(String(header).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(Math.abs(signedAt(seen[1]!.headers['x-amz-date']) - serverTime)).toBeLessThan(120_000);
    expect(Math.abs(signedAt(seen[0]!.headers['x-amz-date']) - serverTime)).toBeGreaterThan(3000_000);
  });

  it('buckets whose endpoint signs otherwise than SigV4 (S3 Express, multi-region access points) are left to the SDK', async () => {
    const direct = new S3DirectCalls(new S3Client({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
    expect(await direct.endpointFor('mybucket--usw2-az1--x-s3')).toBeNull();
    expect(await direct.endpointFor('arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap')).toBeNull();
    expect((await direct.endpointFor('plain-bucket'))?.url.href).toBe('https://plain-bucket.s3.us-west-2.amazonaws.com/');
    expect((await direct.endpointFor('dotted.bucket.name'))?.url.href).toBe('https://s3.us-west-2.amazonaws.com/dotted.bucket.name');
  });
});

describe('signing keys', () => {
  const sha256 = (new S3Client({ region: 'us-east-1' }).config as unknown as { sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'] }).sha256;
  const request = (key: string) =>
    new HttpRequest({ method: 'PUT', protocol: 'https:', hostname: 'b.s3.amazonaws.com', path: `/${key}`, headers: { host: 'b.s3.amazonaws.com', 'content-length': '3', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  const signingDate = new Date('2026-11-28T12:00:00Z');

  it('each day’s key is derived once per credentials object, and the signatures are the SDK’s own', async () => {
    let credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const options = { credentials: async () => credentials, region: 'us-east-1', service: 's3', sha256, applyChecksum: false };
    const derive = vi.spyOn(SignatureV4.prototype as unknown as { getSigningKey: () => Promise<Uint8Array> }, 'getSigningKey');
    const plain = new SignatureV4(options);
    const cached = cachingSigningKeys(new SignatureV4(options));
    for (const key of ['a', 'b/c', 'd']) {
      const [ours, sdk] = [await cached.sign(request(key), { signingDate }), await plain.sign(request(key), { signingDate })];
      expect(ours.headers.authorization).toBe(sdk.headers.authorization);
    }
    // The plain signer derived (or looked up) the key three times; the caching one once.
    expect(derive).toHaveBeenCalledTimes(4);

    // Rotated credentials (a new object, as the SDK's memoized provider hands out) get a key of their own.
    credentials = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'another-secret' };
    const [ours, sdk] = [await cached.sign(request('a'), { signingDate }), await plain.sign(request('a'), { signingDate })];
    expect(ours.headers.authorization).toBe(sdk.headers.authorization);
    expect(ours.headers.authorization).toContain('Credential=AKIDOTHER/20261128/');
    // And the next day another.
    const tomorrow = new Date('2026-11-29T12:00:00Z');
    expect((await cached.sign(request('a'), { signingDate: tomorrow })).headers.authorization).toBe((await plain.sign(request('a'), { signingDate: tomorrow })).headers.authorization);
    expect(derive).toHaveBeenCalledTimes(8);
    derive.mockRestore();
  });
});
