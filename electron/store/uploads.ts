// Uploads in progress (multipart uploads, staged blocks): what a provider needs to continue one after
// a crash or kill, and to abort it when it will never be finished. One row per mapping and key; the
// row names the source version it uploads, so a changed source never continues an old upload.
// `state` is the provider's own serialised progress (an upload id and confirmed parts, block ids):
// never a credential (a GCS resumable session URI is one, so GCS uploads are not recorded here).
import type { UploadRecord } from '../sync/ports';
import { isForeignKeyError, StoreError, type Database } from './db';

const COLUMNS = `key, target_bucket AS targetBucket, target_key AS targetKey, source_etag AS sourceEtag,
  source_size AS sourceSize, state, started_at AS startedAt, updated_at AS updatedAt`;

export class UploadsRepository {
  private readonly getRow;
  private readonly allRows;
  private readonly upsertRow;
  private readonly deleteRow;

  constructor(db: Database) {
    this.getRow = db.prepare<[string, string], UploadRecord>(`SELECT ${COLUMNS} FROM uploads WHERE mapping_id = ? AND key = ?`);
    this.allRows = db.prepare<[string], UploadRecord>(`SELECT ${COLUMNS} FROM uploads WHERE mapping_id = ? ORDER BY key`);
    this.upsertRow = db.prepare<[UploadRecord & { mappingId: string }]>(
      `INSERT INTO uploads (mapping_id, key, target_bucket, target_key, source_etag, source_size, state, started_at, updated_at)
       VALUES (@mappingId, @key, @targetBucket, @targetKey, @sourceEtag, @sourceSize, @state, @startedAt, @updatedAt)
       ON CONFLICT (mapping_id, key) DO UPDATE SET target_bucket = excluded.target_bucket,
         target_key = excluded.target_key, source_etag = excluded.source_etag, source_size = excluded.source_size,
         state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.deleteRow = db.prepare<[string, string]>('DELETE FROM uploads WHERE mapping_id = ? AND key = ?');
  }

  get(mappingId: string, key: string): UploadRecord | undefined {
    return this.getRow.get(mappingId, key);
  }

  /** Every upload in progress of a mapping, by key. Few rows: only large objects have one. */
  all(mappingId: string): UploadRecord[] {
    return this.allRows.all(mappingId);
  }

  /** Records (or replaces) the upload of a key; written at once, so a kill right after keeps it. */
  put(mappingId: string, row: UploadRecord): void {
    try {
      this.upsertRow.run({ ...row, mappingId });
    } catch (err) {
      if (isForeignKeyError(err)) throw new StoreError('InvalidReference', `cannot record an upload: mapping "${mappingId}" does not exist`, { cause: err });
      throw err;
    }
  }

  remove(mappingId: string, key: string): void {
    this.deleteRow.run(mappingId, key);
  }
}
