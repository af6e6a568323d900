// Issue 9, point 6, target side: a local target never writes, replaces or deletes through a symlink
// below its bucket folder — neither out of the bucket nor to another place inside it. Every case runs
// on both ways of holding checked folders (fd-anchored on Linux, lstat re-checks elsewhere).
import { lstat, mkdir, readFile, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PartialRemoveError, isStorageError } from '../../electron/providers/errors';
import { createLocalProvider } from '../../electron/providers/local';
import type { DirAnchor } from '../../electron/providers/local-dirs';
import { rejection } from './helpers';
import { ANCHORS, filesBelow, tempRoots, writeBytes } from './local-support';

const roots = tempRoots('local-symlink-target');
afterAll(() => roots.cleanup());

/**
 * root/b is the bucket; root/outside holds a file that must never change. Inside the bucket:
 * link → ../outside, inlink → real (a folder of the bucket), flink → ../outside/existing.txt.
 */
async function setup(dirAnchor: DirAnchor) {
  const root = await roots.make();
  const p = createLocalProvider({ root }, { dirAnchor });
  await p.createBucket('b');
  const bucket = path.join(root, 'b');
  const outside = path.join(root, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'existing.txt'), 'outside, never touched');
  await writeBytes(p, 'b', 'real/kept.txt', 'inside');
  await symlink('../outside', path.join(bucket, 'link'));
  await symlink('real', path.join(bucket, 'inlink'));
  await symlink('../outside/existing.txt', path.join(bucket, 'flink'));
  const outsideUntouched = async () => {
    expect(await filesBelow(outside)).toEqual(['existing.txt']);
    expect(await readFile(path.join(outside, 'existing.txt'), 'utf8')).toBe('outside, never touched');
  };
  return { root, p, bucket, outside, outsideUntouched };
}

async function expectRefused(promise: Promise<unknown>, key: string, link: string): Promise<void> {
  const err = await rejection(promise);
  expect(isStorageError(err, 'Fatal'), String(err)).toBe(true);
  expect((err as Error).message).toContain(`"${key}"`);
  expect((err as Error).message).toContain(`"${link}" in the bucket folder is a symlink`);
}

describe.each(ANCHORS)('local target and symlinks (dirAnchor %s)', (dirAnchor) => {
  it('refuses a write whose path crosses a folder symlink to outside the bucket, naming the key and the link', async () => {
    const { p, outsideUntouched } = await setup(dirAnchor);
    for (const key of ['link/existing.txt', 'link/new.txt', 'link/deeper/new.txt']) {
      await expectRefused(writeBytes(p, 'b', key, 'attacker'), key, 'link');
    }
    await outsideUntouched();
  });

  it('refuses a write through a folder symlink that points inside the bucket', async () => {
    const { p, bucket } = await setup(dirAnchor);
    await expectRefused(writeBytes(p, 'b', 'inlink/kept.txt', 'overwritten?'), 'inlink/kept.txt', 'inlink');
    await expectRefused(writeBytes(p, 'b', 'inlink/new.txt', 'created?'), 'inlink/new.txt', 'inlink');
    expect(await filesBelow(path.join(bucket, 'real'))).toEqual(['kept.txt']);
    expect(await readFile(path.join(bucket, 'real/kept.txt'), 'utf8')).toBe('inside');
  });

  it('refuses to replace a symlinked file, which stays a symlink', async () => {
    const { p, bucket, outsideUntouched } = await setup(dirAnchor);
    await expectRefused(writeBytes(p, 'b', 'flink', 'attacker'), 'flink', 'flink');
    expect((await lstat(path.join(bucket, 'flink'))).isSymbolicLink()).toBe(true);
    await outsideUntouched();
  });

  it('refuses to delete through a symlinked folder or a symlinked file, and says which keys went before', async () => {
    const { p, bucket, outsideUntouched } = await setup(dirAnchor);
    await writeBytes(p, 'b', 'plain.txt', 'x');
    for (const key of ['link/existing.txt', 'flink']) {
      const err = await rejection(p.remove('b', ['plain.txt', key]));
      expect(err).toBeInstanceOf(PartialRemoveError);
      expect((err as PartialRemoveError).code).toBe('Fatal');
      expect((err as PartialRemoveError).removed).toEqual(['plain.txt']);
      expect((err as Error).message).toContain(`"${key}"`);
    }
    expect((await lstat(path.join(bucket, 'flink'))).isSymbolicLink()).toBe(true);
    await outsideUntouched();
  });

  it('removes emptied folders up to the bucket folder but never the bucket folder, nor climbs out of a symlinked bucket', async () => {
    const { root, p } = await setup(dirAnchor);
    await writeBytes(p, 'b', 'a/b/c.txt', 'x');
    await p.remove('b', ['a/b/c.txt', 'real/kept.txt']);
    expect((await readdir(path.join(root, 'b'))).sort()).toEqual(['flink', 'inlink', 'link']);

    // A bucket folder that is itself a symlink (the configured boundary) stays, and so does its target.
    await mkdir(path.join(root, 'elsewhere/deep'), { recursive: true });
    await symlink('elsewhere/deep', path.join(root, 'linked-bucket'));
    await writeBytes(p, 'linked-bucket', 'x/y.txt', 'x');
    await p.remove('linked-bucket', ['x/y.txt']);
    expect(await readdir(path.join(root, 'elsewhere/deep'))).toEqual([]);
    expect((await lstat(path.join(root, 'linked-bucket'))).isSymbolicLink()).toBe(true);
  });

  it('a folder swapped for a symlink while the source opens: nothing is written outside the bucket', async () => {
    const { p, bucket, outsideUntouched } = await setup(dirAnchor);
    const open = async () => {
      // The folder was checked (and, with 'fd', pinned) already; now someone swaps it for a link.
      await rename(path.join(bucket, 'real'), path.join(bucket, 'moved'));
      await symlink('../outside', path.join(bucket, 'real'));
      return Readable.from([Buffer.from('raced')]);
    };
    const outcome = await p.write('b', 'real/raced.txt', open, 5).then(() => 'written', (err: unknown) => err);
    await outsideUntouched();
    if (dirAnchor === 'fd') {
      // Written into the folder that was checked, under its new name: still inside the bucket.
      expect(outcome).toBe('written');
      expect(await readFile(path.join(bucket, 'moved/raced.txt'), 'utf8')).toBe('raced');
    } else {
      // The re-check right before the partial file is created sees the swap.
      expect(isStorageError(outcome, 'Fatal'), String(outcome)).toBe(true);
      expect(await filesBelow(path.join(bucket, 'moved'))).toEqual(['kept.txt']);
    }
  });

  it('writes normally below real folders, creating the missing ones', async () => {
    const { p, bucket } = await setup(dirAnchor);
    await writeBytes(p, 'b', 'real/sub/deeper/new.txt', 'fine');
    expect(await readFile(path.join(bucket, 'real/sub/deeper/new.txt'), 'utf8')).toBe('fine');
  });
});
