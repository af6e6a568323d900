// The provider conformance suite: every provider runs these cases against a real server (s3rver and
// moto for s3 and minio, a temp folder for local) from a test file of a few lines. Only the StorageProvider
// interface is used, so a case that passes here holds for the engine too.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbortError, isStorageError } from '../../electron/providers/errors';
import type { StorageProvider, WriteOptions } from '../../electron/providers/provider';
import { expectStorageError, listAll, listByPages, md5Hex, readAll, rejection } from './helpers';

export interface ConformanceTarget {
  provider: StorageProvider;
  /** Creates a new, empty bucket and returns its name. */
  newBucket: () => Promise<string>;
  teardown: () => Promise<void>;
}

/**
 * The usual target: `provider`, with new buckets named `<bucketPrefix><n>`; teardown closes the
 * provider, then runs `cleanup` if given.
 */
export function conformanceTarget(provider: StorageProvider, bucketPrefix: string, cleanup?: () => Promise<void>): ConformanceTarget {
  let n = 0;
  return {
    provider,
    newBucket: async () => {
      const bucket = `${bucketPrefix}${++n}`;
      await provider.createBucket(bucket);
      return bucket;
    },
    teardown: cleanup
      ? async () => {
          await provider.close();
          await cleanup();
        }
      : () => provider.close(),
  };
}

const MiB = 1024 * 1024;
/** A valid bucket name for every provider that no setup ever creates. */
const MISSING_BUCKET = 'cds-conformance-missing-bucket';

