// Per-object sync state: what the last successful copy of each key saw on both sides. The engine
// reads it in pages, in the same UTF-8 byte order as the listings it merges them with, so memory never
// holds a whole bucket's worth of rows.
import type { SyncedObject } from '../sync/ports';
import { checkLimit, isForeignKeyError, StoreError, type Database } from './db';

const COLUMNS = `key, source_etag AS sourceEtag, source_size AS sourceSize, source_mtime AS sourceMtime,
  source_md5 AS sourceMd5, target_etag AS targetEtag, target_size AS targetSize, target_mtime AS targetMtime,
  synced_at AS syncedAt`;

export class ObjectsRepository {
  private readonly firstPage;
  private readonly nextPage;
  private readonly upsertRow;
  private readonly deleteRow;
  private readonly countRows;
  private readonly deleteAll;

  constructor(private readonly db: Database) {
    // Both pages walk the primary key (mapping_id, key) in order: no sort, no OFFSET scan.
    this.firstPage = db.prepare<[string, number], SyncedObject>(
      `SELECT ${COLUMNS} FROM objects WHERE mapping_id = ? ORDER BY key LIMIT ?`,
    );
    this.nextPage = db.prepare<[string, string, number], SyncedObject>(
      `SELECT ${COLUMNS} FROM objects WHERE mapping_id = ? AND key > ? ORDER BY key LIMIT ?`,
    );
    this.upsertRow = db.prepare<[SyncedObject & { mappingId: string }]>(
      `INSERT INTO objects (mapping_id, key, source_etag, source_size, source_mtime, source_md5,
         target_etag, target_size, target_mtime, synced_at)
       VALUES (@mappingId, @key, @sourceEtag, @sourceSize, @sourceMtime, @sourceMd5,
         @targetEtag, @targetSize, @targetMtime, @syncedAt)
       ON CONFLICT (mapping_id, key) DO UPDATE SET source_etag = excluded.source_etag,
         source_size = excluded.source_size, source_mtime = excluded.source_mtime,
         source_md5 = excluded.source_md5, target_etag = excluded.target_etag,
         target_size = excluded.target_size, target_mtime = excluded.target_mtime,
         synced_at = excluded.synced_at`,
    );
    this.deleteRow = db.prepare<[string, string]>('DELETE FROM objects WHERE mapping_id = ? AND key = ?');
    this.countRows = db.prepare<[string], number>('SELECT count(*) FROM objects WHERE mapping_id = ?').pluck();
    this.deleteAll = db.prepare<[string]>('DELETE FROM objects WHERE mapping_id = ?');
  }

  /**
   * Up to `limit` rows with key > afterKey (all keys when null), ascending in UTF-8 byte order
   * (SQLite BINARY collation). Pass the last key of a page as `afterKey` to get the next one; an empty
   * page means the end.
   */
  page(mappingId: string, afterKey: string | null, limit: number): SyncedObject[] {
    checkLimit(limit);
    return afterKey === null ? this.firstPage.all(mappingId, limit) : this.nextPage.all(mappingId, afterKey, limit);
  }

  /** Inserts or replaces rows, in one transaction. Throws InvalidReference for an unknown mapping. */
  upsertMany(mappingId: string, rows: readonly SyncedObject[]): void {
    if (rows.length === 0) return;
    try {
      this.db.transaction(() => {
        for (const row of rows) this.upsertRow.run({ ...row, mappingId });
      })();
    } catch (err) {
      if (isForeignKeyError(err)) {
        throw new StoreError('InvalidReference', `cannot record sync state: mapping "${mappingId}" does not exist`, { cause: err });
      }
      throw err;
    }
  }

  /** Removes the rows of these keys (missing keys are ignored); returns how many existed. */
  removeMany(mappingId: string, keys: readonly string[]): number {
    if (keys.length === 0) return 0;
    return this.db.transaction(() => {
      let removed = 0;
      for (const key of keys) removed += this.deleteRow.run(mappingId, key).changes;
      return removed;
    })();
  }

  count(mappingId: string): number {
    return this.countRows.get(mappingId) ?? 0;
  }

  /** Forgets every row of the mapping (the next run re-verifies all objects); returns how many. */
  clear(mappingId: string): number {
    return this.deleteAll.run(mappingId).changes;
  }
}
