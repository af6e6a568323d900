// The engine's ports: everything a run reads and records about runs and synced objects, in the
// engine's own plain types. electron/store/ implements them over SQLite (store/engine-state.ts),
// memory-state.ts in memory (previews, tests, library users). The engine imports nothing else of
// the kind: it never knows whether a database exists.
//
// Writes that happen per object (sync state, log lines) are buffered by the implementation and
// stored in batches; the calls that create or finish a record, or read one, are async.
import type { MappingRoute } from '../../shared/config/mapping-ids';
import type { LogLevel, RunCounts, RunStatus, RunSummary } from '../../shared/model';
import type { StorageErrorCode } from '../providers/errors';

/** What the last successful copy of one key saw on both sides. */
export interface SyncedObject {
  /** Relative to the mapping's source and target prefixes. */
  key: string;
  sourceEtag: string;
  sourceSize: number;
  /** Source lastModified, ms since epoch. */
  sourceMtime: number;
  /** Content MD5 (hex) when known. */
  sourceMd5: string | null;
  targetEtag: string;
  targetSize: number;
  targetMtime: number | null;
  /** When it was recorded, ms since epoch. */
  syncedAt: number;
}

/**
 * Reads a mapping's sync state in the order the engine merges listings in, and keeps it tied to the
 * route (source and target connection, bucket, prefix) it was recorded for: state of another route
 * says nothing about this one, and in 'synced' delete mode would make target objects look deleted
 * at the source. A run compares the two before it plans (sync/runner.ts).
 */
export interface SyncStatePort {
  /**
   * Up to `limit` objects of the mapping with key > `afterKey` (all keys when null), ascending in
   * UTF-8 byte order (lib/key-order's compareKeys). A page shorter than `limit` is the last one;
   * pass a page's last key to get the next. An unknown mapping has no objects.
   */
  page(mappingId: string, afterKey: string | null, limit: number): Promise<SyncedObject[]>;
  /**
   * The route the mapping's sync state belongs to; undefined when none is recorded (then the
   * mapping has no objects either).
   */
  route(mappingId: string): Promise<MappingRoute | undefined>;
  /**
   * Forgets every object of the mapping and records `route` as the one its state belongs to, in
   * one step. The SQLite state keeps the route in the mapping's row and rejects a mapping it does
   * not hold (StoreError 'InvalidReference'); the memory state takes any id.
   */
  resetRoute(mappingId: string, route: MappingRoute): Promise<void>;
}

/** One line of a run's log. Never holds secrets: the engine logs keys and provider errors. */
export interface RunLogLine {
  level: LogLevel;
  message: string;
  /** The object key (relative to the mapping's prefixes) the line is about, if any. */
  key?: string;
  /**
   * What kind of line it is, for structured logs (--log-format json): 'run.started', 'run.finished',
   * 'object.copied', 'object.failed', 'object.deleted', 'object.retry', 'object.kept',
   * 'object.not-synced', 'deletes.blocked'; absent on other lines (notes, hook output, warnings).
   */
  event?: string;
  /** The error code of a failure line (RunSummary.errorCode's vocabulary). */
  code?: string;
}

/**
 * What caused a run's firstError, for callers that must tell failures apart without reading the
 * message (RunSummary.errorCode). A StorageErrorCode when a storage call failed (a listing, a copy,
 * a delete); otherwise one of the engine's own codes.
 */
export const ENGINE_ERROR_CODES = [
  /** The maxDelete guard stopped the deletions; nothing was deleted. */
  'MaxDeleteGuard',
  /** A listing broke off for a reason that is not a storage error (e.g. it came out of order). */
  'ListingFailed',
  /** Planned objects ended without an outcome (an internal error): the run made no deletions. */
  'Unaccounted',
  /** The run could not start (held back by an overlap with other mappings). */
  'NotStarted',
  /** Stopped on request before any error. */
  'Cancelled',
  /** The mapping's before hook failed, timed out or could not start: nothing was listed, copied or deleted. */
  'HookFailed',
  /**
   * keepVersions, and the target cannot keep versions (bucket versioning off, suspended or unreadable;
   * a target prefix inside .cds-versions/): nothing was listed, copied or deleted.
   */
  'VersionsUnavailable',
  /** Anything else (a bug, a failed write of the run's record). */
  'Internal',
] as const;

