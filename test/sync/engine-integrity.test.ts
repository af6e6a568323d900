// The engine's integrity rules (issue 9, DESIGN.md "Integrity rules"), each pinned by a case that
// failed before its fix: only the run's own signal means cancelled; bytes that fail verification
// never replace a good copy; every checksum the source declares is checked; a source that changes
// mid-copy is copied again, never recorded with its old identity; partial deletes are counted.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { Crc32c } from '@aws-sdk/checksums/crc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { PartialRemoveError, SourceChangedError } from '../../electron/providers/errors';
import type { ObjectInfo, StorageProvider } from '../../electron/providers/provider';
import { openStore, type Store } from '../../electron/store';
import { runMapping } from '../../electron/sync/runner';
import type { RunLogLine } from '../../electron/sync/ports';
import { verifiedSource } from '../../electron/sync/verified-source';
import { startEndpoints, type Endpoints, type PartTuning } from '../support/endpoints';
import { bytes, listAll, putText, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

/** `inner` with some methods replaced; everything else (prototype methods included) untouched. */
function override(inner: StorageProvider, methods: Partial<StorageProvider>): StorageProvider {
  return Object.assign(Object.create(inner) as StorageProvider, methods);
}

/** Flips one byte of a stream at `offset`: what a corrupting proxy or a bad NIC does. */
function flipByte(body: Readable, offset: number): Readable {
  let position = 0;
  return body.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (offset >= position && offset < position + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[offset - position]! ^= 0xff;
        }
        position += chunk.length;
        done(null, chunk);
      },
    }),
  );
}

