// Runs a Node-based test server (s3rver, Azurite) as a child process on 127.0.0.1: picks a free
// port, waits until the server answers HTTP, retries when a child dies before that, and stops it
// with SIGTERM then SIGKILL. Each server module says only how to start its server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 3;

/**
 * Run in the child after the prelude: exits when stdin closes, i.e. when the test process that
 * started it is gone (however abruptly), then runs the server's own entry point (argv[1]).
 */
const LIFELINE = String.raw`
// The parent holds our stdin open; EOF means it is gone.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

require(process.argv[1]);
`;

export interface ChildServerSpec {
  /** The server's name in error messages. */
  name: string;
  /** Prefix of a scratch directory made before the first start and removed after stop (or failure). */
  scratchPrefix: string;
  /** The server's entry point (a .js file run by this Node). */
  bin: string;
  /** CommonJS run in the child before the entry point, e.g. patches to the server's modules. */
  prelude?: string;
  /** The entry point's arguments, cwd and environment for a server on HOST:port. */
  command(port: number, scratchDir: string): { args: string[]; cwd?: string; env?: NodeJS.ProcessEnv };
  /** Polled with GET until it answers anything at all. */
  readyPath: string;
  /** How long stop() waits after SIGTERM before it sends SIGKILL. */
  stopGraceMs: number;
  /** How long stop() then waits for the exit at the most; unset: until the child has exited. */
  exitWaitMs?: number;
}

export interface ChildServer {
  port: number;
  /** Kills the server (SIGTERM, then SIGKILL after the grace period) and removes the scratch directory. */
  stop(): Promise<void>;
}

export async function startChildServer(spec: ChildServerSpec): Promise<ChildServer> {
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), spec.scratchPrefix));
  // The free port can be taken between probing and binding; a child that dies early is retried.
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const { args, cwd, env } = spec.command(port, scratchDir);
    const child = spawn(process.execPath, ['-e', (spec.prelude ?? '') + LIFELINE, spec.bin, ...args], {
      cwd,
      env,
      // stdin is a lifeline: when this process dies, however abruptly, the pipe closes and the
      // child exits instead of lingering as an orphan.
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    (child.stdin as Socket | null)?.unref();
    const stderr = tail(child);
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    try {
      await waitReady(spec, child, port, stderr);
    } catch (err) {
      lastError = err;
      process.removeListener('exit', killOnExit);
      await kill(spec, child);
      continue;
    }
    return {
      port,
      async stop() {
        process.removeListener('exit', killOnExit);
        await kill(spec, child);
        await rm(scratchDir, { recursive: true, force: true });
      },
    };
  }
  await rm(scratchDir, { recursive: true, force: true });
  throw lastError;
}

/** Keeps the last few KiB of the child's stderr for error messages. */
function tail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-4096);
  });
  return () => text;
}

/** Polls with an HTTP request until the server answers anything at all; fails fast if the child exits. */
async function waitReady(spec: ChildServerSpec, child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was ready: ${stderr()}`);
    }
    if (await answers(port, spec.readyPath)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${spec.name} did not answer on port ${port} within ${READY_TIMEOUT_MS} ms: ${stderr()}`);
}

function answers(port: number, readyPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: readyPath, timeout: 1_000, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** SIGTERM, SIGKILL after the grace period; waits for the exit (bounded by exitWaitMs when set). */
async function kill(spec: ChildServerSpec, child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), spec.stopGraceMs);
  let giveUp: NodeJS.Timeout | undefined;
  const waits = [exited];
  if (spec.exitWaitMs !== undefined) waits.push(new Promise<void>((resolve) => (giveUp = setTimeout(resolve, spec.exitWaitMs))));
  await Promise.race(waits);
  clearTimeout(timer);
  clearTimeout(giveUp);
}
