// Secret values must never leave main, not even inside an error message (an SDK may echo a setting,
// a validator may quote a value). These helpers find the secret values in play and blank them out.
import { connectionSettings, SECRET_FIELDS, type ConnectionSettings } from '../../shared/providers';
import type { Store } from '../store';

const ALL_SECRET_FIELDS = new Set(Object.values(SECRET_FIELDS).flat());
const REDACTED = '***';
// Shorter values would blank out ordinary words; no real key or token is this short.
const MIN_SCRUBBED_LENGTH = 4;

/** The non-empty secret values of a connection. */
export function secretValuesOf(connection: ConnectionSettings): string[] {
  const settings = connectionSettings(connection);
  return SECRET_FIELDS[connection.type].map((field) => settings[field]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** String values under any secret field name anywhere in `value` (e.g. a command's raw arguments), and every URL and secret of an `alerts` object. */
export function secretValuesIn(value: unknown, depth = 0): string[] {
  if (depth > 4 || typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    typeof v === 'string' ? (ALL_SECRET_FIELDS.has(key) ? [v] : []) : key === 'alerts' ? alertValuesIn(v) : secretValuesIn(v, depth + 1),
  );
}

/** The URLs and secrets of alerts (shared/alerts.ts): each one a credential. */
function alertValuesIn(alerts: unknown): string[] {
  if (typeof alerts !== 'object' || alerts === null) return [];
  const { webhooks, healthchecks } = alerts as { webhooks?: unknown; healthchecks?: unknown };
  const strings = (o: unknown, keys: readonly string[]) =>
    typeof o === 'object' && o !== null ? keys.map((k) => (o as Record<string, unknown>)[k]).filter((s): s is string => typeof s === 'string' && s !== '') : [];
  return [...(Array.isArray(webhooks) ? webhooks.flatMap((w) => strings(w, ['url', 'secret'])) : []), ...strings(healthchecks, ['start', 'success', 'fail'])];
}

/** Every stored secret value; connections whose secrets cannot be decrypted are skipped. */
export function storedSecretValues(store: Store): string[] {
  return store.connections.list().flatMap((c) => {
    try {
      const full = store.connections.getWithSecrets(c.id);
      return full ? secretValuesOf(full) : [];
    } catch {
      return [];
    }
  });
}

export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUBBED_LENGTH) out = out.split(secret).join(REDACTED);
  }
  return out;
}
