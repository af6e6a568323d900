// The gcs provider against the in-repo GCS JSON-API test server (test/support/gcs-server).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CRC32C, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PartialRemoveError, SourceChangedError, StorageError, isAbortError, isStorageError, type StorageErrorCode } from '../../electron/providers/errors';
import { createGcsProvider } from '../../electron/providers/gcs';
import { mapGcsError } from '../../electron/providers/gcs-errors';
import { md5HexFromBase64, objectInfo } from '../../electron/providers/gcs-metadata';
import { gcsObjectNameProblem } from '../../electron/providers/gcs-names';
import { resolveGcsSettings } from '../../electron/providers/gcs-settings';
import type { StorageProvider } from '../../electron/providers/provider';
import { createProvider } from '../../electron/providers/registry';
import { gcsSettingsFor, startGcsServer, type GcsTestServer } from '../support/gcs-server';
import { SERVICE_ERRORS, startFaultProxy } from '../support/fault-proxy';
import { freePort } from '../support/free-port';
import { conformanceTarget, describeProviderConformance } from './conformance';
import { lateFailingSource } from './failing-sources';
import { expectStorageError, listAll, md5Hex, readAll, rejection } from './helpers';

// Nothing may look for a GCE metadata server or Application Default Credentials beyond this machine.
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';

const MiB = 1024 * 1024;

let server: GcsTestServer;
beforeAll(async () => {
  server = await startGcsServer();
});
afterAll(async () => {
  await server?.stop();
});

describeProviderConformance('gcs', async () => conformanceTarget(createGcsProvider(gcsSettingsFor(server)), 'gcs-conformance-'));

