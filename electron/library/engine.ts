// Builds a synchronizer over the SyncService it runs on. A library user gets the synchronizer alone
// (createSynchronizer, exported by index.ts); the app's core also takes the service (createEngine,
// which index.ts does not export and whose declarations the build strips, as @internal), because its
// API handlers need more of it: previews, forgetting a connection whose settings changed, resizing
// the global transfer limit, recording a run held back.
import type { Mapping } from '../../shared/model';
import type { StorageProvider } from '../providers/provider';
import { SyncService, type ConnectionResolver } from '../services/sync-service';
import type { RunOutcome } from '../sync/runner';
import { memoryState, type SyncState } from './state';
import type { Synchronizer, SynchronizerOptions, SyncOptions } from './synchronizer';

/** @internal */
export interface Engine {
  synchronizer: Synchronizer;
  /** The service the synchronizer runs on: same providers, limiter and state. */
  service: SyncService;
}

/** Builds a synchronizer; see SynchronizerOptions. A config from loadConfig() has the connections and mappings. */
export function createSynchronizer(options: SynchronizerOptions): Synchronizer {
  return createEngine(options).synchronizer;
}

/** @internal For the app's core: a synchronizer and the service it runs on. */
export function createEngine(options: SynchronizerOptions): Engine {
  const state: SyncState = options.state ?? memoryState();
  const { connections, mappings } = options;
  const byId = typeof connections === 'function' ? undefined : new Map(connections.map((c) => [c.id, c]));
  const resolve: ConnectionResolver = byId ? (id) => byId.get(id) : (connections as ConnectionResolver);
  const service = new SyncService(state, resolve, {
    globalTransfers: options.globalTransfers,
    bwLimit: options.bwLimit,
    providerFactory: options.providerFactory,
    providers: options.providers,
  });
  if (byId && typeof mappings !== 'function') state.register?.([...byId.values()], mappings);
  const list = typeof mappings === 'function' ? mappings : () => mappings;
  return { synchronizer: new ServiceSynchronizer(service, state, list), service };
}

class ServiceSynchronizer implements Synchronizer {
  constructor(
    private readonly service: SyncService,
    private readonly state: SyncState,
    private readonly list: () => readonly Mapping[],
  ) {}

  async sync(mapping: string | Mapping, options: SyncOptions = {}): Promise<RunOutcome> {
    const m = typeof mapping === 'string' ? this.find(mapping) : mapping;
    const outcome = await this.service.run(m, {
      signal: options.signal,
      stopSignal: options.stopSignal,
      dryRun: options.dryRun,
      previewLimit: options.previewLimit,
      onStart: options.onStart && ((run) => options.onStart!(run, m)),
      onProgress: options.onProgress && ((snapshot) => options.onProgress!(snapshot, m)),
      onLog: options.onLog && ((line) => options.onLog!(line, m)),
      onEvent: options.onEvent && ((event) => options.onEvent!(event, m)),
    });
    options.onFinish?.(outcome, m);
    return outcome;
  }

  async syncAll(options: SyncOptions = {}): Promise<RunOutcome[]> {
    const outcomes: RunOutcome[] = [];
    for (const mapping of this.list()) {
      if (options.signal?.aborted || options.stopSignal?.aborted) break;
      if (!mapping.enabled) continue;
      outcomes.push(await this.sync(mapping, options));
    }
    return outcomes;
  }

  mappings(): readonly Mapping[] {
    return this.list();
  }

  provider(connectionId: string): Promise<StorageProvider> {
    return this.service.provider(connectionId);
  }

  async close(): Promise<void> {
    try {
      await this.service.close();
    } finally {
      await this.state.close?.();
    }
  }

  private find(id: string): Mapping {
    const mapping = this.list().find((m) => m.id === id);
    if (!mapping) throw new RangeError(`no mapping "${id}" (mapping ids: ${this.list().map((m) => m.id).join(', ') || 'none'})`);
    return mapping;
  }
}
