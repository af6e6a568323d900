// Issue 9, point 6, source side: a local source has an explicit symlink policy. 'skip' (default):
// symlinks are no objects and are reported through onSkipped. 'follow': symlinks to files and
// folders, inside and outside the bucket, are read through, and a folder symlink that leads back up
// is reported instead of walked forever. Under both, FIFOs, sockets and dangling links are reported,
// never opened and never dropped silently; and writes never follow a symlink.
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from '../../electron/providers/errors';
import { createLocalProvider, type LocalProviderOptions } from '../../electron/providers/local';
import type { ListPage, SkippedEntry, StorageProvider } from '../../electron/providers/provider';
import { expectStorageError, readAll, rejection } from './helpers';
import { tempRoots, writeBytes } from './local-support';

const roots = tempRoots('local-symlink-source');
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await roots.cleanup();
});

/** A bucket with one of each kind of entry (see the expectations below). */
async function setup(options: LocalProviderOptions) {
  const root = await roots.make();
  const p = createLocalProvider({ root }, options);
  const reopen = () => createLocalProvider({ root }, options);
  await p.createBucket('b');
  const bucket = path.join(root, 'b');
  await mkdir(path.join(root, 'outside'));
  await writeFile(path.join(root, 'outside/o.txt'), 'outside');
  await writeBytes(p, 'b', 'a.txt', 'aaa');
  await writeBytes(p, 'b', 'sub/x.txt', 'xx');
  await symlink('a.txt', path.join(bucket, 'flink'));
  await symlink('sub', path.join(bucket, 'dlink'));
  await symlink('../outside', path.join(bucket, 'out'));
  await symlink('../outside/o.txt', path.join(bucket, 'outfile'));
  await symlink('nowhere', path.join(bucket, 'dangling'));
  await symlink('self', path.join(bucket, 'self'));
  await symlink('..', path.join(bucket, 'sub/loop'));
  execFileSync('mkfifo', [path.join(bucket, 'fifo')]);
  await symlink('fifo', path.join(bucket, 'fifolink'));
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path.join(bucket, 'sock'), resolve));
  return { p, bucket, reopen };
}

async function listWithSkips(p: StorageProvider, prefix = '') {
  const skipped: SkippedEntry[] = [];
  const keys: string[] = [];
  for await (const o of p.list('b', prefix, undefined, (entry) => skipped.push(entry))) keys.push(o.key);
  const reasons = Object.fromEntries(skipped.map((s) => [s.key, s.reason]));
  expect(Object.keys(reasons)).toHaveLength(skipped.length); // each entry reported once
  return { keys, reasons };
}

describe('local source, symlinks: skip (the default)', () => {
  it('lists only real files and reports every symlink, FIFO and socket', async () => {
    const { p } = await setup({});
    const { keys, reasons } = await listWithSkips(p);
    expect(keys).toEqual(['a.txt', 'sub/x.txt']);
    const symlinks = ['dangling', 'dlink', 'fifolink', 'flink', 'out', 'outfile', 'self', 'sub/loop'];
    for (const key of symlinks) expect(reasons[key], key).toBe('symlink, not followed');
    expect(reasons.fifo).toMatch(/^a FIFO, not a regular file: never opened/);
    expect(reasons.sock).toMatch(/^a socket, not a regular file/);
    expect(Object.keys(reasons).sort()).toEqual([...symlinks, 'fifo', 'sock'].sort());
  });

  it('head and read see no object behind a symlink or a special file, without opening a FIFO', async () => {
    const { p } = await setup({});
    for (const key of ['flink', 'dlink/x.txt', 'out/o.txt', 'outfile', 'fifo', 'fifolink', 'sock', 'dangling']) {
      expect(await p.head('b', key), key).toBeNull();
      await expectStorageError(p.read('b', key), 'NotFound');
    }
  });

  it('reports only the entries under the prefix', async () => {
    const { p } = await setup({});
    expect(await listWithSkips(p, 'sub/')).toEqual({ keys: ['sub/x.txt'], reasons: { 'sub/loop': 'symlink, not followed' } });
  });
});

