// Remote engines this process drives (electron/remote): address, pinned fingerprint, name, and the
// token sealed with the store's cipher, as connection secrets are. Without a cipher (the CLI) none
// can be saved. Beside them, what was last known of the engine (lastKnown/remember), so a restarted
// home shows an unreachable engine as it last was. Its connections' secrets are never kept here.
import type { EngineMappingSummary } from '../../shared/contract';
import type { SecretCipher } from './connections';
import { StoreError, type Database } from './db';
import { seal, unseal } from './sealed';

export interface StoredEngine {
  id: string;
  name: string;
  url: string;
  fingerprint: string | null;
}

/** What the home last knew of an engine; mappings null: never reached. */
export interface LastKnown {
  lastSeenAt: number | null;
  version: string | null;
  mappings: EngineMappingSummary[] | null;
}

interface EngineRow extends StoredEngine {
  token_blob: Buffer;
}

interface LastKnownRow {
  last_seen_at: number | null;
  version: string | null;
  mappings_json: string | null;
}

const NOTHING_KNOWN: LastKnown = { lastSeenAt: null, version: null, mappings: null };

export class RemoteEnginesRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsertRow;
  private readonly deleteRow;
  private readonly renameRow;
  private readonly selectKnown;
  private readonly updateKnown;

  constructor(
    db: Database,
    private readonly cipher: SecretCipher | null,
  ) {
    const columns = 'id, name, url, fingerprint, token_blob';
    this.selectAll = db.prepare<[], EngineRow>(`SELECT ${columns} FROM remote_engines ORDER BY rowid`);
    this.selectOne = db.prepare<[string], EngineRow>(`SELECT ${columns} FROM remote_engines WHERE id = ?`);
    this.upsertRow = db.prepare<[EngineRow & { now: number }]>(
      `INSERT INTO remote_engines (id, name, url, fingerprint, token_blob, created_at, updated_at)
       VALUES (@id, @name, @url, @fingerprint, @token_blob, @now, @now)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url, fingerprint = excluded.fingerprint,
         token_blob = excluded.token_blob, updated_at = excluded.updated_at`,
    );
    this.deleteRow = db.prepare<[string]>('DELETE FROM remote_engines WHERE id = ?');
    this.renameRow = db.prepare<[{ id: string; name: string; now: number }]>('UPDATE remote_engines SET name = @name, updated_at = @now WHERE id = @id');
    this.selectKnown = db.prepare<[string], LastKnownRow>('SELECT last_seen_at, version, mappings_json FROM remote_engines WHERE id = ?');
    this.updateKnown = db.prepare<[LastKnownRow & { id: string }]>(
      'UPDATE remote_engines SET last_seen_at = @last_seen_at, version = @version, mappings_json = @mappings_json WHERE id = @id',
    );
  }

  /** Whether tokens can be stored: only with a cipher. */
  get seals(): boolean {
    return this.cipher !== null;
  }

  /** Every engine, in the order added, without its token. */
  list(): StoredEngine[] {
    return this.selectAll.all().map(withoutToken);
  }

  get(id: string): StoredEngine | undefined {
    const row = this.selectOne.get(id);
    return row && withoutToken(row);
  }

  /** The engine's token, decrypted; StoreError 'SecretsUnavailable' when it cannot be. */
  token(id: string): string {
    const row = this.selectOne.get(id);
    if (!row) throw new StoreError('NotFound', `no remote engine ${id}`);
    return unseal<string>(this.cipher, row.token_blob, `the token of remote engine "${row.name}"`);
  }

  /** Inserts or replaces the engine with its token (sealed). */
  save(engine: StoredEngine, token: string): void {
    if (!this.cipher) throw new StoreError('SecretsUnavailable', 'this process has no way to encrypt a remote engine\'s token, so it cannot store one');
    this.upsertRow.run({ ...engine, token_blob: seal(this.cipher, token), now: Date.now() });
  }

  /** A new name only: the token is neither read nor written (it may not be decryptable here). False: no such engine. */
  rename(id: string, name: string): boolean {
    return this.renameRow.run({ id, name, now: Date.now() }).changes > 0;
  }

  /** What was last known of the engine; nothing when it was never reached (or is not stored). */
  lastKnown(id: string): LastKnown {
    const row = this.selectKnown.get(id);
    if (!row) return NOTHING_KNOWN;
    return { lastSeenAt: row.last_seen_at, version: row.version, mappings: row.mappings_json === null ? null : (JSON.parse(row.mappings_json) as EngineMappingSummary[]) };
  }

  /** Keeps what is now known of the engine (no-op when it was removed meanwhile). */
  remember(id: string, known: LastKnown): void {
    // Field by field: a field added to the summary later is not stored without a look at what it holds.
    const mappings = known.mappings?.map(({ id, name, state, lastRunStatus, lastRunAt }) => ({ id, name, state, lastRunStatus, lastRunAt }));
    this.updateKnown.run({ id, last_seen_at: known.lastSeenAt, version: known.version, mappings_json: mappings ? JSON.stringify(mappings) : null });
  }

  remove(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }
}

function withoutToken(row: EngineRow): StoredEngine {
  return { id: row.id, name: row.name, url: row.url, fingerprint: row.fingerprint };
}
