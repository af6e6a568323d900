// Writing one object into a checked local folder: a fresh partial file, named in the upload journal
// before it exists, filled from the source, fsync'ed, and renamed to its final name only after the
// source ended successfully.
import { createHash } from 'node:crypto';
import { constants as fsConstants, write } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError, classifyHttpError, unexpectedAbortAsTransient } from './errors';
import type { CheckedDir } from './local-dirs';
import { errnoCode, mapFsError } from './local-fs-errors';
import { isPartialName, partialName } from './local-names';
import { THREADPOOL_CALLS } from './local-file-calls';
import { fileEtag, fsyncFd } from './local-read';
import type { OpenSource, WriteOptions, WriteResult } from './provider';

const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/** The partial file name a write journaled (JSON `{ "partial": name }`), when it is one of ours. */
export function partialFromJournal(state: string | undefined): string | undefined {
  if (state === undefined) return undefined;
  try {
    const partial = (JSON.parse(state) as { partial?: unknown }).partial;
    return typeof partial === 'string' && isPartialName(partial) ? partial : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes a partial file of ours in `dir`; nothing there is not an error. */
export async function removePartial(dir: CheckedDir, partial: string): Promise<void> {
  const info = await dir.lstatEntry(partial);
  if (!info?.isFile()) return;
  await unlink(await dir.entry(partial)).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
}

/**
 * Streams the source into a new partial file in `dir` (O_EXCL|O_NOFOLLOW: never an existing file or
 * a symlink), fsyncs it and only then renames it over `name`, inside the same checked folder. Any
 * failure — the source erroring, even after its last byte; a wrong size; the signal — removes the
 * partial file and leaves the previous object as it was.
 */
export async function writeInto(dir: CheckedDir, name: string, openSource: OpenSource, size: number, options: WriteOptions, label: string): Promise<WriteResult> {
  const partial = partialName();
  const md5 = createHash('md5');
  let written = 0;
  // Which side failed first: the source's own error (the engine's checksum check, a network reset)
  // is classed as such, not as a file-system error; the other side then only echoes it.
  let firstError: { from: 'source' | 'file'; err: unknown } | undefined;
  const record = (from: 'source' | 'file') => (err: unknown) => {
    firstError ??= { from, err };
  };
  const { journal } = options;
  // A partial file a killed attempt at this same version left behind: ours to delete (when that
  // fails, the journal keeps naming it).
  const leftover = partialFromJournal(journal?.load());
  if (leftover) {
    try {
      await removePartial(dir, leftover);
    } catch (err) {
      throw mapFsError(err, label);
    }
  }
  let created = false;
  try {
    // Journaled before it exists, so a kill at any moment leaves no partial file the engine cannot name.
    journal?.save(JSON.stringify({ partial }));
    const source = await openSource();
    source.once('error', record('source'));
    const fd = await THREADPOOL_CALLS.open(await dir.entry(partial), fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | O_NOFOLLOW).catch((err: unknown) => {
      source.destroy();
      throw err;
    });
    created = true;
    let etag: string;
    let lastModified: number;
    try {
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          md5.update(chunk);
          written += chunk.length;
          done(null, chunk);
        },
      });
      // `fd` stays ours for the fsync and the one close below.
      const file = new DescriptorWriter(fd);
      file.once('error', record('file'));
      try {
        await pipeline(source, measure, file, { signal: options.signal });
      } finally {
        // A destroyed stream emits 'close' only once its write in flight is done: never close the fd under it.
        if (file.destroyed && !file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      }
      if (written !== size) throw new StorageError('Fatal', `${label}: source gave ${written} bytes, expected ${size}`);
      // Durable before it gets its name: a crash after the rename must not leave an empty or short file.
      await fsyncFd(fd);
      const info = await THREADPOOL_CALLS.fstat(fd);
      etag = fileEtag(info); // a rename keeps size, mtime and inode
      lastModified = Number(info.mtimeMs);
    } finally {
      await THREADPOOL_CALLS.close(fd);
    }
    await rename(await dir.entry(partial), await dir.entry(name));
    created = false;
    journal?.clear();
    return { etag, md5: md5.digest('hex'), size: written, lastModified };
  } catch (err) {
    // The journal is cleared only when no partial file is left, so abandonUpload can still find one.
    const cleaned = !created || (await removePartial(dir, partial).then(() => true, () => false));
    if (cleaned) journal?.clear();
    options.signal?.throwIfAborted();
    if (firstError?.from === 'source') throw classifyHttpError(unexpectedAbortAsTransient(firstError.err, options.signal, label), label);
    throw mapFsError(unexpectedAbortAsTransient(err, options.signal, label), label);
  }
}

/**
 * Writes a stream into an open file it does not own. fs.WriteStream will not do: a destroyed one
 * (pipeline destroys it on any error) closes its descriptor even with autoClose false, and the
 * owner's own close then closes a number the process may meanwhile have given to another file or
 * to a checked folder — whose /proc/self/fd/N would then name another place.
 */
class DescriptorWriter extends Writable {
  private inFlight: Promise<void> | undefined;

  constructor(private readonly fd: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.inFlight = writeAll(this.fd, chunk);
    this.inFlight.then(() => done(), done);
  }

  /** Never gives the descriptor back while a write to it is in flight. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    const settled = this.inFlight?.catch(() => undefined) ?? Promise.resolve();
    void settled.then(() => callback(err));
  }
}

async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const from = offset;
    const n = await new Promise<number>((resolve, reject) => {
      write(fd, chunk, from, chunk.length - from, null, (err, written) => (err ? reject(err) : resolve(written)));
    });
    if (n <= 0) throw new StorageError('Fatal', `the file system accepted no bytes of a write (${chunk.length - from} left)`);
    offset += n;
  }
}
