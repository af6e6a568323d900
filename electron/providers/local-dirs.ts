// The folders below a bucket folder that a key's path goes through, checked to be real folders —
// never symlinks — before anything is created, replaced or deleted in them, so that no key (and no
// symlink someone put in the bucket) can lead a write or a delete outside the bucket folder, or to
// another place inside it.
//
// Two ways to hold on to a checked folder (DirAnchor):
// - 'fd' (Linux): each folder is opened with O_DIRECTORY|O_NOFOLLOW and later calls name their
//   entries as /proc/self/fd/<fd>/<name>, which resolves through the open folder itself, as
//   openat() does: a folder swapped for a symlink after the check changes nothing.
// - 'path' (macOS, Windows, or no /proc): folders are checked with lstat, and the whole chain is
//   checked again right before every call that uses it; a swap between that check and the call
//   itself (one system call) is the race this way leaves open.
// The bucket folder itself is the boundary the user configured and may be a symlink.
//
// Folders in use: every open CheckedDir holds the folders of its chain until it is closed, and
// removeEmptyFolders leaves alone a folder another CheckedDir of this process holds (a write that
// opened it and has not yet created its partial file would otherwise find it gone: ENOENT under
// /proc/self/fd/N/, or a re-check that fails). Another process removing folders under a write is
// not prevented: that write fails and the next run copies the object again.
import { existsSync, constants as fsConstants, type BigIntStats, type Dirent } from 'node:fs';
import { lstat, mkdir, open, rmdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from './errors';
import { errnoCode, mapFsError } from './local-fs-errors';

export type DirAnchor = 'fd' | 'path';

const PROC_FD = '/proc/self/fd';
const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = fsConstants.O_DIRECTORY ?? 0;

export function defaultDirAnchor(): DirAnchor {
  return process.platform === 'linux' && existsSync(PROC_FD) ? 'fd' : 'path';
}

/**
 * A key cannot be written, replaced or deleted because its path goes through a symlink or through
 * something that is not a folder (`entry`, relative to the bucket folder, names it).
 */
export class PathBlockedError extends StorageError {
  constructor(
    readonly key: string,
    readonly entry: string,
    readonly kind: string,
    expected: 'a folder' | 'a file' = 'a folder',
  ) {
    super('Fatal', kind === 'a symlink'
      ? `key "${key}" was refused: "${entry}" in the bucket folder is a symlink, and a local folder never writes, replaces or deletes through a symlink`
      : `key "${key}" was refused: "${entry}" in the bucket folder is ${kind}, not ${expected}`);
  }
}

/** What kind of file system entry this is, for messages and skip reasons. */
export function kindOf(entry: Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (entry.isSymbolicLink()) return 'a symlink';
  if (entry.isFile()) return 'a file';
  if (entry.isDirectory()) return 'a folder';
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** The innermost checked folder of a key's path. */
export interface CheckedDir {
  /** A path naming `name` inside the checked folder, for one call made right away. */
  entry(name: string): Promise<string>;
  /** lstat of `name` inside the checked folder, or null when there is nothing by that name. */
  lstatEntry(name: string): Promise<BigIntStats | null>;
  /** Removes the checked folders that are now empty, deepest first; never the bucket folder. */
  removeEmptyFolders(): Promise<void>;
  close(): Promise<void>;
}

export interface CheckOptions {
  /** Create missing folders (a write) or report them missing as NotFound (a read or delete). */
  create: boolean;
  /** The key whose path this is, for error messages. */
  key: string;
  anchor: DirAnchor;
}

/**
 * Checks (and with `create`, makes) the folders `segments` below `bucketDir`. Throws
 * PathBlockedError when one is a symlink or not a folder, NotFound when one is missing.
 */
export async function openCheckedDir(bucketDir: string, segments: readonly string[], options: CheckOptions): Promise<CheckedDir> {
  const folders = segments.map((_, i) => path.join(bucketDir, ...segments.slice(0, i + 1)));
  await foldersInUse.hold(folders);
  try {
    const dir = await (options.anchor === 'fd' ? openFdChain(bucketDir, segments, options) : openPathChain(bucketDir, segments, options));
    let closed = false;
    return {
      ...dir,
      removeEmptyFolders: () => dir.removeEmptyFolders((depth, rmdirAt) => foldersInUse.removeIfUnused(folders[depth]!, rmdirAt)),
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await dir.close();
        } finally {
          foldersInUse.release(folders);
        }
      },
    };
  } catch (err) {
    foldersInUse.release(folders);
    throw err;
  }
}

/**
 * Which folders open CheckedDirs of this process hold (each holder counts once per folder of its
 * chain), and which are being removed. Holding and the check before a removal are synchronous, so
 * in one process a folder is either held or being removed, never both.
 */
class FoldersInUse {
  private readonly holders = new Map<string, number>();
  private readonly removing = new Map<string, Promise<void>>();

  /** Holds `folders`, after any removal of one of them in flight has finished (it is then made again). */
  async hold(folders: readonly string[]): Promise<void> {
    // Bounded: each wait is for one rmdir; a new removal can only start on a folder no one holds.
    for (let attempt = 0; attempt < 100; attempt++) {
      const pending = folders.map((f) => this.removing.get(f)).filter((p) => p !== undefined);
      if (pending.length === 0) break;
      await Promise.all(pending);
    }
    for (const folder of folders) this.holders.set(folder, (this.holders.get(folder) ?? 0) + 1);
  }

  release(folders: readonly string[]): void {
    for (const folder of folders) {
      const n = (this.holders.get(folder) ?? 0) - 1;
      if (n > 0) this.holders.set(folder, n);
      else this.holders.delete(folder);
    }
  }

