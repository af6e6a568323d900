// Builders of contract values for renderer tests.
import type { ConnectionView, LogLineView, MappingStatus, MappingView } from '../../shared/contract';
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

export function mapping(id: string, patch: Partial<MappingView> = {}): MappingView {
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
  };
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
