// Writes to a local target running beside each other, and beside deletes and abandoned uploads that
// empty folders (removeEmptyFolders): no call may fail another. A delete that empties a folder must
// not remove it while a write has it open (the write's fd-anchored mkdir or partial file would then
// fail with ENOENT under /proc/self/fd/N/), and writes creating the same new folders must not trip
// over each other.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../../electron/providers/local';
import { PARTIAL_MARKER } from '../../electron/providers/local-names';
import { ANCHORS, filesBelow, tempRoots, writeBytes } from './local-support';

const roots = tempRoots('local-concurrency');
afterAll(() => roots.cleanup());

/** An opener that waits for `gate` before giving its bytes, and says when the write asked for them. */
function gatedSource(data: Buffer) {
  let open!: () => void;
  const asked = new Promise<void>((resolve) => (open = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const opener = async (): Promise<Readable> => {
    open();
    await gate;
    return Readable.from([data]);
  };
  return { opener, asked, release };
}

/** Gives half its bytes, then errors (a network reset). */
function failingSource(data: Buffer): () => Promise<Readable> {
  return async () =>
    new Readable({
      read() {
        this.push(data.subarray(0, data.length >> 1));
        this.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      },
    });
}

describe.each(ANCHORS)('local writes beside other writes and deletes (dirAnchor %s)', (dirAnchor) => {
  it('a delete that empties a folder does not remove it under a write that has it open', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    await writeBytes(p, 'b', 'x/y/old.txt', 'old');
    const source = gatedSource(Buffer.from('new'));
    // The write opens x/y, then waits for its source: the folder holds nothing of it yet.
    const writing = p.write('b', 'x/y/new.txt', source.opener, 3);
    await source.asked;
    await p.remove('b', ['x/y/old.txt']);
    source.release();
    await writing;
    expect(await filesBelow(path.join(root, 'b'))).toEqual(['x/y/new.txt']);
    expect(await readFile(path.join(root, 'b/x/y/new.txt'), 'utf8')).toBe('new');
  });

  it('an abandoned upload that empties a folder does not remove it under a write that has it open', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    const leftover = `${PARTIAL_MARKER}0123456789abcdef`; // what a killed write left
    await mkdir(path.join(root, 'b/x'));
    await writeFile(path.join(root, 'b/x', leftover), 'half');
    const source = gatedSource(Buffer.from('new'));
    const writing = p.write('b', 'x/new.txt', source.opener, 3);
    await source.asked;
    await p.abandonUpload!('b', 'x/big.bin', JSON.stringify({ partial: leftover }));
    source.release();
    await writing;
    expect(await filesBelow(path.join(root, 'b'))).toEqual(['x/new.txt']);
  });

  it('many writes into the same new folders, some failing, beside deletes emptying them: each succeeds or fails on its own', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root }, { dirAnchor });
    await p.createBucket('b');
    const expected: string[] = [];
    for (let round = 0; round < 8; round++) {
      // Files the deletes below remove, so that their folders become empty while the writes run.
      const doomed = Array.from({ length: 6 }, (_, i) => `r${round}/f${i % 2}/g/doomed${i}.txt`);
      for (const key of doomed) await writeBytes(p, 'b', key, key);
      const calls: Promise<unknown>[] = [];
      const failures: string[] = [];
      for (let i = 0; i < 24; i++) {
        const key = `r${round}/f${i % 2}/g/h${i % 3}/k${i}.txt`;
        const data = Buffer.from(`bytes of ${key}`);
        if (i % 4 === 3) {
          calls.push(p.write('b', key, failingSource(data), data.length).then(() => failures.push(`${key} should have failed`), () => undefined));
        } else {
          calls.push(p.write('b', key, async () => Readable.from([data]), data.length).catch((err: unknown) => failures.push(`${key}: ${String(err)}`)));
          expected.push(key);
        }
        if (i % 4 === 1) calls.push(p.remove('b', doomed.splice(0, 2)).catch((err: unknown) => failures.push(`remove: ${String(err)}`)));
      }
      await Promise.all(calls);
      expect(failures).toEqual([]);
    }
    const files = await filesBelow(path.join(root, 'b'));
    expect(files.filter((f) => f.includes(PARTIAL_MARKER))).toEqual([]);
    expect(files).toEqual([...expected].sort());
  });
});