  /**
   * Runs `rmdirAt` for `folder` (which the caller itself holds once) when no one else holds it;
   * false when someone does, or when the rmdir failed (not empty, gone).
   */
  async removeIfUnused(folder: string, rmdirAt: () => Promise<boolean>): Promise<boolean> {
    if ((this.holders.get(folder) ?? 0) > 1 || this.removing.has(folder)) return false;
    const removal = rmdirAt();
    const done = removal.then(() => undefined, () => undefined);
    this.removing.set(folder, done);
    try {
      return await removal;
    } finally {
      this.removing.delete(folder);
    }
  }
}

const foldersInUse = new FoldersInUse();

/** A chain of checked folders as one anchor holds it; openCheckedDir adds who else holds them. */
interface AnchoredChain {
  entry(name: string): Promise<string>;
  lstatEntry(name: string): Promise<BigIntStats | null>;
  /** Removes the folders that are now empty, deepest first, each through `remove` (false: stop climbing). */
  removeEmptyFolders(remove: (depth: number, rmdirAt: () => Promise<boolean>) => Promise<boolean>): Promise<void>;
  close(): Promise<void>;
}

async function openFdChain(bucketDir: string, segments: readonly string[], options: CheckOptions): Promise<AnchoredChain> {
  const handles: FileHandle[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(handles.splice(0).map((h) => h.close().catch(() => undefined)));
  };
  const ref = (index: number, name: string): string => `${PROC_FD}/${handles[index]!.fd}/${name}`;
  try {
    handles.push(await open(bucketDir, fsConstants.O_RDONLY | O_DIRECTORY).catch((err: unknown) => {
      throw mapFsError(err, `bucket folder ${bucketDir}`);
    }));
    for (let i = 0; i < segments.length; i++) {
      const child = ref(i, segments[i]!);
      const rel = segments.slice(0, i + 1).join('/');
      handles.push(await openChildFolder(child, rel, options));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    entry: async (name) => ref(handles.length - 1, name),
    lstatEntry: (name) => lstatOrNull(ref(handles.length - 1, name)),
    removeEmptyFolders: async (remove) => {
      for (let i = segments.length - 1; i >= 0; i--) {
        // rmdir never follows a symlink and fails on a folder that is not empty: then stop climbing.
        if (!(await remove(i, () => rmdir(ref(i, segments[i]!)).then(() => true, () => false)))) return;
      }
    },
    close: closeAll,
  };
}

async function openChildFolder(child: string, rel: string, options: CheckOptions): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(child, fsConstants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' && options.create && attempt === 0) {
        // mkdir never follows a symlink in its last segment; the open above is the re-check.
        await mkdir(child).catch((e: unknown) => {
          if (errnoCode(e) !== 'EEXIST') throw mapFsError(e, `folder "${rel}" for key "${options.key}"`);
        });
        continue;
      }
      if (code === 'ENOTDIR' || code === 'ELOOP') {
        const info = await lstatOrNull(child);
        throw new PathBlockedError(options.key, rel, info ? kindOf(info) : 'gone');
      }
      throw mapFsError(err, `folder "${rel}" for key "${options.key}"`);
    }
  }
}

interface CheckedPath {
  path: string;
  rel: string;
  dev: bigint;
  ino: bigint;
}

async function openPathChain(bucketDir: string, segments: readonly string[], options: CheckOptions): Promise<AnchoredChain> {
  const chain: CheckedPath[] = [];
  let parent = bucketDir;
  for (let i = 0; i < segments.length; i++) {
    const folder = path.join(parent, segments[i]!);
    const rel = segments.slice(0, i + 1).join('/');
    let info = await lstatOrNull(folder);
    if (!info && options.create) {
      await mkdir(folder).catch((e: unknown) => {
        if (errnoCode(e) !== 'EEXIST') throw mapFsError(e, `folder "${rel}" for key "${options.key}"`);
      });
      info = await lstatOrNull(folder); // re-check: a symlink may have been put there meanwhile
    }
    if (!info) throw new StorageError('NotFound', `key "${options.key}": folder "${rel}" does not exist`);
    if (!info.isDirectory()) throw new PathBlockedError(options.key, rel, kindOf(info));
    chain.push({ path: folder, rel, dev: info.dev, ino: info.ino });
    parent = folder;
  }
  // Every folder still is the one checked (same device and inode, not a symlink).
  const recheck = async (depth: number): Promise<void> => {
    for (const folder of chain.slice(0, depth)) {
      const info = await lstatOrNull(folder.path);
      if (!info || !info.isDirectory() || info.dev !== folder.dev || info.ino !== folder.ino) {
        throw new PathBlockedError(options.key, folder.rel, info ? kindOf(info) : 'gone');
      }
    }
  };
  const innermost = chain.at(-1)?.path ?? bucketDir;
  return {
    entry: async (name) => {
      await recheck(chain.length);
      return path.join(innermost, name);
    },
    lstatEntry: async (name) => {
      await recheck(chain.length);
      return lstatOrNull(path.join(innermost, name));
    },
    removeEmptyFolders: async (remove) => {
      for (let i = chain.length - 1; i >= 0; i--) {
        const rmdirAt = async (): Promise<boolean> => {
          await recheck(i + 1);
          await rmdir(chain[i]!.path);
          return true;
        };
        if (!(await remove(i, () => rmdirAt().catch(() => false)))) return;
      }
    },
    close: async () => undefined,
  };
}

/** lstat, or null when nothing is there (or a parent is not a folder). */
export async function lstatOrNull(file: string): Promise<BigIntStats | null> {
  try {
    return await lstat(file, { bigint: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw mapFsError(err, file);
  }
}
