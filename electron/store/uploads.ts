// Uploads in progress (multipart uploads, staged blocks): what a provider needs to continue one after
// a crash or kill, and to abort it when it will never be finished. One row per mapping and key; the
// row names the source version it uploads, so a changed source never continues an old upload.
// `state` is the provider's own serialised progress (an upload id and confirmed parts, block ids):
// never a credential (a GCS resumable session URI is one, so GCS uploads are not recorded here).
import { isForeignKeyError, StoreError, type Database } from './db';

export interface UploadRow {
  /** Key relative to the mapping's prefixes (as in the objects table). */
  key: string;
  targetBucket: string;
  targetKey: string;
  sourceEtag: string;
  sourceSize: number;
  state: string;
  startedAt: number;
  updatedAt: number;
}

export const SCHEMA_UPLOADS = `
CREATE TABLE uploads (
  mapping_id    TEXT NOT NULL REFERENCES mappings(id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  target_bucket TEXT NOT NULL,
  target_key    TEXT NOT NULL,
  source_etag   TEXT NOT NULL,
  source_size   INTEGER NOT NULL,
  state         TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (mapping_id, key)
) STRICT;
`;

const COLUMNS = `key, target_bucket AS targetBucket, target_key AS targetKey, source_etag AS sourceEtag,
  source_size AS sourceSize, state, started_at AS startedAt, updated_at AS updatedAt`;

export class UploadsRepository {
  private readonly getRow;
  private readonly allRows;
  private readonly upsertRow;
  private readonly deleteRow;

  constructor(db: Database) {
    this.getRow = db.prepare<[string, string], UploadRow>(`SELECT ${COLUMNS} FROM uploads WHERE mapping_id = ? AND key = ?`);
    this.allRows = db.prepare<[string], UploadRow>(`SELECT ${COLUMNS} FROM uploads WHERE mapping_id = ? ORDER BY key`);
    this.upsertRow = db.prepare<[UploadRow & { mappingId: string }]>(
      `INSERT INTO uploads (mapping_id, key, target_bucket, target_key, source_etag, source_size, state, started_at, updated_at)
       VALUES (@mappingId, @key, @targetBucket, @targetKey, @sourceEtag, @sourceSize, @state, @startedAt, @updatedAt)
       ON CONFLICT (mapping_id, key) DO UPDATE SET target_bucket = excluded.target_bucket,
         target_key = excluded.target_key, source_etag = excluded.source_etag, source_size = excluded.source_size,
         state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.deleteRow = db.prepare<[string, string]>('DELETE FROM uploads WHERE mapping_id = ? AND key = ?');
  }

  get(mappingId: string, key: string): UploadRow | undefined {
    return this.getRow.get(mappingId, key);
  }

  /** Every upload in progress of a mapping, by key. Few rows: only large objects have one. */
  all(mappingId: string): UploadRow[] {
    return this.allRows.all(mappingId);
  }

  /** Records (or replaces) the upload of a key; written at once, so a kill right after keeps it. */
  put(mappingId: string, row: UploadRow): void {
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
