// The headless server's HTTP side and its WebSocket side, against a fake dispatcher: who gets in,
// what a browser is served, and that bad input never takes the server down.
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer } from '../../electron/server/server';
import { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from '../../electron/server/protocol';
import { cookieHeader, fakeDispatch, rawRequest, startTestServer, TOKEN, type TestServer } from './helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

describe('HTTP authentication', () => {
  it('refuses a request without a token with 401 and says where the token is', async () => {
    const res = await rawRequest(t.port, '/');
    expect(res.status).toBe(401);
    expect(res.body).toContain('cloud-data-sync serve');
    expect(res.body).not.toContain('<title>');
  });

  it('refuses a wrong token in the query, in a cookie and in a Bearer header', async () => {
    expect((await rawRequest(t.port, '/?token=wrong')).status).toBe(401);
    expect((await rawRequest(t.port, '/', { Cookie: cookieHeader(t.port, 'wrong') })).status).toBe(401);
    expect((await rawRequest(t.port, '/', { Authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('trades a correct token in the query for an HttpOnly SameSite=Strict cookie and a redirect without it', async () => {
    const res = await rawRequest(t.port, `/mappings?view=list&token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/mappings?view=list');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`cds_token_${t.port}=${TOKEN}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('never redirects to another host, whatever the path looks like', async () => {
    const res = await rawRequest(t.port, `//evil.example/x?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/evil.example/x');
  });

  it('serves the page with the cookie, and with a Bearer header', async () => {
    const withCookie = await rawRequest(t.port, '/', { Cookie: `other=1; ${cookieHeader(t.port)}` });
    expect(withCookie.status).toBe(200);
    expect(withCookie.body).toContain('<title>Cloud Data Sync</title>');
    const withBearer = await rawRequest(t.port, '/', { Authorization: `Bearer ${TOKEN}` });
    expect(withBearer.status).toBe(200);
  });

  it('lets a wrong Bearer header win over a good cookie (no mixing of credentials)', async () => {
    const res = await rawRequest(t.port, '/', { Cookie: cookieHeader(t.port), Authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
  });

  it('answers only GET and HEAD', async () => {
    const res = await rawRequest(t.port, '/', { Cookie: cookieHeader(t.port) }, 'POST');
    expect(res.status).toBe(405);
    const head = await rawRequest(t.port, '/', { Cookie: cookieHeader(t.port) }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('Host header (DNS rebinding)', () => {
  it('refuses a request whose Host names another site, even with the token', async () => {
    const res = await rawRequest(t.port, '/', { Host: `evil.example:${t.port}`, Cookie: cookieHeader(t.port) });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('<title>');
  });

  it('refuses the right host name on another port', async () => {
    expect((await rawRequest(t.port, '/', { Host: '127.0.0.1:1', Cookie: cookieHeader(t.port) })).status).toBe(403);
  });

  it('accepts localhost and 127.0.0.1 with the port', async () => {
    expect((await rawRequest(t.port, '/', { Host: `localhost:${t.port}`, Cookie: cookieHeader(t.port) })).status).toBe(200);
    expect((await rawRequest(t.port, '/', { Host: `127.0.0.1:${t.port}`, Cookie: cookieHeader(t.port) })).status).toBe(200);
  });
});

describe('static files', () => {
  const get = (target: string) => rawRequest(t.port, target, { Cookie: cookieHeader(t.port) });

  it('serves index.html uncached, with a strict CSP and nosniff', async () => {
    const res = await get('/');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${t.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('serves assets with their content type, hashed bundles cached for good', async () => {
    const js = await get('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    const svg = await get('/favicon.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
  });

  it('falls back to index.html for client-side routes, but not for missing files', async () => {
    const route = await get('/mappings/42');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/%00.js',
  ])('does not serve %s outside the folder', async (target) => {
    const res = await get(target);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('TOP SECRET');
  });

  it('does not follow a symlink out of the folder', async () => {
    symlinkSync(path.join(t.dir, 'secret.txt'), path.join(t.dir, 'static', 'link.txt'));
    const res = await get('/link.txt');
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('TOP SECRET');
  });

  it('answers /ws over plain HTTP with 426', async () => {
    expect((await get('/ws')).status).toBe(426);
  });
});

describe('without a built UI', () => {
  it('says how to build it, and the API still answers', async () => {
    const api = await startTestServer({ staticDir: null });
    try {
      const res = await rawRequest(api.port, '/', { Cookie: cookieHeader(api.port) });
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build');
      const ws = await connect(api, { origin: api.origin, cookie: true });
      expect(await call(ws, { id: 1, name: 'echo', args: 'hi' })).toEqual({ id: 1, envelope: { ok: true, value: 'hi' } });
      ws.close();
    } finally {
      await api.close();
    }
  });
});

describe('binding', () => {
  const base = { port: 0, token: TOKEN, staticDir: null, dispatch: fakeDispatch, subscribe: () => () => undefined };

  it.each(['0.0.0.0', '::', '192.0.2.10'])('refuses to listen on %s without allowNonLoopback', async (host) => {
    await expect(startServer({ ...base, host })).rejects.toThrow(/not a loopback address.*--allow-remote/);
  });

  it('refuses a short token', async () => {
    await expect(startServer({ ...base, host: '127.0.0.1', token: 'short' })).rejects.toThrow(/at least 16/);
  });

  it('listens on localhost and reports its URL without the token', async () => {
    const server = await startServer({ ...base, host: 'localhost' });
    try {
      expect(server.url).toBe(`http://localhost:${server.port}/`);
    } finally {
      await server.close();
    }
  });
});

// ---- WebSocket ----------------------------------------------------------------------------------

interface ConnectOptions {
  origin?: string;
  cookie?: boolean;
  bearer?: string;
  query?: string;
  host?: string;
}

function connect(server: TestServer, options: ConnectOptions): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.Cookie = cookieHeader(server.port);
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  if (options.host) headers.Host = options.host;
  const query = options.query === undefined ? '' : `?token=${options.query}`;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers, ...(options.origin ? { origin: options.origin } : {}) });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The next frame the socket receives, parsed. */
function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

function call(ws: WebSocket, frame: unknown): Promise<unknown> {
  const reply = nextMessage(ws);
  ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return reply;
}

describe('WebSocket upgrade', () => {
  it('refuses a page of another origin, even with the cookie', async () => {
    await expect(connect(t, { origin: 'http://evil.example', cookie: true })).rejects.toThrow('refused: 403');
    await expect(connect(t, { origin: `http://127.0.0.1:${t.port + 1}`, cookie: true })).rejects.toThrow('refused: 403');
  });

  it('refuses a socket without a token, or with a wrong one', async () => {
    await expect(connect(t, { origin: t.origin })).rejects.toThrow('refused: 401');
    await expect(connect(t, { origin: t.origin, query: 'wrong' })).rejects.toThrow('refused: 401');
  });

  it('refuses a wrong Host header', async () => {
    await expect(connect(t, { origin: `http://evil.example:${t.port}`, cookie: true, host: `evil.example:${t.port}` })).rejects.toThrow('refused: 403');
  });

  it('refuses a missing Origin unless the client authenticates with a Bearer header', async () => {
    await expect(connect(t, { cookie: true })).rejects.toThrow('refused: 403');
    await expect(connect(t, { query: TOKEN })).rejects.toThrow('refused: 403');
    const ws = await connect(t, { bearer: TOKEN });
    expect(await call(ws, { id: 'x', name: 'echo', args: 1 })).toEqual({ id: 'x', envelope: { ok: true, value: 1 } });
    ws.close();
  });

  it('refuses other paths', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.port}/other`, { origin: t.origin, headers: { Cookie: cookieHeader(t.port) } });
    await expect(new Promise((_, reject) => ws.once('unexpected-response', (_r, res) => reject(new Error(String(res.statusCode)))))).rejects.toThrow('404');
  });
});

describe('WebSocket contract', () => {
  let ws: WebSocket;
  beforeAll(async () => {
    ws = await connect(t, { origin: t.origin, cookie: true });
  });
  afterAll(() => ws.close());

  it('answers a call with its id and the dispatcher envelope', async () => {
    expect(await call(ws, { id: 7, name: 'echo', args: { a: [1, 2] } })).toEqual({ id: 7, envelope: { ok: true, value: { a: [1, 2] } } });
    expect(t.calls.at(-1)).toEqual({ name: 'echo', args: { a: [1, 2] } });
    expect(await call(ws, { id: 8, name: 'fail' })).toEqual({
      id: 8,
      envelope: { ok: false, error: { code: 'NotFound', message: 'no such thing', field: 'id', retryable: false } },
    });
  });

  it('answers calls in flight independently (replies may come out of order)', async () => {
    const replies: unknown[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', function onMessage(data) {
        replies.push(JSON.parse(String(data)));
        if (replies.length === 2) {
          ws.off('message', onMessage);
          resolve();
        }
      }),
    );
    ws.send(JSON.stringify({ id: 1, name: 'slow' }));
    ws.send(JSON.stringify({ id: 2, name: 'echo', args: 'fast' }));
    await done;
    expect(replies.map((r) => (r as { id: number }).id)).toEqual([2, 1]);
  });

  it('turns a throwing dispatcher into a Fatal envelope', async () => {
    const reply = (await call(ws, { id: 9, name: 'throw' })) as { envelope: { ok: boolean; error: { code: string; message: string } } };
    expect(reply.envelope.ok).toBe(false);
    expect(reply.envelope.error.code).toBe('Fatal');
    expect(reply.envelope.error.message).not.toContain('dispatcher bug'); // no internals cross
  });

  it.each([
    ['not JSON', 'not json{'],
    ['an array', '[1,2]'],
    ['a bad id', JSON.stringify({ id: { x: 1 }, name: 'echo' })],
    ['a missing id', JSON.stringify({ name: 'echo' })],
  ])('answers %s with an InvalidArgument envelope and stays up', async (_what, frame) => {
    const reply = (await call(ws, frame)) as { id: unknown; envelope: { ok: boolean; error: { code: string } } };
    expect(reply.id).toBeNull();
    expect(reply.envelope.error.code).toBe('InvalidArgument');
    expect(await call(ws, { id: 10, name: 'echo', args: 'still here' })).toEqual({ id: 10, envelope: { ok: true, value: 'still here' } });
  });

  it('answers an oversized message with an error envelope without reading it', async () => {
    const big = JSON.stringify({ id: 11, name: 'echo', args: 'x'.repeat(MAX_MESSAGE_BYTES) });
    const reply = (await call(ws, big)) as { id: unknown; envelope: { error: { code: string; message: string } } };
    expect(reply.id).toBeNull();
    expect(reply.envelope.error.message).toContain('too large');
    expect(t.calls.some((c) => c.args === 'x'.repeat(MAX_MESSAGE_BYTES))).toBe(false);
    expect(await call(ws, { id: 12, name: 'echo', args: 'ok' })).toEqual({ id: 12, envelope: { ok: true, value: 'ok' } });
  });

  it('answers a binary frame with an error envelope', async () => {
    const reply = (await call(ws, Buffer.from('{"id":1}'))) as { envelope: { error: { code: string } } };
    expect(reply.envelope.error.code).toBe('InvalidArgument');
  });

  it('closes a socket that sends a frame above the hard limit, and keeps serving others', async () => {
    const victim = await connect(t, { origin: t.origin, cookie: true });
    const closed = new Promise<number>((resolve) => victim.once('close', (code) => resolve(code)));
    victim.on('error', () => undefined);
    victim.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    expect(await call(ws, { id: 13, name: 'echo', args: 'alive' })).toEqual({ id: 13, envelope: { ok: true, value: 'alive' } });
  });

  it('sends events to every authenticated socket', async () => {
    const other = await connect(t, { bearer: TOKEN });
    const a = nextMessage(ws);
    const b = nextMessage(other);
    t.emit('data.changed', { lists: ['mappings'] });
    expect(await a).toEqual({ event: 'data.changed', payload: { lists: ['mappings'] } });
    expect(await b).toEqual({ event: 'data.changed', payload: { lists: ['mappings'] } });
    other.close();
  });
});

describe('close', () => {
  it('tells connected clients it is going away and stops listening', async () => {
    const s = await startTestServer();
    const ws = await connect(s, { origin: s.origin, cookie: true });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await s.close();
    expect(await closed).toBe(1001);
    await expect(rawRequest(s.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