describe('gcs provider on the test server', () => {
  let p: StorageProvider;
  let n = 0;
  const newBucket = async (): Promise<string> => {
    const bucket = `gcs-specific-${++n}`;
    await p.createBucket(bucket);
    return bucket;
  };
  beforeAll(() => {
    // A low threshold and the smallest chunk, so small test objects take the resumable path too.
    p = createGcsProvider(gcsSettingsFor(server), { multipartThreshold: MiB, chunkSize: 256 * 1024 });
  });

  it('is what the registry builds for a gcs connection', async () => {
    const provider = await createProvider({ id: 'g', name: 'g', type: 'gcs', gcs: gcsSettingsFor(server) });
    expect(provider.type).toBe('gcs');
    expect(provider.capabilities).toMatchObject({ serverSideCopy: true, metadata: true, md5InListing: true });
  });

  it('uses the generation as etag, the same in the write result, head, listing and after a metadata-only change', async () => {
    const bucket = await newBucket();
    for (const size of [10, 3 * MiB + 5]) {
      const key = `etag/${size}`;
      const data = randomBytes(size);
      const written = await writeBytes(p, bucket, key, data, { contentType: 'application/x-test', metadata: { a: '1' } });
      expect(written.etag).toMatch(/^\d+$/);
      expect(written.md5).toBe(md5Hex(data));
      expect((await p.head(bucket, key))?.etag).toBe(written.etag);
      expect((await listAll(p, bucket, key))[0]?.etag).toBe(written.etag);
      // Editing metadata bumps the metageneration (and GCS's own etag field), not the generation.
      await new Storage({ apiEndpoint: server.apiEndpoint, projectId: server.projectId }).bucket(bucket).file(key).setMetadata({ metadata: { b: '2' } });
      const after = await p.head(bucket, key);
      expect(after).toMatchObject({ etag: written.etag, metadata: { a: '1', b: '2' } });
      // New content, new generation.
      const rewritten = await writeBytes(p, bucket, key, data);
      expect(rewritten.etag).not.toBe(written.etag);
    }
  });

  it('reports md5 as hex from md5Hash, and none for a composite object', async () => {
    expect(md5HexFromBase64('XUFAKrxLKna5cZ2REBfFkg==')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(md5HexFromBase64(undefined)).toBeUndefined();
    expect(md5HexFromBase64('')).toBeUndefined();
    expect(md5HexFromBase64('AAAA')).toBeUndefined(); // not 16 bytes
    expect(md5HexFromBase64('not base64 at all!!')).toBeUndefined();
    expect(objectInfo('k', { size: '12', generation: '17', md5Hash: 'XUFAKrxLKna5cZ2REBfFkg==', updated: '2024-05-01T10:00:00.000Z' })).toMatchObject({
      key: 'k',
      size: 12,
      etag: '17',
      md5: '5d41402abc4b2a76b9719d911017c592',
      lastModified: Date.parse('2024-05-01T10:00:00.000Z'),
    });

    const bucket = await newBucket();
    await writeBytes(p, bucket, 'part-1', Buffer.from('hello '));
    await writeBytes(p, bucket, 'part-2', Buffer.from('world'));
    const sdkBucket = new Storage({ apiEndpoint: server.apiEndpoint, projectId: server.projectId }).bucket(bucket);
    await sdkBucket.combine(['part-1', 'part-2'], 'composite');
    const info = await p.head(bucket, 'composite');
    expect(info).toMatchObject({ size: 11 });
    expect(info!.md5).toBeUndefined();
    expect((await listAll(p, bucket, 'composite'))[0]!.md5).toBeUndefined();
    expect((await readAll(await p.read(bucket, 'composite'))).toString()).toBe('hello world');
  });

  it('reports a missing bucket as NotFound for list, read, small and resumable writes, copy and delete', async () => {
    const missing = 'gcs-no-such-bucket';
    await expectStorageError(listAll(p, missing, ''), 'NotFound');
    await expectStorageError(p.read(missing, 'k'), 'NotFound');
    await expectStorageError(writeBytes(p, missing, 'small', Buffer.from('x')), 'NotFound');
    await expectStorageError(writeBytes(p, missing, 'large', randomBytes(2 * MiB)), 'NotFound');
    const bucket = await newBucket();
    await writeBytes(p, bucket, 'src', Buffer.from('x'));
    await expectStorageError(p.copy!(bucket, 'src', missing, 'dst'), 'NotFound');
    await expectStorageError(p.copy!(missing, 'src', bucket, 'dst'), 'NotFound');
    await expectStorageError(p.deleteBucket(missing), 'NotFound');
    expect(await p.head(missing, 'k')).toBeNull();
  });

  it('reports an invalid bucket name as InvalidConfig naming the bucket and the rule', async () => {
    for (const bad of ['Bad_Name', 'ab', 'has space']) {
      for (const call of [() => listAll(p, bad, ''), () => p.read(bad, 'k'), () => p.head(bad, 'k'), () => writeBytes(p, bad, 'k', Buffer.from('x')), () => p.createBucket(bad)]) {
        const err = await rejection(call());
        expect(isStorageError(err, 'InvalidConfig'), String(err)).toBe(true);
        expect((err as StorageError).field).toBe('bucket');
        expect((err as StorageError).message).toContain(`"${bad}" is not a valid GCS bucket name`);
      }
    }
    const err = await rejection(listAll(p, 'Bad_Name', ''));
    expect((err as StorageError).message).toContain('lowercase');
  });

  it('detects a download corrupted in transit (x-goog-hash validation) as a Transient error; the next read is fine', async () => {
    const bucket = await newBucket();
    const data = randomBytes(MiB + 3);
    await writeBytes(p, bucket, 'fragile.bin', data);
    server.faults.corruptDownloads = 1;
    const stream = await p.read(bucket, 'fragile.bin');
    const err = await rejection(readAll(stream));
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    expect(String(err)).toContain('checksum mismatch');
    expect((await readAll(await p.read(bucket, 'fragile.bin'))).equals(data)).toBe(true);
  });

  it('copies a large object in several rewrite calls, following the rewrite tokens', async () => {
    const small = await startGcsServer({ rewriteBytesPerCall: MiB });
    const provider = createGcsProvider(gcsSettingsFor(small));
    try {
      await provider.createBucket('from-bucket');
      await provider.createBucket('to-bucket');
      const data = randomBytes(3 * MiB + 100);
      await writeBytes(provider, 'from-bucket', 'big.bin', data, { contentType: 'application/x-big', cacheControl: 'no-store', metadata: { k: 'v' } });
      const copied = await provider.copy!('from-bucket', 'big.bin', 'to-bucket', 'copy/of big.bin');
      const calls = small.requests.filter((r) => r.method === 'POST' && r.url.includes('/rewriteTo/'));
      expect(calls).toHaveLength(4);
      expect(calls.filter((r) => r.url.includes('rewriteToken='))).toHaveLength(3);
      expect(copied).toMatchObject({ size: data.length, md5: md5Hex(data) });
      expect(await provider.head('to-bucket', 'copy/of big.bin')).toMatchObject({
        etag: copied.etag,
        contentType: 'application/x-big',
        cacheControl: 'no-store',
        metadata: { k: 'v' },
      });
      expect((await readAll(await provider.read('to-bucket', 'copy/of big.bin'))).equals(data)).toBe(true);
    } finally {
      await provider.close();
      await small.stop();
    }
  });

  it('sends a known MD5 with the upload, so GCS refuses wrong bytes before committing them (Transient, old object kept)', async () => {
    const bucket = await newBucket();
    await writeBytes(p, bucket, 'k', Buffer.from('old'));
    for (const size of [100, 2 * MiB]) {
      const data = randomBytes(size);
      const err = await rejection(writeBytes(p, bucket, 'k', data, { md5: md5Hex(Buffer.from('something else')) }));
      expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
      expect((await readAll(await p.read(bucket, 'k'))).toString()).toBe('old');
    }
  });

  it('honours abort signals on list, head, read and copy', async () => {
    const bucket = await newBucket();
    await writeBytes(p, bucket, 'k', Buffer.from('x'));
    const aborted = AbortSignal.abort();
    const calls = [
      () => listAll(p, bucket, '', aborted),
      () => p.head(bucket, 'k', aborted),
      () => p.read(bucket, 'k', aborted),
      () => p.copy!(bucket, 'k', bucket, 'k2', aborted),
      () => p.remove(bucket, ['k'], aborted),
    ];
    for (const call of calls) {
      expect(isAbortError(await rejection(call()))).toBe(true);
    }
    // An abort while the download streams ends the stream with the abort error.
    await writeBytes(p, bucket, 'big', randomBytes(2 * MiB));
    const controller = new AbortController();
    const stream = await p.read(bucket, 'big', controller.signal);
    controller.abort();
    expect(isAbortError(await rejection(readAll(stream)))).toBe(true);
    expect(await p.head(bucket, 'k')).not.toBeNull();
  });

  it('maps service errors: 401/403 AccessDenied, 503 Throttled, 500 Transient, unreachable Transient', async () => {
    const bucket = await newBucket();
    const cases: [number, StorageErrorCode][] = [[401, 'AccessDenied'], [403, 'AccessDenied'], [503, 'Throttled'], [500, 'Transient']];
    for (const [status, code] of cases) {
      server.faults.failures = [{ method: 'GET', path: new RegExp(`/b/${bucket}/o\\?`), status, times: 10 }];
      await expectStorageError(listAll(p, bucket, ''), code);
      // One request each: the SDK's own retries are off (the retrying wrapper is the one retry layer).
      expect(server.faults.failures[0]!.times, String(status)).toBe(9);
    }
    server.faults.failures = [];
    const port = await freePort();
    const unreachable = createGcsProvider({ apiEndpoint: `http://127.0.0.1:${port}`, projectId: 'p' });
    await expectStorageError(unreachable.head('b-bucket', 'k'), 'Transient');
  });

  it('needs a project id to list or create buckets on a custom endpoint (there is no metadata server to ask)', async () => {
    const provider = createGcsProvider({ apiEndpoint: server.apiEndpoint });
    await expectStorageError(provider.listBuckets(), 'InvalidConfig');
    const err = await rejection(provider.createBucket('some-bucket'));
    expect((err as StorageError).field).toBe('gcs.projectId');
  });

  it('talks only to the endpoint on 127.0.0.1 and sends no credentials there, even with a service-account key configured', async () => {
    const credentialsJson = JSON.stringify(fakeServiceAccount('key-project'));
    const keyed = createGcsProvider({ apiEndpoint: server.apiEndpoint, credentialsJson }, { multipartThreshold: MiB, chunkSize: 256 * 1024 });
    const before = server.requests.length;
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    try {
      await keyed.createBucket('keyed-bucket');
      expect(await keyed.listBuckets()).toContain('keyed-bucket');
      await writeBytes(keyed, 'keyed-bucket', 'small', Buffer.from('small'));
      await writeBytes(keyed, 'keyed-bucket', 'large', randomBytes(2 * MiB));
      expect((await readAll(await keyed.read('keyed-bucket', 'small'))).toString()).toBe('small');
      expect(await keyed.head('keyed-bucket', 'large')).not.toBeNull();
      await listAll(keyed, 'keyed-bucket', '');
      await keyed.copy!('keyed-bucket', 'small', 'keyed-bucket', 'small-copy');
      await keyed.remove('keyed-bucket', ['small', 'small-copy', 'large']);
      await keyed.deleteBucket('keyed-bucket');
      // net.createConnection hands connect() its normalized arguments: [[options, callback]].
      const targets = connect.mock.calls.map(([args]) => {
        const options = (Array.isArray(args) ? args[0] : args) as { host?: string; port?: number };
        return `${options.host}:${options.port}`;
      });
      expect(targets.length).toBeGreaterThan(0);
      expect(new Set(targets)).toEqual(new Set([`127.0.0.1:${server.port}`]));
    } finally {
      connect.mockRestore();
    }
    const requests = server.requests.slice(before);
    expect(requests.filter((r) => r.authorization !== undefined)).toEqual([]);
    // The project id came from the key, so no lookup was needed.
    expect(requests.some((r) => r.url.includes('project=key-project'))).toBe(true);
  });
});

describe('gcs settings', () => {
  it('reads the project id from the key when none is given, and keeps an explicit one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gcs-key-'));
    try {
      const keyFile = path.join(dir, 'key.json');
      await writeFile(keyFile, JSON.stringify(fakeServiceAccount('file-project')));
      expect(resolveGcsSettings({ keyFile })).toMatchObject({ keyFilename: keyFile, projectId: 'file-project' });
      expect(resolveGcsSettings({ keyFile, projectId: 'explicit' }).projectId).toBe('explicit');
      const inline = resolveGcsSettings({ credentialsJson: JSON.stringify(fakeServiceAccount('json-project')) });
      expect(inline.projectId).toBe('json-project');
      expect(inline.credentials?.client_email).toBe('sync@json-project.iam.gserviceaccount.com');
      // Neither: Application Default Credentials, left to the SDK.
      expect(resolveGcsSettings({ projectId: 'p' })).toMatchObject({ keyFilename: undefined, credentials: undefined, projectId: 'p' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unreadable key file, or one that holds no key object, as InvalidConfig naming the field without its contents', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir-cds', 'key.json');
    expect(() => resolveGcsSettings({ keyFile: missing })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'gcs.keyFile' }));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cds-gcs-key-'));
    try {
      const keyFile = path.join(dir, 'key.json');
      await writeFile(keyFile, '{"private_key": "-----BEGIN SECRET');
      let err: unknown;
      try {
        resolveGcsSettings({ keyFile });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'InvalidConfig', field: 'gcs.keyFile' });
      expect((err as Error).message).not.toContain('SECRET');
      await writeFile(keyFile, '[1,2]');
      expect(() => resolveGcsSettings({ keyFile })).toThrow(expect.objectContaining({ field: 'gcs.keyFile' }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('normalises the endpoint; only Google hosts get credentials on a custom endpoint', () => {
    expect(resolveGcsSettings({ apiEndpoint: 'http://127.0.0.1:4443/' })).toMatchObject({ apiEndpoint: 'http://127.0.0.1:4443', useAuthWithCustomEndpoint: false });
    expect(resolveGcsSettings({ apiEndpoint: 'storage.example.com' }).apiEndpoint).toBe('https://storage.example.com');
    expect(resolveGcsSettings({ apiEndpoint: 'https://storage.europe-west3.rep.googleapis.com' }).useAuthWithCustomEndpoint).toBe(true);
    expect(resolveGcsSettings({ apiEndpoint: 'https://googleapis.com.evil.example' }).useAuthWithCustomEndpoint).toBe(false);
    expect(resolveGcsSettings({}).apiEndpoint).toBeUndefined();
  });

  it('refuses a chunk size that is not a multiple of 256 KiB', () => {
    expect(() => createGcsProvider({}, { chunkSize: 1000 })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'chunkSize' }));
    expect(() => createGcsProvider({}, { multipartThreshold: 0 })).toThrow(expect.objectContaining({ field: 'multipartThreshold' }));
  });
});

