// The local provider makes its metadata calls inline on disk file systems and through the threadpool
// elsewhere (local-file-calls.ts). Both kinds must answer alike, errors included, and the choice must
// fall to the threadpool wherever the file system is not known to be a disk.
import { mkdir, writeFile } from 'node:fs/promises';
import { constants as fsConstants, statfsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectOpener } from '../../electron/providers/local-direct-open';
import { FileCallsByFolder, INLINE_CALLS, THREADPOOL_CALLS } from '../../electron/providers/local-file-calls';
import { tempRoots } from './local-support';

const roots = tempRoots('local-file-calls');
afterAll(() => roots.cleanup());

/** ext2/3/4, tmpfs and overlayfs: what a test machine's temporary folder is on. */
const COMMON_DISK_TYPES = [0xef53, 0x01021994, 0x794c7630];

describe('file calls', () => {
  it('inline and threadpool calls answer alike: stats, descriptors and the error codes', async () => {
    const root = await roots.make();
    const file = path.join(root, 'f.bin');
    await writeFile(file, Buffer.alloc(1234, 7));
    for (const calls of [INLINE_CALLS, THREADPOOL_CALLS]) {
      const info = await calls.lstat(file);
      expect(info.size).toBe(1234n);
      expect(info.isFile()).toBe(true);
      const fd = await calls.open(file, fsConstants.O_RDONLY);
      const opened = await calls.fstat(fd);
      expect(opened.ino).toBe(info.ino);
      await calls.close(fd);
      await expect(calls.fstat(fd)).rejects.toMatchObject({ code: 'EBADF' });
      await expect(calls.close(fd)).resolves.toBeUndefined(); // closing twice is not an error to report
      await expect(calls.lstat(path.join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(calls.open(path.join(root, 'missing'), fsConstants.O_RDONLY)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it('off Linux every call goes through the threadpool', async () => {
    const root = await roots.make();
    expect(await new FileCallsByFolder('darwin').forFolder(root)).toBe(THREADPOOL_CALLS);
    expect(await new FileCallsByFolder('win32').forFolder(root)).toBe(THREADPOOL_CALLS);
  });

  describe.runIf(process.platform === 'linux')('on Linux', () => {
    it('a file system not known to be a disk (procfs), or a folder that cannot be asked, gets the threadpool', async () => {
      const byFolder = new FileCallsByFolder();
      expect(await byFolder.forFolder('/proc/self')).toBe(THREADPOOL_CALLS);
      expect(await byFolder.forFolder(path.join(await roots.make(), 'no-such-folder'))).toBe(THREADPOOL_CALLS);
    });

    it('a disk folder gets inline calls, and a proven direct open of a file in it uses them', async () => {
      const root = await roots.make();
      const type = statfsSync(root).type;
      if (!COMMON_DISK_TYPES.includes(type)) throw new Error(`the temporary folder is on file system 0x${type.toString(16)}; this test needs a disk one`);
      await mkdir(path.join(root, 'b/sub'), { recursive: true });
      await writeFile(path.join(root, 'b/sub/f.txt'), 'x');
      expect(await new FileCallsByFolder().forFolder(path.join(root, 'b/sub'))).toBe(INLINE_CALLS);
      const opened = await new DirectOpener().open(path.join(root, 'b'), ['sub', 'f.txt']);
      expect(opened?.calls).toBe(INLINE_CALLS);
      await opened!.calls.close(opened!.fd);
    });
  });
});
