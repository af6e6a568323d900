// State in a SQLite file: sync state, run history with log lines and uploads in progress survive the
// process, so the next run copies only what changed and continues a large upload where a kill left
// it. The same database format as the CLI's (`databasePath` in config.json): the CLI and a library
// user can take turns on one file, never at once (one process per database, see store/lock.ts).
import type { Connection, Mapping } from '../../shared/model';
import { sidesHoldingFile } from '../api/bucket-locations';
import { openStore } from '../store';
import type { SyncState } from './state';

export interface SqliteStateOptions {
  /** better_sqlite3.node to load instead of the Node build in node_modules (Electron's is another ABI). */
  nativeBinding?: string;
}

export interface SqliteState extends SyncState {
  /** The database file. */
  readonly path: string;
  /**
   * Runs that a process which ended without finishing them (a crash, a kill) left 'running': marked
   * 'interrupted' when the file was opened.
   */
  readonly interruptedRuns: number;
  register(connections: readonly Connection[], mappings: readonly Mapping[]): void;
  /** Stores what is buffered and closes the file (and its lock). Idempotent. */
  close(): void;
}

/**
 * Opens (or creates, with its folder) the database at `path` and takes its lock. Throws
 * DatabaseLockedError when another live process has it open (the message names that process), and
 * StoreError for a file that is not ours or was written by a newer version.
 */
export function openSqliteState(path: string, options: SqliteStateOptions = {}): SqliteState {
  // No cipher: connections are recorded without their secrets, which stay with the caller.
  const store = openStore(path, { nativeBinding: options.nativeBinding });
  // The lock is ours: a run still 'running' belongs to a process that died.
  const interruptedRuns = store.runs.markInterrupted();
  const { syncState, journal, uploads, pendingDeletes } = store.engineState;
  return {
    path,
    interruptedRuns,
    syncState,
    journal,
    uploads,
    pendingDeletes,
    register(connections, mappings) {
      const known = new Set(connections.map((c) => c.id));
      for (const m of mappings) {
        for (const id of [m.sourceConnectionId, m.targetConnectionId]) {
          if (!known.has(id)) {
            throw new RangeError(`mapping "${m.name}": connection "${id}" is not in the connections, and the SQLite state keeps history only for mappings between configured connections (use memoryState() with providers of your own)`);
          }
        }
      }
      // A local folder that holds the database would have its files copied or overwritten by a
      // run, and reading them through another descriptor drops SQLite's locks (store/lock.ts).
      const holding = sidesHoldingFile(mappings, connections, path, (i) => `mapping "${mappings[i]!.name}"`);
      if (holding.length > 0) throw new RangeError(holding.map((h) => h.message).join('\n'));
      store.transaction(() => {
        for (const connection of connections) store.connections.upsert(connection);
        for (const mapping of mappings) store.mappings.upsert(mapping);
      });
    },
    close: () => store.close(),
  };
}
