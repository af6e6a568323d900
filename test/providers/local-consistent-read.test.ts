// Issue 9, point 3 on a local source: read(…, ifMatch) gives one version of a file or fails with
// SourceChangedError — at open when the file is not the version asked for, and after the last byte
// (before the stream ends) when the file was rewritten in place, replaced by a rename or removed
// while it was read. Runs under both symlink policies (their read paths differ) and both folder anchors.
import { readFile, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceChangedError, isAbortError } from '../../electron/providers/errors';
import { createLocalProvider, type LocalProviderOptions } from '../../electron/providers/local';
import { readAll, rejection } from './helpers';
import { tempRoots } from './local-support';

const roots = tempRoots('local-read');
afterAll(() => roots.cleanup());

const CONFIGS: LocalProviderOptions[] = [
  { symlinks: 'skip', dirAnchor: 'fd' },
  { symlinks: 'skip', dirAnchor: 'path' },
  { symlinks: 'follow' },
];
const SIZE = 256 * 1024; // several 64 KiB chunks: the stream is still reading when the file changes
const LONG_AGO = new Date('2020-01-02T03:04:05Z');

async function setup(options: LocalProviderOptions) {
  const root = await roots.make();
  const p = createLocalProvider({ root }, options);
  await p.createBucket('b');
  const key = 'data/file.bin';
  const file = path.join(root, 'b', key);
  const original = Buffer.alloc(SIZE, 'a');
  await p.write('b', key, async () => Readable.from([original]), SIZE);
  // Written long ago: a rewrite now moves the mtime, as it does in life.
  await utimes(file, LONG_AGO, LONG_AGO);
  const etag = (await p.head('b', key))!.etag;
  return { p, key, file, original, etag };
}

/** Reads the first chunk, then lets `change` act on the file while the stream is paused mid-way. */
async function readWithChangeInTheMiddle(stream: Readable, change: () => Promise<void>): Promise<unknown> {
  const chunks = stream[Symbol.asyncIterator]();
  expect((await chunks.next()).done).toBe(false);
  await change();
  return rejection((async () => {
    for (let r = await chunks.next(); !r.done; r = await chunks.next());
  })());
}

describe.each(CONFIGS)('local read of one consistent version (%o)', (options) => {
  it('an unchanged file reads completely with its own etag', async () => {
    const { p, key, original, etag } = await setup(options);
    expect((await readAll(await p.read('b', key, undefined, etag))).equals(original)).toBe(true);
    expect((await readAll(await p.read('b', key))).equals(original)).toBe(true);
  });

  it('another etag than the file has fails at open with SourceChangedError (retryable)', async () => {
    const { p, key, etag } = await setup(options);
    const err = await rejection(p.read('b', key, undefined, `${etag}0`));
    expect(err).toBeInstanceOf(SourceChangedError);
    expect((err as SourceChangedError).retryable).toBe(true);
  });

  it('a file rewritten in place with the same size during the read errors instead of ending', async () => {
    const { p, key, file, etag } = await setup(options);
    const stream = await p.read('b', key, undefined, etag);
    const err = await readWithChangeInTheMiddle(stream, () => writeFile(file, Buffer.alloc(SIZE, 'b'), { flag: 'r+' }));
    expect(err).toBeInstanceOf(SourceChangedError);
  });

  it('a file replaced by a rename during the read errors, even with the same size and mtime', async () => {
    const { p, key, file, etag } = await setup(options);
    const stream = await p.read('b', key, undefined, etag);
    const err = await readWithChangeInTheMiddle(stream, async () => {
      const replacement = `${file}.new`;
      await writeFile(replacement, Buffer.alloc(SIZE, 'c'));
      await utimes(replacement, LONG_AGO, LONG_AGO);
      await rename(replacement, file);
    });
    expect(err).toBeInstanceOf(SourceChangedError);
    expect((await readFile(file))[0]).toBe('c'.charCodeAt(0));
  });

  it('a file that grows during the read errors: the end is confirmed against the size it had at open', async () => {
    const { p, key, file, etag } = await setup(options);
    const stream = await p.read('b', key, undefined, etag);
    expect(await readWithChangeInTheMiddle(stream, () => writeFile(file, 'more', { flag: 'a' }))).toBeInstanceOf(SourceChangedError);
  });

  it('a file removed during the read errors', async () => {
    const { p, key, file, etag } = await setup(options);
    const stream = await p.read('b', key, undefined, etag);
    expect(await readWithChangeInTheMiddle(stream, () => rm(file))).toBeInstanceOf(SourceChangedError);
  });

  it('the etag changes when the file is replaced by another of the same size and mtime (it holds the inode)', async () => {
    const { p, key, file, etag } = await setup(options);
    const replacement = `${file}.new`;
    await writeFile(replacement, Buffer.alloc(SIZE, 'd'));
    await utimes(replacement, LONG_AGO, LONG_AGO);
    await rename(replacement, file);
    const after = (await p.head('b', key))!;
    expect(after.size).toBe(SIZE);
    expect(after.lastModified).toBe(LONG_AGO.getTime());
    expect(after.etag).not.toBe(etag);
  });

  it.runIf(process.platform === 'linux')('a read destroyed or aborted half-way closes its file', async () => {
    const { p, key, etag } = await setup(options);
    const openFds = async () => (await readdir('/proc/self/fd')).length;
    const before = await openFds();
    const destroyed = await p.read('b', key, undefined, etag);
    await destroyed[Symbol.asyncIterator]().next();
    destroyed.destroy();
    const controller = new AbortController();
    const aborted = await p.read('b', key, controller.signal, etag);
    const err = await readWithChangeInTheMiddle(aborted, async () => controller.abort());
    expect(isAbortError(err), String(err)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    for (const stream of [destroyed, aborted]) {
      if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
    }
    expect(await openFds()).toBe(before);
  });
});
