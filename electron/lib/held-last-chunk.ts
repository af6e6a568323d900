// A pass-through that holds its last chunk back until the source has ended and a final check
// passed: a consumer that commits on the last byte (an upload with a declared length, a block list,
// a rename) never receives every byte of a source that then fails the check. Used by the size guard
// of uploads (providers/exact-size.ts) and by the source verification of copies (sync/verified-source.ts).
//
// A Transform fed by pipe(), not an async generator behind Readable.from: per small object that was
// ≈ 35 µs of CPU per layer (an async iterator over the source, a promise per chunk and per yield),
// against ≈ 2 µs; a small copy passes two such layers.
import { Readable, Transform, finished } from 'node:stream';

export interface ChunkChecks {
  /** Sees every non-empty chunk as it arrives; throwing fails the stream before that chunk is passed on. */
  chunk(data: Buffer): void;
  /** After the source ended, before the held chunk is released; throwing (or rejecting) fails the stream instead. */
  end(): void | Promise<void>;
}

/**
 * The bytes of `source`, unchanged, failing instead of ending when a check throws. An error or a
 * premature close of `source` fails the result; destroying the result destroys `source`.
 */
export function holdLastChunk(source: Readable, checks: ChunkChecks): Readable {
  let held: Buffer | undefined;
  const out = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (data.length === 0) return callback();
      try {
        checks.chunk(data);
      } catch (err) {
        return callback(err as Error);
      }
      const release = held;
      held = data;
      callback(null, release);
    },
    flush(callback) {
      let ended: void | Promise<void>;
      try {
        ended = checks.end();
      } catch (err) {
        return callback(err as Error);
      }
      const release = (): void => callback(null, held);
      if (ended instanceof Promise) ended.then(release, (err: unknown) => callback(err as Error));
      else release();
    },
  });
  // pipe() forwards neither errors nor a close without an end; without this the result would wait forever.
  finished(source, { writable: false }, (err) => {
    if (err) out.destroy(err);
  });
  out.once('close', () => source.destroy());
  source.pipe(out);
  return out;
}
