// Local-folder provider: the root folder holds one sub-folder per bucket; keys are paths relative to
// the bucket folder, with '/' separators. Useful to try the app without a cloud account and as a
// sync source/target for backups.
//
// Integrity rules it keeps (docs/DESIGN.md, "Integrity rules"):
// - A write goes to a fresh partial file, which is fsync'ed and renamed to its final name only after
//   the body stream ended successfully: a body that errors at its end (the engine's checksum check)
//   leaves the previous file untouched (local-write.ts).
// - No server-side copy: inside one local connection it would be the same read and write the engine
//   streams itself, and only the engine's write carries the upload journal that lets a later run
//   remove the partial file of a copy killed half way.
// - Writes and deletes never go through a symlink below the bucket folder (local-dirs.ts).
// - A read checks, after its last byte, that the file is still the version it opened (local-read.ts).
// - Listings follow the connection's symlink policy and report every entry they leave out (local-list.ts).
// - A key is stored under exactly its own name or refused (local-names.ts).
import { constants as fsConstants, type BigIntStats } from 'node:fs';
import { lstat, mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { LocalSettings } from '../../shared/model';
import { compareKeys } from '../lib/key-order';
import { PartialRemoveError, SourceChangedError, StorageError, isStorageError } from './errors';
import { PathBlockedError, defaultDirAnchor, kindOf, openCheckedDir, type CheckedDir, type DirAnchor } from './local-dirs';
import { errnoCode, mapFsError } from './local-fs-errors';
import { WalkPages, type SymlinkPolicy } from './local-list';
import { pagedList } from './listing';
import { keySegments } from './local-names';
import { DirectOpener } from './local-direct-open';
import { FileCallsByFolder, THREADPOOL_CALLS, type FileCalls } from './local-file-calls';
import { FileVersionStream, fileEtag, objectInfoOf } from './local-read';
import { partialFromJournal, removePartial, writeInto } from './local-write';
import type { ListPage, ObjectInfo, OpenSource, StorageProvider, WriteOptions, WriteResult } from './provider';

export interface LocalProviderOptions {
  /**
   * What listings, heads and reads do with symlinks below a bucket folder. 'skip' (the default, as
   * rclone without --links): a symlink is not an object; listings report it through onSkipped.
   * 'follow': symlinks to files and folders, inside and outside the bucket folder, are read as the
   * file or folder they point to (a folder symlink that leads back up is reported, not walked again).
   * Writes, copies and deletes never follow a symlink, whatever this says.
   */
  symlinks?: SymlinkPolicy;
  /** How checked folders are held (local-dirs.ts); tests force 'path' to cover the portable way on Linux. */
  dirAnchor?: DirAnchor;
}

export function createLocalProvider(settings: LocalSettings, options: LocalProviderOptions = {}): StorageProvider {
  // The descriptor (shared, no Node) takes an absolute path of either kind, "/data" or "C:\\data";
  // only here is it known whether it is one on this machine, where a relative one would be resolved
  // against the working folder.
  if (!path.isAbsolute(settings.root)) {
    throw new StorageError('InvalidConfig', `local root "${settings.root}" is not an absolute path on this machine`, { field: 'local.root' });
  }
  return new LocalProvider(path.resolve(settings.root), options.symlinks ?? 'skip', options.dirAnchor ?? defaultDirAnchor());
}

const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;
/** Opening a FIFO that raced into a file's place must not block; regular files ignore the flag. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;

class LocalProvider implements StorageProvider {
  readonly type = 'local' as const;
  readonly capabilities = {
    serverSideCopy: false,
    metadata: false,
    md5InListing: false,
    multipartThreshold: Number.POSITIVE_INFINITY,
    listingIsHead: true,
  };
  readonly list = pagedList(this);
  /** How metadata calls are made, by each folder's file system (local-file-calls.ts). */
  private readonly calls = new FileCallsByFolder();
  private readonly pages = new WalkPages(this.calls);
  /** Linux reads by plain path, proven through /proc (local-direct-open.ts); null: every read is checked folder by folder. */
  private readonly direct: DirectOpener | null;

  constructor(
    private readonly root: string,
    private readonly symlinks: SymlinkPolicy,
    private readonly anchor: DirAnchor,
  ) {
    this.direct = anchor === 'fd' && symlinks === 'skip' ? new DirectOpener(this.calls) : null;
  }

  async listBuckets(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((err: unknown) => {
      throw mapFsError(err, `local root ${this.root}`);
    });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(compareKeys);
  }

  async createBucket(bucket: string): Promise<void> {
    await mkdir(this.bucketDir(bucket), { recursive: true }).catch((err: unknown) => {
      throw mapFsError(err, `bucket ${bucket}`);
    });
  }

  async deleteBucket(bucket: string): Promise<void> {
    await rmdir(this.bucketDir(bucket)).catch((err: unknown) => {
      throw mapFsError(err, `bucket ${bucket}`);
    });
  }

  /** A tree walk (local-list.ts); the token is the page's last key, and the next page resumes after it. */
  async listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage> {
    await this.requireBucket(bucket);
    return this.pages.page(this.bucketDir(bucket), prefix, this.symlinks, token, limit, signal);
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | null> {
    const info = await this.statForRead(bucket, keySegments(key), key);
    return info?.isFile() ? objectInfoOf(key, info) : null;
  }

  async read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable> {
    const segments = keySegments(key);
    const label = `object ${bucket}/${key}`;
    const bucketDir = this.bucketDir(bucket);
    const direct = (await this.direct?.open(bucketDir, segments)) ?? null;
    let fd: number;
    let calls: FileCalls = THREADPOOL_CALLS;
    // The path checked after the last byte: by plain path when the open was proven, else folder by folder.
    let statPath: () => Promise<BigIntStats | null>;
    if (direct) {
      ({ fd, calls } = direct);
      statPath = () => direct.calls.lstat(direct.file).catch(() => null);
    } else {
      // Look before opening: opening a FIFO would block, a socket fails with ENXIO; neither is an object.
      const found = await this.statForRead(bucket, segments, key);
      if (!found) throw new StorageError('NotFound', `${label} does not exist`);
      if (!found.isFile()) throw new StorageError('NotFound', `${label} is ${kindOf(found)}, not a file`);
      fd = await this.openForRead(bucket, segments, key);
      statPath = () => this.statForRead(bucket, segments, key).catch(() => null);
    }
    let version: string;
    let size: number;
    try {
      const info = await calls.fstat(fd);
      if (!info.isFile()) throw new StorageError('NotFound', `${label} is ${kindOf(info)}, not a file`);
      version = fileEtag(info);
      size = Number(info.size);
      if (ifMatch !== undefined && version !== ifMatch) {
        throw new SourceChangedError(`${label} is version ${version}, not the ${ifMatch} asked for`);
      }
    } catch (err) {
      await calls.close(fd);
      throw mapFsError(err, label);
    }
    if (signal?.aborted) {
      // Cancelled while opening: reject here rather than hand back a stream that is already destroyed.
      await calls.close(fd);
      signal.throwIfAborted();
    }
    return new FileVersionStream(fd, version, size, statPath, label, calls, signal);
  }

  async write(bucket: string, key: string, openSource: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    const segments = keySegments(key);
    const name = segments.pop()!;
    const label = `object ${bucket}/${key}`;
    await this.requireBucket(bucket);
    const dir = await openCheckedDir(this.bucketDir(bucket), segments, { create: true, key, anchor: this.anchor });
    try {
      await refuseNonFile(dir, name, key);
      return await writeInto(dir, name, openSource, size, options, label);
    } finally {
      await dir.close();
    }
  }

  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const bucketDir = this.bucketDir(bucket);
    const removed: string[] = [];
    for (const key of keys) {
      signal?.throwIfAborted();
      try {
        await this.removeOne(bucketDir, key);
      } catch (err) {
        const cause = mapFsError(err, `object ${bucket}/${key}`);
        throw new PartialRemoveError(cause.code, `${cause.message} (${removed.length} of ${keys.length} keys removed before it)`, removed, { cause });
      }
      removed.push(key);
    }
  }

  /**
   * Removes the partial file an interrupted write left (its name is all a local write journals).
   * Only a name this provider gives its partial files is ever deleted, whatever `state` says.
   */
  async abandonUpload(bucket: string, key: string, state: string): Promise<void> {
    const partial = partialFromJournal(state);
    if (!partial) return;
    const segments = keySegments(key);
    segments.pop();
    let dir: CheckedDir;
    try {
      dir = await openCheckedDir(this.bucketDir(bucket), segments, { create: false, key, anchor: this.anchor });
    } catch (err) {
      if (isStorageError(err, 'NotFound')) return;
      throw err;
    }
    try {
      await removePartial(dir, partial);
      await dir.removeEmptyFolders();
    } finally {
      await dir.close();
    }
  }

  /**
   * rename(2) between two checked folders (local-dirs.ts): atomic, and never through a symlink. The
   * check that nothing is at `toKey` comes right before the rename, so another process that puts a
   * file there in between is the race left open. Empty folders left at `fromKey` stay (a write or a
   * remove that follows uses or removes them).
   */
  async rename(bucket: string, fromKey: string, toKey: string): Promise<void> {
    const from = keySegments(fromKey);
    const fromName = from.pop()!;
    const to = keySegments(toKey);
    const toName = to.pop()!;
    const label = `object ${bucket}/${fromKey}`;
    await this.requireBucket(bucket);
    const bucketDir = this.bucketDir(bucket);
    const source = await openCheckedDir(bucketDir, from, { create: false, key: fromKey, anchor: this.anchor });
    try {
      const info = await source.lstatEntry(fromName);
      if (!info) throw new StorageError('NotFound', `${label} does not exist`);
      if (!info.isFile()) throw new PathBlockedError(fromKey, fromKey, kindOf(info), 'a file');
      const target = await openCheckedDir(bucketDir, to, { create: true, key: toKey, anchor: this.anchor });
      try {
        if (await target.lstatEntry(toName)) throw new StorageError('Fatal', `${label} was not moved: ${bucket}/${toKey} already exists`);
        await rename(await source.entry(fromName), await target.entry(toName)).catch((err: unknown) => {
          throw mapFsError(err, `moving ${label} to ${toKey}`);
        });
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  }

  async close(): Promise<void> {
    this.pages.close();
  }

  private async removeOne(bucketDir: string, key: string): Promise<void> {
    const segments = keySegments(key);
    const name = segments.pop()!;
    let dir: CheckedDir;
    try {
      dir = await openCheckedDir(bucketDir, segments, { create: false, key, anchor: this.anchor });
    } catch (err) {
      if (isStorageError(err, 'NotFound')) return; // a missing key is not an error
      throw err;
    }
    try {
      const info = await dir.lstatEntry(name);
      // Already gone (moved away by rename, say): its folders may be left empty.
      if (!info) return await dir.removeEmptyFolders();
      if (!info.isFile()) throw new PathBlockedError(key, key, kindOf(info), 'a file');
      await unlink(await dir.entry(name)).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') throw err;
      });
      await dir.removeEmptyFolders();
    } finally {
      await dir.close();
    }
  }

  /**
   * Opens a file to read under the symlink policy, O_NONBLOCK so that a FIFO raced into its place
   * cannot block (read() fstat's what it opened). NotFound when there is no regular file at the key.
   */
  private async openForRead(bucket: string, segments: readonly string[], key: string): Promise<number> {
    const label = `object ${bucket}/${key}`;
    const flags = fsConstants.O_RDONLY | O_NONBLOCK;
    const mapOpenError = (err: unknown): never => {
      const code = errnoCode(err);
      // ELOOP: a symlink under 'skip' (O_NOFOLLOW); ENXIO: a socket; ENOTDIR: a file where a folder was.
      if (code === 'ELOOP' || code === 'ENXIO' || code === 'ENOTDIR') throw new StorageError('NotFound', `${label}: no regular file there (${code})`, { cause: err });
      throw mapFsError(err, label);
    };
    if (this.symlinks === 'follow') return THREADPOOL_CALLS.open(path.join(this.bucketDir(bucket), ...segments), flags).catch(mapOpenError);
    return this.inCheckedDir(bucket, segments, key, async (dir, name) => THREADPOOL_CALLS.open(await dir.entry(name), flags | O_NOFOLLOW).catch(mapOpenError));
  }

  /** lstat (or stat, when following symlinks) of the entry at a key; null when nothing readable is there. */
  private async statForRead(bucket: string, segments: readonly string[], key: string) {
    try {
      if (this.symlinks === 'follow') return await stat(path.join(this.bucketDir(bucket), ...segments), { bigint: true });
      return await this.inCheckedDir(bucket, segments, key, (dir, name) => dir.lstatEntry(name));
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || isStorageError(err, 'NotFound')) return null;
      throw mapFsError(err, `object ${bucket}/${key}`);
    }
  }

  /** Runs `fn` in the checked folder of a key to read; a path through a symlink or a file reads as missing. */
  private async inCheckedDir<T>(bucket: string, segments: readonly string[], key: string, fn: (dir: CheckedDir, name: string) => Promise<T>): Promise<T> {
    const folders = segments.slice(0, -1);
    let dir: CheckedDir;
    try {
      dir = await openCheckedDir(this.bucketDir(bucket), folders, { create: false, key, anchor: this.anchor });
    } catch (err) {
      if (err instanceof PathBlockedError) throw new StorageError('NotFound', `object ${bucket}/${key}: ${err.message}`, { cause: err });
      throw err;
    }
    try {
      return await fn(dir, segments.at(-1)!);
    } finally {
      await dir.close();
    }
  }

  private bucketDir(bucket: string): string {
    if (!bucket || bucket === '.' || bucket === '..' || /[/\\\0]/.test(bucket)) {
      throw new StorageError('InvalidConfig', `"${bucket}" is not a valid local bucket name: use one folder name without slashes`, { field: 'bucket' });
    }
    return path.join(this.root, bucket);
  }

  private async requireBucket(bucket: string): Promise<void> {
    const dir = this.bucketDir(bucket);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new StorageError('NotFound', `bucket "${bucket}" does not exist (no folder ${dir})`);
  }
}

/** A write replaces a regular file or creates one; a symlink, folder or special file at the key is refused. */
async function refuseNonFile(dir: CheckedDir, name: string, key: string): Promise<void> {
  const info = await dir.lstatEntry(name);
  if (info && !info.isFile()) throw new PathBlockedError(key, key, kindOf(info), 'a file');
}
