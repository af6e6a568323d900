// Alerts in the app (the core shared by the desktop and serve), driven through the contract against a
// real HTTP receiver: a run sends the mapping's and the global alerts; their URLs and secrets never
// reach a view (mappings.list, settings.get) nor the SQLite file; an edit keeps what it leaves out;
// config export/import keeps them; alerts that cannot be decrypted are one warning, never a failed run.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope, MappingInput, MappingView } from '../../shared/contract';
import { createAppCore, type AppCore } from '../../electron/core/core';
import type { SecretCipher } from '../../electron/store';
import { startReceiver, type Receiver } from '../ops/alerts-receiver';
import { nextEvent } from '../shell/helpers';
import { testCipher } from '../store/fixtures';

const S1 = 'mapping-secret-5c1e0f';
const S2 = 'global-secret-77ad3b';
const HC = '0f9a2c4e-1b3d-4e5f-8a7b-9c0d1e2f3a4b';
const TOKEN = 'q-token-d41d8cd9';
const FAST = { firstDelayMs: 20, maxDelayMs: 100, timeoutMs: 5_000 };

let dir: string;
let dbPath: string;
let cipher: SecretCipher;
let core: AppCore | undefined;
let receiver: Receiver;
let warnings: string[];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cds-api-alerts-'));
  mkdirSync(path.join(dir, 'src', 'bucket'), { recursive: true });
  mkdirSync(path.join(dir, 'dst', 'bucket'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'bucket', 'a.txt'), 'alpha');
  dbPath = path.join(dir, 'data.db');
  cipher = testCipher();
  receiver = await startReceiver();
  warnings = [];
});

afterEach(async () => {
  await core?.shutdown(1_000);
  core = undefined;
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(withCipher: SecretCipher | undefined = cipher): AppCore {
  core = createAppCore({ dbPath, ...(withCipher ? { cipher: withCipher } : {}), version: '4.5.6', mode: 'server', alertDelivery: FAST, warn: (m) => warnings.push(m) });
  return core;
}

async function call<T>(c: AppCore, name: string, args?: unknown): Promise<T> {
  const result = (await c.dispatch(name, args)) as Envelope<T>;
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.field ?? ''}: ${result.error.message}`);
  return result.value;
}

async function fail(c: AppCore, name: string, args?: unknown) {
  const result = await c.dispatch(name, args);
  if (result.ok) throw new Error(`${name} succeeded`);
  return result.error;
}

function input(extra: Partial<MappingInput> = {}): MappingInput {
  return {
    id: 'm1', name: 'Photos', sourceConnectionId: 'src', sourceBucket: 'bucket', sourcePrefix: '', targetConnectionId: 'dst', targetBucket: 'bucket', targetPrefix: '',
    transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...extra,
  };
}

async function connect(c: AppCore): Promise<void> {
  await call(c, 'connections.create', { id: 'src', name: 'Source', type: 'local', local: { root: path.join(dir, 'src') } });
  await call(c, 'connections.create', { id: 'dst', name: 'Target', type: 'local', local: { root: path.join(dir, 'dst') } });
}

/** Runs the mapping through the contract and waits until the receiver has `count` requests. */
async function syncAndReceive(c: AppCore, count: number): Promise<void> {
  const finished = nextEvent(c, 'run.finished');
  await call(c, 'sync.now', { mappingId: 'm1' });
  await finished;
  await vi.waitFor(() => expect(receiver.requests.length).toBeGreaterThanOrEqual(count), { timeout: 10_000 });
}

const signed = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Every byte of the database: the file and its write-ahead log. */
function databaseBytes(): string {
  return [dbPath, `${dbPath}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p).toString('latin1')).join('');
}

const CREDENTIALS = [S1, S2, HC, TOKEN, '/own', '/global'];

