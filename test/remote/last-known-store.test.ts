// What a home keeps of its remote engines beside their tokens (store/remote-engines.ts, schema 12):
// the last-known state, written and read back field by field; a database of schema 11 upgraded with
// nothing known; and a rename that needs no token, so one whose token cannot be decrypted here (the
// key is gone) can still be renamed, while a change that reconnects asks for the token by name.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { EngineMappingSummary, EngineView } from '../../shared/contract';
import { ApiCallError } from '../../shared/contract';
import { openStore, type LastKnown } from '../../electron/store';
import { APPLICATION_ID } from '../../electron/store/db';
import { applyMigrations, MIGRATIONS } from '../../electron/store/migrations';
import { EngineRegistry } from '../../electron/remote/engines';
import { tempDir, tempStore, testCipher, trackStore } from '../store/fixtures';

const TOKEN = 'remote-engine-token-0123456789abcdef';
const ENGINE = { id: 'e1', name: 'VM', url: 'https://127.0.0.1:1/', fingerprint: 'AB:CD' };
const DOCS: EngineMappingSummary = { id: 'm1', name: 'Docs', state: 'idle', lastRunStatus: 'partial', lastRunAt: 1_700_000_000_000 };

describe('remote engines: last-known state in the store', () => {
  it('is nothing for an engine never reached, and reads back as written', () => {
    const { store } = tempStore({ cipher: testCipher() });
    store.remoteEngines.save(ENGINE, TOKEN);
    expect(store.remoteEngines.lastKnown('e1')).toEqual({ lastSeenAt: null, version: null, mappings: null });
    const known: LastKnown = { lastSeenAt: 1_700_000_123_000, version: '1.2.3', mappings: [DOCS, { ...DOCS, id: 'm2', name: 'Photos', state: 'running', lastRunStatus: null, lastRunAt: null }] };
    store.remoteEngines.remember('e1', known);
    expect(store.remoteEngines.lastKnown('e1')).toEqual(known);
    // Reached, no mappings: an empty list, not "never reached".
    store.remoteEngines.remember('e1', { ...known, mappings: [] });
    expect(store.remoteEngines.lastKnown('e1').mappings).toEqual([]);
    // Saving the engine again (a new address or token) keeps what was known.
    store.remoteEngines.remember('e1', known);
    store.remoteEngines.save({ ...ENGINE, url: 'https://127.0.0.2:1/' }, TOKEN);
    expect(store.remoteEngines.lastKnown('e1')).toEqual(known);
  });

  it('stores only the summary\'s own fields: anything else handed to it stays out of the file', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    store.remoteEngines.save(ENGINE, TOKEN);
    const extra = { ...DOCS, secretAccessKey: 'Leaked-Secret-9f8e7d' } as EngineMappingSummary;
    store.remoteEngines.remember('e1', { lastSeenAt: 1, version: null, mappings: [extra] });
    expect(store.remoteEngines.lastKnown('e1').mappings).toEqual([DOCS]);
    store.close();
    const raw = new BetterSqlite3(path, { readonly: true });
    const row = raw.prepare('SELECT mappings_json FROM remote_engines').get() as { mappings_json: string };
    raw.close();
    expect(row.mappings_json).toContain('Docs');
    expect(row.mappings_json).not.toContain('Leaked-Secret');
  });

  it('upgrades a schema-11 database: its engines keep their tokens and start with nothing known', () => {
    const cipher = testCipher();
    const path = join(tempDir(), 'data.sqlite');
    const raw = new BetterSqlite3(path);
    applyMigrations(raw, MIGRATIONS.slice(0, 11), APPLICATION_ID);
    raw.prepare('INSERT INTO remote_engines (id, name, url, fingerprint, token_blob, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)')
      .run(ENGINE.id, ENGINE.name, ENGINE.url, ENGINE.fingerprint, cipher.encrypt(JSON.stringify(TOKEN)));
    raw.close();
    const store = trackStore(openStore(path, { cipher }));
    expect(store.remoteEngines.list()).toEqual([ENGINE]);
    expect(store.remoteEngines.token('e1')).toBe(TOKEN);
    expect(store.remoteEngines.lastKnown('e1')).toEqual({ lastSeenAt: null, version: null, mappings: null });
  });
});

describe('remote engines: a token that cannot be decrypted here', () => {
  function withLostKey() {
    const path = join(tempDir(), 'data.sqlite');
    const first = openStore(path, { cipher: testCipher() });
    first.remoteEngines.save(ENGINE, TOKEN);
    first.remoteEngines.remember('e1', { lastSeenAt: 1_700_000_123_000, version: '1.2.3', mappings: [DOCS] });
    const blob = (): Buffer => {
      const raw = new BetterSqlite3(path, { readonly: true });
      try {
        return (raw.prepare('SELECT token_blob FROM remote_engines').get() as { token_blob: Buffer }).token_blob;
      } finally {
        raw.close();
      }
    };
    first.close();
    // Another key: as when safeStorage's key or serve's secret.key is not the one that sealed the token.
    const store = trackStore(openStore(path, { cipher: testCipher() }));
    expect(() => store.remoteEngines.token('e1')).toThrow(/cannot be decrypted/);
    const statuses: EngineView[] = [];
    const registry = new EngineRegistry({ engines: store.remoteEngines, emit: (name, payload) => name === 'engines.status' && statuses.push(payload as EngineView) });
    return { store, registry, statuses, blob, sealed: blob() };
  }

  it('is renamed without it: the name changes, the sealed token is left as it was', async () => {
    const { store, registry, statuses, blob, sealed } = withLostKey();
    try {
      registry.start();
      // Refused (it cannot even try), and shown as last known.
      expect(registry.list()[0]).toMatchObject({ state: 'refused', error: expect.stringContaining('cannot be decrypted'), lastSeenAt: 1_700_000_123_000, version: '1.2.3', mappings: [DOCS], health: 'failed' });
      const renamed = await registry.update({ id: 'e1', name: 'VM (eu)' });
      expect(renamed).toMatchObject({ id: 'e1', name: 'VM (eu)', state: 'refused', mappings: [DOCS] });
      expect(statuses.at(-1)).toMatchObject({ name: 'VM (eu)' });
      expect(store.remoteEngines.get('e1')).toEqual({ ...ENGINE, name: 'VM (eu)' });
      expect(blob().equals(sealed)).toBe(true);
    } finally {
      registry.close();
    }
  });

  it('is renamed without it before the links start too', async () => {
    const { store, registry } = withLostKey();
    const renamed = await registry.update({ id: 'e1', name: '  VM 2 ' });
    expect(renamed).toMatchObject({ name: 'VM 2', state: 'connecting', lastSeenAt: 1_700_000_123_000, mappings: [DOCS] });
    expect(store.remoteEngines.get('e1')?.name).toBe('VM 2');
  });

  it('is asked for, by field, when a change reconnects without a new token', async () => {
    const { store, registry, sealed, blob } = withLostKey();
    let error: unknown;
    try {
      await registry.update({ id: 'e1', fingerprint: 'EF:01' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ code: 'InvalidConfig', field: 'token' });
    expect(store.remoteEngines.get('e1')).toEqual(ENGINE);
    expect(blob().equals(sealed)).toBe(true);
  });
});
