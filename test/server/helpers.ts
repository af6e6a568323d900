// Shared by the server tests: a server on a free loopback port with a fake dispatcher and a
// temporary static folder, and a raw HTTP client that can send any Host header or path.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Envelope } from '../../shared/contract';
import { startServer, type RunningServer, type ServerOptions } from '../../electron/server/server';

export const TOKEN = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';

export interface TestServer {
  server: RunningServer;
  port: number;
  origin: string;
  /** Emits an event to every connected socket, as the app's event bus would. */
  emit(event: string, payload: unknown): void;
  /** Commands the fake dispatcher received, in order. */
  calls: Array<{ name: unknown; args: unknown }>;
  /** The folder that holds static/ (served) and secret.txt (outside it). */
  dir: string;
  close(): Promise<void>;
}

/** Echoes `echo` calls, fails `fail` calls with a NotFound envelope, throws on `throw`. */
export async function fakeDispatch(name: unknown, args: unknown): Promise<Envelope<unknown>> {
  if (name === 'echo') return { ok: true, value: args ?? null };
  if (name === 'fail') return { ok: false, error: { code: 'NotFound', message: 'no such thing', field: 'id', retryable: false } };
  if (name === 'throw') throw new Error('dispatcher bug');
  if (name === 'slow') {
    await new Promise((r) => setTimeout(r, 200));
    return { ok: true, value: 'slow' };
  }
  return { ok: false, error: { code: 'InvalidArgument', message: `unknown command ${String(name)}`, retryable: false } };
}

export async function startTestServer(overrides: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cds-server-'));
  const staticDir = path.join(dir, 'static');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Cloud Data Sync</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log("app");');
  writeFileSync(path.join(staticDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, 'secret.txt'), 'TOP SECRET');

  const sinks = new Set<(event: string, payload: unknown) => void>();
  const calls: TestServer['calls'] = [];
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    staticDir,
    dispatch: (name, args) => {
      calls.push({ name, args });
      return fakeDispatch(name, args);
    },
    subscribe: (send) => {
      sinks.add(send);
      return () => sinks.delete(send);
    },
    ...overrides,
  });
  return {
    server,
    port: server.port,
    origin: `http://127.0.0.1:${server.port}`,
    emit: (event, payload) => sinks.forEach((send) => send(event, payload)),
    calls,
    dir,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * GET (or another method) with exactly the given path and headers; Host defaults to 127.0.0.1:port.
 * With `tls`, over HTTPS, trusting `tls.ca` (or only the system's CAs).
 */
export function rawRequest(port: number, target: string, headers: Record<string, string> = {}, method = 'GET', tls?: { ca?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path: target, method, headers: { Host: `127.0.0.1:${port}`, ...headers } };
    const req = (tls ? httpsRequest({ ...options, ...(tls.ca ? { ca: tls.ca } : {}) }) : request(options)).on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function cookieHeader(port: number, token = TOKEN): string {
  return `cds_token_${port}=${token}`;
}