describe('gcs error mapping', () => {
  const ctx = { op: 'list', bucket: 'b-bucket' };
  it('maps SDK error shapes by status, SDK checksum codes and network codes', () => {
    const api = (code: number, message = 'x', reason?: string) => Object.assign(new Error(message), { code, errors: reason ? [{ reason, message }] : [] });
    expect(mapGcsError(api(404), ctx)).toMatchObject({ code: 'NotFound' });
    expect(mapGcsError(api(429), ctx)).toMatchObject({ code: 'Throttled' });
    expect(mapGcsError(api(500), ctx)).toMatchObject({ code: 'Transient' });
    expect(mapGcsError(api(401), ctx)).toMatchObject({ code: 'AccessDenied' });
    expect(mapGcsError(api(412), ctx)).toMatchObject({ code: 'Transient' });
    expect(mapGcsError(api(409, 'The bucket you tried to delete is not empty.'), ctx)).toMatchObject({ code: 'Fatal' });
    expect(mapGcsError(api(400, 'Invalid argument.', 'invalid'), ctx)).toMatchObject({ code: 'Fatal' });
    // A gaxios error (resumable uploads) keeps the status on `status`, and a string code.
    expect(mapGcsError(Object.assign(new Error('Forbidden'), { status: 403, code: '403' }), ctx)).toMatchObject({ code: 'AccessDenied' });
    expect(mapGcsError(new Error('Retry limit exceeded - status: 503 - Service Unavailable'), ctx)).toMatchObject({ code: 'Throttled' });
    expect(mapGcsError(new Error('Retry total time limit exceeded - Unknown Error'), ctx)).toMatchObject({ code: 'Transient' });
    expect(mapGcsError(Object.assign(new Error('mismatch'), { code: 'CONTENT_DOWNLOAD_MISMATCH' }), ctx)).toMatchObject({ code: 'Transient' });
    expect(mapGcsError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), ctx)).toMatchObject({ code: 'Transient' });
    // Streamed downloads carry the raw JSON error body as the message.
    const streamed = mapGcsError(Object.assign(new Error('{"error":{"code":404,"message":"No such object: b/k"}}'), { code: 404 }), { op: 'read', bucket: 'b', key: 'k' });
    expect(streamed.message).toBe('read b/k: No such object: b/k');
    const abort = new DOMException('aborted', 'AbortError');
    expect(mapGcsError(abort, ctx, AbortSignal.abort())).toBe(abort);
  });
});

