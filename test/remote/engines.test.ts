// Remote engines end to end on loopback: two `serve` instances with their own databases (B over TLS
// with a self-signed certificate), A driving B through its own WebSocket as a browser on A would:
// adding B with the printed fingerprint, relayed commands and events, refusals (wrong pin, an
// impostor certificate that never sees the token, wrong token, nothing listening), B stopped and
// restarted, and the secrets of B's connections never landing in A's database.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineView, Events } from '../../shared/contract';
import type { SocketClient } from '../../shared/socket-client';
import { pinnedRequestOptions, PinMismatchError } from '../../electron/remote/tls-pin';
import { SERVE_TOKEN } from '../server/serve-harness';
import { homeClient, refusal, removeTempDirs, serve, tempDir, waitFor, type Running } from './two-engines';

const B_TOKEN = 'engine-b-token-0123456789abcdef0123';
const SECRET = 'Remote-Secret-Access-Key-7f3a9c1e5b';

/** An https server with a certificate of its own, recording every request's Authorization header. */
async function impostor() {
  const made = await generate([{ name: 'commonName', value: 'Cloud Data Sync' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  const seen: Array<string | undefined> = [];
  const server = createHttpsServer({ cert: made.cert, key: made.private });
  server.on('request', (req, res) => {
    seen.push(req.headers.authorization);
    res.end('hello');
  });
  server.on('upgrade', (req, socket) => {
    seen.push(req.headers.authorization);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `https://127.0.0.1:${port}/`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let a: Running;
let b: Running;
let bDir: string;
let aDir: string;
let home: SocketClient;
const events: Array<{ name: string; payload: unknown }> = [];
const relayed = () => events.filter((e) => e.name === 'engine.event').map((e) => e.payload as Events['engine.event']);
const statuses = () => events.filter((e) => e.name === 'engines.status').map((e) => e.payload as EngineView);
/** Announcements that the list of engines changed (every window of A refetches it). */
const enginesAnnounced = () => events.filter((e) => e.name === 'data.changed' && (e.payload as Events['data.changed']).lists.includes('engines')).length;

beforeAll(async () => {
  aDir = tempDir('a');
  bDir = tempDir('b');
  b = await serve(bDir, B_TOKEN, { tls: true });
  a = await serve(aDir, SERVE_TOKEN);
  home = homeClient(a.port);
  home.on('engine.event', (payload) => events.push({ name: 'engine.event', payload }));
  home.on('engines.status', (payload) => events.push({ name: 'engines.status', payload }));
  home.on('data.changed', (payload) => events.push({ name: 'data.changed', payload }));
  await home.invoke('app.status');
});

afterAll(async () => {
  home?.close();
  await a?.stop();
  await b?.stop();
  removeTempDirs();
});

describe('remote engines, from serve A', () => {
  let engineId: string;
  let mappingId: string;
  let disk: string;

  it('probes B without a token: the fingerprint serve printed, not vouched for by a CA', async () => {
    expect(b.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(b.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await home.invoke('engines.probe', { url: b.url })).toEqual({ url: b.url, fingerprint: b.fingerprint, trusted: false, error: null });
    const nothing = await home.invoke('engines.probe', { url: 'https://127.0.0.1:1/' });
    expect(nothing).toMatchObject({ fingerprint: null, trusted: false, error: expect.stringContaining('nothing accepts connections') });
  });

  it('refuses a wrong token (AccessDenied on token), a wrong pin (on fingerprint), no pin for an untrusted certificate, and saves nothing', async () => {
    const wrongToken = await refusal(home.invoke('engines.add', { name: 'B', url: b.url, token: 'not-the-token-0123456789', fingerprint: b.fingerprint }));
    expect(wrongToken).toMatchObject({ code: 'AccessDenied', field: 'token' });
    expect(wrongToken.message).not.toContain('not-the-token');

    const otherPin = b.fingerprint!.replace(/^../, b.fingerprint!.startsWith('00') ? '11' : '00');
    const wrongPin = await refusal(home.invoke('engines.add', { name: 'B', url: b.url, token: B_TOKEN, fingerprint: otherPin }));
    expect(wrongPin).toMatchObject({ code: 'InvalidArgument', field: 'fingerprint' });
    expect(wrongPin.message).toBe(`fingerprint: the certificate at ${b.url} has fingerprint ${b.fingerprint}, not the pinned ${otherPin}`);

    const noPin = await refusal(home.invoke('engines.add', { name: 'B', url: b.url, token: B_TOKEN, fingerprint: null }));
    expect(noPin).toMatchObject({ code: 'InvalidArgument', field: 'fingerprint' });

    const unreachable = await refusal(home.invoke('engines.add', { name: 'C', url: 'http://127.0.0.1:1/', token: B_TOKEN, fingerprint: null }));
    expect(unreachable).toMatchObject({ code: 'Transient', retryable: true, field: 'url' });

    const remote = await refusal(home.invoke('engines.add', { name: 'C', url: 'http://10.1.2.3:8080/', token: B_TOKEN, fingerprint: null }));
    expect(remote).toMatchObject({ code: 'InvalidArgument', field: 'url' });

    expect(await home.invoke('engines.list')).toEqual([]);
  });

  it('never sends the token to a server whose certificate is not the pinned one', async () => {
    const fake = await impostor();
    try {
      // Through the API: the probe sees the other certificate, and nothing is sent.
      const refused = await refusal(home.invoke('engines.add', { name: 'B?', url: fake.url, token: B_TOKEN, fingerprint: b.fingerprint }));
      expect(refused).toMatchObject({ code: 'InvalidArgument', field: 'fingerprint' });
      // The link's own guard, as when the certificate changes after the probe: the upgrade request is never sent.
      const ws = new WebSocket(fake.url.replace('https', 'wss') + 'ws', { headers: { Authorization: `Bearer ${B_TOKEN}` }, ...pinnedRequestOptions(fake.url, b.fingerprint!) });
      const error = await new Promise<Error>((resolve) => ws.on('error', resolve));
      expect(error).toBeInstanceOf(PinMismatchError);
      // The same guard lets the pinned certificate through (the check is not a refusal of everything).
      const good = new WebSocket(b.url.replace('https', 'wss') + 'ws', { headers: { Authorization: `Bearer ${B_TOKEN}` }, ...pinnedRequestOptions(b.url, b.fingerprint!.toLowerCase()) });
      await new Promise<void>((resolve, reject) => {
        good.on('open', () => resolve());
        good.on('error', reject);
      });
      good.close();
      expect(fake.seen).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('adds B with the printed fingerprint: online, its version, no token in what the window sees', async () => {
    const announced = enginesAnnounced();
    const view = await home.invoke('engines.add', { name: 'B', url: b.url, token: B_TOKEN, fingerprint: b.fingerprint });
    engineId = view.id;
    await waitFor(() => enginesAnnounced() === announced + 1, 'the engines list announced as changed');
    expect(view).toMatchObject({ name: 'B', url: b.url, fingerprint: b.fingerprint, state: 'online', error: null, version: '9.9.9', mappings: [], health: 'ok' });
    const listed = await home.invoke('engines.list');
    expect(listed).toEqual([expect.objectContaining({ id: engineId, state: 'online' })]);
    expect(JSON.stringify(listed)).not.toContain(B_TOKEN);
    expect(a.h.out() + a.h.err()).not.toContain(B_TOKEN);
  });

  it('relays commands to B and B\'s run events back as engine.event', async () => {
    disk = path.join(bDir, 'disk');
    mkdirSync(path.join(disk, 'src'), { recursive: true });
    mkdirSync(path.join(disk, 'dst'));
    writeFileSync(path.join(disk, 'src', 'a.txt'), 'remote bytes');
    const call = (name: string, args?: unknown) => home.invoke('engines.call', { engine: engineId, name, args });
    const conn = (await call('connections.create', { name: 'Disk', type: 'local', local: { root: disk } })) as { id: string };
    const mapping = (await call('mappings.create', {
      name: 'Docs', sourceConnectionId: conn.id, sourceBucket: 'src', sourcePrefix: '', targetConnectionId: conn.id, targetBucket: 'dst', targetPrefix: '',
      transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    })) as { id: string };
    mappingId = mapping.id;
    // A's own engine has none of it.
    expect(await home.invoke('mappings.list')).toEqual([]);
    expect(await home.invoke('connections.list')).toEqual([]);

    await call('sync.now', { mappingId });
    await waitFor(() => relayed().some((e) => e.event === 'run.finished' && (e.payload as { mappingId: string }).mappingId === mappingId), 'B\'s run.finished relayed by A');
    const ofRun = relayed().filter((e) => e.engine === engineId && (e.event === 'run.started' || e.event === 'run.finished'));
    expect(ofRun.map((e) => e.event)).toEqual(['run.started', 'run.finished']);
    expect(ofRun[1]!.payload).toMatchObject({ mappingId, status: 'success', copied: 1 });
    expect(readFileSync(path.join(disk, 'dst', 'a.txt'), 'utf8')).toBe('remote bytes');
    // The engine's last-known mappings follow: status events carry the finished run.
    await waitFor(() => statuses().some((s) => s.id === engineId && s.mappings.some((m) => m.id === mappingId && m.lastRunStatus === 'success')), 'B\'s mapping in engines.status');
    expect((await home.invoke('engines.list'))[0]).toMatchObject({ health: 'ok', mappings: [{ id: mappingId, name: 'Docs', lastRunStatus: 'success' }] });
  });

  it('refuses engines.* through the relay, unknown engines and unknown commands', async () => {
    expect(await refusal(home.invoke('engines.call', { engine: engineId, name: 'engines.list' }))).toMatchObject({ code: 'InvalidArgument', field: 'name' });
    expect(await refusal(home.invoke('engines.call', { engine: 'nope', name: 'mappings.list' }))).toMatchObject({ code: 'NotFound', field: 'engine' });
    expect(await refusal(home.invoke('engines.call', { engine: engineId, name: 'mappings.drop' }))).toMatchObject({ code: 'InvalidArgument', field: 'name' });
    // B's own refusal comes back with its code and field.
    expect(await refusal(home.invoke('engines.call', { engine: engineId, name: 'mappings.delete', args: { id: 'missing' } }))).toMatchObject({ code: 'NotFound' });
  });

  it('passes a remote connection\'s secret to B only: A\'s database never holds it', async () => {
    const call = (name: string, args?: unknown) => home.invoke('engines.call', { engine: engineId, name, args });
    const created = (await call('connections.create', { name: 'S3', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AKIAREMOTE', secretAccessKey: SECRET } })) as { id: string; secretsSet: Record<string, boolean> };
    expect(created.secretsSet).toMatchObject({ secretAccessKey: true });
    // A refused edit that carries the secret: the error does not echo it.
    const refused = await refusal(call('connections.update', { id: created.id, name: '', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AKIAREMOTE', secretAccessKey: SECRET } }));
    expect(refused.message).not.toContain(SECRET);
    expect(a.h.out() + a.h.err()).not.toContain(SECRET);
  });

  it('shows B offline with its last-known mappings when B stops, refuses calls at once, and is online again by itself when B is back', async () => {
    await b.stop();
    await waitFor(() => statuses().at(-1)?.state === 'offline', 'engines.status offline');
    const offline = (await home.invoke('engines.list'))[0]!;
    expect(offline).toMatchObject({ state: 'offline', error: expect.any(String), mappings: [{ id: mappingId, lastRunStatus: 'success' }] });
    expect(offline.lastSeenAt).toEqual(expect.any(Number));
    const started = Date.now();
    const down = await refusal(home.invoke('engines.call', { engine: engineId, name: 'mappings.list' }));
    expect(down).toMatchObject({ code: 'Transient', retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);

    const before = relayed().length;
    b = await serve(bDir, B_TOKEN, { tls: true, port: b.port });
    await waitFor(() => statuses().at(-1)?.state === 'online', 'engines.status online after B restarted');
    // Events were missed while it was away: every list is announced as changed.
    await waitFor(() => relayed().slice(before).some((e) => e.event === 'data.changed'), 'data.changed after the reconnect');
    expect(await home.invoke('engines.call', { engine: engineId, name: 'mappings.list' })).toEqual([expect.objectContaining({ id: mappingId })]);
  });

  it('keeps the token sealed and B\'s secrets out of A\'s database file', async () => {
    const ids = (await home.invoke('engines.list')).map((e) => e.id);
    await a.stop();
    const files = readdirSync(aDir).filter((f) => f.startsWith('data.db'));
    expect(files).toContain('data.db');
    const all = Buffer.concat(files.map((file) => readFileSync(path.join(aDir, file))));
    // The search sees what A does keep (B's address), so not finding the secrets means something.
    expect(all.includes(b.url)).toBe(true);
    expect(all.includes(SECRET)).toBe(false);
    expect(all.includes(B_TOKEN)).toBe(false);
    // A starts again with the same database: B is still its engine, and comes online.
    events.length = 0;
    home.close();
    a = await serve(aDir, SERVE_TOKEN, { port: a.port });
    home = homeClient(a.port);
    home.on('engines.status', (payload) => events.push({ name: 'engines.status', payload }));
    home.on('data.changed', (payload) => events.push({ name: 'data.changed', payload }));
    await home.invoke('app.status');
    await waitFor(() => statuses().some((s) => s.state === 'online'), 'B online after A restarted');
    expect((await home.invoke('engines.list')).map((e) => e.id)).toEqual(ids);
  });

  it('shows B refused when its token changes, without retrying it, and online again once updated', async () => {
    const NEW_TOKEN = 'engine-b-second-token-0123456789abc';
    await b.stop();
    await waitFor(() => statuses().at(-1)?.state === 'offline', 'offline while B restarts');
    b = await serve(bDir, NEW_TOKEN, { tls: true, port: b.port });
    await waitFor(() => statuses().at(-1)?.state === 'refused', 'refused with the old token');
    expect(statuses().at(-1)!.error).toBe(`the engine at ${b.url} refused the token (HTTP 401)`);
    // No hammering: nothing more is announced while it is refused (the next try is minutes away).
    const announced = statuses().length;
    await home.invoke('app.status');
    expect(statuses().length).toBe(announced);
    expect(await refusal(home.invoke('engines.call', { engine: engineId, name: 'mappings.list' }))).toMatchObject({ code: 'Transient' });
    // A wrong token in an update is refused and not saved; the right one brings it back.
    expect(await refusal(home.invoke('engines.update', { id: engineId, token: B_TOKEN }))).toMatchObject({ code: 'AccessDenied', field: 'token' });
    expect((await home.invoke('engines.update', { id: engineId, token: NEW_TOKEN })).state).toBe('online');
    expect(await home.invoke('engines.call', { engine: engineId, name: 'mappings.list' })).toHaveLength(1);
    const renamed = await home.invoke('engines.update', { id: engineId, name: 'B (VM)' });
    expect(renamed).toMatchObject({ name: 'B (VM)', state: 'online' });
    await b.stop();
    b = await serve(bDir, B_TOKEN, { tls: true, port: b.port });
    await home.invoke('engines.update', { id: engineId, token: B_TOKEN });
  });

  it('shows B refused when its certificate changes: the pin is the trust, the new fingerprint must be pinned', async () => {
    const oldPin = b.fingerprint!;
    await b.stop();
    rmSync(path.join(bDir, 'tls-cert.pem'));
    rmSync(path.join(bDir, 'tls-key.pem'));
    b = await serve(bDir, B_TOKEN, { tls: true, port: b.port });
    expect(b.fingerprint).not.toBe(oldPin);
    await waitFor(() => statuses().at(-1)?.state === 'refused', 'refused with the old pin');
    expect(statuses().at(-1)!.error).toBe(`the certificate at ${b.url} has fingerprint ${b.fingerprint}, not the pinned ${oldPin}`);
    const updated = await home.invoke('engines.update', { id: engineId, fingerprint: b.fingerprint });
    expect(updated).toMatchObject({ state: 'online', fingerprint: b.fingerprint });
  });

  it('removes B: gone from the list, calls to it NotFound', async () => {
    const announced = enginesAnnounced();
    await home.invoke('engines.remove', { id: engineId });
    await waitFor(() => enginesAnnounced() === announced + 1, 'the engines list announced as changed');
    expect(await home.invoke('engines.list')).toEqual([]);
    expect(await refusal(home.invoke('engines.call', { engine: engineId, name: 'mappings.list' }))).toMatchObject({ code: 'NotFound' });
  });
});
