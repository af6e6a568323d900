// Domain types shared by main and renderer. Pure types and constants: no Node or DOM imports.

/** Provider types. gcs / aws / azure / minio come from the original tool's config.json; local is new. */
export const PROVIDER_TYPES = ['local', 'aws', 'minio', 'gcs', 'azure'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

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
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Connection settings per provider type. Secret fields are listed in SECRET_FIELDS. */
export interface LocalSettings {
  root: string;
  /** Symlinks below a bucket folder: 'skip' (default) reports them and reads nothing through them; 'follow' reads through them. Writes never follow. */
  symlinks?: 'skip' | 'follow';
}
export interface AwsSettings {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Custom endpoint for S3-compatible services, e.g. http://127.0.0.1:9000 */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Original tool's field: when an endpoint has no scheme, use http:// */
  disableSSL?: boolean;
  /** 'WHEN_SUPPORTED' (SDK default) or 'WHEN_REQUIRED'. Defaults: AWS → SDK default, custom endpoint → WHEN_REQUIRED. */
  checksumMode?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
}
export interface MinioSettings {
  /** host:port, as in the original tool (no scheme) */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  useSSL?: boolean;
  region?: string;
}
export interface GcsSettings {
  projectId?: string;
  keyFile?: string;
  credentialsJson?: string;
  apiEndpoint?: string;
}
export interface AzureSettings {
  accountName?: string;
  accountKey?: string;
  connectionString?: string;
  sasToken?: string;
  endpointUrl?: string;
}

export type ConnectionSettings =
  | { type: 'local'; local: LocalSettings }
  | { type: 'aws'; aws: AwsSettings }
  | { type: 'minio'; minio: MinioSettings }
  | { type: 'gcs'; gcs: GcsSettings }
  | { type: 'azure'; azure: AzureSettings };

/** Fields that hold secrets, per provider type: encrypted at rest, never logged, never sent to the renderer. */
export const SECRET_FIELDS: { [T in ProviderType]: readonly string[] } = {
  local: [],
  aws: ['secretAccessKey', 'sessionToken'],
  minio: ['secretKey'],
  gcs: ['credentialsJson'],
  azure: ['accountKey', 'connectionString', 'sasToken'],
};

export type Connection = { id: string; name: string } & ConnectionSettings;

/** The settings object of a connection's own type (e.g. `c.aws` for an aws connection). */
export function connectionSettings(c: ConnectionSettings): object {
  switch (c.type) {
    case 'local':
      return c.local;
    case 'aws':
      return c.aws;
    case 'minio':
      return c.minio;
    case 'gcs':
      return c.gcs;
    case 'azure':
      return c.azure;
  }
}

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
}

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
   * 'NotStarted', 'Cancelled', 'Internal'). Null for a run without an error, and while it runs.
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
}
