// Reads on Linux open a file by its plain path and prove through /proc/self/fd that the descriptor is
// the file at the key inside the bucket folder (local-direct-open.ts); anything else goes the checked
// way. These pin the proof itself: a key reached through a symlinked folder, or a bucket folder that
// was re-pointed, is never taken for the key.
import { mkdir, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectOpener } from '../../electron/providers/local-direct-open';
import { createLocalProvider } from '../../electron/providers/local';
import { expectStorageError, readAll } from './helpers';
import { tempRoots } from './local-support';

const roots = tempRoots('local-direct-open');
afterAll(() => roots.cleanup());

describe.runIf(process.platform === 'linux')('DirectOpener', () => {
  it('opens a file at its key, and refuses one reached through a symlinked folder inside the bucket', async () => {
    const bucket = path.join(await roots.make(), 'b');
    await mkdir(path.join(bucket, 'real/day'), { recursive: true });
    await writeFile(path.join(bucket, 'real/day/f.txt'), 'x');
    await symlink('real', path.join(bucket, 'alias'));
    const opener = new DirectOpener();
    const opened = await opener.open(bucket, ['real', 'day', 'f.txt']);
    expect(opened).not.toBeNull();
    await opened!.calls.close(opened!.fd);
    expect(await opener.open(bucket, ['alias', 'day', 'f.txt'])).toBeNull();
    expect(await opener.open(bucket, ['real', 'day', 'missing.txt'])).toBeNull();
    expect(await opener.open(bucket, ['real', 'day'])).toBeNull(); // a folder is no object
  });

  it('follows a bucket folder that is a symlink, also after it is re-pointed', async () => {
    const root = await roots.make();
    for (const side of ['one', 'two']) {
      await mkdir(path.join(root, side, 'k'), { recursive: true });
      await writeFile(path.join(root, side, 'k/f.txt'), side);
    }
    const bucket = path.join(root, 'b');
    await symlink('one', bucket);
    const opener = new DirectOpener();
    const first = await opener.open(bucket, ['k', 'f.txt']);
    expect(first).not.toBeNull();
    await first!.calls.close(first!.fd);
    await unlink(bucket);
    await symlink('two', bucket);
    const second = await opener.open(bucket, ['k', 'f.txt']);
    expect(second).not.toBeNull();
    await second!.calls.close(second!.fd);
  });

  it('the provider still refuses a key whose folder became a symlink to outside the bucket', async () => {
    const root = await roots.make();
    const p = createLocalProvider({ root });
    await mkdir(path.join(root, 'b/sub'), { recursive: true });
    await mkdir(path.join(root, 'outside'), { recursive: true });
    await writeFile(path.join(root, 'b/sub/f.txt'), 'inside');
    await writeFile(path.join(root, 'outside/f.txt'), 'outside');
    expect((await readAll(await p.read('b', 'sub/f.txt'))).toString()).toBe('inside');
    await rename(path.join(root, 'b/sub'), path.join(root, 'b/moved'));
    await symlink('../outside', path.join(root, 'b/sub'));
    await expectStorageError(p.read('b', 'sub/f.txt'), 'NotFound');
  });
});
