// Connections (provider type + settings). Secret fields (SECRET_FIELDS) never reach settings_json:
// they are encrypted together into secrets_blob by the caller's SecretCipher (Electron safeStorage in
// the desktop app). Without a cipher (headless CLI, whose secrets come from config.json) secrets are
// simply not persisted: get/getWithSecrets then return the connection without them.
import { connectionSettings, SECRET_FIELDS, type Connection, type ConnectionTestResult, type ProviderType } from '../../shared/model';
import { StoreError, type Database } from './db';

/** Encrypts secrets at rest. Must not be the identity: the plaintext must not appear in `encrypt`'s output. */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(blob: Buffer): string;
}

/** Which secret fields of a connection hold a value; what the renderer may see instead of the values. */
export type SecretsSet = Record<string, boolean>;

export interface UpsertConnectionOptions {
  /**
   * A secret field left undefined in the input keeps its stored value instead of being cleared (an
   * edit form only knows set/unset). An empty string still clears it. Without a cipher, the stored
   * blob is kept as a whole when the type is unchanged.
   */
  keepExistingSecrets?: boolean;
}

interface ConnectionRow {
  id: string;
  name: string;
  type: ProviderType;
  settings_json: string;
  secrets_blob: Buffer | null;
  secret_fields: string;
}

type Settings = Record<string, unknown>;