describe('engine integrity', () => {
  let endpoints: Endpoints;
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    endpoints = await startEndpoints(['local', 's3', 'moto']);
    dir = await mkdtemp(path.join(tmpdir(), 'cds-integrity-'));
    store = openStore(path.join(dir, 'state.db'));
    store.connections.upsert({ id: 'c', name: 'c', type: 'local', local: { root: '/unused' } });
  });
  afterAll(async () => {
    store?.close();
    await endpoints?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function mapping(id: string, source: StorageProvider, target: StorageProvider, extra: Partial<Mapping> = {}): Promise<Mapping> {
    const m: Mapping = {
      id, name: id, sourceConnectionId: 'c', sourceBucket: uniqueBucket('is'), sourcePrefix: '',
      targetConnectionId: 'c', targetBucket: uniqueBucket('it'), targetPrefix: '',
      transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...extra,
    };
    await source.createBucket(m.sourceBucket);
    await target.createBucket(m.targetBucket);
    store.mappings.upsert(m);
    return m;
  }

  function logsOf(m: Mapping, runId: number): string[] {
    return store.logs.query({ mappingId: m.id, runId, limit: 1000 }).map((l) => l.message);
  }

  function stateOf(m: Mapping, key: string) {
    return store.objects.page(m.id, null, 1000).find((row) => row.key === key);
  }

  describe('only the run\'s own signal means cancelled', () => {
    it('retries a write that failed with an AbortError nobody asked for, and copies the object', async () => {
      const source = endpoints.provider('local');
      const real = endpoints.provider('s3');
      let aborts = 1;
      const target = override(real, {
        write: async (...args: Parameters<StorageProvider['write']>) => {
          if (aborts-- > 0) throw new DOMException('The operation was aborted', 'AbortError');
          return real.write(...args);
        },
      });
      const m = await mapping('abort-once', source, real);
      await putText(source, m.sourceBucket, 'big.bin', bytes(1, 1000));
      const { run } = await runMapping({ state: store.engineState, mapping: m, source, target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'success', copied: 1, failed: 0 });
      expect((await readAll(real, m.targetBucket, 'big.bin')).equals(bytes(1, 1000))).toBe(true);
    });

    it('fails (never reports success for) an object whose write keeps aborting on its own, and deletes nothing', async () => {
      const source = endpoints.provider('local');
      const real = endpoints.provider('s3');
      const target = override(real, {
        write: async () => {
          throw new DOMException('The operation was aborted', 'AbortError');
        },
      });
      const m = await mapping('abort-always', source, real, { deleteMode: 'mirror' });
      await putText(source, m.sourceBucket, 'a.txt', 'a');
      await putText(real, m.targetBucket, 'extra.txt', 'not in the source');
      const { run } = await runMapping({ state: store.engineState, mapping: m, source, target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'failed', copied: 0, failed: 1, deleted: 0 });
      expect(run.firstError).toMatch(/Failed to copy a\.txt: .*aborted without a cancel/);
      expect((await readAll(real, m.targetBucket, 'extra.txt')).toString()).toBe('not in the source');
      expect(store.objects.count(m.id)).toBe(0);
    });

    it('reports a run stopped by its own signal as cancelled', async () => {
      const source = endpoints.provider('local');
      const target = endpoints.provider('local');
      const m = await mapping('own-cancel', source, target);
      await putText(source, m.sourceBucket, 'a.txt', 'a');
      const controller = new AbortController();
      const gated = override(target, {
        write: async (...args: Parameters<StorageProvider['write']>) => {
          controller.abort();
          return target.write(...args);
        },
      });
      const lines: RunLogLine[] = [];
      const { run } = await runMapping({ state: store.engineState, mapping: m, source, target: gated, sameConnection: false, retry: FAST_RETRY, signal: controller.signal, onLog: (line) => lines.push(line) });
      expect(run).toMatchObject({ status: 'cancelled', copied: 0, failed: 0 });
      // The user's cancel is not an error: the log says it at warning level, and nothing at error.
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^Run cancelled: /) }));
    });
  });

  describe('verify before commit', () => {
    it('keeps the good copy at a local target when the new bytes arrive corrupted, and leaves no partial file', async () => {
      const source = endpoints.provider('s3');
      const target = endpoints.provider('local');
      const m = await mapping('corrupt-keeps-good', source, target);
      await putText(source, m.sourceBucket, 'doc.bin', bytes(2, 5000));
      expect((await runMapping({ state: store.engineState, mapping: m, source, target, sameConnection: false, retry: FAST_RETRY })).run).toMatchObject({ status: 'success', copied: 1 });
      // The source changes; every read of it now arrives with one byte flipped.
      await putText(source, m.sourceBucket, 'doc.bin', bytes(3, 5000));
      const corrupting = override(source, {
        read: async (...args: Parameters<StorageProvider['read']>) => flipByte(await source.read(...args), 1234),
      });
      const { run } = await runMapping({ state: store.engineState, mapping: m, source: corrupting, target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'failed', copied: 0, failed: 1 });
      expect(run.firstError).toMatch(/MD5 of the bytes read .* differs from the source's/);
      expect((await readAll(target, m.targetBucket, 'doc.bin')).equals(bytes(2, 5000))).toBe(true);
      const root = endpoints.localRoot;
      expect((await readdir(path.join(root, m.targetBucket))).sort()).toEqual(['doc.bin']);
    });
  });

  describe('verify with every checksum the source declares', () => {
    /** A source that knows no MD5 (like a multipart upload) but declares a CRC32C, as GCS does for composite objects. */
    function crcOnlySource(source: StorageProvider, corrupt: boolean): StorageProvider {
      return override(source, {
        head: async (...args: Parameters<StorageProvider['head']>) => {
          const info = await source.head(...args);
          if (!info) return null;
          const crc = new Crc32c();
          crc.update(await readAll(source, args[0], args[1]));
          const { md5: _md5, ...rest } = info;
          return { ...rest, checksums: { crc32c: Buffer.from(await crc.digest()).toString('base64') } } satisfies ObjectInfo;
        },
        read: async (...args: Parameters<StorageProvider['read']>) => (corrupt ? flipByte(await source.read(...args), 7) : source.read(...args)),
      });
    }

    it('catches a corrupted byte with CRC32C when the source has no MD5, and records nothing as synced', async () => {
      const real = endpoints.provider('s3');
      const target = endpoints.provider('local');
      const m = await mapping('crc-corrupt', real, target);
      await putText(real, m.sourceBucket, 'multi.bin', bytes(4, 3000));
      const { run } = await runMapping({ state: store.engineState, mapping: m, source: crcOnlySource(real, true), target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'failed', copied: 0, failed: 1 });
      expect(run.firstError).toMatch(/crc32c of the bytes read .* differs from the source's/);
      expect(store.objects.count(m.id)).toBe(0);
    });

    it('copies with CRC32C verification when the bytes are intact, and says what it verified', async () => {
      const real = endpoints.provider('s3');
      const target = endpoints.provider('local');
      const m = await mapping('crc-ok', real, target);
      await putText(real, m.sourceBucket, 'multi.bin', bytes(5, 3000));
      const { run } = await runMapping({ state: store.engineState, mapping: m, source: crcOnlySource(real, false), target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'success', copied: 1 });
      expect(logsOf(m, run.id).some((line) => /Copied multi\.bin .*verified: crc32c/.test(line))).toBe(true);
      // The MD5 recorded for the source is ours, verified end to end by the CRC.
      expect(stateOf(m, 'multi.bin')?.sourceMd5).toBe(createHash('md5').update(bytes(5, 3000)).digest('hex'));
    });
  });

  describe('an S3 multipart ETag as the end-to-end check', () => {
    const MiB = 1024 * 1024;
    // On moto: s3rver gives multipart uploads a plain MD5 ETag, real S3 and moto `<md5 of part md5s>-<n>`.
    async function multipartObject(): Promise<{ provider: StorageProvider; bucket: string; info: ObjectInfo; data: Buffer }> {
      const provider = endpoints.provider('moto', { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
      const bucket = uniqueBucket('mp');
      await provider.createBucket(bucket);
      const data = bytes(6, 11 * MiB + 17);
      await putText(provider, bucket, 'parts.bin', data);
      const [info] = await listAll(provider, bucket);
      return { provider, bucket, info: info!, data };
    }

    async function drain(stream: Readable): Promise<Buffer> {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }

    it('recomputes the ETag the server made for a 3-part upload, and fails the stream on one flipped byte', async () => {
      const { provider, bucket, info, data } = await multipartObject();
      expect(info.etag).toMatch(/^[0-9a-f]{32}-3$/);
      const expected = { key: info.key, size: info.size, checksums: { multipartEtag: { etag: info.etag, partSize: 5 * MiB } } };
      const good = verifiedSource(await provider.read(bucket, 'parts.bin'), expected);
      expect((await drain(good.stream)).equals(data)).toBe(true);
      expect(good.computed()?.verifiedWith).toEqual(['multipart ETag']);
      const bad = verifiedSource(flipByte(await provider.read(bucket, 'parts.bin'), 6 * MiB), expected);
      await expect(drain(bad.stream)).rejects.toThrow(/multipart ETag of the bytes read .* differs from the source's/);
      expect(bad.computed()).toBeUndefined();
    });
  });

  it('streams an object through us when the server cannot copy it server-side (s3rver has no UploadPartCopy)', async () => {
    const MiB = 1024 * 1024;
    // Above copyThreshold the provider copies in parts; s3rver answers NotImplemented to that.
    const connection = endpoints.provider('s3', { copyThreshold: 6 * MiB, copyPartSize: 5 * MiB } as PartTuning);
    const m = await mapping('no-part-copy', connection, connection);
    await putText(connection, m.sourceBucket, 'big.bin', bytes(8, 7 * MiB));
    const { run } = await runMapping({ state: store.engineState, mapping: m, source: connection, target: connection, sameConnection: true, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'success', copied: 1, failed: 0 });
    expect((await readAll(connection, m.targetBucket, 'big.bin')).equals(bytes(8, 7 * MiB))).toBe(true);
  });

  describe('a source that changes during the copy', () => {
    it('copies the new version after a conditional read fails, and records the identity of what it copied', async () => {
      const source = endpoints.provider('s3');
      const target = endpoints.provider('local');
      const m = await mapping('changed-mid-copy', source, target);
      await putText(source, m.sourceBucket, 'live.txt', 'version one');
      let changed = false;
      const changing = override(source, {
        read: async (...args: Parameters<StorageProvider['read']>) => {
          if (!changed) {
            changed = true;
            // Someone rewrites the object between our HEAD and our GET.
            await putText(source, m.sourceBucket, 'live.txt', 'version two!');
            throw new SourceChangedError('live.txt changed since it was looked up');
          }
          return source.read(...args);
        },
      });
      const { run } = await runMapping({ state: store.engineState, mapping: m, source: changing, target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'success', copied: 1 });
      expect((await readAll(target, m.targetBucket, 'live.txt')).toString()).toBe('version two!');
      const head = await source.head(m.sourceBucket, 'live.txt');
      expect(stateOf(m, 'live.txt')).toMatchObject({ sourceEtag: head!.etag, sourceSize: 12 });
    });
  });

  it('copies a local file rewritten in place (same size) during its upload as its new version, never a mix', async () => {
    const MiB = 1024 * 1024;
    const source = endpoints.provider('local');
    const real = endpoints.provider('moto', { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    const m = await mapping('rewritten-mid-upload', source, real);
    const file = path.join(endpoints.localRoot, m.sourceBucket, 'live.bin');
    await putText(source, m.sourceBucket, 'live.bin', bytes(30, 12 * MiB));
    let rewrites = 0;
    // After the first chunk of the first attempt has gone by, someone rewrites the file in place.
    const target = override(real, {
      write: (bucket: string, key: string, open: () => Promise<Readable>, size: number, options?: Parameters<StorageProvider['write']>[4]) =>
        real.write(bucket, key, async () => {
          const body = await open();
          if (rewrites++ > 0) return body;
          let first = true;
          const rewriteAfterFirstChunk = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              if (first) writeFileSync(file, bytes(31, 12 * MiB));
              first = false;
              done(null, chunk);
            },
          });
          body.on('error', (err) => rewriteAfterFirstChunk.destroy(err));
          return body.pipe(rewriteAfterFirstChunk);
        }, size, options),
    });
    const { run } = await runMapping({ state: store.engineState, mapping: m, source, target, sameConnection: false, retry: FAST_RETRY });
    expect(run, run.firstError ?? '').toMatchObject({ status: 'success', copied: 1 });
    expect(rewrites).toBeGreaterThan(1);
    expect((await readAll(real, m.targetBucket, 'live.bin')).equals(bytes(31, 12 * MiB))).toBe(true);
    expect(stateOf(m, 'live.bin')?.sourceEtag).toBe((await source.head(m.sourceBucket, 'live.bin'))!.etag);
  });

  it('reads a local source at its listed version without asking first, and copies the new version when it changed since the listing', async () => {
    const source = endpoints.provider('local');
    const target = endpoints.provider('local');
    const m = await mapping('local-listed-version', source, target);
    const file = path.join(endpoints.localRoot, m.sourceBucket, 'note.txt');
    await putText(source, m.sourceBucket, 'note.txt', 'listed version');
    let heads = 0;
    let reads = 0;
    const changing = override(source, {
      head: async (...args: Parameters<StorageProvider['head']>) => (heads++, source.head(...args)),
      read: async (...args: Parameters<StorageProvider['read']>) => {
        if (reads++ === 0) writeFileSync(file, 'changed after the listing'); // between the listing and the copy
        return source.read(...args);
      },
    });
    const { run } = await runMapping({ state: store.engineState, mapping: m, source: changing, target, sameConnection: false, retry: FAST_RETRY });
    expect(run, run.firstError ?? '').toMatchObject({ status: 'success', copied: 1 });
    expect((await readAll(target, m.targetBucket, 'note.txt')).toString()).toBe('changed after the listing');
    // No HEAD before the first attempt (the listing is a stat); one before the retry.
    expect({ heads, reads }).toEqual({ heads: 1, reads: 2 });
    expect(stateOf(m, 'note.txt')?.sourceEtag).toBe((await source.head(m.sourceBucket, 'note.txt'))!.etag);
  });

  describe('deletes', () => {
    it('counts and logs the objects a partly failed delete batch did delete, and fails the run', async () => {
      const source = endpoints.provider('local');
      const real = endpoints.provider('local');
      const m = await mapping('partial-delete', source, real, { deleteMode: 'mirror' });
      for (const key of ['x1', 'x2', 'x3']) await putText(real, m.targetBucket, key, key);
      const target = override(real, {
        remove: async (bucket: string, keys: readonly string[], signal?: AbortSignal) => {
          await real.remove(bucket, keys.filter((k) => k !== 'x2'), signal);
          throw new PartialRemoveError('Fatal', 'x2: access denied', keys.filter((k) => k !== 'x2'));
        },
      });
      const { run } = await runMapping({ state: store.engineState, mapping: m, source, target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'failed', deleted: 2 });
      const lines = logsOf(m, run.id);
      expect(lines.filter((l) => /^Deleted x[13] /.test(l))).toHaveLength(2);
      expect(lines.some((l) => /^Deleted x2 /.test(l))).toBe(false);
    });
  });

  it('logs every entry a source listing left out, so nothing is skipped silently', async () => {
    const real = endpoints.provider('local');
    const m = await mapping('skipped-notice', real, real);
    await putText(real, m.sourceBucket, 'ok.txt', 'ok');
    const source = override(real, {
      list: (bucket: string, prefix: string, signal?: AbortSignal, onSkipped?: Parameters<StorageProvider['list']>[3]) => {
        onSkipped?.({ key: 'pipe', reason: 'a FIFO, not a regular file' });
        return real.list(bucket, prefix, signal, onSkipped);
      },
    });
    const target = endpoints.provider('local');
    const { run } = await runMapping({ state: store.engineState, mapping: { ...m, targetBucket: m.targetBucket }, source, target, sameConnection: false, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'success', copied: 1 });
    expect(logsOf(m, run.id)).toContain('Not synced: pipe (a FIFO, not a regular file)');
  });
});