// ---- issue 9: names stored exactly or refused (point 5) ----

/** Names GCS refuses (naming rules), and "." / ".." whose URL the SDK would resolve to the bucket. */
const GCS_REFUSED = ['.', '..', 'nl\nx', 'cr\rx', '.well-known/acme-challenge/token', '', 'x'.repeat(1025), '\u65e5'.repeat(342), 'lone\uD800x'];
/** Names that look hostile but GCS stores exactly (the JSON API escapes them as one path segment). */
const GCS_KEPT = ['z/../y', 'dot/./x', 'back\\slash', '#frag', 'q?x', '%2e%2e', '%2F', '/lead', 'a//b', 'a/..', '../up', 'ctl\u0001x', 'tab\tx', '.well-known/other', 'x'.repeat(1024)];

describe('gcs object names (issue 9, point 5)', () => {
  let p: StorageProvider;
  beforeAll(() => {
    p = createGcsProvider(gcsSettingsFor(server), { multipartThreshold: MiB, chunkSize: 256 * 1024 });
  });

  it('names every key it cannot store exactly, and accepts the rest', () => {
    for (const key of GCS_REFUSED) expect(gcsObjectNameProblem(key), JSON.stringify(key)).toBeTypeOf('string');
    for (const key of GCS_KEPT) expect(gcsObjectNameProblem(key), JSON.stringify(key)).toBeUndefined();
  });

  it('refuses them in write, head, read, copy and remove, leaving every other object (and the bucket) alone', async () => {
    await p.createBucket('gcs-hostile');
    await p.createBucket('gcs-hostile-empty');
    await writeBytes(p, 'gcs-hostile', 'src', Buffer.from('real src'));
    const fatal = async (call: Promise<unknown>, key: string): Promise<void> => {
      const err = await rejection(call);
      expect(isStorageError(err, 'Fatal'), `${JSON.stringify(key)}: ${String(err)}`).toBe(true);
      expect((err as Error).message, JSON.stringify(key)).toContain(`GCS cannot store the name ${JSON.stringify(key)}`);
    };
    for (const key of GCS_REFUSED) {
      await fatal(writeBytes(p, 'gcs-hostile', key, Buffer.from('small')), key);
      await fatal(writeBytes(p, 'gcs-hostile', key, randomBytes(MiB)), key);
      await fatal(p.head('gcs-hostile', key), key);
      await fatal(p.read('gcs-hostile', key), key);
      await fatal(p.copy!('gcs-hostile', 'src', 'gcs-hostile', key), key);
      await fatal(p.copy!('gcs-hostile', key, 'gcs-hostile', 'copy-target'), key);
      // A DELETE of ".." would be a DELETE of the (empty) bucket.
      await fatal(p.remove('gcs-hostile-empty', [key]), key);
    }
    expect(await p.listBuckets()).toContain('gcs-hostile-empty');
    expect((await listAll(p, 'gcs-hostile', '')).map((o) => o.key)).toEqual(['src']);
    // The test server refuses them too, as GCS does.
    const raw = new Storage({ apiEndpoint: server.apiEndpoint, projectId: server.projectId, retryOptions: { autoRetry: false } });
    const err = await rejection(raw.bucket('gcs-hostile').file('nl\nx').save('x', { resumable: false }));
    expect((err as { code?: unknown }).code).toBe(400);
  });

  it('stores the hostile-looking names it accepts exactly, and deletes exactly them', async () => {
    const bucket = 'gcs-kept-names';
    await p.createBucket(bucket);
    const victims = ['y', 'dot/x', 'back/slash', 'up'];
    for (const key of victims) await writeBytes(p, bucket, key, Buffer.from(`real ${key}`));
    for (const key of GCS_KEPT) await writeBytes(p, bucket, key, Buffer.from(key));
    const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    expect((await listAll(p, bucket, '')).map((o) => o.key)).toEqual([...victims, ...GCS_KEPT].sort(byteOrder));
    for (const key of GCS_KEPT) expect((await readAll(await p.read(bucket, key))).toString(), JSON.stringify(key)).toBe(key);
    await p.remove(bucket, GCS_KEPT);
    expect((await listAll(p, bucket, '')).map((o) => o.key)).toEqual([...victims].sort(byteOrder));
    for (const key of victims) expect((await readAll(await p.read(bucket, key))).toString()).toBe(`real ${key}`);
  });
});

