// Integrity cases for the two S3-API providers (s3, minio), run against s3rver and moto from the
// providers' test files: conditional reads, SSE-KMS ETags, non-ASCII metadata, the part size of
// multipart ETags and multipart server-side copy. What a server lacks is stated in `traits` and
// each case says what it expects there, so a server that gains a feature fails the test loudly.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceChangedError, isStorageError } from '../../electron/providers/errors';
import type { StorageProvider } from '../../electron/providers/provider';
import type { UploadTuning } from '../../electron/providers/s3-common';
import type { S3TestServer } from '../support/s3-server';
import { md5Hex, readAll, rejection } from './helpers';
import { startSseKmsProxy, type SseKmsProxy } from './s3-sse-proxy';

export interface S3ServerTraits {
  /** Multipart uploads get `…-N` ETags (moto, AWS); s3rver gives a plain MD5. */
  multipartEtags: boolean;
  /** HEAD ?partNumber=1 answers the part with x-amz-mp-parts-count (moto, AWS); s3rver ignores it. */
  partNumberHead: boolean;
  /** UploadPartCopy exists (moto, AWS); s3rver answers NotImplemented. */
  uploadPartCopy: boolean;
  /** A PutObject whose Content-MD5 is not its body's is refused (AWS: BadDigest); s3rver and moto store it. */
  checksContentMd5: boolean;
}

export interface S3IntegrityTarget {
  server: () => S3TestServer;
  /** A provider against `server` (or a proxy in front of it: same shape, other endpoint and port). */
  create: (server: S3TestServer, options?: UploadTuning) => StorageProvider;
  traits: S3ServerTraits;
}

const MiB = 1024 * 1024;
/** Small parts so multipart cases stay small (5 MiB is S3's minimum). */
const SMALL_PARTS: UploadTuning = { multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 2, copyThreshold: 5 * MiB, copyPartSize: 5 * MiB };

