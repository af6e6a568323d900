// GET /healthz: answered without the token (Docker's HEALTHCHECK and load balancers have none), 200
// only while the server runs with a readable database, 503 while starting or stopping or when the
// database fails; the answer names no mapping, path or error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HEALTH_PATH, healthRoute, type ServePhase } from '../../electron/server/health';
import { rawRequest, startTestServer, type TestServer } from './helpers';
import { SERVE_TOKEN, serveHarness, startServe, testServeArgs } from './serve-harness';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverWithHealth(): Promise<{ t: TestServer; state: { phase: ServePhase; databaseError: Error | null } }> {
  const state: { phase: ServePhase; databaseError: Error | null } = { phase: 'running', databaseError: null };
  const t = await startTestServer({
    routes: {
      [HEALTH_PATH]: healthRoute({
        phase: () => state.phase,
        readDatabase: () => {
          if (state.databaseError) throw state.databaseError;
        },
      }),
    },
  });
  cleanups.push(() => t.close());
  return { t, state };
}

describe('GET /healthz', () => {
  it('answers 200 without the token while running, with a JSON body and no caching', async () => {
    const { t } = await serverWithHealth();
    const res = await rawRequest(t.port, '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', checks: { scheduler: 'running', database: 'ok' } });
  });

  it('answers HEAD with the same status and no body', async () => {
    const { t, state } = await serverWithHealth();
    expect(await rawRequest(t.port, '/healthz', {}, 'HEAD')).toMatchObject({ status: 200, body: '' });
    state.phase = 'stopping';
    expect(await rawRequest(t.port, '/healthz', {}, 'HEAD')).toMatchObject({ status: 503, body: '' });
  });

  it('answers 503 while starting and while stopping', async () => {
    const { t, state } = await serverWithHealth();
    state.phase = 'starting';
    let res = await rawRequest(t.port, '/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: 'starting', checks: { scheduler: 'starting', database: 'ok' } });
    state.phase = 'stopping';
    res = await rawRequest(t.port, '/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'stopping', checks: { scheduler: 'stopping' } });
    state.phase = 'running';
    expect((await rawRequest(t.port, '/healthz')).status).toBe(200);
  });

  it('answers 503 when the database cannot be read, without the reason (it may name a path)', async () => {
    const { t, state } = await serverWithHealth();
    state.databaseError = new Error('SQLITE_CORRUPT: /srv/secret-place/data.db is malformed');
    const res = await rawRequest(t.port, '/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ status: 'error', checks: { scheduler: 'running', database: 'error' } });
    expect(res.body).not.toContain('secret-place');
    expect(res.body).not.toContain('SQLITE');
  });

  it('still answers only to the server own Host, and only GET and HEAD without the token', async () => {
    const { t } = await serverWithHealth();
    expect((await rawRequest(t.port, '/healthz', { Host: `evil.example:${t.port}` })).status).toBe(403);
    expect((await rawRequest(t.port, '/healthz', {}, 'POST')).status).toBe(401);
    // A neighbouring path is not open.
    expect((await rawRequest(t.port, '/healthz/x')).status).toBe(401);
  });
});

describe('/healthz on cloud-data-sync serve', () => {
  it('answers 200 with the real database and scheduler, says nothing of the mappings, and is gone after the stop', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'cds-health-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const h = serveHarness();
    const running = await startServe(h, testServeArgs({ dbPath: path.join(home, 'data.db') }), path.join(home, 'no-build'));
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) h.interrupt();
      await running.exit;
    });

    // A connection exists: its name and secret must not show up in the unauthenticated answer.
    const ws = new WebSocket(`ws://127.0.0.1:${running.port}/ws`, { headers: { Authorization: `Bearer ${SERVE_TOKEN}` } });
    const reply = await new Promise<{ envelope: { ok: boolean } }>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () =>
        ws.send(JSON.stringify({ id: 1, name: 'connections.create', args: { name: 'Very Private Connection', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-access-key-value' } } })),
      );
      // Events may come first; the reply carries the call's id.
      ws.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.id === 1) resolve(message);
      });
    });
    expect(reply.envelope.ok).toBe(true);
    ws.close();

    const res = await rawRequest(running.port, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', checks: { scheduler: 'running', database: 'ok' } });
    expect(res.body).not.toContain('Very Private');
    expect(res.body).not.toContain('very-secret');
    expect((await rawRequest(running.port, '/healthz', {}, 'HEAD')).status).toBe(200);

    h.interrupt();
    stopped = true;
    expect(await running.exit).toBe(0);
    await expect(rawRequest(running.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});
