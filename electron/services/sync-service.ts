// Runs mappings: builds one provider per connection (one SDK client, reused by every run), applies
// the global transfer cap, guards dry runs, and records a failed run when a mapping cannot even
// start. The library's synchronizer (electron/library) runs on it, so the CLI, the desktop app and
// library users run mappings the same way; the app's API handlers (and previews) use it directly.
import type { Connection, Mapping } from '../../shared/model';
import type { StorageProvider } from '../providers/provider';
import { dryRun } from '../providers/dry-run';
import { isStorageError, StorageError } from '../providers/errors';
import { createProvider } from '../providers/registry';
import { wrapProvider } from '../providers/stack';
import { BandwidthLimit } from '../sync/bandwidth';
import { Limiter } from '../sync/limiter';
import type { EngineState, RunErrorCode } from '../sync/ports';
import { runMapping, type RunOptions, type RunOutcome } from '../sync/runner';
import { sameCopyScope } from './copy-scope';

/** Returns a connection WITH its secrets, or undefined when it does not exist. */
export type ConnectionResolver = (connectionId: string) => Connection | undefined;

export type ProviderFactory = (connection: Connection) => StorageProvider | Promise<StorageProvider>;

export type RunRequest = Pick<RunOptions, 'dryRun' | 'signal' | 'stopSignal' | 'onStart' | 'onProgress' | 'onLog' | 'onEvent' | 'retry' | 'previewLimit'> & {
  /** Where this run is recorded instead of the service's state (a preview of an unsaved mapping: an empty MemoryState). */
  state?: EngineState;
};

export interface SyncServiceOptions {
  /** Object transfers at once over every mapping running (default 32). */
  globalTransfers?: number;
  /** Bandwidth limit shared by every mapping running (shared/bandwidth.ts; default none); globalBandwidth.set changes it. */
  bwLimit?: string | null;
  /** Builds the provider of a resolved connection (default: createProvider). */
  providerFactory?: ProviderFactory;
  /**
   * Providers the caller built, by the connection id mappings use for them: found before any
   * connection is resolved, wrapped as built ones are, closed by close(), never forgotten.
   */
  providers?: Readonly<Record<string, StorageProvider>>;
}

export class SyncService {
  /** One provider per connection; a promise, since creating one may load its SDK. */
  private readonly providers = new Map<string, Promise<StorageProvider>>();
  /** The caller's own providers (SyncServiceOptions.providers), wrapped. */
  private readonly own: ReadonlyMap<string, StorageProvider>;
  private readonly factory: ProviderFactory;
  readonly globalLimiter: Limiter;
  /** The global bandwidth limit: every run's streamed bytes pass through it, besides their mapping's own. */
  readonly globalBandwidth: BandwidthLimit;

  /** `state`: where runs are recorded and sync state kept (the store's engineState, or a MemoryState). */
  constructor(
    private readonly state: EngineState,
    private readonly resolveConnection: ConnectionResolver,
    options: SyncServiceOptions = {},
  ) {
    this.globalLimiter = new Limiter(options.globalTransfers ?? 32);
    this.globalBandwidth = new BandwidthLimit(options.bwLimit);
    this.factory = options.providerFactory ?? createProvider;
    this.own = new Map(Object.entries(options.providers ?? {}).map(([id, provider]) => [id, wrapProvider(provider).provider]));
  }

  /** The provider of a connection: one of the caller's own, or the cached one, created on first use. */
  provider(connectionId: string): Promise<StorageProvider> {
    const own = this.own.get(connectionId);
    if (own) return Promise.resolve(own);
    const cached = this.providers.get(connectionId);
    if (cached) return cached;
    const connection = this.resolveConnection(connectionId);
    if (!connection) return Promise.reject(new StorageError('InvalidConfig', `connection "${connectionId}" does not exist`, { field: 'connectionId' }));
    // Retry and pacing wrap each connection's provider once, so a Throttled answer slows every
    // run and transfer on that connection together.
    const provider = Promise.resolve()
      .then(() => this.factory(connection))
      .then((inner) => wrapProvider(inner).provider);
    this.providers.set(connectionId, provider);
    // A connection whose provider cannot be built is retried next time (its settings may be fixed by then).
    provider.catch(() => this.providers.get(connectionId) === provider && this.providers.delete(connectionId));
    return provider;
  }

