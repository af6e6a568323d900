// Retry as a wrapper: a call that is one request (a bucket call, head, remove, one listing page...)
// is retried with backoff when it fails Transient or Throttled. A listing is retried page by page,
// by the failed page's token, never restarted. read, write and copy are not retried here: the engine
// retries a copy as a whole (transfer.ts), because a retry must look the source up again first.
// An abort error while the caller's signal has not fired is reported as Transient on every call:
// only the caller's own signal means "cancelled".
import { unexpectedAbortAsTransient } from './errors';
import type { StorageProvider } from './provider';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';
import { wrap, type Operation } from './wrap';

export interface RetryingOptions {
  policy?: RetryPolicy;
  /** Told about every retry, e.g. for a log line. */
  onRetry?: (what: string, err: unknown, attempt: number, delayMs: number) => void;
}

/** Calls that are whole transfers: the engine retries them, after a new look at the source. */
const NOT_RETRIED: ReadonlySet<Operation> = new Set(['read', 'write', 'copy']);

export function retrying(inner: StorageProvider, options: RetryingOptions = {}): StorageProvider {
  const policy = options.policy ?? DEFAULT_RETRY;
  return wrap(inner, (call, run) => {
    const once = () =>
      run().catch((err: unknown) => {
        throw unexpectedAbortAsTransient(err, call.signal, call.what);
      });
    if (NOT_RETRIED.has(call.op)) return once();
    // Every call retried here is idempotent: a page by its token, a delete of a missing key is no
    // error, createBucket accepts our own bucket, and an abandoned upload that is gone is no error.
    return withRetry(once, policy, {
      signal: call.signal,
      onRetry: (err, attempt, delayMs) => options.onRetry?.(call.what, err, attempt, delayMs),
    });
  });
}
