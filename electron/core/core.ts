// The app without its shell: store, sync service, scheduler, API and one event bus, wired once and
// shared by the Electron main process and the headless server. Electron-free: runs under plain Node.
import type { AppSettings, EventName, Events } from '../../shared/contract';
import type { Mapping, RunSummary } from '../../shared/model';
import { createApiDispatcher, loadAppSettings, type Dispatch } from '../api';
import { globalAlertsOf } from '../api/alerts';
import { storedMappingConflicts } from '../api/bucket-locations';
import { conflictMessage, connectionsForLocating, type StoredConflict } from '../api/connections';
import { createEngine } from '../library/engine';
import { EventBus, type EventSink } from './event-bus';
import { Watchers } from '../lib/watchers';
import { openStore, type SecretCipher, type Store } from '../store';
import { EngineRegistry } from '../remote/engines';
import type { LinkTimings } from '../remote/engine-link';
import type { ProviderFactory, SyncService } from '../services/sync-service';
import { Scheduler, type RunControl } from '../sync/scheduler';
import { alertForRun } from './notifications';
import type { RunEvent } from '../sync/telemetry';
import type { RunLogLine } from '../sync/ports';
import { ALERT_FLUSH_MS, AlertDispatcher } from '../ops/alerts';
import type { DeliveryPolicy } from '../ops/alerts-delivery';

/** A watcher of every run's events (metrics, traces, structured logs, alerts: electron/ops/). */
export type RunEventSink = (event: RunEvent, mapping: Mapping) => void;
/** A watcher of every run's log lines, as the run's log records them (serve prints them). */
export type RunLogSink = (line: RunLogLine, mapping: Mapping, runId: number) => void;

export interface AppCoreOptions {
  dbPath: string;
  /** better_sqlite3.node for the running runtime (Electron's ABI); default: the Node build. */
  nativeBinding?: string;
  /** Encrypts connection secrets at rest (safeStorage in the desktop app). */
  cipher?: SecretCipher;
  version: string;
  mode: 'desktop' | 'server';
  /** Start at login and the like; only the Electron shell has them. */
  applyDesktopSetting?: (settings: AppSettings) => void;
  /** Builds a connection's provider; tests wrap the real one to slow it down or count calls. */
  providerFactory?: ProviderFactory;
  /**
   * Problems of the core's background work that belong to no run: an alert that could not be
   * delivered, alerts that cannot be decrypted. Default: a line on stderr.
   */
  warn?: (message: string) => void;
  /** Alert retries and timeouts (ops/alerts-delivery.ts DEFAULT_DELIVERY); tests shorten the waits. */
  alertDelivery?: Partial<DeliveryPolicy>;
  /** Remote engines' connect, call and reconnect timings (remote/engine-link.ts); tests shorten them. */
  engineTimings?: Partial<LinkTimings>;
}

export interface AppEvents {
  /** Every event, for transports that forward them all (IPC, WebSocket). */
  subscribe(sink: EventSink): () => void;
  /** One event, typed. */
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
}

