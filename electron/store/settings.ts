// App settings as JSON values under string keys. Values are not validated here: the caller owns
// their shape (and passes a fallback for keys never set).
import type { Database } from './db';

export class SettingsRepository {
  private readonly selectValue;
  private readonly upsertValue;
  private readonly deleteValue;

  constructor(db: Database) {
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
}
