// Where a synchronizer keeps what it knows between runs: the sync state of every mapping (what was
// copied, so unchanged objects are skipped and deletions follow the source), run history, uploads in
// progress. Any object with the engine's ports will do (sync/ports.ts); two come with the package.
import type { Connection, Mapping } from '../../shared/model';
import { MemoryState } from '../sync/memory-state';
import type { EngineState } from '../sync/ports';

/** The engine's ports, plus what a synchronizer calls on the state it was given. */
export interface SyncState extends EngineState {
  /**
   * Called once by createSynchronizer with its connections and mappings, before any run, when both
   * were given as lists. The SQLite state records them (its history and sync state hang off them).
   */
  register?(connections: readonly Connection[], mappings: readonly Mapping[]): void;
  /** Called by Synchronizer.close(), after the providers closed. */
  close?(): void | Promise<void>;
}

/**
 * State held in memory: nothing is written to disk, no native module is loaded. Every run of a new
 * process starts from nothing (copies are then skipped by comparing content where both sides know an
 * MD5, see docs/library.md); runs of one synchronizer see what the earlier ones recorded.
 * `runs()` and `logs()` give the history.
 */
export function memoryState(): MemoryState {
  return new MemoryState();
}

export { MemoryState, type MemoryLogLine } from '../sync/memory-state';