export function describeProviderConformance(name: string, setup: () => Promise<ConformanceTarget>): void {
  describe(`${name} provider conformance`, () => {
    let target: ConformanceTarget;
    let p: StorageProvider;
    beforeAll(async () => {
      target = await setup();
      p = target.provider;
    });
    afterAll(async () => {
      await target?.teardown();
    });

    it('lists more than one page completely, in strictly ascending UTF-8 byte order', async () => {
      const bucket = await target.newBucket();
      // Siblings that sort around "/" (space, "-", ".") and characters whose UTF-16 and UTF-8 orders
      // differ (U+FF5E vs an astral emoji), spread over every page of the listing.
      const keys: string[] = [];
      for (let g = 0; keys.length < 1105; g++) {
        for (const suffix of ['/a', '-b', ' c', '.d', '/\uFF5E', '/😀']) keys.push(`g${g}${suffix}`);
      }
      keys.length = 1105;
      await mapLimit(keys, 16, (key) => writeBytes(p, bucket, key, Buffer.from(key)));

      for (const prefix of ['', 'g1', 'g22/']) {
        const listed = await listAll(p, bucket, prefix);
        const expected = keys.filter((k) => k.startsWith(prefix)).sort(byteOrder);
        expect(listed.map((o) => o.key)).toEqual(expected);
        expectStrictlyAscending(listed.map((o) => o.key));
        for (const o of listed) expect(o.size, o.key).toBe(Buffer.byteLength(o.key));
      }
    }, 300_000);

    it('pages a listing: small pages resume at their token, keys in UTF-8 order across pages, a token asked for again gives its page again', async () => {
      const bucket = await target.newBucket();
      // Siblings around "/" and characters whose UTF-16 and UTF-8 orders differ, so page ends fall
      // between keys that sort differently in the two orders.
      const keys = ['a b', 'a-b', 'a.c', 'a/b', 'a/c/d', 'b/\uFF5E', 'b/😀', 'b/😀x/y', 'c', '\uFF5E', '😀'];
      for (const key of keys) await writeBytes(p, bucket, key, Buffer.from(key));
      const sorted = [...keys].sort(byteOrder);
      for (const limit of [1, 2, 4]) {
        const { keys: listed, pages } = await listByPages(p, bucket, '', limit);
        expect(listed, `pages of ${limit}`).toEqual(sorted);
        expect(pages, `pages of ${limit}`).toBeGreaterThanOrEqual(Math.ceil(keys.length / limit));
      }
      const first = await p.listPage(bucket, '', null, undefined, 3);
      expect(first.next).not.toBeNull();
      const second = await p.listPage(bucket, '', first.next, undefined, 3);
      const again = await p.listPage(bucket, '', first.next, undefined, 3);
      expect(again.items.map((o) => o.key)).toEqual(second.items.map((o) => o.key));
      expect(again.next === null).toBe(second.next === null);
      expect(byteOrder(first.items.at(-1)!.key, second.items[0]?.key ?? again.items[0]!.key)).toBeLessThan(0);
      expect((await listByPages(p, bucket, 'b/', 1)).keys).toEqual(sorted.filter((k) => k.startsWith('b/')));
      expect(await p.listPage(bucket, 'zzz', null)).toMatchObject({ items: [], next: null });
      await expectStorageError(p.listPage(MISSING_BUCKET, '', null), 'NotFound');
    });

    it('filters by prefix: nested folders are flattened, siblings sharing the prefix text are not matched', async () => {
      const bucket = await target.newBucket();
      const keys = ['a b', 'a-b', 'a.txt', 'a/b', 'a/c/d', 'a/c/e', 'a0', 'ab', 'b/a'];
      for (const key of keys) await writeBytes(p, bucket, key, Buffer.from(key));
      const cases: [string, string[]][] = [
        ['', ['a b', 'a-b', 'a.txt', 'a/b', 'a/c/d', 'a/c/e', 'a0', 'ab', 'b/a']],
        ['a', ['a b', 'a-b', 'a.txt', 'a/b', 'a/c/d', 'a/c/e', 'a0', 'ab']],
        ['a/', ['a/b', 'a/c/d', 'a/c/e']],
        ['a/c', ['a/c/d', 'a/c/e']],
        ['a/c/d', ['a/c/d']],
        ['a-', ['a-b']],
        ['a/b/', []],
        ['zzz', []],
      ];
      for (const [prefix, expected] of cases) {
        expect((await listAll(p, bucket, prefix)).map((o) => o.key), `prefix "${prefix}"`).toEqual(expected);
      }
    });

    it('keeps unusual keys exactly: spaces, unicode (NFC and NFD apart), +, %, #, ?', async () => {
      const bucket = await target.newBucket();
      const keys = [
        'with space/and more spaces.txt',
        'plus+sign+key',
        '100%',
        'percent%20not-a-space',
        'hash#fragment',
        'question?mark=1&x=2',
        "quote's (parens) [brackets] ~tilde",
        'unicode/\u00e9 nfc',
        'unicode/e\u0301 nfd',
        'unicode/😀 emoji',
        'unicode/\uFF5E fullwidth tilde',
        'unicode/日本語',
      ];
      for (const key of keys) await writeBytes(p, bucket, key, Buffer.from(key));

      const listed = await listAll(p, bucket, '');
      expect(listed.map((o) => o.key)).toEqual([...keys].sort(byteOrder));
      const unicode = (await listAll(p, bucket, 'unicode/')).map((o) => o.key);
      // UTF-8 puts U+FF5E (EF BD 9E) before U+1F600 (F0 9F 98 80); UTF-16 would not.
      expect(unicode.indexOf('unicode/\uFF5E fullwidth tilde')).toBeLessThan(unicode.indexOf('unicode/😀 emoji'));
      for (const key of keys) {
        expect((await p.head(bucket, key))?.size, key).toBe(Buffer.byteLength(key));
        expect((await readAll(await p.read(bucket, key))).toString(), key).toBe(key);
      }
      await p.remove(bucket, keys);
      expect(await listAll(p, bucket, '')).toEqual([]);
    });

    it('reports missing things: head → null, read → NotFound, list/write in a missing bucket → NotFound', async () => {
      const bucket = await target.newBucket();
      expect(await p.head(bucket, 'no/such/key')).toBeNull();
      await expectStorageError(p.read(bucket, 'no/such/key'), 'NotFound');
      await expectStorageError(listAll(p, MISSING_BUCKET, ''), 'NotFound');
      await expectStorageError(p.read(MISSING_BUCKET, 'key'), 'NotFound');
      await expectStorageError(writeBytes(p, MISSING_BUCKET, 'key', Buffer.from('x')), 'NotFound');
    });

    it('round-trips content with content type, cache-control, content-encoding, content-disposition and user metadata', async () => {
      const bucket = await target.newBucket();
      const key = 'meta/report.txt';
      const content = gzipSync('hello metadata\n'.repeat(200));
      const md5 = md5Hex(content);
      const options: WriteOptions = {
        contentType: 'text/plain; charset=utf-8',
        cacheControl: 'public, max-age=60',
        contentEncoding: 'gzip',
        contentDisposition: 'attachment; filename="report.txt"',
        metadata: { color: 'blue', 'owner-id': '42' },
        md5,
      };
      const written = await writeBytes(p, bucket, key, content, options);
      expect(written.size).toBe(content.length);
      expect(written.etag).not.toBe('');
      if (written.md5 !== undefined) expect(written.md5).toBe(md5);

      const info = await p.head(bucket, key);
      expect(info).not.toBeNull();
      expect(info!.key).toBe(key);
      expect(info!.size).toBe(content.length);
      expect(info!.etag).toBe(written.etag);
      if (info!.md5 !== undefined) expect(info!.md5).toBe(md5);
      if (p.capabilities.metadata) {
        expect(info).toMatchObject({
          contentType: options.contentType,
          cacheControl: options.cacheControl,
          contentEncoding: options.contentEncoding,
          contentDisposition: options.contentDisposition,
        });
        expect(info!.metadata).toEqual(options.metadata);
      }
      // Bytes come back exactly as stored: nothing decompresses them on the way.
      expect((await readAll(await p.read(bucket, key))).equals(content)).toBe(true);

      const [entry] = await listAll(p, bucket, 'meta/');
      expect(entry).toMatchObject({ key, size: content.length, etag: written.etag });
      if (p.capabilities.md5InListing) expect(entry!.md5).toBe(md5);
    });

    it('streams a 64 MiB write from a generator (in parts where the provider has them) and reads the same bytes back', async () => {
      const bucket = await target.newBucket();
      const key = 'large/64mib.bin';
      const size = 64 * MiB + 12_345; // not a multiple of any part size: the last part is short
      const expected = await digest(Readable.from(patternChunks(size)));
      const written = await p.write(bucket, key, async () => Readable.from(patternChunks(size)), size, { md5: expected.md5, contentType: 'application/octet-stream' });
      expect(written.size).toBe(size);
      if (written.md5 !== undefined) expect(written.md5).toBe(expected.md5);
      const info = await p.head(bucket, key);
      expect(info?.size).toBe(size);
      if (info?.md5 !== undefined) expect(info.md5).toBe(expected.md5);
      expect(await digest(await p.read(bucket, key))).toEqual(expected);
    }, 300_000);

    it('a write whose source is shorter or longer than the declared size fails and keeps the previous object', async () => {
      const bucket = await target.newBucket();
      const key = 'guarded.txt';
      await writeBytes(p, bucket, key, Buffer.from('previous content'));
      const cases: [declared: number, actual: number][] = [[100, 50], [10, 50], [0, 1], [1, 0]];
      const threshold = p.capabilities.multipartThreshold;
      if (Number.isFinite(threshold) && threshold <= 64 * MiB) {
        cases.push([threshold + MiB, threshold + MiB - 1], [threshold + MiB, threshold + MiB + 1]);
      }
      for (const [declared, actual] of cases) {
        const err = await rejection(p.write(bucket, key, async () => Readable.from(patternChunks(actual, 16 * 1024)), declared));
        expect(isStorageError(err), `declared ${declared}, gave ${actual}: ${String(err)}`).toBe(true);
        expect((await readAll(await p.read(bucket, key))).toString(), `declared ${declared}, gave ${actual}`).toBe('previous content');
      }
      expect((await listAll(p, bucket, '')).map((o) => o.key)).toEqual([key]);
    }, 300_000);

    it('an overwrite replaces content and metadata', async () => {
      const bucket = await target.newBucket();
      const key = 'over/write.txt';
      await writeBytes(p, bucket, key, Buffer.from('first version, the longer one'), { contentType: 'text/plain', metadata: { generation: '1' } });
      const second = await writeBytes(p, bucket, key, Buffer.from('second'), { contentType: 'application/json' });
      expect((await readAll(await p.read(bucket, key))).toString()).toBe('second');
      const info = await p.head(bucket, key);
      expect(info).toMatchObject({ size: 6, etag: second.etag });
      if (p.capabilities.metadata) {
        expect(info!.contentType).toBe('application/json');
        expect(info!.metadata ?? {}).toEqual({});
      }
      expect((await listAll(p, bucket, '')).map((o) => [o.key, o.size])).toEqual([[key, 6]]);
    });

    it('removes more than 1000 keys in one call, ignoring keys that do not exist', async () => {
      const bucket = await target.newBucket();
      const keys = Array.from({ length: 1001 }, (_, i) => `del/k-${String(i).padStart(4, '0')}`);
      await mapLimit(keys, 16, (key) => writeBytes(p, bucket, key, Buffer.from('x')));
      await writeBytes(p, bucket, 'keep.txt', Buffer.from('keep'));
      await p.remove(bucket, [...keys, 'del/never-existed', 'no/such/folder/key']);
      expect((await listAll(p, bucket, '')).map((o) => o.key)).toEqual(['keep.txt']);
      await p.remove(bucket, []);
    }, 300_000);

    it('copies server-side between buckets, keeping content type and metadata', async (ctx) => {
      if (!p.capabilities.serverSideCopy || !p.copy) return ctx.skip();
      const from = await target.newBucket();
      const to = await target.newBucket();
      const srcKey = 'copy/source +#?%.csv';
      const dstKey = 'copied/q?x #1+%😀.csv';
      const content = Buffer.from('a,b\n1,2\n');
      await writeBytes(p, from, srcKey, content, { contentType: 'text/csv', cacheControl: 'no-cache', metadata: { origin: 'conformance' } });
      const copied = await p.copy(from, srcKey, to, dstKey);
      expect(copied.size).toBe(content.length);
      const info = await p.head(to, dstKey);
      expect(info).toMatchObject({ key: dstKey, size: content.length, etag: copied.etag });
      if (p.capabilities.metadata) {
        expect(info).toMatchObject({ contentType: 'text/csv', cacheControl: 'no-cache' });
        expect(info!.metadata).toEqual({ origin: 'conformance' });
      }
      expect((await readAll(await p.read(to, dstKey))).equals(content)).toBe(true);
      expect((await readAll(await p.read(from, srcKey))).equals(content)).toBe(true);
      await expectStorageError(p.copy(from, 'copy/missing', to, 'copied/missing'), 'NotFound');
    });

    it('lists created buckets (sorted); createBucket is idempotent; deleteBucket removes an empty bucket', async () => {
      const bucket = await target.newBucket();
      const names = await p.listBuckets();
      expect(names).toContain(bucket);
      expect(names).toEqual([...names].sort(byteOrder));
      await p.createBucket(bucket);
      await p.deleteBucket(bucket);
      expect(await p.listBuckets()).not.toContain(bucket);
      await expectStorageError(listAll(p, bucket, ''), 'NotFound');
    });

    for (const size of [4 * MiB, 64 * MiB]) {
      it(`aborting a ${size / MiB} MiB write rejects with the abort error, stops reading the source and keeps the previous object`, async () => {
        const bucket = await target.newBucket();
        const key = 'aborted.bin';
        await writeBytes(p, bucket, key, Buffer.from('before the abort'));
        const controller = new AbortController();
        let produced = 0;
        async function* source(): AsyncGenerator<Buffer> {
          for (const chunk of patternChunks(size, 64 * 1024)) {
            produced += chunk.length;
            if (produced >= MiB && !controller.signal.aborted) controller.abort();
            yield chunk;
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
        const err = await rejection(p.write(bucket, key, async () => Readable.from(source()), size, { signal: controller.signal }));
        expect(isAbortError(err), String(err)).toBe(true);
        expect(produced).toBeLessThan(size);
        expect((await readAll(await p.read(bucket, key))).toString()).toBe('before the abort');
      }, 120_000);
    }
  });
}

// ---- helpers (interface only) ----

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function expectStrictlyAscending(keys: readonly string[]): void {
  for (let i = 1; i < keys.length; i++) {
    expect(byteOrder(keys[i - 1]!, keys[i]!), `"${keys[i - 1]}" before "${keys[i]}"`).toBeLessThan(0);
  }
}

function writeBytes(p: StorageProvider, bucket: string, key: string, data: Buffer, options?: WriteOptions) {
  return p.write(bucket, key, async () => Readable.from([data]), data.length, options);
}

async function digest(stream: Readable): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { md5: hash.digest('hex'), size };
}

const PATTERN = randomBytes(MiB);

/** Deterministic bytes (the same on every call, so a reopened source repeats itself), one chunk at a time. */
function* patternChunks(size: number, chunkSize = MiB): Generator<Buffer> {
  for (let offset = 0, index = 0; offset < size; offset += chunkSize, index++) {
    const n = Math.min(chunkSize, size - offset);
    const chunk = Buffer.allocUnsafe(n);
    PATTERN.copy(chunk, 0, 0, n);
    if (n >= 4) chunk.writeUInt32BE(index, 0); // no two chunks alike: a misplaced part changes the MD5
    yield chunk;
  }
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
