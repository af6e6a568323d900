// Remote engines this process drives (electron/remote): address, pinned fingerprint, name, and the
// token sealed with the store's cipher, as connection secrets are. Without a cipher (the CLI) none
// can be saved. Nothing else of a remote engine is kept here: its connections' secrets stay there.
import type { SecretCipher } from './connections';
import { StoreError, type Database } from './db';
import { seal, unseal } from './sealed';

export interface StoredEngine {
  id: string;
  name: string;
  url: string;
  fingerprint: string | null;
}

interface EngineRow extends StoredEngine {
  token_blob: Buffer;
}

export class RemoteEnginesRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsertRow;
  private readonly deleteRow;

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

  remove(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }
}

function withoutToken(row: EngineRow): StoredEngine {
  return { id: row.id, name: row.name, url: row.url, fingerprint: row.fingerprint };
}
