// runServe in process, for every test of serve: captured stdout/stderr, a shutdown request as a
// signal would send it, the listening info (URL, port, fingerprint) once the server is up, and a
// WebSocket client of the contract.
import type { ServeArgs } from '../../electron/headless/args';
import { serveDefaults } from '../../electron/headless/args';
import { ConsoleLog } from '../../electron/headless/console-log';
import type { CliEnvironment } from '../../electron/headless/exit-codes';
import { runServe } from '../../electron/server/serve';
import WebSocket from 'ws';

export const SERVE_TOKEN = 'tls-health-test-token-0123456789abcdef';

export interface ServeHarness {
  out: () => string;
  err: () => string;
  cli: CliEnvironment;
  /** Sends the shutdown request the signal would (default SIGTERM). */
  interrupt: (signal?: 'SIGINT' | 'SIGTERM') => void;
}

export function serveHarness(): ServeHarness {
  let out = '';
  let err = '';
  const listeners = new Set<(signal: string) => void>();
  const cli: CliEnvironment = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    version: '9.9.9',
    onShutdownRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { out: () => out, err: () => err, cli, interrupt: (signal = 'SIGTERM') => listeners.forEach((l) => l(signal)) };
}

export function testServeArgs(overrides: Partial<ServeArgs> = {}): ServeArgs {
  return { ...serveDefaults(), port: 0, ...overrides };
}

export interface Served {
  url: string;
  port: number;
  fingerprint: string | null;
  exit: Promise<number>;
}

/** Starts runServe and resolves once it listens; rejects with its output if it exits first. */
export async function startServe(
  h: ServeHarness,
  args: ServeArgs,
  rendererBuild: string,
  env: Record<string, string> = { CDS_SERVER_TOKEN: SERVE_TOKEN },
  log: ConsoleLog = new ConsoleLog(h.cli, 'info'),
): Promise<Served> {
  let listening!: (info: { url: string; port: number; fingerprint: string | null }) => void;
  const ready = new Promise<{ url: string; port: number; fingerprint: string | null }>((r) => (listening = r));
  const exit = runServe(args, log, h.cli, { env, rendererBuild, onListening: listening });
  const info = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${h.err()}`)))]);
  return { ...info, exit };
}

/** A contract client over serve's WebSocket, authenticated by the Bearer token. */
export function contractSocket(port: number, token = SERVE_TOKEN) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } });
  let nextId = 1;
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const call = async (name: string, args?: unknown): Promise<{ ok: boolean; value?: any; error?: any }> => {
    const id = nextId++;
    const reply = new Promise<any>((resolve) =>
      ws.on('message', function onMessage(data) {
        const msg = JSON.parse(String(data));
        if (msg.id !== id) return;
        ws.off('message', onMessage);
        resolve(msg.envelope);
      }),
    );
    ws.send(JSON.stringify({ id, name, args }));
    return reply;
  };
  return {
    opened,
    /** The command's envelope. */
    call,
    /** The command's value; a failed command fails the test with its error. */
    async value<T = any>(name: string, args?: unknown): Promise<T> {
      const envelope = await call(name, args);
      if (!envelope.ok) throw new Error(`${name} failed: ${JSON.stringify(envelope.error)}`);
      return envelope.value as T;
    },
    close: () => ws.close(),
  };
}
