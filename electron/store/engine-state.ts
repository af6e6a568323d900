// The engine's ports (sync/ports.ts) over the SQLite repositories: what a run records goes to the
// runs, logs, objects, uploads and pending_deletes tables; the route a mapping's sync state belongs
// to is the one in its mappings row. A run's per-object writes (sync state, log lines) share one
// BatchWriter, so they are stored in short batched transactions, never one per object.
import type { EngineState, RunRecorder } from '../sync/ports';
import { BatchWriter, type BatchWriterTarget } from './batch-writer';
import type { MappingsRepository } from './mappings';
import type { PendingDeletesRepository } from './pending-deletes';
import type { RunsRepository } from './runs';
import type { UploadsRepository } from './uploads';

/** The repositories the ports are built on (the Store holds them all). */
export interface EngineStateTables extends BatchWriterTarget {
  readonly mappings: MappingsRepository;
  readonly runs: RunsRepository;
  readonly uploads: UploadsRepository;
  readonly pendingDeletes: PendingDeletesRepository;
}

export function storeEngineState(tables: EngineStateTables): EngineState {
  return {
    syncState: {
      page: async (mappingId, afterKey, limit) => tables.objects.page(mappingId, afterKey, limit),
      // The route is the mapping's row: the app's edits (mappings.upsert) and a run's reset keep it.
      route: async (mappingId) => tables.mappings.get(mappingId),
      resetRoute: async (mappingId, route) => tables.mappings.resetRoute(mappingId, route),
    },
    journal: {
      start: async (mappingId, dryRun) => recorder(tables, tables.runs.start(mappingId, dryRun)),
    },
    uploads: {
      get: async (mappingId, key) => tables.uploads.get(mappingId, key),
      all: async (mappingId) => tables.uploads.all(mappingId),
      put: (mappingId, record) => tables.uploads.put(mappingId, record),
      remove: (mappingId, key) => tables.uploads.remove(mappingId, key),
    },
    pendingDeletes: {
      append: async (runId, deletes) => tables.pendingDeletes.append(runId, deletes),
      page: async (runId, afterKey, limit) => tables.pendingDeletes.page(runId, afterKey, limit),
      clear: async (runId) => {
        tables.pendingDeletes.clear(runId);
      },
    },
  };
}

function recorder(tables: EngineStateTables, run: RunRecorder['run']): RunRecorder {
  const { id: runId, mappingId } = run;
  const writer = new BatchWriter(tables);
  return {
    run,
    upsertState: (object) => writer.upsertState(mappingId, object),
    removeState: (key) => writer.removeState(mappingId, key),
    log: (line) => writer.log({ runId, mappingId, ts: Date.now(), level: line.level, message: line.message, key: line.key }),
    finish: async (result) => {
      // Every buffered write is stored before the run is marked finished (a throw here leaves it
      // 'running', to be marked interrupted by the next start).
      writer.close();
      return tables.runs.finish(runId, result);
    },
  };
}