// ---- issue 9: deletes (point 13) ----

describe('gcs remove (issue 9, point 13)', () => {
  it('throws PartialRemoveError naming the keys that are gone (deleted or already missing) when one delete fails', async () => {
    const p = createGcsProvider(gcsSettingsFor(server));
    const bucket = 'gcs-partial-remove';
    await p.createBucket(bucket);
    for (const key of ['a', 'refused', 'c']) await writeBytes(p, bucket, key, Buffer.from(key));
    server.faults.failures = [{ method: 'DELETE', path: /\/o\/refused/, status: 403, times: 1 }];
    try {
      const err = await rejection(p.remove(bucket, ['a', 'refused', 'missing', 'c']));
      expect(err, String(err)).toBeInstanceOf(PartialRemoveError);
      expect((err as PartialRemoveError).code).toBe('AccessDenied');
      expect([...(err as PartialRemoveError).removed].sort()).toEqual(['a', 'c', 'missing']);
    } finally {
      server.faults.failures = [];
    }
    expect((await listAll(p, bucket, '')).map((o) => o.key)).toEqual(['refused']);
  });
});

// ---- issue 9: one version per read, checksums, nothing committed early (point 3) ----

describe('gcs reads and writes of one version (issue 9, point 3)', () => {
  let p: StorageProvider;
  const bucket = 'gcs-versions';
  beforeAll(async () => {
    p = createGcsProvider(gcsSettingsFor(server), { multipartThreshold: MiB, chunkSize: 256 * 1024 });
    await p.createBucket(bucket);
  });

  it('reads with ifGenerationMatch: the etag from head reads, a stale one fails with SourceChangedError', async () => {
    await writeBytes(p, bucket, 'k', Buffer.from('first'));
    const first = await p.head(bucket, 'k');
    expect((await readAll(await p.read(bucket, 'k', undefined, first!.etag))).toString()).toBe('first');
    await writeBytes(p, bucket, 'k', Buffer.from('second'));
    const err = await rejection(p.read(bucket, 'k', undefined, first!.etag));
    expect(err, String(err)).toBeInstanceOf(SourceChangedError);
    const second = await p.head(bucket, 'k');
    expect((await readAll(await p.read(bucket, 'k', undefined, second!.etag))).toString()).toBe('second');
    expect(server.requests.some((r) => r.url.includes(`ifGenerationMatch=${second!.etag}`))).toBe(true);
    await expectStorageError(p.read(bucket, 'k', undefined, '"0x8D"'), 'Fatal');
  });

  it('reports md5 and crc32c in head, listing and write results; a composite object has only crc32c', async () => {
    const data = Buffer.from('hello world');
    const written = await writeBytes(p, bucket, 'sums', data);
    const crc = new CRC32C();
    crc.update(data);
    const crc32c = crc.toString();
    expect(written).toMatchObject({ md5: md5Hex(data), checksums: { crc32c } });
    expect(await p.head(bucket, 'sums')).toMatchObject({ md5: md5Hex(data), checksums: { crc32c } });
    await writeBytes(p, bucket, 'part-1', Buffer.from('hello '));
    await writeBytes(p, bucket, 'part-2', Buffer.from('world'));
    await new Storage({ apiEndpoint: server.apiEndpoint, projectId: server.projectId }).bucket(bucket).combine(['part-1', 'part-2'], 'composite');
    const composite = await p.head(bucket, 'composite');
    expect(composite!.md5).toBeUndefined();
    expect(composite!.checksums).toEqual({ crc32c });
  });

  it.each([
    ['a single-request upload', 100],
    ['a resumable upload', MiB + 7],
  ])('never finalizes %s whose source fails after its last byte (before its end): the previous object stays', async (_label, size) => {
    const key = `late-failure-${size}`;
    const previous = await writeBytes(p, bucket, key, Buffer.from('previous'));
    const err = await rejection(p.write(bucket, key, lateFailingSource(randomBytes(size), 64 * 1024), size));
    expect(isStorageError(err) && !isAbortError(err), String(err)).toBe(true);
    expect(await p.head(bucket, key)).toMatchObject({ etag: previous.etag, size: 8 });
  });

  it.each([
    ['a single-request upload, MD5 not given', 100, false],
    ['a single-request upload, MD5 given', 100, true],
    ['a resumable upload, MD5 not given', MiB + 7, false],
    ['a resumable upload, MD5 given', MiB + 7, true],
  ])('lets GCS refuse %s damaged in transit before it replaces the previous object', async (_label, size, giveMd5) => {
    const key = `damaged-${size}-${giveMd5}`;
    const previous = await writeBytes(p, bucket, key, Buffer.from('previous'));
    const data = randomBytes(size);
    server.faults.corruptUploads = 1;
    try {
      const err = await rejection(writeBytes(p, bucket, key, data, giveMd5 ? { md5: md5Hex(data) } : {}));
      expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
      expect(server.faults.corruptUploads).toBe(0);
    } finally {
      server.faults.corruptUploads = 0;
    }
    expect(await p.head(bucket, key)).toMatchObject({ etag: previous.etag, size: 8 });
    expect((await readAll(await p.read(bucket, key))).toString()).toBe('previous');
  });
});

