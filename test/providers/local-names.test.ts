// Issue 9, point 5 on a local folder: a key is stored under exactly its own name or refused with an
// error naming it — never renamed, never resolved as a path — and a listing never yields a key that
// the provider would refuse (such names are reported through onSkipped instead).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartialRemoveError, isStorageError } from '../../electron/providers/errors';
import { createLocalProvider } from '../../electron/providers/local';
import type { SkippedEntry } from '../../electron/providers/provider';
import { readAll, rejection } from './helpers';
import { filesBelow, tempRoots, writeBytes } from './local-support';

const roots = tempRoots('local-names');
afterAll(() => roots.cleanup());

const REFUSED: [key: string, why: RegExp][] = [
  ['', /empty path segment/],
  ['/leading', /empty path segment/],
  ['trailing/', /empty path segment/],
  ['double//slash', /empty path segment/],
  ['.', /"\." path segment/],
  ['dot/./x', /"\." path segment/],
  ['..', /"\.\." path segment/],
  ['../escape', /"\.\." path segment/],
  ['z/../y', /"\.\." path segment/],
  ['back\\slash', /backslash/],
  ['nul\0byte', /NUL/],
  ['x'.repeat(256), /longer than 255 bytes/],
  [`multibyte/${'日'.repeat(86)}`, /longer than 255 bytes/],
  ['file.cds-partial-1', /marker/],
  ['lone\uD800surrogate', /surrogate/],
];

describe('local keys stored exactly or refused', () => {
  it('refuses every key a folder cannot hold exactly, naming the key, and writes nothing', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root });
    await p.createBucket('b');
    for (const [key, why] of REFUSED) {
      for (const call of [writeBytes(p, 'b', key, 'x'), p.head('b', key), p.read('b', key), p.remove('b', [key])]) {
        const err = await rejection(call);
        expect(isStorageError(err, 'Fatal'), `${JSON.stringify(key)}: ${String(err)}`).toBe(true);
        expect((err as Error).message, JSON.stringify(key)).toContain(`key "${key}"`);
        expect((err as Error).message, JSON.stringify(key)).toMatch(why);
      }
    }
    expect(await filesBelow(root)).toEqual([]);
    expect(await readdir(root)).toEqual(['b']);
  });

  it('stores names right at the limits exactly', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root });
    await p.createBucket('b');
    const keys = [`multibyte/${'日'.repeat(85)}`, 'x'.repeat(255), '...', '.hidden', 'a b/c d'];
    for (const key of keys) await writeBytes(p, 'b', key, key);
    const listed: string[] = [];
    for await (const o of p.list('b', '')) listed.push(o.key);
    expect(listed.sort()).toEqual([...keys].sort());
    for (const key of keys) expect((await readAll(await p.read('b', key))).toString()).toBe(key);
  });

  it('a listing reports names no key can hold instead of yielding them, and leaves out only its own unfinished writes', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root });
    await p.createBucket('b');
    const bucket = path.join(root, 'b');
    await writeFile(path.join(bucket, 'ok.txt'), 'ok');
    await writeFile(path.join(bucket, 'back\\slash'), 'x');
    await writeFile(Buffer.concat([Buffer.from(`${bucket}/latin1-`), Buffer.from([0xe9])]), 'x');
    await mkdir(path.join(bucket, 'bad\\folder'));
    await writeFile(path.join(bucket, 'bad\\folder/inner.txt'), 'x');
    await writeFile(path.join(bucket, 'notes.cds-partial-of-mine'), 'x');
    await writeFile(path.join(bucket, '.cds-partial-0123456789abcdef'), 'ours, unfinished');
    await writeFile(path.join(bucket, '.old.txt.cds-partial-abc12345'), 'ours, from an older version');

    const skipped: SkippedEntry[] = [];
    const listed: string[] = [];
    for await (const o of p.list('b', '', undefined, (e) => skipped.push(e))) listed.push(o.key);
    expect(listed).toEqual(['ok.txt']);
    expect(skipped.map((s) => s.key).sort()).toEqual(['back\\slash', 'bad\\folder', 'latin1-\uFFFD', 'notes.cds-partial-of-mine']);
    for (const s of skipped) expect(s.reason, s.key).toMatch(/no key can name it exactly$/);
    expect(skipped.find((s) => s.key === 'latin1-\uFFFD')?.reason).toBe('a file whose name is not valid UTF-8: no key can name it exactly');
    expect(skipped.find((s) => s.key === 'bad\\folder')?.reason).toMatch(/^a folder whose name has a backslash/);
  });

  it('a refused key in a delete batch names the keys deleted before it', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root });
    await p.createBucket('b');
    await writeBytes(p, 'b', 'fine.txt', 'x');
    const err = await rejection(p.remove('b', ['fine.txt', 'z/../y']));
    expect(err).toBeInstanceOf(PartialRemoveError);
    expect((err as PartialRemoveError).removed).toEqual(['fine.txt']);
  });
});
