// A synchronizer: the connections and mappings of a config, their providers (one per connection,
// created on first use and shared by every run), and a state. It runs one mapping or all of them;
// each run lists both sides, copies what changed, verifies it and records it (sync/runner.ts).
// What a library user sees of it; engine.ts builds it.
import type { Connection, Mapping, ProgressSnapshot, RunSummary } from '../../shared/model';
import type { StorageProvider } from '../providers/provider';
import type { ConnectionResolver, ProviderFactory } from '../services/sync-service';
import type { RunLogLine } from '../sync/ports';
import type { RunOutcome } from '../sync/runner';
import type { RunEvent } from '../sync/telemetry';
import type { SyncState } from './state';

export interface SynchronizerOptions {
  /** The connections, with their secrets; or a lookup, for connections that change while it lives (the app's). */
  connections: readonly Connection[] | ConnectionResolver;
  /** The mappings syncAll() runs and sync(id) finds; or a function, for mappings that change while it lives. */
  mappings: readonly Mapping[] | (() => readonly Mapping[]);
  /** Where runs and sync state are kept: memoryState() when not given, or openSqliteState(path). */
  state?: SyncState;
  /** Providers of your own (implementing StorageProvider), by the connection id mappings use for them. */
  providers?: Readonly<Record<string, StorageProvider>>;
  /** Builds the provider of a connection in `connections` (default: createProvider), e.g. to wrap it. */
  providerFactory?: ProviderFactory;
  /** Object transfers at once over every mapping running (default 32); each mapping also has its own `transfers`. */
  globalTransfers?: number;
  /**
   * Bandwidth limit shared by every mapping running, as config.json's top-level `bwLimit` (a config
   * from loadConfig() has it): "2M" bytes/s, or a weekly timetable; each mapping's own bwLimit applies too.
   */
  bwLimit?: string | null;
}

export interface SyncOptions {
  /** Aborts at once, transfers in flight included; the run ends 'cancelled'. */
  signal?: AbortSignal;
  /** A graceful stop: nothing new starts, transfers in flight finish; the run ends 'cancelled'. */
  stopSignal?: AbortSignal;
  /**
   * Plans and reports, changes nothing (also when the mapping is not a dry run). The run's providers
   * refuse every change, so a dry run cannot write even by mistake.
   */
  dryRun?: boolean;
  /** How many planned copies and deletes a dry run lists in its outcome's `preview` (default 50). */
  previewLimit?: number;
  /** The run is recorded: its id, before anything is listed. */
  onStart?: (run: RunSummary, mapping: Mapping) => void;
  /** At most about ten a second per run: objects and bytes done and planned, rate, ETA, transfers in flight. */
  onProgress?: (snapshot: ProgressSnapshot, mapping: Mapping) => void;
  /** Every line of the run's log (copies, skips, retries, errors), as the state records it. */
  onLog?: (line: RunLogLine, mapping: Mapping) => void;
  /**
   * What happens as it happens, for metrics, traces and structured logs: run started and finished,
   * each listing, each transfer, checks, deletes, retries (also of single requests: listing pages,
   * heads, delete batches), deletions held back. Synchronous and frequent (one event per object
   * checked): keep it cheap; what it throws is ignored.
   */
  onEvent?: (event: RunEvent, mapping: Mapping) => void;
  /** The run ended (syncAll: before the next mapping starts). */
  onFinish?: (outcome: RunOutcome, mapping: Mapping) => void;
}

/**
 * Runs mappings. Not safe to run one mapping twice at once (the runs would share its sync state);
 * different mappings may run at once and share `globalTransfers`. Built by createSynchronizer.
 */
export interface Synchronizer {
  /**
   * Runs one mapping (by id, or the mapping itself). Resolves with the finished run also when it
   * failed or was cancelled (run.status, run.firstError, run.errorCode); a mapping that could not
   * start (a provider that cannot be built) is recorded as a failed run. Throws RangeError for an id
   * that is not one of the mappings.
   */
  sync(mapping: string | Mapping, options?: SyncOptions): Promise<RunOutcome>;
  /**
   * Runs every enabled mapping once, one after the other, in order. Starts no further mapping once
   * `signal` or `stopSignal` fired. Resolves with the outcome of each mapping that ran.
   */
  syncAll(options?: SyncOptions): Promise<RunOutcome[]>;
  /** The mappings, as given. */
  mappings(): readonly Mapping[];
  /**
   * The provider of a connection: one of `providers`, or the one built for a connection in
   * `connections` (created on first use, shared with the runs, wrapped with retry and pacing).
   * Rejects with StorageError 'InvalidConfig' for a connection id it does not know.
   */
  provider(connectionId: string): Promise<StorageProvider>;
  /** Closes the providers (yours too), then the state (a SQLite state: the database and its lock). */
  close(): Promise<void>;
}