export class ConnectionsRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsertRow;
  private readonly deleteRow;
  private readonly usersOf;
  private readonly selectTest;
  private readonly upsertTest;
  private readonly deleteTest;

  constructor(
    private readonly db: Database,
    private readonly cipher: SecretCipher | null,
  ) {
    const columns = 'id, name, type, settings_json, secrets_blob, secret_fields';
    this.selectAll = db.prepare<[], ConnectionRow>(`SELECT ${columns} FROM connections ORDER BY rowid`);
    this.selectOne = db.prepare<[string], ConnectionRow>(`SELECT ${columns} FROM connections WHERE id = ?`);
    this.upsertRow = db.prepare<[Omit<ConnectionRow, 'secrets_blob'> & { secrets_blob: Buffer | null; now: number }]>(
      `INSERT INTO connections (id, name, type, settings_json, secrets_blob, secret_fields, created_at, updated_at)
       VALUES (@id, @name, @type, @settings_json, @secrets_blob, @secret_fields, @now, @now)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type,
         settings_json = excluded.settings_json, secrets_blob = excluded.secrets_blob,
         secret_fields = excluded.secret_fields, updated_at = excluded.updated_at`,
    );
    this.deleteRow = db.prepare<[string]>('DELETE FROM connections WHERE id = ?');
    this.selectTest = db.prepare<[string], { result_json: string; tested_at: number }>('SELECT result_json, tested_at FROM connection_tests WHERE connection_id = ?');
    this.upsertTest = db.prepare<[string, string, number]>(
      `INSERT INTO connection_tests (connection_id, result_json, tested_at) VALUES (?, ?, ?)
       ON CONFLICT (connection_id) DO UPDATE SET result_json = excluded.result_json, tested_at = excluded.tested_at`,
    );
    this.deleteTest = db.prepare<[string]>('DELETE FROM connection_tests WHERE connection_id = ?');
    this.usersOf = db
      .prepare<[string, string], string>(
        'SELECT name FROM mappings WHERE source_connection_id = ? OR target_connection_id = ? ORDER BY name',
      )
      .pluck();
  }

  /** Every connection, in insertion order, without secrets. */
  list(): Connection[] {
    return this.selectAll.all().map((row) => toConnection(row, {}));
  }

  /** The connection without its secrets; safe to hand to the renderer. */
  get(id: string): Connection | undefined {
    const row = this.selectOne.get(id);
    return row && toConnection(row, {});
  }

  /**
   * The connection with its secrets decrypted, for building a provider. Throws SecretsUnavailable when
   * secrets are stored but cannot be decrypted here (no cipher, or the OS key changed).
   */
  getWithSecrets(id: string): Connection | undefined {
    const row = this.selectOne.get(id);
    return row && toConnection(row, this.decrypt(row));
  }

  /** For each secret field of the connection's type, whether it is set. Needs no decryption. */
  secretsSet(id: string): SecretsSet | undefined {
    const row = this.selectOne.get(id);
    if (!row) return undefined;
    const stored = new Set(JSON.parse(row.secret_fields) as string[]);
    return Object.fromEntries(SECRET_FIELDS[row.type].map((field) => [field, stored.has(field)]));
  }

  /** Inserts or replaces the connection, keeping its creation time. See UpsertConnectionOptions. */
  upsert(conn: Connection, options: UpsertConnectionOptions = {}): void {
    this.db.transaction(() => {
      const { plain, secrets } = splitSecrets(conn);
      const existing = this.selectOne.get(conn.id);
      let blob: Buffer | null = null;
      let fields: string[] = [];
      if (this.cipher) {
        if (options.keepExistingSecrets && existing) {
          const given = (connectionSettings(conn) as Settings);
          const kept = Object.entries(this.decrypt(existing)).filter(
            ([field]) => SECRET_FIELDS[conn.type].includes(field) && given[field] === undefined,
          );
          Object.assign(secrets, Object.fromEntries(kept));
        }
        fields = Object.keys(secrets).sort();
        if (fields.length > 0) blob = this.cipher.encrypt(JSON.stringify(secrets));
      } else if (options.keepExistingSecrets && existing && existing.type === conn.type) {
        blob = existing.secrets_blob;
        fields = JSON.parse(existing.secret_fields) as string[];
      }
      // The last test described the settings before this change: it no longer says anything.
      this.deleteTest.run(conn.id);
      this.upsertRow.run({
        id: conn.id,
        name: conn.name,
        type: conn.type,
        settings_json: JSON.stringify(plain),
        secrets_blob: blob,
        secret_fields: JSON.stringify(fields),
        now: Date.now(),
      });
    })();
  }

  /** Keeps `result` (secrets already scrubbed) as the last test of the saved connection `id`, as it is now. */
  recordTest(id: string, result: ConnectionTestResult, at: number): void {
    this.upsertTest.run(id, JSON.stringify(result), at);
  }

  /** The last test of the connection's current settings, if one was recorded since they last changed. */
  lastTest(id: string): { result: ConnectionTestResult; at: number } | undefined {
    const row = this.selectTest.get(id);
    return row && { result: JSON.parse(row.result_json) as ConnectionTestResult, at: row.tested_at };
  }

  /**
   * Removes the connection; false when it did not exist. Refused with StoreError 'InUse', naming the
   * mappings, while a mapping uses it as source or target.
   */
  remove(id: string): boolean {
    return this.db.transaction(() => {
      const users = this.usersOf.all(id, id);
      if (users.length > 0) {
        const name = this.selectOne.get(id)?.name ?? id;
        const list = users.map((n) => `"${n}"`).join(', ');
        throw new StoreError(
          'InUse',
          `connection "${name}" is used by mapping${users.length > 1 ? 's' : ''} ${list}; delete those mappings or change their connections first`,
        );
      }
      return this.deleteRow.run(id).changes > 0;
    })();
  }

  private decrypt(row: ConnectionRow): Settings {
    if (row.secrets_blob === null) return {};
    if (!this.cipher) {
      throw new StoreError(
        'SecretsUnavailable',
        `connection "${row.name}" has stored secrets, but this process has no way to decrypt them (only the desktop app can)`,
      );
    }
    try {
      return JSON.parse(this.cipher.decrypt(row.secrets_blob)) as Settings;
    } catch (err) {
      throw new StoreError('SecretsUnavailable', `the stored secrets of connection "${row.name}" cannot be decrypted; enter them again`, {
        cause: err,
      });
    }
  }
}

/** Separates secret fields (non-empty values only) from the rest of the settings. */
function splitSecrets(conn: Connection): { plain: Settings; secrets: Settings } {
  const secretNames = SECRET_FIELDS[conn.type];
  const plain: Settings = {};
  const secrets: Settings = {};
  for (const [field, value] of Object.entries((connectionSettings(conn) as Settings))) {
    if (!secretNames.includes(field)) plain[field] = value;
    else if (value !== undefined && value !== null && value !== '') secrets[field] = value;
  }
  return { plain, secrets };
}

function toConnection(row: ConnectionRow, secrets: Settings): Connection {
  const settings = { ...(JSON.parse(row.settings_json) as Settings), ...secrets };
  return { id: row.id, name: row.name, type: row.type, [row.type]: settings } as unknown as Connection;
}
