// Issue 9, point 2 on a local target: nothing reaches its final name before the body stream ended
// successfully (the engine's stream errors at its end when a checksum does not match), the bytes are
// fsync'ed before the rename, and a failed write closes its partial file's descriptor exactly once.
// There is no server-side copy that could bypass these rules: the engine streams a copy inside one
// connection through write(). Point 12: a partial file a killed write left behind is named in the
// upload journal, so the engine can abandon it (abandonUpload).
import fs from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { StorageError, isStorageError } from '../../electron/providers/errors';
import { createLocalProvider } from '../../electron/providers/local';
import { PARTIAL_MARKER } from '../../electron/providers/local-names';
import type { UploadJournal } from '../../electron/providers/provider';
import { rejection } from './helpers';
import { ANCHORS, filesBelow, tempRoots, writeBytes } from './local-support';

const roots = tempRoots('local-commit');
afterAll(() => roots.cleanup());
afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
});

/** Gives every byte of `data`, then fails instead of ending: what the engine's verified stream does on a checksum mismatch. */
function failsAfterLastByte(data: Buffer, error: Error): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(data);
      } else {
        this.destroy(error);
      }
    },
  });
}

describe.each(ANCHORS)('local write commits only verified bytes (dirAnchor %s)', (dirAnchor) => {
  it('a body that gives all its bytes and then errors leaves the previous file byte for byte, and no partial file', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    const previous = Buffer.from('the good copy, synced earlier\n');
    await writeBytes(p, 'b', 'dir/object.bin', previous);

    const corrupt = Buffer.alloc(100_000, 7);
    const mismatch = new StorageError('Transient', 'CRC32C of the bytes read differs from the source');
    const err = await rejection(p.write('b', 'dir/object.bin', async () => failsAfterLastByte(corrupt, mismatch), corrupt.length));

    expect(err, 'the source error is passed on as it is, still retryable').toBe(mismatch);
    expect((await readFile(path.join(root, 'b/dir/object.bin'))).equals(previous)).toBe(true);
    expect(await filesBelow(path.join(root, 'b'))).toEqual(['dir/object.bin']);
  });

  it('a body that errors before its end (a network reset) fails retryable and leaves no file where there was none', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const err = await rejection(p.write('b', 'new/object.bin', async () => failsAfterLastByte(Buffer.alloc(10, 1), reset), 20));
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    expect(await filesBelow(path.join(root, 'b'))).toEqual([]);
  });

  it('fsyncs the new bytes before they get the final name', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    await writeBytes(p, 'b', 'target.txt', 'old');
    const finalFile = path.join(root, 'b/target.txt');
    const seenAtSync: string[] = [];
    const realFsync = fs.fsync;
    vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
      seenAtSync.push(fs.readFileSync(finalFile, 'utf8'));
      realFsync(fd, callback);
    }) as typeof fs.fsync);
    syncBuiltinESMExports();

    await writeBytes(p, 'b', 'target.txt', 'new');
    expect(seenAtSync, 'one fsync, while the final name still held the old bytes').toEqual(['old']);
    expect(await readFile(finalFile, 'utf8')).toBe('new');
  });

  it('a failed write closes its partial file once: never a descriptor number the process gave to something else since', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    const partialFds = new Set<number>();
    const realOpen = fs.open;
    vi.spyOn(fs, 'open').mockImplementation(((file: fs.PathLike, flags: number, mode: number, callback: (err: NodeJS.ErrnoException | null, fd: number) => void) => {
      realOpen(file, flags, mode, (err, fd) => {
        if (!err && String(file).includes(PARTIAL_MARKER)) partialFds.add(fd);
        callback(err, fd);
      });
    }) as typeof fs.open);
    const closes: number[] = [];
    const realClose = fs.close;
    vi.spyOn(fs, 'close').mockImplementation(((fd: number, callback?: (err: NodeJS.ErrnoException | null) => void) => {
      if (partialFds.has(fd)) closes.push(fd);
      realClose(fd, callback);
    }) as typeof fs.close);
    syncBuiltinESMExports();

    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await rejection(p.write('b', 'dir/object.bin', async () => failsAfterLastByte(Buffer.alloc(100_000, 1), reset), 200_000));
    await rejection(p.write('b', 'dir/object.bin', async () => failsAfterLastByte(Buffer.alloc(100_000, 1), reset), 100_000));
    expect(partialFds.size).toBeGreaterThan(0);
    expect(closes.length, `closes of partial files' descriptors: ${closes.join(', ')}`).toBe(2);
  });

  it('has no server-side copy: a copy inside one connection is the engine\'s streamed, journaled write', () => {
    const p = createLocalProvider({ root: '/unused' }, { dirAnchor });
    expect(p.capabilities.serverSideCopy).toBe(false);
    expect(p.copy).toBeUndefined();
  });
});

