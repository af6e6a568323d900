// Who hears about a provider stack's retries. A connection's provider is shared by every mapping that
// uses it, so the stack cannot know which run a retried listing page or delete batch belongs to; the
// call's signal can. A run registers its own signal (one per run, sync/runner.ts) with a reporter, and
// retrying.ts tells the reporter of the signal a retried call carries. A WeakMap: a finished run's
// signal takes its reporter with it.
import { isStorageError } from './errors';

export interface RetryReport {
  /** The call in words: "list bucket photos page 3", "remove 1000 keys from photos". */
  what: string;
  /** 'Throttled' or 'Transient' (only those are retried). */
  code: string;
  /** The attempt that failed (1 for the first); the retry is attempt + 1. */
  attempt: number;
  delayMs: number;
}

export type RetryReporter = (report: RetryReport) => void;

const reporters = new WeakMap<AbortSignal, RetryReporter>();

/** Retries of calls made with `signal` go to `reporter` until the returned function is called. */
export function reportRetriesOf(signal: AbortSignal, reporter: RetryReporter): () => void {
  reporters.set(signal, reporter);
  return () => {
    if (reporters.get(signal) === reporter) reporters.delete(signal);
  };
}

/** Tells the reporter registered for `signal`, if any; a reporter that throws is ignored. */
export function reportRetry(signal: AbortSignal | undefined, what: string, err: unknown, attempt: number, delayMs: number): void {
  const reporter = signal && reporters.get(signal);
  if (!reporter) return;
  try {
    reporter({ what, code: isStorageError(err) ? err.code : 'Transient', attempt, delayMs });
  } catch {
    // A watcher's failure must not fail the call it watches.
  }
}
