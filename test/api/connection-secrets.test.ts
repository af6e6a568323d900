// Secrets never reach the renderer, for every provider: a connection of each descriptor's type,
// stored with every one of its secret fields set (and encrypted), is listed with each secret only
// as "set" — whatever the descriptor says is secret, no value of it appears in what the API returns.
import { describe, expect, test } from 'vitest';
import { DESCRIPTORS, fieldsOf } from '../../shared/providers';
import type { Connection } from '../../shared/model';
import { createApi, type ApiDeps } from '../../electron/api';
import type { SyncService } from '../../electron/services/sync-service';
import type { Scheduler } from '../../electron/sync/scheduler';
import { tempStore, testCipher } from '../store/fixtures';

function api(): { call: ReturnType<typeof createApi>; store: ApiDeps['store'] } {
  const { store } = tempStore({ cipher: testCipher() });
  // Listing connections needs neither runs nor providers.
  const unused = new Proxy({}, { get: () => { throw new Error('not used by connections.list'); } });
  return { store, call: createApi({ store, syncService: unused as SyncService, scheduler: unused as Scheduler, emit: () => undefined, version: '0', mode: 'server' }) };
}

describe('connections.list', () => {
  test.each(DESCRIPTORS.map((d) => [d.type, d] as const))('shows a %s connection’s secrets only as set', async (type, d) => {
    const { store, call } = api();
    const secrets = fieldsOf(type).filter((f) => f.secret);
    const values = Object.fromEntries(secrets.map((f) => [f.key, `TOP-SECRET-${type}-${f.key}-5d1e`]));
    store.connections.upsert({ id: 'c1', name: 'All secrets', type, [type]: { ...d.sample.settings, ...values } } as Connection);

    const [listed] = await call['connections.list']();
    const text = JSON.stringify(listed);
    for (const value of Object.values(values)) expect(text).not.toContain(value);
    expect(listed?.secretsSet).toEqual(Object.fromEntries(secrets.map((f) => [f.key, true])));
    // The secrets are there all the same, for the main process.
    expect(store.connections.getWithSecrets('c1')).toMatchObject({ [type]: values });
  });
});