/** An UploadJournal in memory, as the engine keeps one in SQLite. */
function memoryJournal(initial?: string) {
  const box = { state: initial };
  const journal: UploadJournal = {
    load: () => box.state,
    save: (state) => {
      box.state = state;
    },
    clear: () => {
      box.state = undefined;
    },
  };
  return { journal, box };
}

describe.each(ANCHORS)('local partial files left by a killed write (dirAnchor %s)', (dirAnchor) => {
  const LEFTOVER = '.cds-partial-0123456789abcdef';

  it('while a write runs, its journal names the partial file on disk; a finished write clears it', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    const { journal, box } = memoryJournal();
    const source = new PassThrough();
    source.write(Buffer.alloc(1000, 1));
    const writing = p.write('b', 'dir/big.bin', async () => source, 2000, { journal });
    const named = async () => {
      const partial = box.state && (JSON.parse(box.state) as { partial: string }).partial;
      return partial !== undefined && (await filesBelow(path.join(root, 'b'))).includes(`dir/${partial}`);
    };
    // Bounded by count, generous: under load the write's file-system calls queue behind others.
    for (let i = 0; i < 2_000 && !(await named()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await named()).toBe(true);
    source.end(Buffer.alloc(1000, 2));
    await writing;
    expect(box.state).toBeUndefined();
    expect(await filesBelow(path.join(root, 'b'))).toEqual(['dir/big.bin']);
  });

  it('abandonUpload removes the partial file the journal names, and the folders it emptied', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    await mkdir(path.join(root, 'b/a/b'), { recursive: true });
    await writeFile(path.join(root, 'b/a/b', LEFTOVER), 'half');
    await p.abandonUpload!('b', 'a/b/big.bin', JSON.stringify({ partial: LEFTOVER }));
    expect(await readdir(path.join(root, 'b'))).toEqual([]);
    await p.abandonUpload!('b', 'a/b/big.bin', JSON.stringify({ partial: LEFTOVER })); // already gone: fine
  });

  it('a new write of the same version removes the leftover partial file first', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    await mkdir(path.join(root, 'b/dir'));
    await writeFile(path.join(root, 'b/dir', LEFTOVER), 'half');
    const { journal, box } = memoryJournal(JSON.stringify({ partial: LEFTOVER }));
    await p.write('b', 'dir/big.bin', async () => Readable.from([Buffer.from('whole')]), 5, { journal });
    expect(await filesBelow(path.join(root, 'b'))).toEqual(['dir/big.bin']);
    expect(box.state).toBeUndefined();
  });

  it('abandonUpload deletes nothing but a partial file of ours, whatever the state says', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    await writeBytes(p, 'b', 'dir/real.txt', 'keep');
    await writeFile(path.join(root, 'outside.txt'), 'keep');
    for (const state of [JSON.stringify({ partial: 'real.txt' }), JSON.stringify({ partial: '../../outside.txt' }), 'not json', '{}']) {
      await p.abandonUpload!('b', 'dir/real.txt', state);
    }
    expect(await filesBelow(root)).toEqual(['b/dir/real.txt', 'outside.txt']);
  });
});
