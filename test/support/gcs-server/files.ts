// Object bytes live in files under the server's data directory, so a 64 MiB upload never sits in
// memory. Everything here streams.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CRC32C } from '@google-cloud/storage';

export interface ContentHashes {
  size: number;
  /** base64 MD5, as in md5Hash. */
  md5: string;
  /** base64 big-endian CRC32C, as in crc32c. */
  crc32c: string;
}

/** Flips the bits of the byte in the middle of `path` (nothing for an empty file). */
export async function flipMiddleByte(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size >> 1);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, size >> 1);
  } finally {
    await handle.close();
  }
}

/** CRC32C is the SDK's own (Castagnoli, table-based); its test pins it to the published check values. */
export async function hashFile(path: string): Promise<ContentHashes> {
  const md5 = createHash('md5');
  const crc = new CRC32C();
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    crc.update(chunk);
    size += chunk.length;
  }
  return { size, md5: md5.digest('base64'), crc32c: crc.toString() };
}

/**
 * Writes `source` to `path` (appending when `append`), dropping its first `skip` bytes. Resolves with
 * the number of bytes the source gave (skipped ones included); rejects if the source fails (e.g. the
 * client aborted the request), after the bytes that did arrive are on disk.
 */
export async function writeBody(source: AsyncIterable<Buffer>, path: string, options: { append?: boolean; skip?: number } = {}): Promise<number> {
  let toSkip = options.skip ?? 0;
  let read = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const raw of source) {
      read += raw.length;
      let chunk = raw;
      if (toSkip > 0) {
        const n = Math.min(toSkip, chunk.length);
        toSkip -= n;
        chunk = chunk.subarray(n);
      }
      if (chunk.length > 0) yield chunk;
    }
  }
  const file = createWriteStream(path, { flags: options.append ? 'a' : 'w' });
  try {
    await pipeline(counted(), file);
  } finally {
    // The caller looks at the file's size next (a resumable upload keeps what arrived).
    if (!file.closed) await once(file, 'close');
  }
  return read;
}

/** Appends bytes [start, end) of `from` to `to`. */
export async function appendRange(from: string, to: string, start: number, end: number): Promise<void> {
  if (end <= start) return;
  await pipeline(createReadStream(from, { start, end: end - 1 }), createWriteStream(to, { flags: 'a' }));
}
