// The one place where retry and pacing wrap a provider (restic's and rclone's way: cross-cutting
// behaviour from the outside, never repeated at each call site or inside each provider).
//
// - Every call is paced by the connection's Pacer, and a Throttled answer slows the whole connection.
// - Calls that are one request each (listBuckets, head, remove, bucket calls, abandonUpload) are
//   retried with backoff when Transient/Throttled.
// - A listing that fails part way is listed again and continues after the last key it yielded
//   (keys come in strictly ascending order), so one bad page never fails a run.
// - `read`, `write` and `copy` are paced but not retried here: the engine retries a copy as a whole
//   (transfer.ts), because a retry must look the source up again before it reads it.
// - An abort error while the caller's signal has not fired is reported as Transient: only the
//   caller's own signal means "cancelled".
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError, unexpectedAbortAsTransient } from './errors';
import { compareKeys } from '../lib/key-order';
import { Pacer } from './pacer';
import type { ObjectInfo, OpenSource, SkippedEntry, StorageProvider, WriteOptions, WriteResult } from './provider';
import { DEFAULT_RETRY, backoffDelay, isRetryable, withRetry, type RetryPolicy } from './retry';

export interface ResilienceOptions {
  retry?: RetryPolicy;
  /** Shared by every user of this connection; a new one per wrapper when not given. */
  pacer?: Pacer;
  /** Told about every retry, e.g. for a log line. */
  onRetry?: (what: string, err: unknown, attempt: number, delayMs: number) => void;
}

/** Upper bound on restarts of one listing, beyond the retry policy's attempts per restart. */
const MAX_LISTING_RESTARTS = 20;

export function resilient(inner: StorageProvider, options: ResilienceOptions = {}): StorageProvider {
  return new ResilientProvider(inner, options.retry ?? DEFAULT_RETRY, options.pacer ?? new Pacer(), options.onRetry);
}

class ResilientProvider implements StorageProvider {
  readonly type: StorageProvider['type'];
  readonly capabilities: StorageProvider['capabilities'];
  readonly copy?: StorageProvider['copy'];
  readonly abandonUpload?: StorageProvider['abandonUpload'];

  constructor(
    private readonly inner: StorageProvider,
    private readonly retry: RetryPolicy,
    readonly pacer: Pacer,
    private readonly onRetry: ResilienceOptions['onRetry'],
  ) {
    this.type = inner.type;
    this.capabilities = inner.capabilities;
    if (inner.copy) {
      this.copy = (srcBucket, srcKey, dstBucket, dstKey, signal) =>
        this.paced(`copy ${srcBucket}/${srcKey}`, signal, () => inner.copy!(srcBucket, srcKey, dstBucket, dstKey, signal));
    }
    if (inner.abandonUpload) {
      this.abandonUpload = (bucket, key, state, signal) =>
        this.retried(`abort upload ${bucket}/${key}`, signal, () => inner.abandonUpload!(bucket, key, state, signal));
    }
  }

  listBuckets(signal?: AbortSignal): Promise<string[]> {
    return this.retried('list buckets', signal, () => this.inner.listBuckets(signal));
  }

  createBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    return this.retried(`create bucket ${bucket}`, signal, () => this.inner.createBucket(bucket, signal));
  }

  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    return this.retried(`delete bucket ${bucket}`, signal, () => this.inner.deleteBucket(bucket, signal));
  }

  head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    return this.retried(`head ${bucket}/${key}`, signal, () => this.inner.head(bucket, key, signal));
  }

  read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string) {
    return this.paced(`read ${bucket}/${key}`, signal, () => this.inner.read(bucket, key, signal, ifMatch));
  }

  write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    return this.paced(`write ${bucket}/${key}`, options.signal, () => this.inner.write(bucket, key, open, size, options));
  }

  remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    // Deleting a key twice is harmless (missing keys are not an error), so a whole batch may be retried.
    return this.retried(`remove from ${bucket}`, signal, () => this.inner.remove(bucket, keys, signal));
  }

  async *list(bucket: string, prefix: string, signal?: AbortSignal, onSkipped?: (entry: SkippedEntry) => void): AsyncIterable<ObjectInfo> {
    let lastKey: string | undefined;
    const reported = new Set<string>();
    const skipped = onSkipped && ((entry: SkippedEntry) => !reported.has(entry.key) && (reported.add(entry.key), onSkipped(entry)));
    let failuresInARow = 0;
    for (let restart = 0; ; restart++) {
      try {
        await this.pacer.wait(signal);
        for await (const info of this.inner.list(bucket, prefix, signal, skipped)) {
          if (lastKey !== undefined && compareKeys(info.key, lastKey) <= 0) continue; // yielded before the restart
          failuresInARow = 0;
          lastKey = info.key;
          yield info;
        }
        this.pacer.succeeded();
        return;
      } catch (err) {
        const failure = unexpectedAbortAsTransient(err, signal, `list ${bucket}`);
        this.noteFailure(failure);
        failuresInARow++;
        const giveUp = failuresInARow >= this.retry.attempts || restart >= MAX_LISTING_RESTARTS;
        if (!isRetryable(failure) || signal?.aborted || giveUp) throw failure;
        // Failures without progress back off like retries of one call; a new key resets that.
        const delay = backoffDelay(this.retry, failuresInARow);
        this.onRetry?.(`list ${bucket}${lastKey === undefined ? '' : ` after ${lastKey}`}`, failure, failuresInARow, delay);
        await sleep(delay, undefined, { signal });
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** One paced call, retried with backoff when it fails Transient/Throttled. */
  private retried<T>(what: string, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    return withRetry(() => this.paced(what, signal, call), this.retry, {
      signal,
      onRetry: (err, attempt, delay) => this.onRetry?.(what, err, attempt, delay),
    });
  }

  /** One call, after the pacer allows it; its outcome adjusts the pacer. */
  private async paced<T>(what: string, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    await this.pacer.wait(signal);
    try {
      const result = await call();
      this.pacer.succeeded();
      return result;
    } catch (err) {
      const failure = unexpectedAbortAsTransient(err, signal, what);
      this.noteFailure(failure);
      throw failure;
    }
  }

  private noteFailure(err: unknown): void {
    if (err instanceof StorageError && err.code === 'Throttled') this.pacer.throttled();
  }
}
