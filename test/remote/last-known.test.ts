// A remote engine's last-known state survives a restart of the home: serve A drives serve B (TLS,
// pinned), B runs a mapping; A writes what it knows of B while it runs (not only at shutdown); A and
// B stop, B changes meanwhile; A starts alone on the same database and lists B offline with B's
// mappings, last runs, version and lastSeenAt as it last knew them; B starts and A shows its state
// afresh. A's database holds the summaries, never B's token or a secret of B's connections.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineView } from '../../shared/contract';
import { createSocketClient, type SocketClient, type SocketConstructor } from '../../shared/socket-client';
import { openStore } from '../../electron/store';
import { pinnedRequestOptions } from '../../electron/remote/tls-pin';
import { SERVE_TOKEN } from '../server/serve-harness';
import { homeClient, removeTempDirs, serve, tempDir, waitFor, type Running } from './two-engines';

const B_TOKEN = 'engine-b-token-last-known-0123456789';
const SECRET = 'Remote-Secret-Last-Known-4d2b8a6c';

/** A client of B itself, pinned, as A's link is: to change B while A is away. */
function directClient(b: Running): SocketClient {
  const options = { headers: { Authorization: `Bearer ${B_TOKEN}` }, ...pinnedRequestOptions(b.url, b.fingerprint!) };
  class Pinned extends WebSocket {
    constructor(url: string) {
      super(url, options);
    }
  }
  return createSocketClient(`${b.url.replace('https', 'wss')}ws`, Pinned as unknown as SocketConstructor);
}

/** What A's database says of B right now, read beside the running A. */
function storedOfA(aDir: string) {
  const store = openStore(path.join(aDir, 'data.db'), { readonly: true });
  try {
    return store.remoteEngines.list().map((e) => ({ ...e, ...store.remoteEngines.lastKnown(e.id) }));
  } finally {
    store.close();
  }
}

let a: Running | undefined;
let b: Running | undefined;
let aDir: string;
let bDir: string;
let home: SocketClient | undefined;
let statuses: EngineView[] = [];

async function startA(port = 0): Promise<void> {
  a = await serve(aDir, SERVE_TOKEN, { port });
  statuses = [];
  home = homeClient(a.port);
  home.on('engines.status', (view) => statuses.push(view));
  await home.invoke('app.status');
}

async function stopA(): Promise<void> {
  home?.close();
  await a?.stop();
}

beforeAll(async () => {
  aDir = tempDir('a');
  bDir = tempDir('b');
  b = await serve(bDir, B_TOKEN, { tls: true });
  await startA();
});

afterAll(async () => {
  await stopA();
  await b?.stop();
  removeTempDirs();
});

describe('a remote engine\'s last-known state across a restart of the home', () => {
  let engineId: string;
  let connectionId: string;
  let mappingId: string;
  let seen: { from: number; to: number };

  it('is written while the home runs, when B\'s mappings change', async () => {
    const view = await home!.invoke('engines.add', { name: 'B', url: b!.url, token: B_TOKEN, fingerprint: b!.fingerprint });
    engineId = view.id;
    const disk = path.join(bDir, 'disk');
    mkdirSync(path.join(disk, 'src'), { recursive: true });
    mkdirSync(path.join(disk, 'dst'));
    mkdirSync(path.join(disk, 'dst2'));
    writeFileSync(path.join(disk, 'src', 'a.txt'), 'remote bytes');
    const call = (name: string, args?: unknown) => home!.invoke('engines.call', { engine: engineId, name, args });
    connectionId = ((await call('connections.create', { name: 'Disk', type: 'local', local: { root: disk } })) as { id: string }).id;
    await call('connections.create', { name: 'S3', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AKIAREMOTE', secretAccessKey: SECRET } });
    mappingId = ((await call('mappings.create', mappingArgs('Docs', connectionId, 'dst'))) as { id: string }).id;
    await call('sync.now', { mappingId });
    await waitFor(() => statuses.some((s) => s.mappings.some((m) => m.id === mappingId && m.lastRunStatus === 'success')), 'B\'s finished run in engines.status');
    // In A's file before any shutdown: a home that is killed keeps what it knew a second before.
    await waitFor(() => storedOfA(aDir)[0]?.mappings?.[0]?.lastRunStatus === 'success', 'the finished run in A\'s database', 10_000);
    expect(storedOfA(aDir)).toEqual([expect.objectContaining({ id: engineId, version: '9.9.9', lastSeenAt: expect.any(Number), mappings: [{ id: mappingId, name: 'Docs', state: 'idle', lastRunStatus: 'success', lastRunAt: expect.any(Number) }] })]);
  });

  it('survives A stopping, B stopping and changing meanwhile: A alone shows B offline as it last knew it', async () => {
    const from = Date.now();
    await stopA();
    seen = { from, to: Date.now() };
    // B changes while A is away: a second mapping A cannot know of yet.
    const direct = directClient(b!);
    await direct.invoke('mappings.create', mappingArgs('Photos', connectionId, 'dst2') as never);
    direct.close();
    await b!.stop();

    // A's file: the summaries, neither B's token nor its connection's secret.
    const files = readdirSync(aDir).filter((f) => f.startsWith('data.db'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(path.join(aDir, f))));
    expect(bytes.includes('"name":"Docs"')).toBe(true);
    expect(bytes.includes(SECRET)).toBe(false);
    expect(bytes.includes(B_TOKEN)).toBe(false);

    await startA(a!.port);
    const lastKnown = { id: engineId, name: 'B', version: '9.9.9', health: 'ok', mappings: [{ id: mappingId, name: 'Docs', state: 'idle', lastRunStatus: 'success', lastRunAt: expect.any(Number) }] };
    // At once, before the first attempt ends, and then offline: the same last-known state.
    expect((await home!.invoke('engines.list'))[0]).toMatchObject(lastKnown);
    // Its first attempt may end before this client listens to engines.status: ask.
    let offline = (await home!.invoke('engines.list'))[0]!;
    for (let tries = 0; offline.state !== 'offline' && tries < 400; tries++) {
      await new Promise((r) => setTimeout(r, 25));
      offline = (await home!.invoke('engines.list'))[0]!;
    }
    expect(offline).toMatchObject({ ...lastKnown, state: 'offline', error: expect.any(String) });
    // Connected until A stopped: that is when B was last seen.
    expect(offline.lastSeenAt).toBeGreaterThanOrEqual(seen.from);
    expect(offline.lastSeenAt).toBeLessThanOrEqual(seen.to);
  });

  it('is refreshed when B is back: online, with the mapping made while A was away', async () => {
    b = await serve(bDir, B_TOKEN, { tls: true, port: b!.port });
    await waitFor(() => statuses.at(-1)?.state === 'online', 'B online again');
    const online = (await home!.invoke('engines.list'))[0]!;
    expect(online.mappings.map((m) => m.name).sort()).toEqual(['Docs', 'Photos']);
    expect(online.lastSeenAt).toBeGreaterThan(seen.to);
    await waitFor(() => storedOfA(aDir)[0]?.mappings?.length === 2, 'the refreshed mappings in A\'s database', 10_000);
  });
});

function mappingArgs(name: string, connectionId: string, targetBucket: string) {
  return {
    name, sourceConnectionId: connectionId, sourceBucket: 'src', sourcePrefix: '', targetConnectionId: connectionId, targetBucket, targetPrefix: '',
    transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
  };
}
