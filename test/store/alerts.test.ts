// A mapping's alerts and the global ones in the store: sealed with the cipher (no URL or secret in the
// database file), left out of list()/get(), readable as a view without decrypting; not kept at all
// without a cipher; a wrong key is SecretsUnavailable, never a wrong answer.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AlertsConfig } from '../../shared/alerts';
import { openStore, StoreError } from '../../electron/store';
import { localConnection, mapping, tempStore, testCipher, trackStore } from './fixtures';

const SECRET = 'store-secret-9d8c7b';
const ALERTS: AlertsConfig = {
  webhooks: [
    { url: 'https://hooks.example.com/services/T0/B0/tok3n', on: ['failure', 'guard'], secret: SECRET },
    { id: 'mine', url: 'http://127.0.0.1:8080/hook?key=k3y', on: ['success'] },
  ],
  healthchecks: { start: 'https://hc-ping.com/1d2c3b4a/start', success: 'https://hc-ping.com/1d2c3b4a' },
};
const CREDENTIALS = ['tok3n', 'k3y', '1d2c3b4a', SECRET];

function bytesOf(path: string): string {
  return [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p).toString('latin1')).join('');
}

describe('alerts in the store', () => {
  it('a mapping keeps its alerts sealed: list() and get() leave them out, alertsOf() decrypts them with ids, alertsView() shows origins only', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    store.connections.upsert(localConnection('src'));
    store.connections.upsert(localConnection('dst'));
    store.mappings.upsert(mapping('m1', { alerts: ALERTS }));
    expect(store.mappings.get('m1')).not.toHaveProperty('alerts');
    expect(store.mappings.list()[0]).not.toHaveProperty('alerts');
    const stored = store.mappings.alertsOf('m1')!;
    expect(stored.webhooks.map((w) => w.id)).toEqual([expect.stringMatching(/^[0-9a-f]{12}$/), 'mine']);
    expect(stored).toEqual({ ...ALERTS, webhooks: ALERTS.webhooks.map((w, i) => ({ ...w, id: stored.webhooks[i]!.id })) });
    expect(store.mappings.alertsView('m1')).toEqual({
      webhooks: [
        { id: stored.webhooks[0]!.id, url: { origin: 'https://hooks.example.com' }, on: ['failure', 'guard'], secretSet: true },
        { id: 'mine', url: { origin: 'http://127.0.0.1:8080' }, on: ['success'], secretSet: false },
      ],
      healthchecks: { start: { origin: 'https://hc-ping.com' }, success: { origin: 'https://hc-ping.com' } },
    });
    store.close();
    const bytes = bytesOf(path);
    expect(bytes).toContain('hooks.example.com'); // the view, in plain text: the search reads the right file
    for (const secret of CREDENTIALS) expect(bytes).not.toContain(secret);
  });

  it('an upsert without alerts removes them', () => {
    const { store } = tempStore({ cipher: testCipher() });
    store.connections.upsert(localConnection('src'));
    store.connections.upsert(localConnection('dst'));
    store.mappings.upsert(mapping('m1', { alerts: ALERTS }));
    store.mappings.upsert(mapping('m1'));
    expect(store.mappings.alertsOf('m1')).toBeUndefined();
    expect(store.mappings.alertsView('m1')).toBeUndefined();
  });

  it('without a cipher (the CLI) alerts are not kept at all', () => {
    const { store, path } = tempStore();
    store.connections.upsert(localConnection('src'));
    store.connections.upsert(localConnection('dst'));
    store.mappings.upsert(mapping('m1', { alerts: ALERTS }));
    expect(store.mappings.keepsAlerts).toBe(false);
    expect(store.mappings.alertsOf('m1')).toBeUndefined();
    expect(store.mappings.alertsView('m1')).toBeUndefined();
    store.close();
    const bytes = bytesOf(path);
    for (const secret of [...CREDENTIALS, 'hooks.example.com']) expect(bytes).not.toContain(secret);
  });

  it('another key cannot read them: SecretsUnavailable; the view still answers', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    store.connections.upsert(localConnection('src'));
    store.connections.upsert(localConnection('dst'));
    store.mappings.upsert(mapping('m1', { alerts: ALERTS }));
    store.settings.setSealed('alerts', ALERTS);
    store.close();
    const other = trackStore(openStore(path, { cipher: testCipher() }));
    expect(() => other.mappings.alertsOf('m1')).toThrow(StoreError);
    expect(() => other.mappings.alertsOf('m1')).toThrow(/the alerts of mapping "Mapping m1" cannot be decrypted/);
    expect(() => other.settings.getSealed('alerts', 'the global alerts')).toThrow(/the global alerts cannot be decrypted/);
    expect(other.mappings.alertsView('m1')?.webhooks).toHaveLength(2);
  });

  it('sealed settings round-trip, hold no plaintext, and are refused without a cipher', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    expect(store.settings.getSealed('alerts', 'the global alerts')).toBeUndefined();
    store.settings.setSealed('alerts', ALERTS);
    expect(store.settings.getSealed('alerts', 'the global alerts')).toEqual(ALERTS);
    store.close();
    for (const secret of CREDENTIALS) expect(bytesOf(path)).not.toContain(secret);
    const plain = tempStore().store;
    expect(() => plain.settings.setSealed('alerts', ALERTS)).toThrow(/no way to encrypt/);
    plain.settings.setSealed('alerts', undefined);
    expect(plain.settings.getSealed('alerts', 'the global alerts')).toBeUndefined();
  });
});
