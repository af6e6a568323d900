// The engine's ports held in memory: for previews (a plan without a database), tests that need no
// native module, and library users who keep no state between processes. Nothing is persisted; a
// second run in the same MemoryState sees what the first one recorded.
import { ROUTE_FIELDS, type MappingRoute } from '../../shared/config/mapping-ids';
import type { RunSummary } from '../../shared/model';
import { compareKeys } from '../lib/key-order';
import type {
  EngineState,
  PendingDelete,
  PendingDeletesPort,
  RunJournalPort,
  RunLogLine,
  RunRecorder,
  RunResult,
  SyncedObject,
  SyncStatePort,
  UploadJournalPort,
  UploadRecord,
} from './ports';

/** A log line as the memory journal keeps it. */
export interface MemoryLogLine extends RunLogLine {
  runId: number;
  mappingId: string;
  ts: number;
}

export class MemoryState implements EngineState {
  private readonly objects = new Map<string, SortedObjects>();
  /** The route each mapping's sync state belongs to (SyncStatePort.route). */
  private readonly routes = new Map<string, MappingRoute>();
  private readonly runList: RunSummary[] = [];
  private readonly logLines: MemoryLogLine[] = [];
  private readonly uploadRecords = new Map<string, Map<string, UploadRecord>>();
  private readonly pending = new Map<number, PendingDelete[]>();

  readonly syncState: SyncStatePort = {
    page: async (mappingId, afterKey, limit) => this.objects.get(mappingId)?.page(afterKey, limit) ?? [],
    route: async (mappingId) => copy(this.routes.get(mappingId)),
    resetRoute: async (mappingId, route) => {
      this.objects.delete(mappingId);
      this.routes.set(mappingId, Object.fromEntries(ROUTE_FIELDS.map((field) => [field, route[field]])) as MappingRoute);
    },
  };

  readonly journal: RunJournalPort = {
    start: async (mappingId, dryRun) => this.startRun(mappingId, dryRun),
  };

  readonly uploads: UploadJournalPort = {
    get: async (mappingId, key) => copy(this.uploadRecords.get(mappingId)?.get(key)),
    all: async (mappingId) =>
      [...(this.uploadRecords.get(mappingId)?.values() ?? [])].sort((a, b) => compareKeys(a.key, b.key)).map((r) => ({ ...r })),
    put: (mappingId, record) => {
      let records = this.uploadRecords.get(mappingId);
      if (!records) this.uploadRecords.set(mappingId, (records = new Map()));
      // Like the SQLite journal: a replaced record keeps the time its upload started.
      const startedAt = records.get(record.key)?.startedAt ?? record.startedAt;
      records.set(record.key, { ...record, startedAt });
    },
    remove: (mappingId, key) => {
      this.uploadRecords.get(mappingId)?.delete(key);
    },
  };

  readonly pendingDeletes: PendingDeletesPort = {
    append: async (runId, deletes) => {
      let list = this.pending.get(runId);
      if (!list) this.pending.set(runId, (list = []));
      for (const d of deletes) {
        const last = list[list.length - 1];
        if (last && compareKeys(last.key, d.key) >= 0) throw new RangeError(`pending delete "${d.key}" is not after "${last.key}"`);
        list.push({ ...d });
      }
    },
    page: async (runId, afterKey, limit) => {
      const list = this.pending.get(runId) ?? [];
      const start = afterKey === null ? 0 : firstAfter(list, afterKey, (d) => d.key);
      return list.slice(start, start + limit).map((d) => ({ ...d }));
    },
    clear: async (runId) => {
      this.pending.delete(runId);
    },
  };

  /** Every run recorded here, oldest first. */
  runs(mappingId?: string): RunSummary[] {
    return this.runList.filter((r) => mappingId === undefined || r.mappingId === mappingId).map((r) => ({ ...r }));
  }

  /** The log lines of a run, in the order they were written. */
  logs(runId: number): MemoryLogLine[] {
    return this.logLines.filter((l) => l.runId === runId).map((l) => ({ ...l }));
  }

  /** The sync state of a mapping, in key order. */
  syncedObjects(mappingId: string): SyncedObject[] {
    return this.objects.get(mappingId)?.page(null, Number.MAX_SAFE_INTEGER) ?? [];
  }

