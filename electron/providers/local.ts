// Local-folder provider: the root folder holds one sub-folder per bucket; keys are paths relative to
// the bucket folder, with '/' separators. Useful to try the app without a cloud account and as a
// sync source/target for backups.
import { createHash } from 'node:crypto';
import { constants as fsConstants, createReadStream } from 'node:fs';
import { once } from 'node:events';
import { copyFile, mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalSettings } from '../../shared/model';
import { compareKeys } from '../sync/key-order';
import { StorageError, isAbortError } from './errors';
import type { ObjectInfo, OpenSource, StorageProvider, WriteOptions, WriteResult } from './provider';

/** Partially written files carry this marker; listings skip them and they never replace a real file until complete. */
const PARTIAL_MARKER = '.cds-partial-';

export function createLocalProvider(settings: LocalSettings): StorageProvider {
  if (!settings.root || !path.isAbsolute(settings.root)) {
    throw new StorageError('InvalidConfig', `local root must be an absolute folder path, got "${settings.root}"`, { field: 'local.root' });
  }
  return new LocalProvider(path.resolve(settings.root));
}

class LocalProvider implements StorageProvider {
  readonly type = 'local' as const;
  readonly capabilities = {
    serverSideCopy: true,
    metadata: false,
    md5InListing: false,
    multipartThreshold: Number.POSITIVE_INFINITY,
  };

  constructor(private readonly root: string) {}

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

  async *list(bucket: string, prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    const bucketDir = this.bucketDir(bucket);
    await this.requireBucket(bucket);
    yield* this.walk(bucketDir, '', prefix, signal);
  }

  /**
   * Depth-first walk in global UTF-8 byte order of keys: siblings are sorted with a directory's name
   * compared as `name/`, which is exactly where its keys fall among its siblings' keys.
   */
  private async *walk(dir: string, relDir: string, prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    signal?.throwIfAborted();
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw mapFsError(err, `folder ${dir}`);
    }
    const sorted = entries
      .filter((e) => !e.name.includes(PARTIAL_MARKER))
      .map((e) => ({ entry: e, sortName: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => compareKeys(a.sortName, b.sortName));
    for (const { entry, sortName } of sorted) {
      const rel = relDir + sortName;
      if (entry.isDirectory()) {
        // Descend only where keys with the prefix can be.
        if (rel.startsWith(prefix) || prefix.startsWith(rel)) yield* this.walk(path.join(dir, entry.name), rel, prefix, signal);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && rel.startsWith(prefix)) {
        const info = await this.statObject(path.join(dir, entry.name), rel);
        if (info) yield info;
      }
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | null> {
    return this.statObject(this.objectPath(bucket, key), key);
  }

  async read(bucket: string, key: string): Promise<Readable> {
    // The callback-based stream costs far less per file than a FileHandle stream; waiting for its
    // 'open' turns a missing file into NotFound here rather than an error event later.
    const stream = createReadStream(this.objectPath(bucket, key));
    try {
      await once(stream, 'open');
    } catch (err) {
      throw mapFsError(err, `object ${bucket}/${key}`);
    }
    return stream;
  }

  async write(bucket: string, key: string, openSource: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    await this.requireBucket(bucket);
    const target = this.objectPath(bucket, key);
    const partial = partialPathFor(target);
    const md5 = createHash('md5');
    let written = 0;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      const source = await openSource();
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          md5.update(chunk);
          written += chunk.length;
          done(null, chunk);
        },
      });
      const handle = await open(partial, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
      await pipeline(source, measure, handle.createWriteStream(), { signal: options.signal });
      if (written !== size) {
        throw new StorageError('Fatal', `object ${bucket}/${key}: source gave ${written} bytes, expected ${size}`);
      }
      await rename(partial, target);
    } catch (err) {
      await unlink(partial).catch(() => undefined);
      if (isAbortError(err)) throw err;
      throw mapFsError(err, `object ${bucket}/${key}`);
    }
    const info = await this.statObject(target, key);
    if (!info) throw new StorageError('Transient', `object ${bucket}/${key} vanished right after it was written`);
    return { etag: info.etag, md5: md5.digest('hex'), size: written, lastModified: info.lastModified };
  }

  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const bucketDir = this.bucketDir(bucket);
    for (const key of keys) {
      signal?.throwIfAborted();
      const file = this.objectPath(bucket, key);
      try {
        await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw mapFsError(err, `object ${bucket}/${key}`);
      }
      await removeEmptyParents(path.dirname(file), bucketDir);
    }
  }

  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string): Promise<WriteResult> {
    const source = this.objectPath(srcBucket, srcKey);
    const target = this.objectPath(dstBucket, dstKey);
    const partial = partialPathFor(target);
    await this.requireBucket(dstBucket);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(source, partial, fsConstants.COPYFILE_EXCL);
      await rename(partial, target);
    } catch (err) {
      await unlink(partial).catch(() => undefined);
      throw mapFsError(err, `copy ${srcBucket}/${srcKey} → ${dstBucket}/${dstKey}`);
    }
    const info = await this.statObject(target, dstKey);
    if (!info) throw new StorageError('Transient', `object ${dstBucket}/${dstKey} vanished right after it was copied`);
    return { etag: info.etag, size: info.size, lastModified: info.lastModified };
  }

  async close(): Promise<void> {}

  private bucketDir(bucket: string): string {
    if (!bucket || bucket === '.' || bucket === '..' || /[/\\\0]/.test(bucket)) {
      throw new StorageError('InvalidConfig', `"${bucket}" is not a valid local bucket name: use one folder name without slashes`, { field: 'bucket' });
    }
    return path.join(this.root, bucket);
  }

  private objectPath(bucket: string, key: string): string {
    const segments = key.split('/');
    // Keys that cannot be a file path (empty segments, '.', '..', folder markers ending in '/') are
    // refused rather than silently renamed, so a sync never writes outside the bucket folder.
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0') || s.includes('\\') || s.includes(PARTIAL_MARKER))) {
      throw new StorageError('Fatal', `key "${key}" cannot be stored as a file in a local folder`);
    }
    return path.join(this.bucketDir(bucket), ...segments);
  }

  private async requireBucket(bucket: string): Promise<void> {
    const dir = this.bucketDir(bucket);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new StorageError('NotFound', `bucket "${bucket}" does not exist (no folder ${dir})`);
  }

  private async statObject(file: string, key: string): Promise<ObjectInfo | null> {
    try {
      const info = await stat(file, { bigint: true });
      if (!info.isFile()) return null;
      const size = Number(info.size);
      // Size + nanosecond mtime changes whenever the content is rewritten; hashing every file on each
      // listing would make a no-change re-sync read the whole folder.
      return { key, size, etag: `${info.size.toString(16)}-${info.mtimeNs.toString(16)}`, lastModified: Number(info.mtimeMs) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw mapFsError(err, `object ${key}`);
    }
  }
}

function partialPathFor(target: string): string {
  const random = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(target), `.${path.basename(target)}${PARTIAL_MARKER}${random}`);
}

async function removeEmptyParents(dir: string, stopAt: string): Promise<void> {
  let current = dir;
  while (current.length > stopAt.length && current.startsWith(stopAt)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or already gone): stop climbing
    }
    current = path.dirname(current);
  }
}

function mapFsError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = `${what}: ${e.message ?? String(err)}`;
  switch (e.code) {
    case 'ENOENT':
      return new StorageError('NotFound', message, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new StorageError('AccessDenied', message, { cause: err });
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
    case 'EAGAIN':
      return new StorageError('Transient', message, { cause: err });
    default:
      return new StorageError('Fatal', message, { cause: err });
  }
}