describe('alerts in the app', () => {
  it("a run started through the contract sends the mapping's and the global alerts; no view and no database byte holds a URL or secret", async () => {
    const c = open();
    await connect(c);
    const hc = `${receiver.url}/hc/${HC}`;
    const saved = await call<MappingView>(c, 'mappings.create', input({
      alerts: { webhooks: [{ url: `${receiver.url}/own?token=${TOKEN}`, on: ['failure', 'success'], secret: S1 }], healthchecks: { start: `${hc}/start`, success: hc, fail: `${hc}/fail` } },
    }));
    expect(saved.alerts).toEqual({
      webhooks: [{ id: expect.stringMatching(/^[0-9a-f]{12}$/), url: { origin: receiver.url }, on: ['failure', 'success'], secretSet: true }],
      healthchecks: { start: { origin: receiver.url }, success: { origin: receiver.url }, fail: { origin: receiver.url } },
    });
    const settings = await call(c, 'settings.set', { alerts: { webhooks: [{ url: `${receiver.url}/global`, on: ['success'], secret: S2 }] } });
    expect(settings).toMatchObject({ alerts: { webhooks: [{ url: { origin: receiver.url }, on: ['success'], secretSet: true }] } });

    await syncAndReceive(c, 4);
    expect(receiver.requests.map((r) => r.path.replace(HC, '<hc>'))).toEqual(expect.arrayContaining(['/hc/<hc>/start', `/own?token=${TOKEN}`, '/global', '/hc/<hc>']));
    expect(receiver.requests).toHaveLength(4);
    const own = receiver.requests.find((r) => r.path.startsWith('/own'))!;
    const global = receiver.to('/global')[0]!;
    expect(own.headers['x-cds-signature']).toBe(signed(S1, own.body));
    expect(global.headers['x-cds-signature']).toBe(signed(S2, global.body));
    expect(JSON.parse(own.body)).toMatchObject({ event: 'success', mapping: { id: 'm1', name: 'Photos', source: 'src:bucket/', target: 'dst:bucket/' }, app: { version: '4.5.6' } });
    // Start before success.
    const paths = receiver.requests.map((r) => r.path);
    expect(paths.indexOf(`/hc/${HC}/start`)).toBeLessThan(paths.indexOf(`/hc/${HC}`));

    const views = JSON.stringify([await call(c, 'mappings.list'), await call(c, 'settings.get'), await call(c, 'config.export')]);
    for (const secret of CREDENTIALS) expect(views).not.toContain(secret);
    await c.shutdown(1_000);
    core = undefined;
    const bytes = databaseBytes();
    for (const secret of CREDENTIALS) expect(bytes).not.toContain(secret);
    expect(bytes).toContain('"secretSet":true'); // the view's row is there: the search reads the right file
    expect(warnings).toEqual([]);
  });

  it("an edit that leaves the URL and secret out keeps them; '' removes the secret; an unknown id or a bad URL is refused by field", async () => {
    const c = open();
    await connect(c);
    const created = await call<MappingView>(c, 'mappings.create', input({ alerts: { webhooks: [{ url: `${receiver.url}/own`, on: ['failure'], secret: S1 }] } }));
    const id = created.alerts!.webhooks[0]!.id;

    const kept = await call<MappingView>(c, 'mappings.update', { ...input({ alerts: { webhooks: [{ id, on: ['success'] }] } }), id: 'm1' });
    expect(kept.alerts!.webhooks).toEqual([{ id, url: { origin: receiver.url }, on: ['success'], secretSet: true }]);
    await syncAndReceive(c, 1);
    expect(receiver.requests[0]!.path).toBe('/own');
    expect(receiver.requests[0]!.headers['x-cds-signature']).toBe(signed(S1, receiver.requests[0]!.body));

    const unsigned = await call<MappingView>(c, 'mappings.update', { ...input({ alerts: { webhooks: [{ id, on: ['success'], secret: '' }] } }), id: 'm1' });
    expect(unsigned.alerts!.webhooks[0]!.secretSet).toBe(false);
    await syncAndReceive(c, 2);
    expect(receiver.requests[1]!.headers['x-cds-signature']).toBeUndefined();

    expect(await fail(c, 'mappings.update', { ...input({ alerts: { webhooks: [{ id: 'nope', on: ['success'] }] } }), id: 'm1' })).toMatchObject({ code: 'InvalidArgument', field: 'alerts.webhooks[0].id' });
    const bad = await fail(c, 'mappings.update', { ...input({ alerts: { webhooks: [{ url: 'hooks.example.com/tok-999', on: ['failure'] }] } }), id: 'm1' });
    expect(bad).toMatchObject({ code: 'InvalidArgument', field: 'alerts.webhooks[0].url' });
    expect(bad.message).not.toContain('tok-999');
    // A view echoed back as input is refused by the schema, never taken as a URL.
    expect(await fail(c, 'mappings.update', { ...input(), id: 'm1', alerts: { webhooks: [{ url: { origin: receiver.url }, on: ['failure'] }] } })).toMatchObject({ code: 'InvalidArgument', field: 'alerts.webhooks.0.url' });
    expect(await fail(c, 'mappings.update', { ...input({ alerts: { healthchecks: { start: `${receiver.url}/start` } } }), id: 'm1' })).toMatchObject({ field: 'alerts.healthchecks.success' });

    const none = await call<MappingView>(c, 'mappings.update', { ...input(), id: 'm1' });
    expect(none).not.toHaveProperty('alerts');
    expect(c.store.mappings.alertsOf('m1')).toBeUndefined();
  });

  it('config export writes placeholders and ids; importing it back keeps the stored URLs and secrets', async () => {
    const c = open();
    await connect(c);
    await call(c, 'mappings.create', input({ alerts: { webhooks: [{ url: `${receiver.url}/own`, on: ['success'], secret: S1 }] } }));
    await call(c, 'settings.set', { alerts: { healthchecks: { success: `${receiver.url}/hc/${HC}` } } });
    const { json } = await call<{ json: string }>(c, 'config.export');
    for (const secret of CREDENTIALS) expect(json).not.toContain(secret);
    const file = JSON.parse(json) as { alerts: unknown; mappings: { alerts: unknown }[] };
    expect(file.alerts).toEqual({ healthchecks: { success: 'REPLACE_WITH_SECRET' } });
    expect(file.mappings[0]!.alerts).toEqual({ webhooks: [{ id: expect.any(String), url: 'REPLACE_WITH_SECRET', on: ['success'], secret: 'REPLACE_WITH_SECRET' }] });

    const imported = await call<{ warnings: string[]; applied: boolean }>(c, 'config.import', { json, apply: true });
    expect(imported.applied).toBe(true);
    expect(imported.warnings.filter((w) => w.includes('alerts'))).toEqual(
      expect.arrayContaining([expect.stringContaining('still holds a placeholder')]),
    );
    await syncAndReceive(c, 2);
    const own = receiver.to('/own')[0]!;
    expect(own.headers['x-cds-signature']).toBe(signed(S1, own.body));
    expect(receiver.to(`/hc/${HC}`)).toHaveLength(1);
  });

  it('alerts that cannot be decrypted (another key) are one warning: the run keeps its status, the views still answer', async () => {
    const c = open();
    await connect(c);
    await call(c, 'mappings.create', input({ alerts: { webhooks: [{ url: `${receiver.url}/own`, on: ['success'], secret: S1 }] } }));
    await c.shutdown(1_000);
    const other = open(testCipher());
    other.start();
    const finished = nextEvent(other, 'run.finished');
    await call(other, 'sync.now', { mappingId: 'm1' });
    expect((await finished).status).toBe('success');
    expect(receiver.requests).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^the alerts of mapping "Photos" cannot be read, so they were not sent: the alerts of mapping "Photos" cannot be decrypted/)]);
    expect((await call<MappingView[]>(other, 'mappings.list'))[0]!.alerts!.webhooks[0]!.secretSet).toBe(true);
    // An edit that keeps them cannot: it says which field to give again.
    const id = (await call<MappingView[]>(other, 'mappings.list'))[0]!.alerts!.webhooks[0]!.id;
    expect(await fail(other, 'mappings.update', { ...input({ alerts: { webhooks: [{ id, on: ['success'] }] } }), id: 'm1' })).toMatchObject({ code: 'InvalidConfig', field: 'alerts.webhooks[0].id' });
  });

  it('without a cipher, alerts are refused rather than stored in plain text', async () => {
    const c = open(null as unknown as undefined);
    await connect(c);
    expect(await fail(c, 'mappings.create', input({ alerts: { webhooks: [{ url: `${receiver.url}/own` }] } }))).toMatchObject({ code: 'InvalidConfig', field: 'alerts' });
    expect(await fail(c, 'settings.set', { alerts: { webhooks: [{ url: `${receiver.url}/own` }] } })).toMatchObject({ code: 'InvalidConfig', field: 'alerts' });
  });

  it('metricsAddr: a loopback HOST:PORT or null; anything else is refused at the field', async () => {
    const c = open();
    expect(await call(c, 'settings.set', { metricsAddr: '127.0.0.1:9464' })).toMatchObject({ metricsAddr: '127.0.0.1:9464' });
    expect(await call(c, 'settings.set', { metricsAddr: '[::1]:9464' })).toMatchObject({ metricsAddr: '[::1]:9464' });
    expect(await fail(c, 'settings.set', { metricsAddr: '0.0.0.0:9464' })).toMatchObject({ code: 'InvalidArgument', field: 'metricsAddr', message: expect.stringContaining('loopback') });
    expect(await fail(c, 'settings.set', { metricsAddr: '127.0.0.1' })).toMatchObject({ field: 'metricsAddr' });
    expect(await fail(c, 'settings.set', { metricsAddr: '127.0.0.1:0' })).toMatchObject({ field: 'metricsAddr' });
    expect(await call(c, 'settings.set', { metricsAddr: null })).toMatchObject({ metricsAddr: null });
  });
});
