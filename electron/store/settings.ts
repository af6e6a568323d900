// App settings as JSON values under string keys. Values are not validated here: the caller owns
// their shape (and passes a fallback for keys never set). A value that holds credentials (the global
// alerts) is kept sealed with the store's cipher instead: getSealed/setSealed.
import type { SecretCipher } from './connections';
import { StoreError, type Database } from './db';
import { seal, unseal } from './sealed';

export class SettingsRepository {
  private readonly selectValue;
  private readonly upsertValue;
  private readonly deleteValue;

  constructor(
    db: Database,
    private readonly cipher: SecretCipher | null = null,
  ) {
    this.selectValue = db.prepare<[string], string>('SELECT value_json FROM settings WHERE key = ?').pluck();
    this.upsertValue = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
    );
    this.deleteValue = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  /** The stored value, or `fallback` when the key was never set. */
  get<T>(key: string, fallback: T): T {
    const json = this.selectValue.get(key);
    return json === undefined ? fallback : (JSON.parse(json) as T);
  }

  /** Stores any JSON-serialisable value; `undefined` removes the key. */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) this.deleteValue.run(key);
    else this.upsertValue.run(key, json);
  }

  /** Whether setSealed can store anything: only with a cipher. */
  get seals(): boolean {
    return this.cipher !== null;
  }

  /**
   * The sealed value under `key` (`what` names it in errors), undefined when never set. Throws
   * StoreError 'SecretsUnavailable' when it cannot be decrypted here.
   */
  getSealed<T>(key: string, what: string): T | undefined {
    const json = this.selectValue.get(key);
    if (json === undefined) return undefined;
    return unseal<T>(this.cipher, Buffer.from(JSON.parse(json) as string, 'base64'), what);
  }

  /** Stores `value` sealed (base64 of the cipher's output); `undefined` removes it. Throws StoreError 'SecretsUnavailable' without a cipher. */
  setSealed(key: string, value: unknown): void {
    if (value === undefined) return this.set(key, undefined);
    if (!this.cipher) throw new StoreError('SecretsUnavailable', 'this process has no way to encrypt secrets, so it cannot store them');
    this.set(key, seal(this.cipher, value).toString('base64'));
  }
}
