// A synchronizer: the connections and mappings of a config, their providers (one per connection,
// created on first use and shared by every run), and a state. It runs one mapping or all of them;
// each run lists both sides, copies what changed, verifies it and records it (sync/runner.ts).
import type { Connection, Mapping, ProgressSnapshot, RunSummary } from '../../shared/model';
import type { StorageProvider } from '../providers/provider';
import { wrapProvider } from '../providers/stack';
import { SyncService, type ConnectionResolver, type ProviderFactory } from '../services/sync-service';
import type { RunLogLine } from '../sync/ports';
import type { RunOutcome } from '../sync/runner';
import { memoryState, type SyncState } from './state';

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
}

export interface SyncOptions {
  /** Aborts at once, transfers in flight included; the run ends 'cancelled'. */
  signal?: AbortSignal;
  /** A graceful stop: nothing new starts, transfers in flight finish; the run ends 'cancelled'. */
  stopSignal?: AbortSignal;
  /** Plans and reports, changes nothing (also when the mapping is not a dry run). */
  dryRun?: boolean;
  /** How many planned copies and deletes a dry run lists in its outcome's `preview` (default 50). */
  previewLimit?: number;
  /** The run is recorded: its id, before anything is listed. */
  onStart?: (run: RunSummary, mapping: Mapping) => void;
  /** At most about ten a second per run: objects and bytes done and planned, rate, ETA, transfers in flight. */
  onProgress?: (snapshot: ProgressSnapshot, mapping: Mapping) => void;
  /** Every line of the run's log (copies, skips, retries, errors), as the state records it. */
  onLog?: (line: RunLogLine, mapping: Mapping) => void;
  /** The run ended (syncAll: before the next mapping starts). */
  onFinish?: (outcome: RunOutcome, mapping: Mapping) => void;
}

/**
 * Runs mappings. Not safe to run one mapping twice at once (the runs would share its sync state);
 * different mappings may run at once and share `globalTransfers`.
 */
export class Synchronizer extends SyncService {
  private readonly listMappings: () => readonly Mapping[];
  private readonly ownState: SyncState;
  /** Providers of the caller's own, wrapped as the built-in ones are (retry, pacing): by connection id. */
  private readonly own: Map<string, StorageProvider>;

  constructor(options: SynchronizerOptions) {
    const state: SyncState = options.state ?? memoryState();
    const { connections, mappings } = options;
    const byId = typeof connections === 'function' ? undefined : new Map(connections.map((c) => [c.id, c]));
    super(state, byId ? (id) => byId.get(id) : (connections as ConnectionResolver), {
      globalTransfers: options.globalTransfers,
      providerFactory: options.providerFactory,
    });
    this.ownState = state;
    this.own = new Map(Object.entries(options.providers ?? {}).map(([id, provider]) => [id, wrapProvider(provider).provider]));
    this.listMappings = typeof mappings === 'function' ? mappings : () => mappings;
    if (byId && typeof mappings !== 'function') state.register?.([...byId.values()], mappings);
  }

  /** The provider of a connection: one of `providers`, or the one built for a connection in `connections`. */
  override provider(connectionId: string): Promise<StorageProvider> {
    const own = this.own.get(connectionId);
    return own ? Promise.resolve(own) : super.provider(connectionId);
  }

  /** The mappings, as given. */
  mappings(): readonly Mapping[] {
    return this.listMappings();
  }

  /**
   * Runs one mapping (by id, or the mapping itself). Resolves with the finished run also when it
   * failed or was cancelled (run.status, run.firstError, run.errorCode); a mapping that could not
   * start (a provider that cannot be built) is recorded as a failed run.
   */
  async sync(mapping: string | Mapping, options: SyncOptions = {}): Promise<RunOutcome> {
    const m = typeof mapping === 'string' ? this.find(mapping) : mapping;
    const outcome = await this.run(m, {
      signal: options.signal,
      stopSignal: options.stopSignal,
      dryRun: options.dryRun,
      previewLimit: options.previewLimit,
      onStart: options.onStart && ((run) => options.onStart!(run, m)),
      onProgress: options.onProgress && ((snapshot) => options.onProgress!(snapshot, m)),
      onLog: options.onLog && ((line) => options.onLog!(line, m)),
    });
    options.onFinish?.(outcome, m);
    return outcome;
  }

  /**
   * Runs every enabled mapping once, one after the other, in order. Starts no further mapping once
   * `signal` or `stopSignal` fired. Resolves with the outcome of each mapping that ran.
   */
  async syncAll(options: SyncOptions = {}): Promise<RunOutcome[]> {
    const outcomes: RunOutcome[] = [];
    for (const mapping of this.listMappings()) {
      if (options.signal?.aborted || options.stopSignal?.aborted) break;
      if (!mapping.enabled) continue;
      outcomes.push(await this.sync(mapping, options));
    }
    return outcomes;
  }

  /** Closes the providers (yours too), then the state (a SQLite state: the database and its lock). */
  override async close(): Promise<void> {
    try {
      await Promise.allSettled([super.close(), ...[...this.own.values()].map((p) => p.close())]);
    } finally {
      await this.ownState.close?.();
    }
  }

  private find(id: string): Mapping {
    const mapping = this.listMappings().find((m) => m.id === id);
    if (!mapping) throw new RangeError(`no mapping "${id}" (mapping ids: ${this.listMappings().map((m) => m.id).join(', ') || 'none'})`);
    return mapping;
  }
}

/** Builds a synchronizer; see SynchronizerOptions. A config from loadConfig() has the connections and mappings. */
export function createSynchronizer(options: SynchronizerOptions): Synchronizer {
  return new Synchronizer(options);
}
