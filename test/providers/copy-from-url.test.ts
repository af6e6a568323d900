// Copy-from-URL, provider side (issue 15): a source presigns a GET, Azure fetches it itself
// (Put Blob From URL, Put Block From URL + Put Block List) and reports what it stored. Sources are
// real servers: s3rver and moto (S3 provider), moto (MinIO provider), the in-repo GCS server (V4
// signed URLs, see gcs-server/signed.ts). The target is Azurite behind the URL stand-in
// (azure-url-standin.ts), which fetches the URL from here as Azure would from the cloud; plain
// Azurite answers 501 to both calls, pinned below.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureProvider } from '../../electron/providers/azure';
import { multipartEtagOf } from '../../electron/providers/azure-from-url';
import { StorageError, isStorageError } from '../../electron/providers/errors';
import { createGcsProvider } from '../../electron/providers/gcs';
import { createMinioProvider } from '../../electron/providers/minio';
import type { StorageProvider, UrlSource, WriteOptions } from '../../electron/providers/provider';
import { createS3Provider } from '../../electron/providers/s3';
import { wrapProvider } from '../../electron/providers/stack';
import type { CallRecord } from '../../electron/providers/logged';
import { startAzureUrlStandin, type AzureUrlStandin } from '../support/azure-url-standin';
import { startAzurite, type AzuriteServer } from '../support/azurite';
import { startGcsServer, gcsSettingsFor, type GcsTestServer } from '../support/gcs-server';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, minioSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { md5Hex, readAll, rejection } from './helpers';

const MiB = 1024 * 1024;
const SMALL_PARTS = { multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 2 };

let azurite: AzuriteServer;
let standin: AzureUrlStandin;
let target: StorageProvider;
let s3rver: S3TestServer;
let moto: S3TestServer;
let gcs: GcsTestServer;

beforeAll(async () => {
  [azurite, s3rver, moto, gcs] = await Promise.all([startAzurite(), startS3Server(), startMotoServer(), startGcsServer()]);
  standin = await startAzureUrlStandin(azurite);
  target = createAzureProvider({ accountName: standin.accountName, accountKey: standin.accountKey, endpointUrl: standin.endpointUrl });
  await target.createBucket('pulled');
}, 120_000);

afterAll(async () => {
  await target?.close();
  await standin?.stop();
  await Promise.all([azurite?.stop(), s3rver?.stop(), moto?.stop(), gcs?.stop()]);
});

