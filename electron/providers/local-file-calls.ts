// How the local provider makes the metadata calls of listing and reading a file (lstat, open, fstat,
// close): inline where the folder is on a local disk file system, else through libuv's threadpool.
//
// Why: a threadpool call wakes a worker thread (a futex) and then the event loop (an eventfd), two
// context switches that cost ≈ 35 µs of CPU on this project's 2-core bench machine; the same call
// made inline costs a few µs. Reading a small file makes seven of them (lstat, open, fstat, then
// fstat, lstat and close after the last byte), which was ≈ 0.14 ms of the ≈ 1.9 ms of CPU a small
// local → S3 copy cost (5,000 files of 1–16 KB: ≈ 230 µs per file through the threadpool, ≈ 90 µs
// with the metadata inline and the data read still through the pool).
//
// Inline calls block the event loop, so they are made only where they cannot wait: on a disk file
// system the kernel answers them from its dentry and inode caches (the listing has just stat'ed the
// same entries). A network or FUSE file system (NFS, SMB, sshfs, a cloud mount) may wait seconds for
// its server; there every call stays on the threadpool. So does the data: a read that misses the
// page cache waits for the disk. The file system is asked per folder (statfs, through the pool),
// because a folder inside a bucket may be another mount.
import { closeSync, fstatSync, lstatSync, openSync, statSync, type BigIntStats } from 'node:fs';
import { close, fstat, open } from 'node:fs';
import { lstat, stat, statfs } from 'node:fs/promises';

export interface FileCalls {
  /** Whether these calls are made inline (synchronously) rather than on the threadpool. */
  readonly inline: boolean;
  lstat(file: string): Promise<BigIntStats>;
  stat(file: string): Promise<BigIntStats>;
  open(file: string, flags: number): Promise<number>;
  fstat(fd: number): Promise<BigIntStats>;
  /** Never fails: a close error leaves nothing to do for a descriptor only read from. */
  close(fd: number): Promise<void>;
}

export const THREADPOOL_CALLS: FileCalls = {
  inline: false,
  lstat: (file) => lstat(file, { bigint: true }),
  stat: (file) => stat(file, { bigint: true }),
  open: (file, flags) => new Promise((resolve, reject) => open(file, flags, 0o666, (err, fd) => (err ? reject(err) : resolve(fd)))),
  fstat: (fd) => new Promise((resolve, reject) => fstat(fd, { bigint: true }, (err, info) => (err ? reject(err) : resolve(info)))),
  close: (fd) => new Promise((resolve) => close(fd, () => resolve())),
};

/** A synchronous call as a settled promise, so callers cannot tell the two kinds apart. */
function settled<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (err) {
    return Promise.reject(err);
  }
}

export const INLINE_CALLS: FileCalls = {
  inline: true,
  lstat: (file) => settled(() => lstatSync(file, { bigint: true })),
  stat: (file) => settled(() => statSync(file, { bigint: true })),
  open: (file, flags) => settled(() => openSync(file, flags, 0o666)),
  fstat: (fd) => settled(() => fstatSync(fd, { bigint: true })),
  close: (fd) =>
    settled(() => {
      try {
        closeSync(fd);
      } catch {
        // as THREADPOOL_CALLS.close
      }
    }),
};

/**
 * Linux's statfs magic numbers of disk file systems (linux/magic.h): ext2/3/4, XFS, Btrfs, F2FS, ZFS,
 * bcachefs, and the memory-backed tmpfs and ramfs and overlayfs (a container's root, over a disk).
 * Anything else, removable-media file systems included, stays on the threadpool.
 */
const DISK_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0xf2f52010, 0x2fc12fc1, 0xca451a4e, 0x01021994, 0x858458f6, 0x794c7630]);

/** Folders remembered; past this the memory is dropped and folders are asked again. */
const MAX_FOLDERS = 4096;

/** The calls to use for files directly in a folder, by the folder's file system, asked once per folder. */
export class FileCallsByFolder {
  private readonly known = new Map<string, Promise<FileCalls>>();

  /** Inline calls are never chosen off Linux: the magic numbers above are Linux's. */
  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  forFolder(folder: string): Promise<FileCalls> {
    let calls = this.known.get(folder);
    if (!calls) {
      if (this.known.size >= MAX_FOLDERS) this.known.clear();
      calls = this.platform !== 'linux' ? Promise.resolve(THREADPOOL_CALLS) : statfs(folder).then(
        (info) => (DISK_FILE_SYSTEMS.has(info.type) ? INLINE_CALLS : THREADPOOL_CALLS),
        () => THREADPOOL_CALLS,
      );
      this.known.set(folder, calls);
    }
    return calls;
  }
}
