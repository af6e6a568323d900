// Retry as a wrapper: a call that is one request (a bucket call, head, remove, one listing page...)
// is retried with backoff when it fails Transient or Throttled. A listing is retried page by page,
// by the failed page's token, never restarted. A delete batch that stopped part way is retried for
// the keys it did not delete, and reports every key any attempt deleted. read, write, copy and
// writeFromUrl are not retried here: the engine retries a copy as a whole (transfer.ts), because a
// retry must look the source up again first.
// An abort error while the caller's signal has not fired is reported as Transient on every call:
// only the caller's own signal means "cancelled".
import { PartialRemoveError, StorageError, unexpectedAbortAsTransient } from './errors';
import type { StorageProvider } from './provider';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';
import { reportRetry } from './retry-reports';
import { wrap, type Operation } from './wrap';

export interface RetryingOptions {
  policy?: RetryPolicy;
  /** Told about every retry, e.g. for a log line. */
  onRetry?: (what: string, err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Calls not retried by `around`: whole transfers (the engine retries them, after a new look at the
 * source), remove, whose retry (retryRemove) needs the keys an attempt left, and rename, which a
 * retry after an unseen success would find gone.
 */
const NOT_RETRIED: ReadonlySet<Operation> = new Set(['read', 'write', 'copy', 'writeFromUrl', 'remove', 'rename']);

export function retrying(inner: StorageProvider, options: RetryingOptions = {}): StorageProvider {
  const policy = options.policy ?? DEFAULT_RETRY;
  const wrapped = wrap(inner, (call, run) => {
    const once = () =>
      run().catch((err: unknown) => {
        throw unexpectedAbortAsTransient(err, call.signal, call.what);
      });
    if (NOT_RETRIED.has(call.op)) return once();
    // Every call retried here is idempotent: a page by its token, createBucket accepts our own
    // bucket, and an abandoned upload that is gone is no error.
    return withRetry(once, policy, {
      signal: call.signal,
      onRetry: (err, attempt, delayMs) => {
        options.onRetry?.(call.what, err, attempt, delayMs);
        reportRetry(call.signal, call.what, err, attempt, delayMs);
      },
    });
  });
  // The wrapped provider with its remove replaced: each attempt still goes through `around` once.
  const provider = Object.create(wrapped) as StorageProvider;
  provider.remove = (bucket, keys, signal) => retryRemove(wrapped, bucket, keys, signal, policy, options.onRetry);
  return provider;
}

/**
 * Deletes `keys` through `provider` (one attempt each call), retrying a retryable failure for the
 * keys not yet deleted (a delete of a missing key is no error, so a retry is safe). When it gives up
 * after some attempt deleted keys, throws PartialRemoveError naming every key any attempt deleted,
 * classed like the last failure, which is its cause.
 */
async function retryRemove(
  provider: StorageProvider,
  bucket: string,
  keys: readonly string[],
  signal: AbortSignal | undefined,
  policy: RetryPolicy,
  onRetry: RetryingOptions['onRetry'],
): Promise<void> {
  const removed: string[] = [];
  let left = keys;
  try {
    await withRetry(
      async () => {
        try {
          await provider.remove(bucket, left, signal);
        } catch (err) {
          if (err instanceof PartialRemoveError) {
            const gone = new Set(err.removed);
            removed.push(...err.removed);
            left = left.filter((key) => !gone.has(key));
          }
          throw err;
        }
      },
      policy,
      {
        signal,
        onRetry: (err, attempt, delayMs) => {
          const what = `remove ${left.length} keys from ${bucket}`;
          onRetry?.(what, err, attempt, delayMs);
          reportRetry(signal, what, err, attempt, delayMs);
        },
      },
    );
  } catch (err) {
    // The last attempt's own PartialRemoveError already says everything when no earlier attempt deleted.
    if (removed.length === 0 || (err instanceof PartialRemoveError && err.removed.length === removed.length)) throw err;
    const failure = err instanceof Error ? err : new Error(String(err));
    // Classed like the last failure; an abort (the caller's, during a backoff) as removeEach does.
    const code = failure instanceof StorageError ? failure.code : 'Transient';
    throw new PartialRemoveError(code, `${failure.message}; over every attempt, ${removed.length} of ${keys.length} keys were deleted`, removed, { cause: failure });
  }
}