/** A service account key made here: GCS V4 signing is local, the test server does not check signatures. */
function gcsCredentials(projectId: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return JSON.stringify({
    type: 'service_account',
    project_id: projectId,
    client_email: 'pullprov@test-project.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
}

interface SourceKind {
  name: string;
  create: (tuning?: typeof SMALL_PARTS) => StorageProvider;
  /** Multipart uploads get `…-N` ETags and HEAD ?partNumber answers parts (moto). */
  partSizes: 'answered' | 'null' | 'none';
  /** The server refuses a presigned URL after it expired. */
  checksExpiry: boolean;
}

const SOURCES: SourceKind[] = [
  { name: 's3 on s3rver', create: (t) => createS3Provider(awsSettingsFor(s3rver), t), partSizes: 'null', checksExpiry: true },
  // moto serves a presigned GET after its expiry (AWS refuses it: 403 AccessDenied "Request has expired").
  { name: 's3 on moto', create: (t) => createS3Provider(awsSettingsFor(moto), t), partSizes: 'answered', checksExpiry: false },
  { name: 'minio on moto', create: (t) => createMinioProvider(minioSettingsFor(moto), t), partSizes: 'answered', checksExpiry: false },
  {
    name: 'gcs on the test server',
    create: () => createGcsProvider({ ...gcsSettingsFor(gcs), credentialsJson: gcsCredentials(gcs.projectId) }),
    partSizes: 'none',
    checksExpiry: true,
  },
];

const open = (data: Buffer) => async () => Readable.from([data]);
let counter = 0;
const fresh = (prefix: string): string => `${prefix}-${++counter}`;

describe.each(SOURCES)('copy from URL: $name → Azure (stand-in)', (kind) => {
  let source: StorageProvider;
  const bucket = `src-${kind.name.replace(/[^a-z]/g, '')}`.slice(0, 40);

  beforeAll(async () => {
    source = kind.create(SMALL_PARTS);
    await source.createBucket(bucket);
  });
  afterAll(async () => {
    await source?.close();
  });

  /** Writes `data` to the source and returns what its HEAD says, with a fresh presigned URL. */
  async function put(key: string, data: Buffer, options: WriteOptions = {}) {
    await source.write(bucket, key, open(data), data.length, options);
    const info = (await source.head(bucket, key))!;
    const signed = (await source.presignRead!(bucket, key, info.etag, 300))!;
    expect(signed).not.toBeNull();
    return { info, signed };
  }

  it('pulls one object in one request: bytes, content type, metadata and tags; the md5 Azure reports is the source\'s', async () => {
    const data = randomBytes(300 * 1024);
    const key = fresh('single');
    const { info, signed } = await put(key, data, { contentType: 'image/png' });
    expect(info.md5).toBe(md5Hex(data));
    const before = { ...standin.fetched };
    const result = await target.writeFromUrl!('pulled', key, { url: signed.url, size: data.length, md5: info.md5 }, {
      contentType: 'image/png',
      cacheControl: 'max-age=60',
      metadata: { origin: 'pull', note: 'from url' },
      tags: { project: 'i15', tier: 'hot' },
    });
    expect(result.md5).toBe(md5Hex(data));
    expect(result.size).toBe(data.length);
    expect(standin.fetched.bytes - before.bytes).toBe(data.length);
    const stored = (await target.head('pulled', key))!;
    expect(stored).toMatchObject({ size: data.length, md5: md5Hex(data), contentType: 'image/png', cacheControl: 'max-age=60', metadata: { origin: 'pull', note: 'from url' }, etag: result.etag });
    expect(await target.getTags!('pulled', key)).toEqual({ project: 'i15', tier: 'hot' });
    expect((await readAll(await target.read('pulled', key))).equals(data)).toBe(true);
  });

  it('refuses bytes corrupted on the way: nothing is committed, an existing blob keeps its content', async () => {
    const data = randomBytes(64 * 1024);
    const key = fresh('corrupt');
    const { info, signed } = await put(key, data);
    const old = Buffer.from('old content');
    await target.write('pulled', key, open(old), old.length);
    standin.corruptFetches = 1;
    const err = await rejection(target.writeFromUrl!('pulled', key, { url: signed.url, size: data.length, md5: info.md5 }));
    expect(standin.corruptFetches).toBe(0);
    expect(isStorageError(err, 'Transient')).toBe(true);
    expect((await readAll(await target.read('pulled', key))).equals(old)).toBe(true);
    // A new key: no blob at all.
    standin.corruptFetches = 1;
    const other = fresh('corrupt-new');
    await rejection(target.writeFromUrl!('pulled', other, { url: signed.url, size: data.length, md5: info.md5 }));
    expect(await target.head('pulled', other)).toBeNull();
  });

  it('an unreachable source fails with a CannotVerifyCopySource cause, and the URL is in no message', async () => {
    const data = randomBytes(1024);
    const key = fresh('unreachable');
    const { info, signed } = await put(key, data);
    // A source the service cannot reach: a closed port.
    const closed = new URL(signed.url);
    closed.port = '1';
    const err = await rejection(target.writeFromUrl!('pulled', key, { url: closed.toString(), size: data.length, md5: info.md5 }));
    expect(err).toBeInstanceOf(StorageError);
    expect(((err as StorageError).cause as { code?: string }).code).toBe('CannotVerifyCopySource');
    expect((err as Error).message).not.toContain(closed.search.slice(1, 20));
    // The stand-in's switch: a source it refuses to reach.
    standin.refuseSources = true;
    try {
      const refused = await rejection(target.writeFromUrl!('pulled', key, { url: signed.url, size: data.length, md5: info.md5 }));
      expect(((refused as StorageError).cause as { code?: string }).code).toBe('CannotVerifyCopySource');
      expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused))).not.toContain(new URL(signed.url).search.slice(1, 20));
    } finally {
      standin.refuseSources = false;
    }
    expect(await target.head('pulled', key)).toBeNull();
  });

  it('a source that changed after it was listed is never written', async () => {
    const v1 = randomBytes(4096);
    const key = fresh('changed');
    const { info, signed } = await put(key, v1);
    await source.write(bucket, key, open(randomBytes(4096)), 4096);
    const err = await rejection(target.writeFromUrl!('pulled', key, { url: signed.url, size: v1.length, md5: info.md5 }));
    // GCS URLs name the generation: the old one is gone (404). S3 URLs serve the new bytes: Md5Mismatch.
    if (kind.partSizes === 'none') expect(((err as StorageError).cause as { code?: string }).code).toBe('CannotVerifyCopySource');
    else expect(isStorageError(err, 'Transient')).toBe(true);
    expect(await target.head('pulled', key)).toBeNull();
  });

  it(`an expired URL is ${kind.checksExpiry ? 'refused by the source' : 'still served by the source'}`, async () => {
    const data = randomBytes(1024);
    const key = fresh('expired');
    await source.write(bucket, key, open(data), data.length);
    const info = (await source.head(bucket, key))!;
    const signed = (await source.presignRead!(bucket, key, info.etag, 1))!;
    // Bounded wait for the expiry (second granularity in every signing scheme).
    for (let i = 0; i < 100 && Date.now() <= signed.expiresAt + 1000; i++) await new Promise((r) => setTimeout(r, 50));
    const outcome = await target.writeFromUrl!('pulled', key, { url: signed.url, size: data.length, md5: info.md5 }).then(
      () => 'written',
      (err: unknown) => ((err as StorageError).cause as { code?: string }).code,
    );
    expect(outcome).toBe(kind.checksExpiry ? 'CannotVerifyCopySource' : 'written');
  });

  it('pulls in blocks and reports each block\'s MD5', async () => {
    const data = randomBytes(11 * MiB);
    const key = fresh('blocks');
    const { info, signed } = await put(key, data);
    let sizes: number[] | null = null;
    if (kind.partSizes === 'none') expect(source.partSizes).toBeUndefined();
    else sizes = await source.partSizes!(bucket, key, info.etag);
    if (kind.partSizes === 'answered') {
      expect(info.etag).toMatch(/-3$/);
      expect(sizes).toEqual([5 * MiB, 5 * MiB, 1 * MiB]);
    } else {
      // s3rver: plain MD5 ETags for multipart uploads and no part HEADs. GCS: no parts at all.
      expect(sizes).toBeNull();
      sizes = [4 * MiB, 4 * MiB, 3 * MiB];
    }
    let offset = 0;
    const blocks = sizes!.map((size) => {
      const block = { offset, size };
      offset += size;
      return block;
    });
    const multipartEtag = kind.partSizes === 'answered' ? info.etag : undefined;
    const result = await target.writeFromUrl!('pulled', key, { url: signed.url, size: data.length, blocks, multipartEtag });
    const expected = blocks.map((b) => md5Hex(data.subarray(b.offset, b.offset + b.size)));
    expect(result.blockMd5s).toEqual(expected);
    if (multipartEtag) expect(multipartEtagOf(result.blockMd5s!)).toBe(info.etag);
    expect((await readAll(await target.read('pulled', key))).equals(data)).toBe(true);
  });

  it('blocks corrupted on the way fail the multipart-ETag check before the commit', async () => {
    const data = randomBytes(11 * MiB);
    const key = fresh('blocks-corrupt');
    const { info, signed } = await put(key, data);
    // Without -N ETags (s3rver, GCS) a one-block pull with the whole MD5 is checked the same way.
    const source: UrlSource =
      kind.partSizes === 'answered'
        ? { url: signed.url, size: data.length, multipartEtag: info.etag, blocks: [{ offset: 0, size: 5 * MiB }, { offset: 5 * MiB, size: 5 * MiB }, { offset: 10 * MiB, size: 1 * MiB }] }
        : { url: signed.url, size: data.length, md5: md5Hex(data), blocks: [{ offset: 0, size: data.length }] };
    standin.corruptFetches = 1;
    const err = await rejection(target.writeFromUrl!('pulled', key, source));
    expect(isStorageError(err, 'Transient')).toBe(true);
    expect((err as Error).message).toMatch(/nothing was committed/);
    expect(await target.head('pulled', key)).toBeNull();
  });
});

