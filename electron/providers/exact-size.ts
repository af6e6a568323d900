// Size guard for uploads: object stores take a declared Content-Length and happily store whatever
// arrives if a broken source ends early or runs long. This guard fails the stream instead.
import { Readable } from 'node:stream';
import { StorageError } from './errors';
import type { OpenSource } from './provider';
import { expectedMd5, sourceError } from './s3-common';

/**
 * The checks every object-store write starts with: `size` must be a whole byte count and the
 * caller's MD5, if any, 32 hex digits (returned in lower case). `what` names the write in messages.
 */
export function checkWrite(bucket: string, key: string, size: number, md5: string | undefined): { what: string; md5: string | undefined } {
  const what = `write ${bucket}/${key}`;
  if (!Number.isSafeInteger(size) || size < 0) throw new StorageError('Fatal', `${what}: invalid size ${size}`);
  return { what, md5: expectedMd5(md5, what) };
}

/**
 * Opens a write's source unless `signal` has already fired, and wraps it in the exactSize guard
 * (`body`). An error from open() is classified as a source error.
 */
export async function openExactly(open: OpenSource, size: number, what: string, signal: AbortSignal | undefined): Promise<{ source: Readable; body: Readable }> {
  signal?.throwIfAborted();
  const source = await open().catch((err: unknown) => {
    throw sourceError(err, what);
  });
  return { source, body: exactSize(source, size, what) };
}

/**
 * Passes `source` through unchanged, failing with StorageError('Fatal') unless it yields exactly
 * `size` bytes. The last chunk is held back until the source has ended and the total is known, so a
 * consumer never receives all `size` bytes from a source that turns out longer or shorter: an HTTP
 * upload with Content-Length `size` is then never complete and the service never commits it.
 * Destroying the returned stream destroys `source`.
 */
export function exactSize(source: Readable, size: number, what: string): Readable {
  async function* checked(): AsyncGenerator<Buffer> {
    let total = 0;
    let held: Buffer | undefined;
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (buf.length === 0) continue;
      total += buf.length;
      if (total > size) throw sizeError(what, `more than the expected ${size}`);
      if (held) yield held;
      held = buf;
    }
    if (total !== size) throw sizeError(what, `${total}, expected ${size}`);
    if (held) yield held;
  }
  const guarded = Readable.from(checked(), { objectMode: false });
  // Closing the guard before its first read never starts the generator: close the source directly.
  guarded.once('close', () => source.destroy());
  return guarded;
}

function sizeError(what: string, detail: string): StorageError {
  return new StorageError('Fatal', `${what}: the source gave ${detail} bytes, so the upload was not completed`);
}