describe('gcs uploads declare the source\'s CRC32C (issue 9, point 3)', () => {
  let p: StorageProvider;
  const bucket = 'gcs-crc32c-uploads';
  beforeAll(async () => {
    p = createGcsProvider(gcsSettingsFor(server), { multipartThreshold: MiB, chunkSize: 256 * 1024 });
    await p.createBucket(bucket);
  });

  it.each([
    ['a single-request upload', 100],
    ['a resumable upload', MiB + 7],
  ])('%s: GCS refuses bytes whose CRC32C is not the source\'s, also when no MD5 is known; the previous object stays', async (_label, size) => {
    const key = `crc-${size}`;
    const previous = await writeBytes(p, bucket, key, Buffer.from('previous'));
    const data = randomBytes(size);
    const err = await rejection(writeBytes(p, bucket, key, data, { checksums: { crc32c: crc32cOf(Buffer.from('other bytes')) } }));
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    expect(String(err)).toContain('CRC32C');
    expect(await p.head(bucket, key)).toMatchObject({ etag: previous.etag, size: 8 });
    // The right CRC32C (with or without an MD5) is taken.
    const written = await writeBytes(p, bucket, key, data, { checksums: { crc32c: crc32cOf(data) } });
    expect(written).toMatchObject({ md5: md5Hex(data), checksums: { crc32c: crc32cOf(data) } });
    const withMd5 = await writeBytes(p, bucket, key, data, { md5: md5Hex(data), checksums: { crc32c: crc32cOf(data) } });
    expect(withMd5.checksums?.crc32c).toBe(crc32cOf(data));
  });

  it('copies a composite object (CRC32C, no MD5) to another bucket with its CRC32C declared', async () => {
    await writeBytes(p, bucket, 'part-1', Buffer.from('hello '));
    await writeBytes(p, bucket, 'part-2', Buffer.from('world'));
    await new Storage({ apiEndpoint: server.apiEndpoint, projectId: server.projectId }).bucket(bucket).combine(['part-1', 'part-2'], 'composite');
    const source = await p.head(bucket, 'composite');
    expect(source).toMatchObject({ md5: undefined, checksums: { crc32c: crc32cOf(Buffer.from('hello world')) } });
    await p.createBucket('gcs-crc32c-copies');
    const data = await readAll(await p.read(bucket, 'composite', undefined, source!.etag));
    const written = await writeBytes(p, 'gcs-crc32c-copies', 'composite', data, { checksums: source!.checksums });
    expect(written.checksums).toEqual(source!.checksums);
  });

  it('refuses a CRC32C that is not base64 of 4 bytes, before sending anything', async () => {
    for (const crc32c of ['', 'AAAAAAAA', 'not base64!', 'deadbeef']) {
      await expectStorageError(writeBytes(p, bucket, 'bad-crc', Buffer.from('x'), { checksums: { crc32c } }), 'Fatal');
    }
    expect(await p.head(bucket, 'bad-crc')).toBeNull();
  });
});

