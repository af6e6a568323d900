// Retry policy for one provider call: exponential backoff with full jitter, for transient errors only.
import { setTimeout as sleep } from 'node:timers/promises';
import { isStorageError } from './errors';

export interface RetryPolicy {
  /** Total attempts including the first (>= 1). */
  attempts: number;
  /** First backoff ceiling in ms; doubles each attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Backoff before attempt `attempt + 1` (attempt counts from 1): random in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Only Throttled and Transient StorageErrors are retried; everything else (and aborts) fails at once. */
export function isRetryable(err: unknown): boolean {
  return isStorageError(err) && err.retryable;
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; onRetry?: (err: unknown, attempt: number, delayMs: number) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || !isRetryable(err) || options.signal?.aborted) throw err;
      const delay = backoffDelay(policy, attempt);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}