export function describeS3Integrity(name: string, target: S3IntegrityTarget): void {
  describe(`${name} integrity`, () => {
    let p: StorageProvider;
    let bucketCount = 0;
    const newBucket = async (provider = p): Promise<string> => {
      const bucket = `${name.replace(/[^a-z0-9]+/g, '-')}-int-${++bucketCount}`;
      await provider.createBucket(bucket);
      return bucket;
    };
    beforeAll(() => {
      p = target.create(target.server(), SMALL_PARTS);
    });
    afterAll(async () => {
      await p?.close();
    });

    it('a write whose declared MD5 is not its bytes’ is reported failed; a server that checks Content-MD5 stores nothing', async () => {
      const bucket = await newBucket();
      const bytes = Buffer.from('the bytes sent');
      const declared = md5Hex(Buffer.from('the bytes the source declared'));
      const err = await rejection(p.write(bucket, 'k', async () => Readable.from([bytes]), bytes.length, { md5: declared }));
      expect(isStorageError(err)).toBe(true);
      // s3rver and moto store the body as sent; only the ETag check after the answer catches it there.
      if (target.traits.checksContentMd5) expect(await p.head(bucket, 'k')).toBeNull();
    });

    it('read with ifMatch serves that version, and fails with SourceChangedError once the object changed', async () => {
      const bucket = await newBucket();
      await writeBytes(p, bucket, 'v', Buffer.from('version one'));
      const first = (await p.head(bucket, 'v'))!;
      expect((await readAll(await p.read(bucket, 'v', undefined, first.etag))).toString()).toBe('version one');
      await writeBytes(p, bucket, 'v', Buffer.from('version two'));
      // moto answers 412 to If-Match; s3rver ignores If-Match, so the ETag of its answer is checked.
      const err = await rejection(p.read(bucket, 'v', undefined, first.etag));
      expect(err, String(err)).toBeInstanceOf(SourceChangedError);
      expect((err as SourceChangedError).retryable).toBe(true);
    });

    it('round-trips non-ASCII user metadata values (RFC 2047 on the wire), ASCII ones unchanged', async () => {
      const bucket = await newBucket();
      const metadata = { accent: 'café é', japanese: '日本', emoji: 'smile 😀', plain: 'just ascii = fine?', mixed: 'a\u00a0b' };
      await writeBytes(p, bucket, 'meta', Buffer.from('x'), { metadata });
      expect((await p.head(bucket, 'meta'))!.metadata).toEqual(metadata);
      // The multipart path (CreateMultipartUpload) and a server-side copy carry them too.
      const big = patterned(5 * MiB + 10);
      await writeBytes(p, bucket, 'meta-big', big, { metadata, md5: md5Hex(big) });
      expect((await p.head(bucket, 'meta-big'))!.metadata).toEqual(metadata);
      await p.copy!(bucket, 'meta', bucket, 'meta-copy');
      expect((await p.head(bucket, 'meta-copy'))!.metadata).toEqual(metadata);
    });

    it('a multipart ETag without md5chksum comes with its part size where the server answers partNumber HEADs; a reported md5 is always the content MD5', async () => {
      const bucket = await newBucket();
      for (const size of [11 * MiB + 1, 7 * MiB]) {
        const data = patterned(size);
        await writeBytes(p, bucket, `mp-${size}`, data); // no md5 given: no md5chksum stored
        const info = (await p.head(bucket, `mp-${size}`))!;
        if (info.md5 !== undefined) expect(info.md5).toBe(md5Hex(data));
        const multipart = info.checksums?.multipartEtag;
        if (target.traits.multipartEtags && target.traits.partNumberHead) {
          expect(multipart).toEqual({ etag: info.etag, partSize: 5 * MiB });
          expect(multipartEtagOf(data, multipart!.partSize)).toBe(info.etag);
        } else {
          expect(multipart).toBeUndefined();
        }
      }
      // With md5chksum the MD5 is known and no part size is needed.
      const data = patterned(6 * MiB);
      await writeBytes(p, bucket, 'mp-md5', data, { md5: md5Hex(data) });
      const info = (await p.head(bucket, 'mp-md5'))!;
      expect(info.md5).toBe(md5Hex(data));
      expect(info.checksums?.multipartEtag).toBeUndefined();
    });

    it('copies server-side above the copy threshold in parts (UploadPartCopy) where the server has it', async () => {
      const from = await newBucket();
      const to = await newBucket();
      const data = patterned(12 * MiB + 3);
      const meta = { contentType: 'application/x-test', cacheControl: 'no-store', metadata: { origin: 'part copy', note: 'ü' } };
      await writeBytes(p, from, 'big +#?.bin', data, { ...meta, md5: md5Hex(data) });
      if (!target.traits.uploadPartCopy) {
        const err = await rejection(p.copy!(from, 'big +#?.bin', to, 'copy.bin'));
        expect(isStorageError(err, 'Fatal'), String(err)).toBe(true);
        expect(await p.head(to, 'copy.bin')).toBeNull();
        return;
      }
      const copied = await p.copy!(from, 'big +#?.bin', to, 'copy.bin');
      expect(copied.size).toBe(data.length);
      expect(copied.etag).toMatch(/-3$/); // 5 + 5 + 2 MiB
      const info = (await p.head(to, 'copy.bin'))!;
      expect(info).toMatchObject({ size: data.length, etag: copied.etag, contentType: meta.contentType, cacheControl: meta.cacheControl, md5: md5Hex(data) });
      expect(info.metadata).toEqual(meta.metadata);
      expect(md5Hex(await readAll(await p.read(to, 'copy.bin', undefined, info.etag)))).toBe(md5Hex(data));
    });

    // The local side is a plain folder here (not the local provider), so these cases measure the S3 provider alone.
    describe('behind a proxy answering as AWS does for SSE-KMS (ETags that are not MD5s)', () => {
      let proxy: SseKmsProxy;
      let kms: StorageProvider;
      let root: string;
      beforeAll(async () => {
        const server = target.server();
        proxy = await startSseKmsProxy(server.port);
        kms = target.create({ ...server, endpoint: proxy.endpoint, port: proxy.port }, SMALL_PARTS);
        root = await mkdtemp(path.join(tmpdir(), 'cds-sse-kms-'));
      });
      afterAll(async () => {
        await kms?.close();
        await proxy?.close();
        if (root) await rm(root, { recursive: true, force: true });
      });

      for (const size of [1234, 6 * MiB + 5]) {
        it(`syncs ${size} bytes local → s3 → local with verification: no ETag taken for an MD5`, async () => {
          const bucket = await newBucket(kms);
          const data = patterned(size);
          const md5 = md5Hex(data);
          const source = path.join(root, `src-${size}`);
          await writeFile(source, data);

          // local → s3: the write sends the MD5 for the service to check and must not compare it with the ETag.
          const written = await kms.write(bucket, 'obj.bin', async () => createReadStream(source), (await stat(source)).size, { md5 });
          expect(written.md5).toBeUndefined();
          expect(written.etag).not.toBe(md5);

          // s3 → local, as the engine does it: head, then a conditional read of that version, verified
          // against every digest head() declared.
          const info = (await kms.head(bucket, 'obj.bin'))!;
          expect(info.etag).toBe(written.etag);
          expect(info.checksums?.multipartEtag).toBeUndefined();
          const target = path.join(root, `back-${size}`);
          const hash = createHash('md5');
          const hashing = new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, hash.update(chunk) && chunk) });
          await pipeline(await kms.read(bucket, 'obj.bin', undefined, info.etag), hashing, createWriteStream(target));
          const received = hash.digest('hex');
          // Only md5chksum (multipart writes with a known MD5) may give an md5 here, and then the right one.
          if (info.md5 !== undefined) expect(info.md5).toBe(received);
          expect(received).toBe(md5);
          expect((await readFile(target)).equals(data)).toBe(true);
        });
      }

      it('a server-side copy of an SSE-KMS object succeeds without an MD5 from its ETag', async () => {
        const bucket = await newBucket(kms);
        const data = patterned(2000);
        await writeBytes(kms, bucket, 'a', data, { md5: md5Hex(data) });
        const copied = await kms.copy!(bucket, 'a', bucket, 'b');
        expect(copied.md5).toBeUndefined();
        expect((await readAll(await kms.read(bucket, 'b'))).equals(data)).toBe(true);
      });
    });
  });
}

function writeBytes(p: StorageProvider, bucket: string, key: string, data: Buffer, options?: Parameters<StorageProvider['write']>[4]) {
  return p.write(bucket, key, async () => Readable.from([data]), data.length, options);
}

const PATTERN = randomBytes(MiB);

/** `size` bytes, no two MiB alike (a misplaced part changes every digest). */
function patterned(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
    PATTERN.copy(out, offset, 0, Math.min(MiB, size - offset));
    if (size - offset >= 4) out.writeUInt32BE(i, offset);
  }
  return out;
}

/** The S3 multipart ETag of `data` uploaded in parts of `partSize`: MD5 of the parts' MD5s, `-N`. */
function multipartEtagOf(data: Buffer, partSize: number): string {
  const all = createHash('md5');
  let parts = 0;
  for (let offset = 0; offset < data.length; offset += partSize, parts++) {
    all.update(createHash('md5').update(data.subarray(offset, offset + partSize)).digest());
  }
  return `${all.digest('hex')}-${parts}`;
}
