// Buffers the engine's many small writes (state rows, log lines) and writes them in short
// transactions: one commit per batch instead of per object, and no transaction long enough to freeze
// the main process (better-sqlite3 is synchronous).
import type { SyncedObject } from '../sync/ports';
import type { LogsRepository, NewLogLine } from './logs';
import type { ObjectsRepository } from './objects';

/** Where the writes go: the Store, or anything holding its repositories and transactions. */
export interface BatchWriterTarget {
  readonly objects: ObjectsRepository;
  readonly logs: LogsRepository;
  /** Runs `fn` in one transaction (Store.transaction). */
  transaction<T>(fn: () => T): T;
}

export interface BatchWriterOptions {
  /** Flush as soon as this many writes are buffered (default 500). */
  maxItems?: number;
  /** Flush this long after the first buffered write at the latest (default 200 ms). */
  maxDelayMs?: number;
  /**
   * Receives an error of a timer-driven flush. Without it, the error is thrown by the writer's next
   * call instead, so it is never silently lost. Either way the failed batch is dropped, not retried:
   * a batch that failed once (e.g. its mapping was deleted) would fail forever.
   */
  onError?: (err: unknown) => void;
}

type Write =
  | { kind: 'upsert'; mappingId: string; row: SyncedObject }
  | { kind: 'remove'; mappingId: string; key: string }
  | { kind: 'log'; line: NewLogLine };

export class BatchWriter {
  private readonly maxItems: number;
  private readonly maxDelayMs: number;
  private readonly onError: ((err: unknown) => void) | undefined;
  private buffer: Write[] = [];
  private timer: NodeJS.Timeout | null = null;
  private deferredError: { err: unknown } | null = null;
  private closed = false;

  constructor(
    private readonly target: BatchWriterTarget,
    options: BatchWriterOptions = {},
  ) {
    this.maxItems = options.maxItems ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 200;
    this.onError = options.onError;
    if (!Number.isInteger(this.maxItems) || this.maxItems < 1) throw new RangeError(`maxItems must be a positive integer`);
    if (!(this.maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be >= 0`);
  }

  /** Number of buffered writes not yet in the database. */
  get pending(): number {
    return this.buffer.length;
  }

  upsertState(mappingId: string, row: SyncedObject): void {
    this.push({ kind: 'upsert', mappingId, row });
  }

  removeState(mappingId: string, key: string): void {
    this.push({ kind: 'remove', mappingId, key });
  }

  log(line: NewLogLine): void {
    this.push({ kind: 'log', line });
  }

  /**
   * Writes everything buffered, in call order, in one transaction. Call before anything that relies on
   * the state being stored (e.g. before deletes, or before finishing a run).
   */
  flush(): void {
    this.throwDeferred();
    this.write();
  }

  /** Flushes and stops accepting writes. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.write();
    } finally {
      this.throwDeferred();
    }
  }

  private push(write: Write): void {
    if (this.closed) throw new Error('BatchWriter is closed');
    this.throwDeferred();
    this.buffer.push(write);
    if (this.buffer.length >= this.maxItems) {
      this.write();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => this.onTimer(), this.maxDelayMs);
      // A pending flush must not keep a CLI process alive; close() writes what is left.
      this.timer.unref();
    }
  }

  private onTimer(): void {
    this.timer = null;
    try {
      this.write();
    } catch (err) {
      if (this.onError) this.onError(err);
      else this.deferredError = { err };
    }
  }

  private throwDeferred(): void {
    const deferred = this.deferredError;
    if (deferred === null) return;
    this.deferredError = null;
    throw deferred.err;
  }

  private write(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return;
    const writes = this.buffer;
    this.buffer = [];
    this.target.transaction(() => {
      // Consecutive writes of one kind (and mapping) go through the repository in one call.
      let start = 0;
      for (let i = 1; i <= writes.length; i++) {
        if (i < writes.length && sameGroup(writes[start]!, writes[i]!)) continue;
        this.writeGroup(writes.slice(start, i));
        start = i;
      }
    });
  }

  private writeGroup(group: Write[]): void {
    const first = group[0]!;
    switch (first.kind) {
      case 'upsert':
        this.target.objects.upsertMany(first.mappingId, group.map((w) => (w as Extract<Write, { kind: 'upsert' }>).row));
        break;
      case 'remove':
        this.target.objects.removeMany(first.mappingId, group.map((w) => (w as Extract<Write, { kind: 'remove' }>).key));
        break;
      case 'log':
        this.target.logs.appendMany(group.map((w) => (w as Extract<Write, { kind: 'log' }>).line));
        break;
    }
  }
}

function sameGroup(a: Write, b: Write): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'log' || a.mappingId === (b as { mappingId: string }).mappingId;
}