describe('local source, listed page by page', () => {
  for (const symlinks of ['skip', 'follow'] as const) {
    it(`(${symlinks}) gives the keys and skipped entries of the whole listing, each once, whether a page continues the walk of the page before or walks again from its token`, async () => {
      const { p, reopen } = await setup({ symlinks });
      const whole = await listWithSkips(p);
      for (const walkAgain of [false, true]) {
        const keys: string[] = [];
        const skipped: SkippedEntry[] = [];
        let token: string | null = null;
        do {
          // A new provider keeps no walk: its page walks the tree again from the token.
          const provider = walkAgain ? reopen() : p;
          const page: ListPage = await provider.listPage('b', '', token, undefined, 1);
          expect(page.items.length).toBeLessThanOrEqual(1);
          keys.push(...page.items.map((o) => o.key));
          skipped.push(...page.skipped);
          token = page.next;
        } while (token !== null);
        expect(keys, `walk again: ${walkAgain}`).toEqual(whole.keys);
        expect(Object.fromEntries(skipped.map((e) => [e.key, e.reason])), `walk again: ${walkAgain}`).toEqual(whole.reasons);
        expect(skipped.length, `walk again: ${walkAgain}`).toBe(Object.keys(whole.reasons).length);
      }
    });
  }
});

describe('local source, symlinks: follow', () => {
  it('lists through file and folder symlinks inside and outside the bucket, in key order, and reports loops, dangling links and special files', async () => {
    const { p } = await setup({ symlinks: 'follow' });
    const { keys, reasons } = await listWithSkips(p);
    expect(keys).toEqual(['a.txt', 'dlink/x.txt', 'flink', 'out/o.txt', 'outfile', 'sub/x.txt']);
    expect(reasons).toEqual({
      dangling: 'dangling symlink: its target does not exist',
      'dlink/loop': 'symlink loop: it leads back to a folder above it, not followed again',
      fifo: 'a FIFO, not a regular file: never opened',
      fifolink: 'symlink to a FIFO, not a regular file: never opened',
      self: 'symlink loop: it resolves to itself',
      sock: 'a socket, not a regular file: never opened',
      'sub/loop': 'symlink loop: it leads back to a folder above it, not followed again',
    });
  });

  it('reads through symlinks, never opens a FIFO, and lists a symlinked folder by prefix', async () => {
    const { p } = await setup({ symlinks: 'follow' });
    expect((await readAll(await p.read('b', 'out/o.txt'))).toString()).toBe('outside');
    expect((await readAll(await p.read('b', 'dlink/x.txt'))).toString()).toBe('xx');
    const flink = (await p.head('b', 'flink'))!;
    expect(flink.size).toBe(3);
    expect((await readAll(await p.read('b', 'flink', undefined, flink.etag))).toString()).toBe('aaa');
    for (const key of ['fifo', 'fifolink', 'dangling', 'self', 'sock']) {
      expect(await p.head('b', key), key).toBeNull();
      await expectStorageError(p.read('b', key), 'NotFound');
    }
    expect((await listWithSkips(p, 'dlink/')).keys).toEqual(['dlink/x.txt']);
  });

  it('still never writes or deletes through a symlink', async () => {
    const { p } = await setup({ symlinks: 'follow' });
    for (const key of ['dlink/new.txt', 'out/o.txt', 'flink']) {
      const err = await rejection(writeBytes(p, 'b', key, 'no'));
      expect(isStorageError(err, 'Fatal') && (err as Error).message.includes('is a symlink'), String(err)).toBe(true);
    }
    await rejection(p.remove('b', ['out/o.txt']));
    expect((await readAll(await p.read('b', 'out/o.txt'))).toString()).toBe('outside');
  });
});
