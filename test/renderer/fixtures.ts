// Builders of contract values for renderer tests.
import { DEFAULT_WEBHOOK_EVENTS, urlOrigin, type AlertsInput, type AlertsView } from '../../shared/alerts';
import type { AppSettings, AppSettingsChanges, ConnectionView, EngineView, LogLineView, MappingStatus, MappingView } from '../../shared/contract';
import type { ProgressSnapshot, RunSummary } from '../../shared/model';

export function localConnection(id: string, name = id, root = `/data/${id}`): ConnectionView {
  return { id, name, type: 'local', local: { root }, secretsSet: {} };
}

export function minioConnection(id: string, name = id, secretSet = true): ConnectionView {
  return { id, name, type: 'minio', minio: { endpoint: '127.0.0.1:9000', accessKey: 'admin' }, secretsSet: { secretKey: secretSet } };
}

export function status(mappingId: string, patch: Partial<MappingStatus> = {}): MappingStatus {
  return { mappingId, state: 'idle', followUpQueued: false, nextRunAt: null, lastRun: null, version: 0, ...patch };
}

/**
 * A mapping as main answers it. `patch.alerts` may be what a fake handler echoes from its input
 * (AlertsInput): it becomes the view main would answer (each URL's origin, whether a secret is set).
 */
export function mapping(id: string, { alerts, ...patch }: Partial<Omit<MappingView, 'alerts'>> & { alerts?: AlertsView | AlertsInput | null } = {}): MappingView {
  const view = alerts == null ? undefined : isView(alerts) ? alerts : alertsViewOfInput(alerts);
  return {
    id,
    name: `Mapping ${id}`,
    sourceConnectionId: 'src',
    sourceBucket: 'photos',
    sourcePrefix: '',
    targetConnectionId: 'dst',
    targetBucket: 'backup',
    targetPrefix: '',
    transfers: 8,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
    status: status(id),
    ...patch,
    ...(view ? { alerts: view } : {}),
  };
}

function isView(alerts: AlertsView | AlertsInput): alerts is AlertsView {
  return (alerts.webhooks ?? []).some((w) => typeof w.url === 'object') || Object.values(alerts.healthchecks ?? {}).some((u) => typeof u === 'object');
}

/** What main would answer for alerts saved from `input` (a URL left out shows as "(kept)"). */
function alertsViewOfInput(input: AlertsInput): AlertsView {
  const origin = (url: string | undefined) => ({ origin: url === undefined ? '(kept)' : urlOrigin(url) });
  const h = input.healthchecks;
  return {
    webhooks: (input.webhooks ?? []).map((w, index) => ({ id: w.id ?? `w${index}`, url: origin(w.url), on: w.on ?? [...DEFAULT_WEBHOOK_EVENTS], secretSet: Boolean(w.secret) })),
    ...(h?.success !== undefined ? { healthchecks: { success: origin(h.success), ...(h.start ? { start: origin(h.start) } : {}), ...(h.fail ? { fail: origin(h.fail) } : {}) } } : {}),
  };
}

/** The default settings, as settings.get answers them. */
export function appSettings(patch: Partial<AppSettings> = {}): AppSettings {
  return { globalConcurrency: 16, maxConcurrentRuns: 2, startAtLogin: false, closeToTray: true, notifications: true, bwLimit: null, alerts: null, metricsAddr: null, ...patch };
}

/** `settings` after a settings.set of `changes`, as main answers (alerts as their view). */
export function settingsAfter(settings: AppSettings, { alerts, ...changes }: AppSettingsChanges): AppSettings {
  return { ...settings, ...changes, ...(alerts !== undefined ? { alerts: alerts && alertsViewOfInput(alerts) } : {}) };
}

export function run(id: number, mappingId: string, patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    mappingId,
    status: 'success',
    dryRun: false,
    startedAt: 1_700_000_000_000 + id * 1000,
    finishedAt: 1_700_000_000_500 + id * 1000,
    durationMs: 500,
    firstError: null,
    errorCode: null,
    copied: 3,
    adopted: 0,
    skipped: 1,
    deleted: 0,
    failed: 0,
    bytesCopied: 3000,
    ...patch,
  };
}

export function logLine(id: number, mappingId: string, patch: Partial<LogLineView> = {}): LogLineView {
  return { id, runId: 1, mappingId, ts: 1_700_000_000_000 + id, level: 'info', message: `line ${id}`, key: null, ...patch };
}

/** `count` lines with ids from `lastId` down (newest first), as logs.query returns them. */
export function logPage(mappingId: string, lastId: number, count: number): LogLineView[] {
  return Array.from({ length: count }, (_, i) => logLine(lastId - i, mappingId));
}

export function progress(mappingId: string, patch: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    mappingId,
    runId: 1,
    phase: 'transferring',
    objectsDone: 2,
    objectsTotal: 10,
    bytesDone: 2000,
    bytesTotal: 10_000,
    bytesPerSecond: 1000,
    etaSeconds: 8,
    totalsFinal: true,
    inFlight: [{ key: 'a.jpg', bytesDone: 50, size: 100 }],
    ...patch,
  };
}

/** A remote engine as engines.list answers it: online, no mappings, unless patched. */
export function engine(id: string, patch: Partial<EngineView> = {}): EngineView {
  return { id, name: `Engine ${id}`, url: `https://10.0.0.${id.length}:8384/`, fingerprint: null, state: 'online', error: null, lastSeenAt: 1_700_000_000_000, version: '0.1.0', mappings: [], health: 'ok', ...patch };
}