export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];
export type RunErrorCode = StorageErrorCode | EngineErrorCode;

/** How a run ended, as recorded by RunRecorder.finish. */
export interface RunResult {
  status: Exclude<RunStatus, 'running'>;
  counts: RunCounts;
  firstError: string | null;
  /** Set whenever firstError is, and to 'Cancelled' for a cancel without an error. */
  errorCode: RunErrorCode | null;
}

/**
 * The record of one run while it runs. Sync-state writes and log lines are buffered and stored in
 * call order, in batches (each batch atomic); a batch that failed to store makes a later call (or
 * finish) throw, so a lost write is never silent.
 */
export interface RunRecorder {
  /** The run as recorded at its start ('running'). */
  readonly run: RunSummary;
  /** Records (or replaces) what was synced for `object.key` of the run's mapping. */
  upsertState(object: SyncedObject): void;
  /** Forgets the sync state of a key (a missing key is no error). */
  removeState(key: string): void;
  log(line: RunLogLine): void;
  /** Stores every buffered write, then the run's final status; returns the finished run. Call once. */
  finish(result: RunResult): Promise<RunSummary>;
}

/** Run history: runs are numbered by the journal, ids never reused. */
export interface RunJournalPort {
  /**
   * Records a new 'running' run of the mapping and returns its recorder. The SQLite journal rejects
   * a mapping it does not hold (StoreError 'InvalidReference'); the memory journal takes any id.
   */
  start(mappingId: string, dryRun: boolean): Promise<RunRecorder>;
}

/**
 * An upload in progress (a multipart upload, staged blocks) of one key of a mapping: what its
 * provider needs to continue it after a crash or kill, or to abort it. `state` is the provider's
 * own serialised progress, never a credential.
 */
export interface UploadRecord {
  /** Relative to the mapping's prefixes. */
  key: string;
  targetBucket: string;
  targetKey: string;
  /** The source version being uploaded: a changed source never continues an old upload. */
  sourceEtag: string;
  sourceSize: number;
  state: string;
  startedAt: number;
  updatedAt: number;
}

/**
 * The upload journal. `put` and `remove` are synchronous and stored before they return: a
 * provider saves progress through a synchronous journal (providers/provider.ts UploadJournal), and
 * a kill right after a confirmed part must find it recorded.
 */
export interface UploadJournalPort {
  get(mappingId: string, key: string): Promise<UploadRecord | undefined>;
  /** Every upload in progress of the mapping, by key. Few: only large objects have one. */
  all(mappingId: string): Promise<UploadRecord[]>;
  /** Records or replaces the upload of `record.key`. */
  put(mappingId: string, record: UploadRecord): void;
  /** Forgets the upload of a key (a missing key is no error). */
  remove(mappingId: string, key: string): void;
}

/**
 * Why a target object is deleted: gone at the source since the last sync, never in it (mirror), or
 * excluded by the mapping's filters (deleteExcluded).
 */
export type DeleteReason = 'source-deleted' | 'extra' | 'excluded';

export interface PendingDelete {
  /** Relative to the mapping's prefixes. */
  key: string;
  /** The target object's size, when listed. */
  size?: number;
  reason: DeleteReason;
}

/**
 * Deletions a run has planned but may make only after its source listing completed and every
 * transfer succeeded. A mirror run against an emptied source plans one per target object, so the
 * engine spills them here past a threshold instead of holding them all in memory.
 */
export interface PendingDeletesPort {
  /** Appends deletes of a run. Keys come in ascending order, each after every key appended before. */
  append(runId: number, deletes: readonly PendingDelete[]): Promise<void>;
  /** Up to `limit` deletes of the run with key > `afterKey` (from the first when null), in key order. */
  page(runId: number, afterKey: string | null, limit: number): Promise<PendingDelete[]>;
  /** Forgets every delete of the run. */
  clear(runId: number): Promise<void>;
}

/** Everything the engine needs to run a mapping besides its providers. */
export interface EngineState {
  readonly syncState: SyncStatePort;
  readonly journal: RunJournalPort;
  readonly uploads: UploadJournalPort;
  readonly pendingDeletes: PendingDeletesPort;
}