// ---- issue 9: error classes (point 7, provider side) ----

describe('gcs error classes under faults (issue 9, point 7)', () => {
  it("maps an abort the caller did not ask for to Transient; only the caller's signal gives an AbortError", () => {
    const sdkAbort = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' });
    const unasked = mapGcsError(sdkAbort, { op: 'read', bucket: 'b', key: 'k' });
    expect(isStorageError(unasked, 'Transient'), String(unasked)).toBe(true);
    expect(isAbortError(unasked)).toBe(false);
    expect(mapGcsError(sdkAbort, { op: 'read' }, AbortSignal.abort())).toBe(sdkAbort);
    expect(mapGcsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { op: 'read' })).toMatchObject({ code: 'Transient' });
  });

  it('a download that fails before anyone reads it keeps its error for the reader: no unhandled error', async () => {
    const p = createGcsProvider(gcsSettingsFor(server));
    await p.createBucket('gcs-unread');
    await writeBytes(p, 'gcs-unread', 'k', randomBytes(64 * 1024));
    server.faults.resetDownloads = 1;
    try {
      const stream = await p.read('gcs-unread', 'k');
      // (events.once would listen for 'error' itself.)
      await new Promise((resolve) => stream.once('close', resolve)); // failed while nobody consumed it
      const err = await rejection(readAll(stream));
      expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    } finally {
      server.faults.resetDownloads = 0;
    }
  });

  describe('through a fault-injecting proxy', () => {
    let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
    let p: StorageProvider;
    const bucket = 'gcs-faults';
    beforeAll(async () => {
      proxy = await startFaultProxy({ upstream: server.apiEndpoint, seed: 9 });
      p = createGcsProvider({ apiEndpoint: proxy.url, projectId: server.projectId });
      await p.createBucket(bucket);
      await writeBytes(p, bucket, 'big.bin', randomBytes(2 * MiB));
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it.each([
      ['rateLimitExceeded (429)', 'Throttled', SERVICE_ERRORS.gcsRateLimit],
      ['backendError (503)', 'Throttled', SERVICE_ERRORS.gcsBackendError],
    ] as const)('a listing page answered %s fails as %s at once, without retries of the SDK', async (_label, code, fault) => {
      proxy.setRules([{ match: { method: 'GET', path: /^\/storage\/v1\/b\/[^/]+\/o\/?$/ }, max: 1, fault }]);
      try {
        await expectStorageError(listAll(p, bucket, ''), code);
        expect(proxy.injected.error, proxy.describe()).toBe(1);
        expect((await listAll(p, bucket, '')).map((o) => o.key)).toEqual(['big.bin']);
      } finally {
        proxy.setRules([]);
      }
    });

    it('a resumable upload resends a chunk whose connection was reset, from what GCS confirmed', async () => {
      const resumable = createGcsProvider({ apiEndpoint: proxy.url, projectId: server.projectId }, { multipartThreshold: MiB, chunkSize: 256 * 1024 });
      const data = randomBytes(MiB + 100);
      proxy.setRules([{ match: { method: 'PUT', path: /^\/upload\// }, nth: 2, fault: { kind: 'resetRequest' } }]);
      try {
        const written = await writeBytes(resumable, bucket, 'resumed', data);
        expect(written.md5).toBe(md5Hex(data));
        expect(proxy.injected.resetRequest, proxy.describe()).toBe(1);
      } finally {
        proxy.setRules([]);
      }
      expect((await readAll(await p.read(bucket, 'resumed'))).equals(data)).toBe(true);
    });

    it('a download reset mid-body fails as Transient, not as an abort', async () => {
      proxy.setRules([{ match: { method: 'GET', path: /big\.bin$/ }, max: 1, fault: { kind: 'resetResponse' } }]);
      try {
        const err = await rejection(p.read(bucket, 'big.bin').then(readAll));
        expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
        expect(isAbortError(err)).toBe(false);
      } finally {
        proxy.setRules([]);
      }
      expect((await readAll(await p.read(bucket, 'big.bin'))).length).toBe(2 * MiB);
    });

    it('a download reset mid-body (an RST: errors on the request and the answer) while nobody reads it keeps its error: no unhandled error', async () => {
      // Small enough to arrive whole without a reader: a paused socket would not see the reset.
      await writeBytes(p, bucket, 'unread.bin', randomBytes(64 * 1024));
      proxy.setRules([{ match: { method: 'GET', path: /unread\.bin$/ }, max: 1, fault: { kind: 'resetResponse' } }]);
      try {
        const stream = await p.read(bucket, 'unread.bin');
        // (events.once would listen for 'error' itself.)
        await new Promise((resolve) => stream.once('close', resolve));
        expect(proxy.injected.resetResponse, proxy.describe()).toBe(1);
        const err = await rejection(readAll(stream));
        expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
      } finally {
        proxy.setRules([]);
      }
    });
  });
});

// ---- helpers ----

function crc32cOf(data: Buffer): string {
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}

function writeBytes(p: StorageProvider, bucket: string, key: string, data: Buffer, options?: Parameters<StorageProvider['write']>[4]) {
  const chunks = Array.from({ length: Math.max(1, Math.ceil(data.length / 65536)) }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
  return p.write(bucket, key, async () => Readable.from(chunks), data.length, options);
}

/** A service-account key with a real RSA key pair, so google-auth-library accepts it. */
function fakeServiceAccount(projectId: string): Record<string, string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: 'test-key',
    private_key: privateKey,
    client_email: `sync@${projectId}.iam.gserviceaccount.com`,
    client_id: '1',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
}
