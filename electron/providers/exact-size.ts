// The start of every upload, shared by the object-store providers: the write's checks, its source
// opened behind a size guard (object stores take a declared Content-Length and happily store
// whatever arrives if a broken source ends early or runs long: the guard fails the stream instead),
// and the source tied to the request's cancellation.
import type { Readable } from 'node:stream';
import { holdLastChunk } from '../lib/held-last-chunk';
import { abortReason } from './abort';
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

/** A write's source, opened and guarded (see openUpload). */
export interface UploadBody {
  /** The source as open() gave it. */
  source: Readable;
  /** The source behind the exactSize guard: what the request sends. */
  body: Readable;
  /**
   * Fires on the caller's abort, a body error or fail(): give it to the SDK's request. An SDK pipes
   * a request body without watching it, so a failing source would otherwise leave the request
   * waiting for bytes forever.
   */
  cancel: AbortSignal;
  /** The first reason the upload failed on our side (a body error, fail()): the cause worth reporting, whatever the SDK says after it. */
  readonly failure: unknown;
  /** Fails the upload from outside (e.g. a stall watchdog): cancels the request with `reason`. */
  fail(reason: unknown): void;
  /** Detaches from the caller's signal and destroys both streams; call once the upload settled. */
  close(): void;
}

/**
 * Opens a write's source unless `signal` has already fired (an error from open() is classified as
 * a source error), wraps it in the exactSize guard, and ties both to a cancel signal: the caller's
 * abort destroys the body and cancels the request, and so does an error of the body.
 */
export async function openUpload(open: OpenSource, size: number, what: string, signal: AbortSignal | undefined): Promise<UploadBody> {
  signal?.throwIfAborted();
  const source = await open().catch((err: unknown) => {
    throw sourceError(err, what);
  });
  const body = exactSize(source, size, what);
  const cancel = new AbortController();
  let failure: unknown;
  const fail = (reason: unknown): void => {
    failure ??= reason;
    if (!cancel.signal.aborted) cancel.abort(reason);
  };
  body.once('error', fail);
  const onAbort = (): void => {
    const reason = abortReason(signal);
    if (!cancel.signal.aborted) cancel.abort(reason);
    body.destroy(reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort(); // while open() ran
  return {
    source,
    body,
    cancel: cancel.signal,
    get failure() {
      return failure;
    },
    fail,
    close: () => {
      signal?.removeEventListener('abort', onAbort);
      // Both: a guard destroyed before it read anything leaves its source open.
      body.destroy();
      source.destroy();
    },
  };
}

/**
 * Passes `source` through unchanged, failing with StorageError('Fatal') unless it yields exactly
 * `size` bytes. The last chunk is held back until the source has ended and the total is known, so a
 * consumer never receives all `size` bytes from a source that turns out longer or shorter: an HTTP
 * upload with Content-Length `size` is then never complete and the service never commits it.
 * Destroying the returned stream destroys `source`.
 */
export function exactSize(source: Readable, size: number, what: string): Readable {
  let total = 0;
  return holdLastChunk(source, {
    chunk: (data) => {
      total += data.length;
      if (total > size) throw sizeError(what, `more than the expected ${size}`);
    },
    end: () => {
      if (total !== size) throw sizeError(what, `${total}, expected ${size}`);
    },
  });
}

function sizeError(what: string, detail: string): StorageError {
  return new StorageError('Fatal', `${what}: the source gave ${detail} bytes, so the upload was not completed`);
}
