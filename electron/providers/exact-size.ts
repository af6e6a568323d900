// Size guard for uploads: object stores take a declared Content-Length and happily store whatever
// arrives if a broken source ends early or runs long. This guard fails the stream instead.
import { Readable } from 'node:stream';
import { StorageError } from './errors';

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
  return Readable.from(checked(), { objectMode: false });
}

function sizeError(what: string, detail: string): StorageError {
  return new StorageError('Fatal', `${what}: the source gave ${detail} bytes, so the upload was not completed`);
}
