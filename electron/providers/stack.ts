// The one place a connection's provider is wrapped (restic's backend wrappers, composed):
//
//   dryRun?(retrying(paced(logged?(counted(provider)))))
//
// - dry run outermost: a refused change is never paced, retried, logged or counted;
// - retrying outside pacing: every attempt waits its turn, and each Throttled attempt slows the
//   connection;
// - logged inside pacing: an attempt's duration is the provider's, not the time it waited;
// - counted innermost: what the service was asked, every attempt.
import { counted, RequestCounts } from './counted';
import { dryRun } from './dry-run';
import { logged, type CallRecord } from './logged';
import { paced } from './paced';
import { Pacer } from './pacer';
import type { StorageProvider } from './provider';
import { retrying, type RetryingOptions } from './retrying';
import type { RetryPolicy } from './retry';

export interface StackOptions {
  retry?: RetryPolicy;
  onRetry?: RetryingOptions['onRetry'];
  /** The connection's pacer; a new one when not given. */
  pacer?: Pacer;
  /** Refuse every change (see dry-run.ts). */
  dryRun?: boolean;
  /** Told about every call the provider settles (see logged.ts). */
  log?: (record: CallRecord) => void;
}

export interface ProviderStack {
  provider: StorageProvider;
  /** Calls that reached the provider inside, per operation. */
  counts: RequestCounts;
  pacer: Pacer;
}

export function wrapProvider(inner: StorageProvider, options: StackOptions = {}): ProviderStack {
  const counts = new RequestCounts();
  const pacer = options.pacer ?? new Pacer();
  let provider = counted(inner, counts);
  if (options.log) provider = logged(provider, options.log);
  provider = retrying(paced(provider, pacer), { policy: options.retry, onRetry: options.onRetry });
  if (options.dryRun) provider = dryRun(provider);
  return { provider, counts, pacer };
}
