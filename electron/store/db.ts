// Opens the SQLite metadata database: pragmas, identity checks and migrations. Plain Node (no
// electron import) so the CLI, the headless server and the tests open the same store.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { applyMigrations, LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';
import type { Database } from './sqlite';

export type { Database, Statement } from './sqlite';

export type StoreErrorCode =
  | 'CannotOpen' // missing file (read-only), no permission, or the native module failed to load
  | 'NotADatabase' // the file is not SQLite, or is another program's SQLite database
  | 'NewerSchema' // written by a newer version of the app: refused, never modified
  | 'NeedsUpgrade' // opened read-only but the schema is older than this version's
  | 'Locked' // another live process has the database open (DatabaseLockedError names it)
  | 'InUse' // a row cannot be removed while others refer to it
  | 'InvalidReference' // a row refers to one that does not exist
  | 'NotFound'
  | 'SecretsUnavailable'; // secrets are stored but cannot be decrypted here

/** The one error type the store throws on purpose; `code` lets callers map it without parsing text. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Identifies our files (PRAGMA application_id, 'CDS1'), so we never migrate another program's database. */
export const APPLICATION_ID = 0x43445331;

export interface OpenDatabaseOptions {
  /** Path to better_sqlite3.node, e.g. the copy rebuilt for Electron's ABI. */
  nativeBinding?: string;
  /** Open without writing anything: no WAL switch, no migrations (the schema must be current). */
  readonly?: boolean;
  /** @internal Tests replace the migration list. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) the database at `path` and brings its schema up to date.
 * `':memory:'` gives a private in-memory database.
 *
 * Refuses, with a StoreError naming the path and without modifying the file: a file that is not
 * SQLite, another program's SQLite database, and a database written by a newer version of the app.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  const inMemory = path === ':memory:' || path === '';
  const readonly = options.readonly === true;
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  if (!inMemory && !readonly) mkdirSync(dirname(resolve(path)), { recursive: true });

  let db: Database;
  try {
    db = new BetterSqlite3(path, {
      readonly,
      fileMustExist: readonly,
      timeout: 5000,
      ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
    });
  } catch (err) {
    throw new StoreError('CannotOpen', `cannot open database ${path}: ${messageOf(err)}`, { cause: err });
  }

  try {
    db.pragma('busy_timeout = 5000');
    // Everything up to the version check only reads, so a refused file is left byte-for-byte intact.
    const version = readHeader(db, path);
    if (version > latest) {
      throw new StoreError(
        'NewerSchema',
        `database ${path} was written by a newer version of Cloud Data Sync (schema ${version}, ` +
          `this version knows up to ${latest}); upgrade the app or point databasePath at another file`,
      );
    }
    if (readonly) {
      if (version < latest) {
        throw new StoreError(
          'NeedsUpgrade',
          `database ${path} has schema ${version} but this version needs ${latest}; open it once read-write to upgrade it`,
        );
      }
    } else {
      // WAL lets readers (UI queries) proceed while the engine writes; NORMAL is durable across app
      // crashes in WAL mode and only risks the last transactions on power loss.
      if (!inMemory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!readonly && version < latest) migrate(db, path, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Reads user_version after checking the file is SQLite and ours (or empty). */
function readHeader(db: Database, path: string): number {
  let version: number;
  let appId: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    appId = db.pragma('application_id', { simple: true }) as number;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError('NotADatabase', `${path} is not a SQLite database (${messageOf(err)}); point databasePath at another file`, {
        cause: err,
      });
    }
    throw err;
  }
  if (appId !== 0 && appId !== APPLICATION_ID) {
    throw new StoreError('NotADatabase', `${path} is another program's SQLite database (application_id ${appId}); point databasePath at another file`);
  }
  if (appId === 0 && version === 0) {
    // A fresh file is empty; a SQLite file with tables but without our id belongs to someone else.
    const tables = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
    if (tables > 0) {
      throw new StoreError('NotADatabase', `${path} is a SQLite database of another program; point databasePath at another file`);
    }
  }
  return version;
}

function migrate(db: Database, path: string, migrations: readonly Migration[]): void {
  // Keys are ordered by BINARY collation, which is UTF-8 byte order only in a UTF-8 database (the
  // default; a new file takes the encoding set before its first table).
  db.pragma("encoding = 'UTF-8'");
  const encoding = db.pragma('encoding', { simple: true });
  if (encoding !== 'UTF-8') {
    throw new StoreError('NotADatabase', `database ${path} uses ${String(encoding)} text encoding; Cloud Data Sync needs UTF-8`);
  }
  applyMigrations(db, migrations, APPLICATION_ID);
}

/** True for SQLite's foreign-key violation, which repositories turn into a StoreError with names. */
export function isForeignKeyError(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Largest page any query returns, so one call cannot load a whole bucket or log into memory. */
export const MAX_PAGE_SIZE = 10_000;

/** Throws RangeError unless 1 <= limit <= MAX_PAGE_SIZE (never clamps: a short page must mean the end). */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`page limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export { LATEST_SCHEMA_VERSION };