describe('copy from URL: what each side refuses', () => {
  it('a whole-object MD5 cannot be checked on several blocks: refused before anything is fetched', async () => {
    const before = standin.fetched.requests;
    const err = await rejection(
      target.writeFromUrl!('pulled', 'never', { url: 'http://127.0.0.1:1/x?sig=secret', size: 10, md5: '0'.repeat(32), blocks: [{ offset: 0, size: 5 }, { offset: 5, size: 5 }] }),
    );
    expect(((err as StorageError).cause as { code?: string }).code).toBe('NotImplemented');
    expect(standin.fetched.requests).toBe(before);
    expect((err as Error).message).not.toContain('secret');
  });

  it('plain Azurite (3.35) answers 501 to both calls: a NotImplemented cause, nothing written', async () => {
    const plain = createAzureProvider({ accountName: azurite.accountName, accountKey: azurite.accountKey, endpointUrl: azurite.endpointUrl });
    try {
      const url = 'http://127.0.0.1:1/bucket/key?X-Amz-Signature=secret';
      for (const source of [{ url, size: 3 }, { url, size: 3, blocks: [{ offset: 0, size: 3 }] }]) {
        const err = await rejection(plain.writeFromUrl!('pulled', 'plain', source));
        expect(((err as StorageError).cause as { code?: string }).code).toBe('NotImplemented');
        expect((err as Error).message).not.toContain('secret');
      }
      expect(await plain.head('pulled', 'plain')).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it('a dry run refuses writeFromUrl; the logged call names no URL; partSizes is counted', async () => {
    const records: CallRecord[] = [];
    const dry = wrapProvider(target, { dryRun: true, log: (r) => records.push(r) });
    await expect(dry.provider.writeFromUrl!('pulled', 'dry', { url: 'http://127.0.0.1:1/x?sig=secret', size: 1 })).rejects.toThrow(/dry run/);
    const live = wrapProvider(target, { log: (r) => records.push(r) });
    await rejection(live.provider.writeFromUrl!('pulled', 'logged', { url: 'http://127.0.0.1:1/x?sig=secret', size: 1 }));
    expect(live.counts.calls.writeFromUrl).toBe(1);
    expect(records.map((r) => r.what)).toEqual(['write pulled/logged from a URL']);
    expect(JSON.stringify(records, (_k, v: unknown) => (v instanceof Error ? { message: v.message, cause: v.cause } : v))).not.toContain('secret');
    expect(live.provider.canFetch!('http://10.0.0.1/x')).toBe(true);
    const s3 = wrapProvider(createS3Provider(awsSettingsFor(moto)));
    try {
      expect(await s3.provider.partSizes!('nobucket-here', 'k', 'd41d8cd98f00b204e9800998ecf8427e')).toBeNull();
      expect(s3.counts.calls.partSizes).toBe(1);
      expect(await s3.provider.presignRead!('b', 'k', 'e', 60)).toMatchObject({ url: expect.stringContaining('X-Amz-Signature=') });
    } finally {
      await s3.provider.close();
    }
  });

  it('GCS without a private key cannot presign: null', async () => {
    const keyless = createGcsProvider(gcsSettingsFor(gcs));
    try {
      expect(await keyless.presignRead!('b', 'k', '1', 60)).toBeNull();
    } finally {
      await keyless.close();
    }
  });

  it('the MD5 of the part MD5s is the S3 multipart ETag', () => {
    const parts = [randomBytes(100), randomBytes(50)];
    const all = createHash('md5');
    for (const p of parts) all.update(createHash('md5').update(p).digest());
    expect(multipartEtagOf(parts.map(md5Hex))).toBe(`${all.digest('hex')}-2`);
  });
});
