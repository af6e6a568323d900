// Run history: one row per run of one mapping, created 'running' when it starts and finished with
// its final status and counts.
import type { RunCounts, RunStatus, RunSummary } from '../../shared/model';
import { checkLimit, isForeignKeyError, StoreError, type Database } from './db';

export type FinalRunStatus = Exclude<RunStatus, 'running'>;

export interface FinishRun {
  /** Any status but 'running' (checked at run time; FinalRunStatus is the precise type). */
  status: RunStatus;
  counts: RunCounts;
  firstError: string | null;
  /** What caused firstError (RunSummary.errorCode). */
  errorCode: string | null;
}

interface RunRow extends RunCounts {
  id: number;
  mappingId: string;
  status: RunStatus;
  dryRun: 0 | 1;
  startedAt: number;
  finishedAt: number | null;
  firstError: string | null;
  errorCode: string | null;
}

const SELECT = `SELECT id, mapping_id AS mappingId, status, dry_run AS dryRun, started_at AS startedAt,
  finished_at AS finishedAt, copied, adopted, skipped, deleted, failed, bytes_copied AS bytesCopied,
  first_error AS firstError, error_code AS errorCode FROM runs`;

export class RunsRepository {
  private readonly insertRow;
  private readonly finishRow;
  private readonly selectOne;
  private readonly selectPage;
  private readonly interruptRunning;
  private readonly dropPendingDeletes;
  private readonly markInterruptedTx;

  constructor(db: Database) {
    this.insertRow = db.prepare<[string, 0 | 1, number]>(
      `INSERT INTO runs (mapping_id, status, dry_run, started_at) VALUES (?, 'running', ?, ?)`,
    );
    this.finishRow = db.prepare<[RunCounts & { id: number; status: FinalRunStatus; now: number; firstError: string | null; errorCode: string | null }]>(
      `UPDATE runs SET status = @status, finished_at = @now, copied = @copied, adopted = @adopted,
         skipped = @skipped, deleted = @deleted, failed = @failed, bytes_copied = @bytesCopied,
         first_error = @firstError, error_code = @errorCode
       WHERE id = @id`,
    );
    this.selectOne = db.prepare<[number], RunRow>(`${SELECT} WHERE id = ?`);
    // Walks runs_by_mapping (mapping_id, id DESC): newest first, the id cursor is a range on the index.
    this.selectPage = db.prepare<[string, number, number], RunRow>(
      `${SELECT} WHERE mapping_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    );
    this.interruptRunning = db.prepare<[number]>(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'`);
    this.dropPendingDeletes = db.prepare(`DELETE FROM pending_deletes WHERE run_id IN (SELECT id FROM runs WHERE status = 'running')`);
    this.markInterruptedTx = db.transaction((now: number) => {
      this.dropPendingDeletes.run();
      return this.interruptRunning.run(now).changes;
    });
  }

  /** Records a new 'running' run. Throws InvalidReference for an unknown mapping. */
  start(mappingId: string, dryRun: boolean): RunSummary {
    try {
      const { lastInsertRowid } = this.insertRow.run(mappingId, dryRun ? 1 : 0, Date.now());
      return this.get(Number(lastInsertRowid))!;
    } catch (err) {
      if (isForeignKeyError(err)) {
        throw new StoreError('InvalidReference', `cannot start a run: mapping "${mappingId}" does not exist`, { cause: err });
      }
      throw err;
    }
  }

  /**
   * Records the final status and counts. Also overwrites 'interrupted' (a database opened without
   * the lock, e.g. by an older version, may have marked a live run), since the real outcome is better
   * information.
   */
  finish(id: number, result: FinishRun): RunSummary {
    if (result.status === 'running') throw new RangeError('finish() needs a final status, not "running"');
    const { changes } = this.finishRow.run({
      ...result.counts,
      id,
      status: result.status,
      now: Date.now(),
      firstError: result.firstError,
      errorCode: result.errorCode,
    });
    if (changes === 0) throw new StoreError('NotFound', `run ${id} does not exist`);
    return this.get(id)!;
  }

  get(id: number): RunSummary | undefined {
    const row = this.selectOne.get(id);
    return row && toSummary(row);
  }

  /** Runs of the mapping, newest first; pass the last id of a page as `beforeId` for the next one. */
  list(mappingId: string, options: { limit: number; beforeId?: number }): RunSummary[] {
    checkLimit(options.limit);
    return this.selectPage.all(mappingId, options.beforeId ?? Number.MAX_SAFE_INTEGER, options.limit).map(toSummary);
  }

  latest(mappingId: string): RunSummary | undefined {
    return this.list(mappingId, { limit: 1 })[0];
  }

  /**
   * Marks every 'running' run as 'interrupted' and returns how many. Call once at start-up, before the
   * scheduler starts: openStore holds the database's lock by then, so a run still 'running' belongs to
   * a process that died (a crash or a kill), never to a live one. The deletions those runs had
   * planned (pending_deletes) are dropped with them: they would never be made.
   */
  markInterrupted(): number {
    return this.markInterruptedTx(Date.now());
  }
}

function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    mappingId: row.mappingId,
    status: row.status,
    dryRun: row.dryRun === 1,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.finishedAt === null ? null : row.finishedAt - row.startedAt,
    copied: row.copied,
    adopted: row.adopted,
    skipped: row.skipped,
    deleted: row.deleted,
    failed: row.failed,
    bytesCopied: row.bytesCopied,
    firstError: row.firstError,
    errorCode: row.errorCode,
  };
}