export interface AppCore {
  readonly store: Store;
  /**
   * The service the core's synchronizer runs on (the engine is built as a library user builds one,
   * over the store's state): the API handlers' providers, global limiter and previews.
   */
  readonly syncService: SyncService;
  readonly scheduler: Scheduler;
  /** Runs one contract command; never throws (errors come back as envelopes). */
  readonly dispatch: Dispatch;
  /** Every contract event: api changes, progress, run started/finished, mapping status, alerts. */
  readonly events: AppEvents;
  /** The remote engines this process drives (connected from start() on); the tray reads their state. */
  readonly engines: Pick<EngineRegistry, 'list'>;
  /**
   * Every run's engine events (sync/telemetry.ts), runs held back included (a 'run.finished' only).
   * Not contract events: they stay in this process. Returns the unsubscribe.
   */
  onRunEvent(sink: RunEventSink): () => void;
  /** Every run's log lines. Returns the unsubscribe. */
  onRunLog(sink: RunLogSink): () => void;
  settings(): AppSettings;
  /** Arms the scheduler: interval mappings run once right away. */
  start(): void;
  /**
   * Stops scheduling, lets in-flight transfers finish for up to `graceMs` then aborts them (the
   * runner records those runs as cancelled), closes the providers and the database. Idempotent.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** Opens the store (throws StoreError when it cannot: a newer schema, a foreign file). */
export function createAppCore(options: AppCoreOptions): AppCore {
  const { nativeBinding, cipher } = options;
  const store = openStore(options.dbPath, { nativeBinding, cipher });
  try {
    return wire(store, options);
  } catch (err) {
    store.close();
    throw err;
  }
}

function wire(store: Store, options: AppCoreOptions): AppCore {
  // Runs still 'running' now were cut short by a crash or a kill: say so before anything starts.
  store.runs.markInterrupted();
  const initial = loadAppSettings(store);
  const bus = new EventBus();
  const runEventSinks = new Watchers<Parameters<RunEventSink>>();
  const runLogSinks = new Watchers<Parameters<RunLogSink>>();
  // Nobody printing the runs' lines (the desktop): the run is given no onLog to call.
  const runLog = (mapping: Mapping, runId: () => number) => (runLogSinks.size === 0 ? undefined : (line: RunLogLine): void => runLogSinks.notify(line, mapping, runId()));
  // Always watched: the alerts below are a sink.
  const runEvent = (mapping: Mapping) => (event: RunEvent): void => runEventSinks.notify(event, mapping);
  // Alerts of every run, desktop and serve alike: each mapping's own and the global ones, read (and
  // decrypted) from the store when a run starts and ends, so an edit applies from the next run.
  const alerts = new AlertDispatcher({
    version: options.version,
    warn: options.warn ?? ((message) => console.warn(`Cloud Data Sync: ${message}`)),
    alertsOf: (mapping) => store.mappings.alertsOf(mapping.id),
    globalAlerts: () => globalAlertsOf(store),
    ...(options.alertDelivery ? { policy: options.alertDelivery } : {}),
  });
  runEventSinks.add((event, mapping) => alerts.observe(event, mapping));
  // Overlap conflicts among the saved mappings (saved before the rule existed): computed when a run
  // is due, kept until connections or mappings change.
  let conflicts: StoredConflict[] | undefined;
  const emit = <E extends EventName>(name: E, payload: Events[E]): void => {
    if (name === 'data.changed' && (payload as Events['data.changed']).lists.some((list) => list === 'connections' || list === 'mappings')) conflicts = undefined;
    bus.emit(name, payload);
  };
  const heldBackBy = (mapping: Mapping): string | undefined => {
    conflicts ??= storedMappingConflicts(store, connectionsForLocating(store));
    const own = conflicts.filter((c) => c.mappingIds.includes(mapping.id));
    if (own.length === 0) return undefined;
    return `not run, it overlaps other saved mappings (change one of the mappings or connections involved): ${own.map((c) => conflictMessage(store, c)).join('; ')}`;
  };

  const { synchronizer, service: syncService } = createEngine({
    connections: (id) => store.connections.getWithSecrets(id),
    mappings: () => store.mappings.list(),
    state: store.engineState,
    globalTransfers: initial.globalConcurrency,
    bwLimit: initial.bwLimit,
    providerFactory: options.providerFactory,
  });

  // Every run the scheduler starts (timers and "sync now") passes here. A mapping in a stored
  // overlap conflict is not run: the conflict is recorded as its failed run, so history, status and
  // alerts show why.
  const runMapping = async (mapping: Mapping, control: RunControl): Promise<RunSummary> => {
    let runId = 0;
    const onStart = (started: RunSummary): void => {
      runId = started.id;
      emit('run.started', { mappingId: mapping.id, runId: started.id });
    };
    const heldBack = heldBackBy(mapping);
    const onEvent = runEvent(mapping);
    const onLog = runLog(mapping, () => runId);
    const { run } = heldBack
      ? await syncService.recordUnstarted(mapping, heldBack, { onStart, onEvent, onLog })
      : await synchronizer.sync(mapping, { signal: control.signal, stopSignal: control.stopSignal, onStart, onProgress: (snapshot) => emit('progress', snapshot), onEvent, onLog });
    emit('run.finished', run);
    const alert = alertForRun(mapping, run);
    if (alert) emit('alert', alert);
    return run;
  };

  const scheduler = new Scheduler({
    listMappings: () => store.mappings.list(),
    runMapping,
    maxConcurrentRuns: initial.maxConcurrentRuns,
    onStatus: (status) => emit('mapping.status', status),
    lastRun: (mappingId) => store.runs.latest(mappingId) ?? null,
  });

  // Remote engines: their states and relayed events go out with this engine's own.
  const engines = new EngineRegistry({ engines: store.remoteEngines, emit, ...(options.engineTimings ? { timings: options.engineTimings } : {}) });

  const dispatch = createApiDispatcher({
    store,
    syncService,
    scheduler,
    emit,
    version: options.version,
    mode: options.mode,
    applyDesktopSetting: options.applyDesktopSetting,
    engines,
  });

  let closing: Promise<void> | undefined;
  return {
    store,
    syncService,
    scheduler,
    dispatch,
    engines,
    events: {
      subscribe: (sink) => bus.subscribe(sink),
      on: (name, listener) => bus.subscribe((event, payload) => {
        if (event === name) listener(payload as Events[typeof name]);
      }),
    },
    onRunEvent: (sink) => runEventSinks.add(sink),
    onRunLog: (sink) => runLogSinks.add(sink),
    settings: () => loadAppSettings(store),
    start: () => {
      scheduler.start();
      engines.start();
    },
    shutdown(graceMs) {
      closing ??= (async () => {
        try {
          engines.close();
          await scheduler.stop(graceMs);
          await synchronizer.close();
          // Alerts of the last runs still on their way get up to the grace period, at most ALERT_FLUSH_MS.
          await alerts.flush(Math.min(graceMs, ALERT_FLUSH_MS));
          await alerts.close();
        } finally {
          store.close();
        }
      })();
      return closing;
    },
  };
}

