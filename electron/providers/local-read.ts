// Reading one version of a local file: its version tag (the etag), and a stream that checks after
// the last byte that the file it read is still that version, so a consumer never takes bytes of two
// versions as one object.
import { fsync, read, type BigIntStats } from 'node:fs';
import { Readable, addAbortSignal } from 'node:stream';
import { SourceChangedError } from './errors';
import type { FileCalls } from './local-file-calls';
import { mapFsError } from './local-fs-errors';
import type { ObjectInfo } from './provider';

/**
 * The etag of a local file: size, nanosecond mtime and inode, in hex. The inode changes when the file
 * is replaced by another (an editor's save-by-rename, `mv`, rsync without --inplace), even one with
 * the same size and a preserved mtime (`cp -p`, `rsync -t`); size and mtime change on a rewrite in
 * place. ctime is left out although it would also catch a rewrite whose mtime was set back: it changes
 * on chmod, chown and on every new hard link (rsnapshot-style backups of a target folder), and each
 * change would copy the object again or, on a target, count as "changed by someone else".
 * Not seen by this tag: a same-size rewrite in place within one tick of the file system's clock
 * (~4 ms on Linux, 1 s on HFS+, 2 s on FAT) that keeps the inode — only hashing every file would.
 */
export function fileEtag(info: BigIntStats): string {
  return `${info.size.toString(16)}-${info.mtimeNs.toString(16)}-${info.ino.toString(16)}`;
}

export function objectInfoOf(key: string, info: BigIntStats): ObjectInfo {
  return { key, size: Number(info.size), etag: fileEtag(info), lastModified: Number(info.mtimeMs) };
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}

const CHUNK = 64 * 1024;

/**
 * Streams the open file `fd` (which it owns and closes, with `calls`), whose etag at open was
 * `version`. After the last byte and before ending, it fstat's the open file and stats its path
 * (`statPath`, null when nothing is there) again: when either is no longer `version` (rewritten in
 * place, replaced by a rename, deleted), the stream errors with SourceChangedError instead of ending.
 */
export class FileVersionStream extends Readable {
  private position = 0;
  private pending = false;
  private closeWhenIdle: (() => void) | undefined;

  constructor(
    private fd: number,
    private readonly version: string,
    /** The size fstat gave at open: once that many bytes are read, the end is confirmed rather than read. */
    private readonly size: number,
    private readonly statPath: () => Promise<BigIntStats | null>,
    private readonly label: string,
    private readonly calls: Pick<FileCalls, 'fstat' | 'close'>,
    signal?: AbortSignal,
  ) {
    // The signal is attached only now: given to super(), an already-aborted one would destroy the
    // stream before `fd` is assigned (parameter properties are set after super returns).
    super({ highWaterMark: CHUNK });
    if (signal) addAbortSignal(signal, this);
  }

  override _read(): void {
    // The file's whole size is read: the checks below answer whether that is the end, without a read
    // that returns 0 (a file that grew since opening is no longer this version).
    if (this.position >= this.size) return void this.endIfUnchanged();
    // No more than is left: a small file is one buffer of its size, not a 64 KiB one cut down.
    const want = Math.min(CHUNK, this.size - this.position);
    const buffer = Buffer.allocUnsafe(want);
    this.pending = true;
    read(this.fd, buffer, 0, want, this.position, (err, n) => {
      this.pending = false;
      if (this.closeWhenIdle) return this.closeWhenIdle();
      if (err) return void this.destroy(mapFsError(err, this.label));
      if (n === 0) return void this.endIfUnchanged();
      this.position += n;
      // A short read keeps a copy, not a view that would pin the whole buffer.
      this.push(n === want ? buffer : Buffer.from(buffer.subarray(0, n)));
    });
  }

  private async endIfUnchanged(): Promise<void> {
    this.pending = true;
    let outcome: Error | null = null;
    try {
      const [opened, atPath] = await Promise.all([this.calls.fstat(this.fd), this.statPath()]);
      const now = fileEtag(opened);
      if (now !== this.version) {
        outcome = new SourceChangedError(`${this.label} changed while it was read (version ${this.version} became ${now})`);
      } else if (!atPath || !atPath.isFile() || fileEtag(atPath) !== this.version) {
        outcome = new SourceChangedError(`${this.label} was replaced or removed while it was read`);
      }
    } catch (err) {
      outcome = mapFsError(err, this.label);
    }
    this.pending = false;
    if (this.closeWhenIdle) return this.closeWhenIdle();
    if (outcome) this.destroy(outcome);
    else this.push(null);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    const release = (): void => {
      const fd = this.fd;
      this.fd = -1;
      if (fd < 0) return callback(err);
      void this.calls.close(fd).then(() => callback(err));
    };
    // Never close the descriptor under a read in flight: the number could be reused meanwhile.
    if (this.pending) this.closeWhenIdle = release;
    else release();
  }
}
