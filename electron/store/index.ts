// The Store facade: one SQLite connection and one repository per table family. All SQL of the app
// lives in this folder; everything else goes through these repositories.
import type { EngineState } from '../sync/ports';
import { ConnectionsRepository, type SecretCipher } from './connections';
import { storeEngineState } from './engine-state';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openDatabase, type Database } from './db';
import { acquireDatabaseLock, type DatabaseLock } from './lock';
import { LogsRepository } from './logs';
import { MappingsRepository } from './mappings';
import { ObjectsRepository } from './objects';
import { PendingDeletesRepository } from './pending-deletes';
import { RemoteEnginesRepository } from './remote-engines';
import { UploadsRepository } from './uploads';
import { RunsRepository } from './runs';
import { SettingsRepository } from './settings';

export interface StoreOptions {
  /** Path to better_sqlite3.node built for the running runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  /** Encrypts connection secrets at rest. Without one (headless CLI), secrets are not persisted. */
  cipher?: SecretCipher;
  /**
   * Opens for reading only, beside a live process: no lock, no migration, every write throws. For
   * inspecting a database that another process holds (tests, support); the schema must be current.
   */
  readonly?: boolean;
}

export class Store {
  readonly connections: ConnectionsRepository;
  readonly mappings: MappingsRepository;
  readonly objects: ObjectsRepository;
  /** Uploads in progress, for resuming them after a crash (uploads.ts). */
  readonly uploads: UploadsRepository;
  readonly runs: RunsRepository;
  readonly logs: LogsRepository;
  readonly settings: SettingsRepository;
  /** Deletions running runs have planned, spilled out of memory (pending-deletes.ts). */
  readonly pendingDeletes: PendingDeletesRepository;
  /** Remote engines this process drives, tokens sealed (remote-engines.ts). */
  readonly remoteEngines: RemoteEnginesRepository;
  /** The engine's ports (sync/ports.ts) over this database: what runMapping and SyncService take. */
  readonly engineState: EngineState;
  /** This process's hold on the database file; null in memory and when opened read-only. */
  readonly lock: DatabaseLock | null;
  private closed = false;

  constructor(
    private readonly db: Database,
    options: Pick<StoreOptions, 'cipher'> & { lock?: DatabaseLock } = {},
  ) {
    this.lock = options.lock ?? null;
    this.connections = new ConnectionsRepository(db, options.cipher ?? null);
    this.mappings = new MappingsRepository(db, options.cipher ?? null);
    this.objects = new ObjectsRepository(db);
    this.uploads = new UploadsRepository(db);
    this.runs = new RunsRepository(db);
    this.logs = new LogsRepository(db);
    this.settings = new SettingsRepository(db, options.cipher ?? null);
    this.pendingDeletes = new PendingDeletesRepository(db);
    this.remoteEngines = new RemoteEnginesRepository(db, options.cipher ?? null);
    this.engineState = storeEngineState(this);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Runs `fn` in one transaction (nested calls become savepoints); a throw rolls everything back.
   * `fn` must be synchronous: better-sqlite3 refuses a function that returns a promise.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Checkpoints the WAL into the main file, closes, then lets the next process in. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.db.readonly) {
        this.db.pragma('optimize');
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      }
    } finally {
      try {
        this.db.close();
      } finally {
        this.lock?.release();
      }
    }
  }
}

/**
 * Opens (creating and migrating if needed) the store at `path`; see openDatabase for what is refused.
 * A database file is first locked for this process (electron/store/lock.ts): while another live
 * process has it open this throws DatabaseLockedError naming that process, before anything is read
 * or migrated. So a run found 'running' here belongs to a process that died, and only such runs are
 * marked interrupted by the caller.
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const inMemory = path === ':memory:' || path === '';
  const readonly = options.readonly === true;
  let lock: DatabaseLock | undefined;
  if (!inMemory && !readonly) {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    lock = acquireDatabaseLock(path, options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding });
  }
  try {
    const db = openDatabase(path, { readonly, ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }) });
    try {
      return new Store(db, { cipher: options.cipher, lock });
    } catch (err) {
      db.close();
      throw err;
    }
  } catch (err) {
    lock?.release();
    throw err;
  }
}

export { BatchWriter, type BatchWriterOptions } from './batch-writer';
export type { ConnectionsRepository, SecretCipher, SecretsSet, UpsertConnectionOptions } from './connections';
export { LATEST_SCHEMA_VERSION, MAX_PAGE_SIZE, openDatabase, StoreError, type StoreErrorCode } from './db';
export { DatabaseLockedError, lockPathFor, type DatabaseLock, type LockHolder } from './lock';
export type { LogLine, LogQuery, LogsRepository, NewLogLine } from './logs';
export { withWebhookIds, type MappingsRepository } from './mappings';
export type { ObjectsRepository } from './objects';
export type { PendingDeletesRepository } from './pending-deletes';
export type { LastKnown, RemoteEnginesRepository, StoredEngine } from './remote-engines';
export type { FinalRunStatus, FinishRun, RunsRepository } from './runs';
export type { SettingsRepository } from './settings';
