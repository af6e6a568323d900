// The fault proxy itself, against a tiny upstream: each fault does what it says, decisions repeat
// with the seed, and a transparent proxy changes nothing.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytes } from '../support/objects';
import { LISTING_REQUESTS, SERVICE_ERRORS, startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';

const BODY = bytes(7, 200_000);

describe('fault proxy', () => {
  let upstream: http.Server;
  let upstreamUrl: string;
  const received: Array<{ method: string; url: string; bytes: number; complete: boolean }> = [];
  let proxy: FaultProxy | undefined;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      const done = (complete: boolean) => received.push({ method: req.method!, url: req.url!, bytes: n, complete });
      req.on('end', () => {
        done(true);
        if (req.url?.startsWith('/redirect')) {
          res.writeHead(200, { Location: `${upstreamUrl}/session?id=1`, 'Content-Length': 0 });
          res.end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BODY.length, ETag: '"e"' });
        res.end(req.method === 'HEAD' ? undefined : BODY);
      });
      req.on('aborted', () => done(false));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
    received.length = 0;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  const start = async (seed: number, rules: FaultRule[]) => (proxy = await startFaultProxy({ upstream: upstreamUrl, seed, rules }));

  it('is transparent without rules: bytes, status and headers pass unchanged, both ways', async () => {
    const p = await start(1, []);
    const watched = p.watch({ method: 'PUT' });
    const put = await send(p.url, 'PUT', '/b/k', BODY);
    expect(put).toMatchObject({ status: 200, md5: md5(BODY) });
    expect(received.at(-1)).toMatchObject({ method: 'PUT', bytes: BODY.length, complete: true });
    expect(watched).toEqual({ requests: 1, requestBytes: BODY.length, responseBytes: BODY.length });
    expect(p.injected).toEqual({});
  });

  it('answers each service its own throttling error, on the n-th match only, up to its cap', async () => {
    const p = await start(1, [{ name: 'slowdown', match: { method: 'GET' }, nth: [2, 3, 4], max: 2, fault: SERVICE_ERRORS.s3SlowDown }]);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(p.url, 'GET', '/b/k')).status);
    expect(statuses).toEqual([200, 503, 503, 200, 200]);
    const answer = await send(p.url, 'GET', '/b/k');
    expect(answer.status).toBe(200);
    expect(p.injected).toEqual({ error: 2, slowdown: 2 });
    p.setRules([{ fault: SERVICE_ERRORS.azureServerBusy }]);
    const busy = await send(p.url, 'GET', '/b/k');
    expect(busy.status).toBe(503);
    expect(busy.headers['x-ms-error-code']).toBe('ServerBusy');
    expect(busy.text).toMatch(/<Code>ServerBusy<\/Code>/);
    p.setRules([{ fault: SERVICE_ERRORS.gcsRateLimit }]);
    expect(JSON.parse((await send(p.url, 'GET', '/b/k')).text)).toMatchObject({ error: { code: 429, errors: [{ reason: 'rateLimitExceeded' }] } });
  });

  it('flips exactly one byte of a response body and keeps the headers', async () => {
    const p = await start(42, [{ match: { method: 'GET' }, fault: { kind: 'corrupt' } }]);
    const answer = await send(p.url, 'GET', '/b/k');
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).toBe('"e"');
    expect(answer.body.length).toBe(BODY.length);
    expect(differingBytes(answer.body, BODY)).toBe(1);
    expect(p.injected.corrupt).toBe(1);
  });

  it('resets or truncates a response mid-body: the client sees an error, never a short success', async () => {
    for (const kind of ['resetResponse', 'truncate'] as const) {
      const p = await start(3, [{ match: { method: 'GET' }, fault: { kind } }]);
      await expect(send(p.url, 'GET', '/b/k')).rejects.toThrow(/aborted|ECONNRESET|socket hang up|premature/i);
      expect(p.injected[kind]).toBe(1);
      await p.stop();
      proxy = undefined;
    }
  });

  it('resets an upload mid-body: the upstream sees an incomplete request', async () => {
    const p = await start(5, [{ match: { method: 'PUT' }, fault: { kind: 'resetRequest' } }]);
    await expect(send(p.url, 'PUT', '/b/k', BODY)).rejects.toThrow(/ECONNRESET|EPIPE|socket hang up/);
    await waitUntil(() => received.length > 0);
    expect(received[0]!.complete).toBe(false);
    expect(received[0]!.bytes).toBeLessThan(BODY.length);
    expect(p.injected.resetRequest).toBe(1);
  });

  it('makes the same decisions for the same seed, and different ones for another seed', async () => {
    const pattern = async (seed: number) => {
      const p = await start(seed, [{ probability: 0.3, fault: SERVICE_ERRORS.s3SlowDown }]);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await send(p.url, 'GET', '/b/k')).status);
      await p.stop();
      proxy = undefined;
      return out.join(',');
    };
    const first = await pattern(1234);
    expect(await pattern(1234)).toBe(first);
    expect(await pattern(4321)).not.toBe(first);
    expect(first.split(',').filter((s) => s === '503').length).toBeGreaterThan(3);
  });

  it('rewrites a listing page size and points an upstream Location at the proxy', async () => {
    const p = await start(1, [{ match: LISTING_REQUESTS.s3, fault: { kind: 'rewriteQuery', param: 'max-keys', value: '2' } }]);
    await send(p.url, 'GET', '/bucket?list-type=2&max-keys=1000');
    expect(received.at(-1)!.url).toBe('/bucket?list-type=2&max-keys=2');
    await send(p.url, 'GET', '/bucket/key?x=1');
    expect(received.at(-1)!.url).toBe('/bucket/key?x=1');
    const redirect = await send(p.url, 'POST', '/redirect');
    expect(redirect.headers.location).toBe(`${p.url}/session?id=1`);
  });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  md5: string;
}

/** One request on a fresh connection; rejects when the connection fails or the body ends short. */
function send(base: string, method: string, path: string, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, agent: false, headers: body ? { 'Content-Length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && all.length !== declared) return reject(new Error(`premature end: ${all.length} of ${declared}`));
        resolve({ status: res.statusCode!, headers: res.headers, body: all, text: all.toString(), md5: md5(all) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function differingBytes(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

async function waitUntil(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
}
