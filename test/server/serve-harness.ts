// runServe in process for the TLS and health tests: captured stdout/stderr, a shutdown request as a
// signal would send it, and the listening info (URL, port, fingerprint) once the server is up.
import type { ServeArgs } from '../../electron/headless/args';
import { serveDefaults } from '../../electron/headless/args';
import { ConsoleLog } from '../../electron/headless/console-log';
import type { CliEnvironment } from '../../electron/headless/exit-codes';
import { runServe } from '../../electron/server/serve';

export const SERVE_TOKEN = 'tls-health-test-token-0123456789abcdef';

export interface ServeHarness {
  out: () => string;
  err: () => string;
  cli: CliEnvironment;
  /** Sends the shutdown request a SIGTERM would. */
  interrupt: () => void;
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
  return { out: () => out, err: () => err, cli, interrupt: () => listeners.forEach((l) => l('SIGTERM')) };
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
export async function startServe(h: ServeHarness, args: ServeArgs, rendererBuild: string, env: Record<string, string> = { CDS_SERVER_TOKEN: SERVE_TOKEN }): Promise<Served> {
  let listening!: (info: { url: string; port: number; fingerprint: string | null }) => void;
  const ready = new Promise<{ url: string; port: number; fingerprint: string | null }>((r) => (listening = r));
  const exit = runServe(args, new ConsoleLog(h.cli, 'info'), h.cli, { env, rendererBuild, onListening: listening });
  const info = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${h.err()}`)))]);
  return { ...info, exit };
}
