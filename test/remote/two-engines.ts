// Helpers of the remote-engine tests: a `serve` in this process with its own database (optionally
// over TLS, on a chosen port to come back where it was), a client of a home's WebSocket as the
// browser UI on it is, and bounded waiting on a condition.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { ApiCallError } from '../../shared/contract';
import { createSocketClient, type SocketClient, type SocketConstructor } from '../../shared/socket-client';
import { SERVE_TOKEN, serveHarness, startServe, testServeArgs, type ServeHarness } from '../server/serve-harness';

const dirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `cds-remote-${prefix}-`));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
}

export interface Running {
  h: ServeHarness;
  url: string;
  port: number;
  fingerprint: string | null;
  stop(): Promise<number>;
}

/** serve on `dbDir`/data.db with `token`; stop() ends it as SIGTERM would (a graceful shutdown). */
export async function serve(dbDir: string, token: string, options: { tls?: boolean; port?: number } = {}): Promise<Running> {
  const h = serveHarness();
  const args = testServeArgs({ dbPath: path.join(dbDir, 'data.db'), tlsSelfSigned: options.tls ?? false, port: options.port ?? 0 });
  const running = await startServe(h, args, path.join(dbDir, 'no-build'), { CDS_SERVER_TOKEN: token });
  let stopped: Promise<number> | undefined;
  return {
    h,
    url: running.url,
    port: running.port,
    fingerprint: running.fingerprint,
    stop: () => {
      if (!stopped) {
        h.interrupt();
        stopped = running.exit;
      }
      return stopped;
    },
  };
}

/** A client of A's WebSocket, as the browser UI on A is (with the Bearer header instead of the cookie). */
export function homeClient(port: number): SocketClient {
  class Bearer extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { Authorization: `Bearer ${SERVE_TOKEN}` } });
    }
  }
  return createSocketClient(`ws://127.0.0.1:${port}/ws`, Bearer as unknown as SocketConstructor);
}

export async function waitFor(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function refusal(promise: Promise<unknown>): Promise<ApiCallError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiCallError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}
