// Domain types shared by main and renderer. Pure types and constants: no Node or DOM imports.

// Provider types, their settings and secret fields come from the descriptors (shared/providers/).
export {
  connectionSettings,
  PROVIDER_TYPES,
  SECRET_FIELDS,
  type AwsSettings,
  type AzureSettings,
  type ConnectionSettings,
  type GcsSettings,
  type LocalSettings,
  type MinioSettings,
  type ProviderType,
} from './providers';
import type { ConnectionSettings } from './providers';
import type { AlertsConfig } from './alerts';
import type { MappingHooks } from './hooks';

/** How a run treats target objects that are not (or no longer) in the source. */
export const DELETE_MODES = ['synced', 'mirror', 'never'] as const;
/**
 * - synced: delete only objects this mapping copied earlier and that are gone from the source
 *   (the original tool's behaviour);
 * - mirror: delete every target object under the target prefix that the source does not have;
 * - never: never delete.
 */
export type DeleteMode = (typeof DELETE_MODES)[number];

/** Upper bound on deletions in one run: an absolute count or a percentage of target objects. */
export type MaxDelete = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

export type RunStatus = 'running' | 'success' | 'partial' | 'failed' | 'cancelled' | 'interrupted';
export { LOG_LEVELS, type LogLevel } from './log-levels';

export type Connection = { id: string; name: string } & ConnectionSettings;

export interface Mapping {
  id: string;
  name: string;
  sourceConnectionId: string;
  sourceBucket: string;
  sourcePrefix: string;
  targetConnectionId: string;
  targetBucket: string;
  targetPrefix: string;
  /** Parallel object transfers for this mapping (default 8). */
  transfers: number;
  deleteMode: DeleteMode;
  maxDelete: MaxDelete | null;
  dryRun: boolean;
  enabled: boolean;
  /** Seconds between scheduled runs; null = only on demand. */
  intervalSeconds: number | null;
  /**
   * Create the target bucket when a run finds it missing (private, in the connection's region);
   * absent or false: the run fails as "target bucket … was not found". Never implicit.
   */
  createTargetBucket?: boolean;

  // Filters (shared/filters.ts), on keys relative to the prefix. Each is optional so that mappings
  // written before filters existed stay valid: absent, an empty list and null all mean "no filter".
  /** Globs a key must match one of (together with includeRegex), rclone-style. */
  include?: string[];
  /** Globs that exclude a key. */
  exclude?: string[];
  /** Regular expressions (JavaScript syntax) a key must match one of (together with include). */
  includeRegex?: string[];
  /** Regular expressions that exclude a key. */
  excludeRegex?: string[];
  /** Bytes: smaller objects are excluded. */
  minSize?: number | null;
  /** Bytes: larger objects are excluded. */
  maxSize?: number | null;
  /** Seconds: objects modified more recently are excluded. */
  minAge?: number | null;
  /** Seconds: objects modified longer ago are excluded. */
  maxAge?: number | null;
  /** Delete excluded objects at the target (rclone's --delete-excluded); default false: never touched. */
  deleteExcluded?: boolean;
  /** Commands run before and after each run (shared/hooks.ts); absent = none. */
  hooks?: MappingHooks;
  /**
   * Bandwidth limit of this mapping's transfers (shared/bandwidth.ts): a rate ("2M" bytes/s, "off") or
   * a weekly timetable ("Mon-08:00,2M 19:00,off"); absent or null = only the global limit applies.
   */
  bwLimit?: string | null;
  /** Storage class (tier) of the objects written to the target, in the target service's spelling (its descriptor's target.storageClasses); absent or null = the bucket's default. */
  targetStorageClass?: string | null;
  /** Server-side encryption of the objects written to the target; absent or null = the bucket's default. */
  targetEncryption?: TargetEncryption | null;
  /**
   * Keep the previous version of a target object on overwrite and delete: the bucket's own versioning
   * (S3, MinIO, GCS; must be on), or a copy under .cds-versions/ (local folders, Azure).
   */
  keepVersions?: boolean;
  /**
   * This mapping's own alerts (shared/alerts.ts): webhooks and healthcheck pings, sent besides the
   * global ones; absent = none. Its URLs and secrets are credentials: the store keeps them encrypted
   * and returns mappings without them (MappingsRepository.alertsOf reads them).
   */
  alerts?: AlertsConfig;
}

/**
 * Server-side encryption for objects written to a target, in the form its service takes (the
 * descriptor's target.encryption): S3 and MinIO SSE-S3 or SSE-KMS (the account's default KMS key when
 * kmsKeyId is absent), a GCS Cloud KMS key, an Azure encryption scope.
 */
export type TargetEncryption =
  | { sse: 'AES256' }
  | { sse: 'aws:kms'; kmsKeyId?: string }
  | { kmsKeyName: string }
  | { encryptionScope: string };

export interface RunCounts {
  copied: number;
  adopted: number;
  skipped: number;
  deleted: number;
  failed: number;
  bytesCopied: number;
}

export interface RunSummary extends RunCounts {
  id: number;
  mappingId: string;
  status: RunStatus;
  dryRun: boolean;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  firstError: string | null;
  /**
   * What caused firstError, to match on instead of the message: a storage error code ('NotFound',
   * 'AccessDenied', 'InvalidConfig', 'Throttled', 'Transient', 'Fatal') or one of the engine's
   * (electron/sync/ports.ts ENGINE_ERROR_CODES: 'MaxDeleteGuard', 'ListingFailed', 'Unaccounted',
   * 'NotStarted', 'Cancelled', 'HookFailed', 'VersionsUnavailable', 'Internal'). Null for a run without an
   * error, and while it runs.
   */
  errorCode: string | null;
}

export interface TransferProgress { key: string; bytesDone: number; size: number }

/** A progress snapshot of one running mapping; emitted at most ~10 per second. */
export interface ProgressSnapshot {
  mappingId: string;
  runId: number;
  phase: 'listing' | 'transferring' | 'deleting' | 'done';
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over a short sliding window. */
  bytesPerSecond: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
  /** True while the source listing is still running, so totals may still grow. */
  totalsFinal: boolean;
  inFlight: TransferProgress[];
  /**
   * The bandwidth limit holding the run's transfers now: the lowest of its mapping's and the global
   * bwLimit, in bytes/s, and when that changes (ms since the epoch; null: never). Null while no limit
   * applies (none set, or a timetable says off); absent when the run has no limit to follow.
   */
  bandwidthLimit?: { rate: number; until: number | null } | null;
}

export type ConnectionCheckName = 'auth' | 'listBuckets' | 'read' | 'write';
export interface ConnectionCheck {
  name: ConnectionCheckName;
  ok: boolean;
  /** Skipped checks (e.g. write when no bucket was given) have ok=false and skipped=true. */
  skipped: boolean;
  message: string;
  durationMs: number;
}
/** What a connection test found (connections.test); the store keeps a saved connection's last one. */
export interface ConnectionTestResult {
  ok: boolean;
  checks: ConnectionCheck[];
}