  /**
   * Runs one mapping. Errors that stop it before it starts are recorded as a failed run too. A dry
   * run (`request.dryRun` or `mapping.dryRun`) gets its providers behind the dry-run guard
   * (providers/dry-run.ts): the runner plans without changing anything, and should it ever try to,
   * the change is refused and the run fails instead of touching the target.
   */
  async run(mapping: Mapping, request: RunRequest = {}): Promise<RunOutcome> {
    let source: StorageProvider;
    let target: StorageProvider;
    try {
      [source, target] = await Promise.all([this.provider(mapping.sourceConnectionId), this.provider(mapping.targetConnectionId)]);
    } catch (err) {
      return this.recordUnstarted(mapping, err instanceof Error ? err.message : String(err), request, isStorageError(err) ? err.code : 'NotStarted');
    }
    // Over the shared provider, not a stack of its own: the run still shares the connection's pacer.
    const guarded = request.dryRun === true || mapping.dryRun;
    return runMapping({
      ...request,
      state: request.state ?? this.state,
      mapping,
      source: guarded ? dryRun(source) : source,
      target: guarded ? dryRun(target) : target,
      sameConnection: this.copiesServerSide(mapping),
      globalLimiter: this.globalLimiter,
      globalBandwidth: this.globalBandwidth,
      connectionName: (id) => this.resolveConnection(id)?.name ?? id,
    });
  }

  /**
   * Whether the mapping's target can copy from its source server-side: one connection, or two built
   * from settings with the same copy scope (copy-scope.ts). A caller's own provider is not built from
   * its settings, so it shares a scope with nothing but itself.
   */
  private copiesServerSide(mapping: Mapping): boolean {
    const { sourceConnectionId: source, targetConnectionId: target } = mapping;
    if (source === target) return true;
    if (this.own.has(source) || this.own.has(target)) return false;
    return sameCopyScope(this.resolveConnection(source), this.resolveConnection(target));
  }

  /**
   * Records a failed run of a mapping that could not start: `message` is its error and only log line,
   * `errorCode` what stopped it (a provider's StorageError code, or 'NotStarted').
   */
  async recordUnstarted(
    mapping: Mapping,
    message: string,
    request: Pick<RunRequest, 'dryRun' | 'onStart' | 'onLog' | 'onEvent' | 'state'> = {},
    errorCode: RunErrorCode = 'NotStarted',
  ): Promise<RunOutcome> {
    const recorder = await (request.state ?? this.state).journal.start(mapping.id, request.dryRun === true || mapping.dryRun);
    request.onStart?.(recorder.run);
    const line = { level: 'error', message, event: 'run.finished', code: errorCode } as const;
    recorder.log(line);
    request.onLog?.(line);
    const counts = { copied: 0, adopted: 0, skipped: 0, deleted: 0, failed: 0, bytesCopied: 0 };
    const run = await recorder.finish({ status: 'failed', counts, firstError: message, errorCode });
    // Watchers (metrics, alerts) see it as a run that failed at once: no listing, no transfer.
    try {
      request.onEvent?.({ type: 'run.finished', run });
    } catch {
      // A watcher's failure must not change the run it watches.
    }
    return { run, preview: { copies: [], deletes: [] }, excluded: [], bandwidth: null };
  }

  /** Drops the cached provider of a connection (after its settings changed); the caller's own stay. */
  async forget(connectionId: string): Promise<void> {
    const provider = this.providers.get(connectionId);
    this.providers.delete(connectionId);
    await provider?.then((p) => p.close(), () => undefined);
  }

  /** Closes every provider, the caller's own too. */
  async close(): Promise<void> {
    const all = [...this.providers.values(), ...[...this.own.values()].map((p) => Promise.resolve(p))];
    this.providers.clear();
    await Promise.allSettled(all.map((p) => p.then((provider) => provider.close())));
  }
}
