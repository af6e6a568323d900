// Deletions a running run has planned but not made yet: the engine spills them here (sync/ports.ts
// PendingDeletesPort) so a mirror run against an emptied source holds no whole listing in memory.
import type { PendingDelete } from '../sync/ports';
import { checkLimit, isForeignKeyError, StoreError, type Database } from './db';

interface PendingDeleteRow {
  key: string;
  size: number | null;
  reason: PendingDelete['reason'];
}

export class PendingDeletesRepository {
  private readonly insertRow;
  private readonly firstPage;
  private readonly nextPage;
  private readonly deleteRun;

  constructor(private readonly db: Database) {
    this.insertRow = db.prepare<[number, string, number | null, string]>('INSERT INTO pending_deletes (run_id, key, size, reason) VALUES (?, ?, ?, ?)');
    // Both pages walk the primary key (run_id, key): key order, no sort.
    this.firstPage = db.prepare<[number, number], PendingDeleteRow>('SELECT key, size, reason FROM pending_deletes WHERE run_id = ? ORDER BY key LIMIT ?');
    this.nextPage = db.prepare<[number, string, number], PendingDeleteRow>(
      'SELECT key, size, reason FROM pending_deletes WHERE run_id = ? AND key > ? ORDER BY key LIMIT ?',
    );
    this.deleteRun = db.prepare<[number]>('DELETE FROM pending_deletes WHERE run_id = ?');
  }

  /** Appends deletes of a run in one transaction. Throws InvalidReference for an unknown run. */
  append(runId: number, deletes: readonly PendingDelete[]): void {
    if (deletes.length === 0) return;
    try {
      this.db.transaction(() => {
        for (const d of deletes) this.insertRow.run(runId, d.key, d.size ?? null, d.reason);
      })();
    } catch (err) {
      if (isForeignKeyError(err)) throw new StoreError('InvalidReference', `cannot record pending deletes: run ${runId} does not exist`, { cause: err });
      throw err;
    }
  }

  /** Up to `limit` deletes of the run with key > afterKey (from the first when null), in UTF-8 byte order. */
  page(runId: number, afterKey: string | null, limit: number): PendingDelete[] {
    checkLimit(limit);
    const rows = afterKey === null ? this.firstPage.all(runId, limit) : this.nextPage.all(runId, afterKey, limit);
    return rows.map((r) => (r.size === null ? { key: r.key, reason: r.reason } : { key: r.key, size: r.size, reason: r.reason }));
  }

  /** Forgets every pending delete of the run; returns how many. */
  clear(runId: number): number {
    return this.deleteRun.run(runId).changes;
  }
}
