// The local folder's rename, which keepVersions uses to move a previous version aside: atomic, never
// replacing what is at the new key, never through a symlink, NotFound for a missing object; refused
// under a dry run, and never retried.
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../electron/providers/errors';
import { createLocalProvider } from '../../electron/providers/local';
import type { StorageProvider } from '../../electron/providers/provider';
import { wrapProvider } from '../../electron/providers/stack';

describe('local rename (keepVersions)', () => {
  let root: string;
  let local: StorageProvider;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cds-rename-'));
    await mkdir(path.join(root, 'b', 'docs'), { recursive: true });
    local = createLocalProvider({ root });
  });
  afterAll(async () => {
    await local.close();
    await rm(root, { recursive: true, force: true });
  });
  const file = (...parts: string[]) => path.join(root, 'b', ...parts);

  it('moves the file to the new key, making its folders, and the old key is gone', async () => {
    await writeFile(file('docs', 'a.txt'), 'alpha');
    await local.rename!('b', 'docs/a.txt', '.cds-versions/2026-01-01T00-00-00.000Z/docs/a.txt');
    expect(await readFile(file('.cds-versions', '2026-01-01T00-00-00.000Z', 'docs', 'a.txt'), 'utf8')).toBe('alpha');
    expect(await local.head('b', 'docs/a.txt')).toBeNull();
  });

  it('never replaces what is at the new key', async () => {
    await writeFile(file('x.txt'), 'new');
    await writeFile(file('kept.txt'), 'old');
    await expect(local.rename!('b', 'x.txt', 'kept.txt')).rejects.toMatchObject({ code: 'Fatal', message: expect.stringMatching(/already exists/) });
    expect(await readFile(file('kept.txt'), 'utf8')).toBe('old');
    expect(await readFile(file('x.txt'), 'utf8')).toBe('new');
  });

  it('a missing object is NotFound', async () => {
    await expect(local.rename!('b', 'nothing.txt', 'elsewhere.txt')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(local.rename!('b', 'no-folder/nothing.txt', 'elsewhere.txt')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it.skipIf(process.platform === 'win32')('never moves into or out of a folder through a symlink', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'cds-rename-outside-'));
    try {
      await symlink(outside, file('link'));
      await writeFile(file('y.txt'), 'why');
      await expect(local.rename!('b', 'y.txt', 'link/y.txt')).rejects.toMatchObject({ message: expect.stringMatching(/symlink/) });
      await writeFile(path.join(outside, 'z.txt'), 'zed');
      await expect(local.rename!('b', 'link/z.txt', 'z.txt')).rejects.toMatchObject({ message: expect.stringMatching(/symlink/) });
      expect(await readFile(file('y.txt'), 'utf8')).toBe('why');
      expect((await stat(path.join(outside, 'z.txt'))).isFile()).toBe(true);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('is refused under a dry run and tried once when it fails', async () => {
    await writeFile(file('d.txt'), 'dry');
    const dry = wrapProvider(local, { dryRun: true }).provider;
    await expect(dry.rename!('b', 'd.txt', 'moved.txt')).rejects.toThrow(/refused, this is a dry run/);
    expect(await readFile(file('d.txt'), 'utf8')).toBe('dry');
    // A retry after a move that did happen would find it gone: even a Transient failure is tried once.
    const flaky = Object.create(local) as StorageProvider;
    flaky.rename = async () => {
      throw new StorageError('Transient', 'the disk hiccuped');
    };
    const { provider, counts } = wrapProvider(flaky, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await expect(provider.rename!('b', 'd.txt', 'moved.txt')).rejects.toMatchObject({ code: 'Transient' });
    expect(counts.calls.rename).toBe(1);
  });
});
