// cloud-data-sync as a library: the package's one entry (package.json "exports"). Load a config, build
// a synchronizer over its connections and mappings, run one mapping or all of them with progress and
// an AbortSignal, keeping sync state in memory or in a SQLite file. docs/library.md shows how.
// The CLI (electron/headless) builds its engine with these same functions; the app's core
// (electron/core) with createEngine (engine.ts, not exported: it also hands out the service the
// synchronizer runs on), which createSynchronizer is built on.
export { loadConfig, parseConfig, type SyncConfig } from './config';
export * from './providers';
export { ConfigError, generateSampleConfig, type ConfigIssue } from '../../shared/config';
export { createSynchronizer } from './engine';
export type { SyncOptions, Synchronizer, SynchronizerOptions } from './synchronizer';
export { memoryState, MemoryState, type MemoryLogLine, type SyncState } from './state';
export { openSqliteState, type SqliteState, type SqliteStateOptions } from './sqlite-state';
export { DatabaseLockedError, type LockHolder } from '../store/lock';
export { StoreError, type StoreErrorCode } from '../store/db';
export type * from './types';
