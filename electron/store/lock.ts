// One process per database. The lock is an OS file lock that SQLite itself takes on a small side
// file (`<database>.lock`): the holder keeps a write transaction open on it (`BEGIN IMMEDIATE`, a
// RESERVED lock: fcntl on POSIX, LockFileEx on Windows) for as long as it has the database open.
//
// Why this and not a pid file (O_EXCL + pid + "is it alive?"): the kernel drops the lock the moment
// the process dies, SIGKILL and power cuts included, so a dead holder never blocks the next start
// and nothing has to guess from a pid that may have been reused (in a container the CLI is often pid
// 1 on every start) or belong to another host. Taking it is one atomic step, so two starters cannot
// both see "stale" and both proceed. It needs nothing beyond better-sqlite3. Not the database file
// itself: a lock there would also shut out read-only inspection (tests, support) of a live database.
//
// The same side file names the holder (pid, host, since, command): readers of a SQLite file are not
// blocked by a RESERVED lock, so a refused starter reads who holds it.
//
// Limits: file locks are only as good as the file system's (NFS/SMB may not honour them; the host in
// the holder's row helps there). A POSIX lock is dropped when the process closes ANY descriptor of
// the file, so nothing else in the process may open the lock file: a mapping whose local folder
// holds the database is refused for that reason (electron/api/bucket-locations.ts). Hard links to one database under two names are not detected; a
// symlinked path is (the lock file is named after the real path).
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { StoreError, type Database } from './db';

/** Who holds a database. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ms since the epoch when the lock was taken. */
  since: number;
  /** The holder's command line, shortened (it carries no secrets: they are never passed as arguments). */
  command: string;
}

/** The database is in use by another live process; `holder` is null only while that one is still starting. */
export class DatabaseLockedError extends StoreError {
  constructor(
    readonly databasePath: string,
    readonly holder: LockHolder | null,
  ) {
    super('Locked', lockedMessage(databasePath, holder));
  }
}

export interface DatabaseLock {
  /** The database file's real path (symlinks resolved), which the lock is named after. */
  readonly databasePath: string;
  readonly lockPath: string;
  readonly holder: LockHolder;
  /** Lets the next process in. Safe to call more than once; the lock file stays (see releaseLock). */
  release(): void;
}

/** The lock file of a database: beside the real file, so two paths to one database share one lock. */
export function lockPathFor(databasePath: string): string {
  return `${realDatabasePath(databasePath)}.lock`;
}

/** The database file's real path, or its real folder + name before it exists. */
export function realDatabasePath(databasePath: string): string {
  try {
    return realpathSync(databasePath);
  } catch {
    return join(realpathSync(dirname(databasePath)), basename(databasePath));
  }
}

/**
 * Takes the lock of the database at `databasePath` (the folder must exist) or throws
 * DatabaseLockedError naming the live holder. Never waits for the holder to go away.
 */
export function acquireDatabaseLock(databasePath: string, options: { nativeBinding?: string } = {}): DatabaseLock {
  const realPath = realDatabasePath(databasePath);
  const lockPath = `${realPath}.lock`;
  let db: Database;
  try {
    db = new BetterSqlite3(lockPath, { timeout: SETUP_WAIT_MS, ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }) });
  } catch (err) {
    throw new StoreError('CannotOpen', `cannot open the lock file ${lockPath}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: Date.now(), command: describeCommand(process.argv) };
    const token = randomUUID();
    claim(db, databasePath, holder, token);
    let released = false;
    return {
      databasePath: realPath,
      lockPath,
      holder,
      release() {
        if (released) return;
        released = true;
        releaseLock(db, token);
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** How long setup statements and a refused starter's read wait out a holder's brief commit. */
const SETUP_WAIT_MS = 2_000;
/** Rounds of claim → publish → hold; more than one only when starters race within microseconds. */
const MAX_CLAIM_ROUNDS = 5;

/**
 * Claim, publish, hold: take the write lock, write our row and commit (a reader can only see
 * committed rows), take the lock again and keep it. Another starter may slip in between the commit
 * and the second take; whoever holds the lock with its own row in place is the holder, a starter
 * that finds the lock taken refuses, and one that holds it under someone else's row writes again.
 */
function claim(db: Database, databasePath: string, holder: LockHolder, token: string): void {
  createHolderTable(db, databasePath);
  const write = db.prepare('INSERT OR REPLACE INTO holder (id, token, pid, host, since, command) VALUES (1, @token, @pid, @host, @since, @command)');
  const ownerToken = db.prepare('SELECT token FROM holder WHERE id = 1').pluck();
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    if (!tryBeginImmediate(db)) throw new DatabaseLockedError(databasePath, readHolder(db, token));
    write.run({ token, ...holder });
    db.exec('COMMIT');
    if (!tryBeginImmediate(db)) throw new DatabaseLockedError(databasePath, readHolder(db, token));
    if (ownerToken.get() === token) return; // held, and our row is the one others read
    db.exec('ROLLBACK');
  }
  throw new DatabaseLockedError(databasePath, readHolder(db, token));
}

/**
 * The holder table, made by whoever starts first. A starter that read the schema before another
 * created the table compiles a CREATE that needs the write lock, which that other now holds for
 * good: its wait ends SQLITE_BUSY. The table is then there (it was committed before the lock was
 * taken), and the claim goes on to find the lock taken; no table means a starter that holds the lock
 * and has not published yet.
 */
function createHolderTable(db: Database, databasePath: string): void {
  try {
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, since INTEGER NOT NULL, command TEXT NOT NULL)');
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SQLITE_BUSY') throw err;
    const made = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'holder'").get();
    if (made === undefined) throw new DatabaseLockedError(databasePath, null);
  }
}

/** BEGIN IMMEDIATE without waiting: false when another connection (any process) holds the write lock. */
function tryBeginImmediate(db: Database): boolean {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return false;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${SETUP_WAIT_MS}`);
  }
}

/**
 * The committed holder row, for a refusal message. A holder publishes its row right after taking the
 * lock, so a row that is missing or still ours (we lost a race after publishing) is read again,
 * briefly; then null ("starting").
 */
function readHolder(db: Database, ownToken: string): LockHolder | null {
  const select = db.prepare<[], LockHolder & { token: string }>('SELECT token, pid, host, since, command FROM holder WHERE id = 1');
  for (let attempt = 0; attempt < 20; attempt++) {
    const row = select.get();
    if (row && row.token !== ownToken) return { pid: row.pid, host: row.host, since: row.since, command: row.command };
    sleepSync(10);
  }
  return null;
}

/**
 * Clears our row (so a later reader sees no stale holder) and lets go. The file itself is never
 * deleted: a starter may have it open already, and deleting it would let a third process lock a new
 * file of the same name while the second holds the old one.
 */
function releaseLock(db: Database, token: string): void {
  try {
    db.prepare('DELETE FROM holder WHERE token = ?').run(token);
    db.exec('COMMIT');
  } catch {
    // Closing below releases the lock whatever happened to the row.
  } finally {
    db.close();
  }
}

function describeCommand(argv: readonly string[]): string {
  const [runtime, script, ...rest] = argv;
  const command = [runtime && basename(runtime), script && basename(script), ...rest].filter(Boolean).join(' ');
  return command.length > 200 ? `${command.slice(0, 199)}…` : command;
}

function lockedMessage(databasePath: string, holder: LockHolder | null): string {
  const who = holder
    ? `pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()} (${holder.command})`
    : 'a process that is still starting';
  return `database ${databasePath} is in use by another Cloud Data Sync process: ${who}. ` +
    'Only one process may use a database at a time: stop that one first, or use another database file';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
