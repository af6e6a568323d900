// The schema, as an ordered list of numbered steps tracked by PRAGMA user_version. A step is never
// edited once released: a change is a new step appended at the end.
import type { Database } from './sqlite';

export interface Migration {
  /** 1, 2, 3… with no gaps; the database's user_version after this step. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database) => void;
}

// Conventions: times are INTEGER ms since the epoch; booleans INTEGER 0/1; STRICT tables so a wrong
// type is an error instead of a silent conversion.
const SCHEMA_V1 = `
CREATE TABLE connections (
  id            TEXT PRIMARY KEY NOT NULL,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,
  -- Non-secret settings only. Secret fields live encrypted in secrets_blob.
  settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
  secrets_blob  BLOB,
  -- Names (never values) of the secret fields held in secrets_blob: lets the UI show set/unset
  -- without decrypting, also where no cipher exists (headless).
  secret_fields TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(secret_fields)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE mappings (
  id                   TEXT PRIMARY KEY NOT NULL,
  name                 TEXT NOT NULL,
  source_connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE RESTRICT,
  source_bucket        TEXT NOT NULL,
  source_prefix        TEXT NOT NULL,
  target_connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE RESTRICT,
  target_bucket        TEXT NOT NULL,
  target_prefix        TEXT NOT NULL,
  transfers            INTEGER NOT NULL CHECK (transfers >= 1),
  delete_mode          TEXT NOT NULL CHECK (delete_mode IN ('synced', 'mirror', 'never')),
  max_delete_json      TEXT CHECK (max_delete_json IS NULL OR json_valid(max_delete_json)),
  dry_run              INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  enabled              INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  interval_seconds     INTEGER CHECK (interval_seconds IS NULL OR interval_seconds > 0),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
) STRICT;
-- The RESTRICT checks on connection delete look mappings up by connection.
CREATE INDEX mappings_by_source_connection ON mappings(source_connection_id);
CREATE INDEX mappings_by_target_connection ON mappings(target_connection_id);

-- One row per object this mapping synced. key is relative to the mapping's prefixes and ordered by
-- BINARY collation = UTF-8 byte order, the order the engine merges listings in.
CREATE TABLE objects (
  mapping_id   TEXT NOT NULL REFERENCES mappings(id) ON DELETE CASCADE,
  key          TEXT NOT NULL,
  source_etag  TEXT NOT NULL,
  source_size  INTEGER NOT NULL,
  source_mtime INTEGER NOT NULL,
  source_md5   TEXT,
  target_etag  TEXT NOT NULL,
  target_size  INTEGER NOT NULL,
  target_mtime INTEGER,
  synced_at    INTEGER NOT NULL,
  PRIMARY KEY (mapping_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE runs (
  -- AUTOINCREMENT: ids are never reused, so a run id held by the UI or a log cursor stays unique.
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  mapping_id   TEXT NOT NULL REFERENCES mappings(id) ON DELETE CASCADE,
  status       TEXT NOT NULL CHECK (status IN ('running', 'success', 'partial', 'failed', 'cancelled', 'interrupted')),
  dry_run      INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  copied       INTEGER NOT NULL DEFAULT 0,
  adopted      INTEGER NOT NULL DEFAULT 0,
  skipped      INTEGER NOT NULL DEFAULT 0,
  deleted      INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,
  bytes_copied INTEGER NOT NULL DEFAULT 0,
  first_error  TEXT
) STRICT;
CREATE INDEX runs_by_mapping ON runs(mapping_id, id DESC);
-- Start-up looks for runs a crash left 'running'; normally none, so the partial index stays empty.
CREATE INDEX runs_running ON runs(id) WHERE status = 'running';

CREATE TABLE logs (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  -- Denormalised from runs so the Logs view pages one mapping without a join.
  mapping_id TEXT NOT NULL,
  ts         INTEGER NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message    TEXT NOT NULL,
  key        TEXT
) STRICT;
CREATE INDEX logs_by_mapping ON logs(mapping_id, id);
CREATE INDEX logs_by_run ON logs(run_id, id);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY NOT NULL,
  value_json TEXT NOT NULL CHECK (json_valid(value_json))
) STRICT;
`;

// Uploads in progress (uploads.ts): one row per mapping and key, naming the source version it uploads.
const SCHEMA_UPLOADS = `
CREATE TABLE uploads (
  mapping_id    TEXT NOT NULL REFERENCES mappings(id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  target_bucket TEXT NOT NULL,
  target_key    TEXT NOT NULL,
  source_etag   TEXT NOT NULL,
  source_size   INTEGER NOT NULL,
  state         TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (mapping_id, key)
) STRICT;
`;

// What caused a run's first error, as a code (RunSummary.errorCode). Runs before this step have none.
const SCHEMA_RUN_ERROR_CODE = `ALTER TABLE runs ADD COLUMN error_code TEXT;`;

// Deletions a running run has planned but not made yet (pending-deletes.ts), spilled here so a mirror
// run against an emptied source does not hold the whole target listing in memory. Rows live only
// while their run does: the run clears them, start-up clears those of runs a crash cut short.
const SCHEMA_PENDING_DELETES = `
CREATE TABLE pending_deletes (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  size   INTEGER,
  reason TEXT NOT NULL CHECK (reason IN ('source-deleted', 'extra')),
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;
`;

// A mapping's filters (shared/filters.ts): the fields filtersOf keeps, as one JSON object; NULL when
// the mapping has none. One column rather than nine: the filters are read and written only with the
// whole mapping, never queried, and the set grows with rclone's options without a step per field.
// A pending delete gains the reason 'excluded' (deleteExcluded). Its rows live only while their run
// does (start-up clears those of runs a crash cut short), so the table is made again, not copied.
const SCHEMA_MAPPING_FILTERS = `
ALTER TABLE mappings ADD COLUMN filters_json TEXT CHECK (filters_json IS NULL OR json_valid(filters_json));
DROP TABLE pending_deletes;
CREATE TABLE pending_deletes (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  size   INTEGER,
  reason TEXT NOT NULL CHECK (reason IN ('source-deleted', 'extra', 'excluded')),
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;
`;

// A mapping's hooks (shared/hooks.ts: before/after argv lists and timeoutSeconds) as one JSON object;
// NULL when it has none. Read and written only with the whole mapping, like filters_json.
const SCHEMA_MAPPING_HOOKS = `
ALTER TABLE mappings ADD COLUMN hooks_json TEXT CHECK (hooks_json IS NULL OR json_valid(hooks_json));
`;

// A mapping's createTargetBucket: 1 lets a run create its missing target bucket; 0 (every mapping
// before this step) fails the run as before.
const SCHEMA_MAPPING_CREATE_TARGET_BUCKET = `
ALTER TABLE mappings ADD COLUMN create_target_bucket INTEGER NOT NULL DEFAULT 0 CHECK (create_target_bucket IN (0, 1));
`;

// A mapping's bandwidth limit (its text, shared/bandwidth.ts), what it asks of the objects it writes
// (storage class; encryption as one JSON object, shared/model.ts TargetEncryption) and keepVersions.
// NULL / 0 for every mapping before this step: the bucket's defaults, no limit, no kept versions.
const SCHEMA_MAPPING_TARGET_SETTINGS = `
ALTER TABLE mappings ADD COLUMN bw_limit TEXT;
ALTER TABLE mappings ADD COLUMN target_storage_class TEXT;
ALTER TABLE mappings ADD COLUMN target_encryption_json TEXT CHECK (target_encryption_json IS NULL OR json_valid(target_encryption_json));
ALTER TABLE mappings ADD COLUMN keep_versions INTEGER NOT NULL DEFAULT 0 CHECK (keep_versions IN (0, 1));
`;

// The last test of each saved connection (its checks as JSON, scrubbed of secrets like the API's
// answer), so a result survives a restart. Written only for a test of the saved settings; any change
// to the connection deletes it (ConnectionsRepository.upsert), so a result always describes the
// settings it tested.
const SCHEMA_CONNECTION_TESTS = `
CREATE TABLE connection_tests (
  connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  result_json   TEXT NOT NULL CHECK (json_valid(result_json)),
  tested_at     INTEGER NOT NULL
) STRICT;
`;

// A mapping's alerts (shared/alerts.ts): alerts_blob holds them whole, sealed with the store's cipher
// (URLs and signing secrets are credentials); alerts_json what the renderer may see (each URL's origin,
// whether a secret is set: AlertsView). Both NULL when the mapping has none, or when this process has no
// cipher (the CLI, whose alerts stay in config.json).
const SCHEMA_MAPPING_ALERTS = `
ALTER TABLE mappings ADD COLUMN alerts_json TEXT CHECK (alerts_json IS NULL OR json_valid(alerts_json));
ALTER TABLE mappings ADD COLUMN alerts_blob BLOB;
`;

// Remote engines this process drives (electron/remote): a `serve` elsewhere, by address, pinned
// certificate fingerprint and token; the token sealed with the store's cipher (store/sealed.ts).
const SCHEMA_REMOTE_ENGINES = `
CREATE TABLE remote_engines (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL,
  url         TEXT NOT NULL UNIQUE,
  fingerprint TEXT,
  token_blob  BLOB NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
`;

// What the home last knew of each remote engine, so an engine that cannot be reached after a restart
// of the home still shows its state: when it was last heard from, its version, and its mappings as
// summaries (id, name, state, last run; no secret: a remote's connections are never kept here).
// mappings_json NULL: never reached.
const SCHEMA_REMOTE_ENGINES_LAST_KNOWN = `
ALTER TABLE remote_engines ADD COLUMN last_seen_at INTEGER;
ALTER TABLE remote_engines ADD COLUMN version TEXT;
ALTER TABLE remote_engines ADD COLUMN mappings_json TEXT CHECK (mappings_json IS NULL OR json_valid(mappings_json));
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', up: (db) => db.exec(SCHEMA_V1) },
  { version: 2, description: 'uploads in progress, for resuming them', up: (db) => db.exec(SCHEMA_UPLOADS) },
  { version: 3, description: 'error code of a run', up: (db) => db.exec(SCHEMA_RUN_ERROR_CODE) },
  { version: 4, description: 'pending deletes of running runs', up: (db) => db.exec(SCHEMA_PENDING_DELETES) },
  { version: 5, description: 'filters of a mapping, deletes of excluded objects', up: (db) => db.exec(SCHEMA_MAPPING_FILTERS) },
  { version: 6, description: 'hooks of a mapping', up: (db) => db.exec(SCHEMA_MAPPING_HOOKS) },
  { version: 7, description: 'creating a missing target bucket', up: (db) => db.exec(SCHEMA_MAPPING_CREATE_TARGET_BUCKET) },
  { version: 8, description: 'bandwidth limit, storage class, encryption and kept versions of a mapping', up: (db) => db.exec(SCHEMA_MAPPING_TARGET_SETTINGS) },
  { version: 9, description: 'last test of each connection', up: (db) => db.exec(SCHEMA_CONNECTION_TESTS) },
  { version: 10, description: 'alerts of a mapping, encrypted', up: (db) => db.exec(SCHEMA_MAPPING_ALERTS) },
  { version: 11, description: 'remote engines, their tokens encrypted', up: (db) => db.exec(SCHEMA_REMOTE_ENGINES) },
  { version: 12, description: 'last known state of each remote engine', up: (db) => db.exec(SCHEMA_REMOTE_ENGINES_LAST_KNOWN) },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Applies every step above the database's user_version, all in ONE immediate transaction: either the
 * schema reaches the latest version or nothing changes. Returns the version reached. The caller has
 * already refused databases newer than `migrations`; the version is read again inside the write lock
 * because another process may have migrated meanwhile.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[], applicationId: number): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: step ${i + 1} has version ${m.version}`);
  });
  const latest = migrations.length;
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) throw new Error(`database schema ${current} is newer than this version's (${latest})`);
    for (const step of migrations.slice(current)) {
      step.up(db);
      // user_version and application_id live in the file header and are written by this transaction.
      db.pragma(`user_version = ${step.version}`);
    }
    db.pragma(`application_id = ${applicationId}`);
    return Math.max(current, latest);
  });
  return run.immediate();
}