  /** How many pending deletes are held for runs (none once every run has finished). */
  pendingDeleteCount(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  private startRun(mappingId: string, dryRun: boolean): RunRecorder {
    const run: RunSummary = {
      id: this.runList.length + 1,
      mappingId,
      status: 'running',
      dryRun,
      startedAt: Date.now(),
      finishedAt: null,
      durationMs: null,
      copied: 0,
      adopted: 0,
      skipped: 0,
      deleted: 0,
      failed: 0,
      bytesCopied: 0,
      firstError: null,
      errorCode: null,
    };
    this.runList.push(run);
    const objects = (): SortedObjects => {
      let map = this.objects.get(mappingId);
      if (!map) this.objects.set(mappingId, (map = new SortedObjects()));
      return map;
    };
    let finished = false;
    return {
      run: { ...run },
      upsertState: (object) => objects().set(object.key, { ...object }),
      removeState: (key) => this.objects.get(mappingId)?.delete(key),
      log: (line) => {
        this.logLines.push({ runId: run.id, mappingId, ts: Date.now(), level: line.level, message: line.message, ...(line.key === undefined ? {} : { key: line.key }) });
      },
      finish: async (result: RunResult) => {
        if (finished) throw new Error(`run ${run.id} is already finished`);
        finished = true;
        const finishedAt = Date.now();
        Object.assign(run, { ...result.counts, status: result.status, firstError: result.firstError, errorCode: result.errorCode, finishedAt, durationMs: finishedAt - run.startedAt });
        return { ...run };
      },
    };
  }
}

/** Keys per block of SortedObjects before it is split in two. */
const BLOCK_MAX = 1_024;

/**
 * Sync state of one mapping in key order (lib/key-order): the keys sit in sorted blocks of at most
 * BLOCK_MAX, each block's keys before the next block's. Adding or removing a key costs a binary
 * search and a splice within one block, and a page a binary search plus its own length, however
 * runs interleave writes and reads: the whole mapping is never sorted again.
 */
class SortedObjects {
  private readonly values = new Map<string, SyncedObject>();
  /** Never empty blocks. */
  private readonly blocks: string[][] = [];

  set(key: string, value: SyncedObject): void {
    if (!this.values.has(key)) this.insert(key);
    this.values.set(key, value);
  }

  delete(key: string): void {
    if (!this.values.delete(key)) return;
    const b = firstIndex(this.blocks.length, (i) => compareKeys(lastOf(this.blocks[i]!), key) >= 0);
    const block = this.blocks[b]!;
    block.splice(firstAfter(block, key, (k) => k) - 1, 1);
    if (block.length === 0) this.blocks.splice(b, 1);
  }

  page(afterKey: string | null, limit: number): SyncedObject[] {
    const page: SyncedObject[] = [];
    let b = afterKey === null ? 0 : this.firstBlockAfter(afterKey);
    let i = afterKey === null || b === this.blocks.length ? 0 : firstAfter(this.blocks[b]!, afterKey, (k) => k);
    for (; b < this.blocks.length && page.length < limit; b++, i = 0) {
      const block = this.blocks[b]!;
      for (; i < block.length && page.length < limit; i++) page.push({ ...this.values.get(block[i]!)! });
    }
    return page;
  }

  private insert(key: string): void {
    // The block that holds the first key after this one, or the last block (a run records keys
    // mostly in ascending order: those go to the end of the last block).
    const b = Math.min(this.firstBlockAfter(key), this.blocks.length - 1);
    if (b < 0) {
      this.blocks.push([key]);
      return;
    }
    const block = this.blocks[b]!;
    block.splice(firstAfter(block, key, (k) => k), 0, key);
    if (block.length > BLOCK_MAX) this.blocks.splice(b, 1, block.slice(0, block.length >>> 1), block.slice(block.length >>> 1));
  }

  /** Index of the first block with a key after `key` (blocks.length when none has). */
  private firstBlockAfter(key: string): number {
    return firstIndex(this.blocks.length, (i) => compareKeys(lastOf(this.blocks[i]!), key) > 0);
  }
}

function lastOf(block: readonly string[]): string {
  return block[block.length - 1]!;
}

/** Index of the first item whose key is after `key` in a list sorted by key. */
function firstAfter<T>(list: readonly T[], key: string, keyOf: (item: T) => string): number {
  return firstIndex(list.length, (i) => compareKeys(keyOf(list[i]!), key) > 0);
}

/** The first index in [0, length) where `holds` is true, for a `holds` false then true; length when never. */
function firstIndex(length: number, holds: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function copy<T extends object>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : { ...value };
}
