// Starts Azurite's blob service (in memory) as a child process on 127.0.0.1 for provider tests.
// Use one instance per test file and keep the number of deletes per instance small: after a mass
// delete Azurite's extent garbage collection pins a core and stops answering for seconds to minutes
// (3,000 deleted blobs: 8 s; 8,000: 83 s), and while it does it ignores SIGTERM — so stop() ends it
// with SIGKILL after a short grace period (in-memory data has nothing to flush anyway).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import net, { type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AzureSettings } from '../../shared/model';

/** Azurite's built-in development account and its published key (the same in every emulator). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 500;
const EXIT_WAIT_MS = 5_000;

export interface AzuriteServer {
  /** http://127.0.0.1:PORT/devstoreaccount1 (path-style: the account is the first path segment). */
  endpointUrl: string;
  accountName: string;
  accountKey: string;
  port: number;
  /** Stops the server: SIGTERM, then SIGKILL after a short grace period. */
  stop(): Promise<void>;
}

const AZURITE_BLOB_BIN = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');

/** Runs Azurite in the child; exits when stdin closes, i.e. when the test process that started it is gone. */
const LIFELINE = String.raw`
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
require(process.argv[1]);
`;

export async function startAzurite(): Promise<AzuriteServer> {
  // Azurite writes nothing with in-memory persistence, but give it a scratch cwd in case it does.
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'azurite-'));
  let lastError: unknown;
  // The free port can be taken between probing and binding; a child that dies early is retried.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '-e', LIFELINE, AZURITE_BLOB_BIN,
        '--blobHost', HOST, '--blobPort', String(port),
        '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent',
      ],
      { cwd, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    (child.stdin as Socket | null)?.unref();
    const stderr = tail(child);
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    try {
      await waitReady(child, port, stderr);
    } catch (err) {
      lastError = err;
      process.removeListener('exit', killOnExit);
      await kill(child);
      continue;
    }
    return {
      endpointUrl: `http://${HOST}:${port}/${AZURITE_ACCOUNT}`,
      accountName: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      port,
      async stop() {
        process.removeListener('exit', killOnExit);
        await kill(child);
        await rm(cwd, { recursive: true, force: true });
      },
    };
  }
  await rm(cwd, { recursive: true, force: true });
  throw lastError;
}

/** Account name + key settings for the azure provider against this server. */
export function azureSettingsFor(server: AzuriteServer): AzureSettings {
  return { accountName: server.accountName, accountKey: server.accountKey, endpointUrl: server.endpointUrl };
}

/** The connection string Azurite documents for its development account, pointed at this server. */
export function azuriteConnectionString(server: AzuriteServer): string {
  return `DefaultEndpointsProtocol=http;AccountName=${server.accountName};AccountKey=${server.accountKey};BlobEndpoint=${server.endpointUrl};`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      srv.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not get a free port'));
      });
    });
  });
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

/** Polls with an HTTP request until Azurite answers anything at all; fails fast if the child exits. */
async function waitReady(child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite exited (${child.exitCode ?? child.signalCode}) before it was ready: ${stderr()}`);
    }
    if (await answers(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Azurite did not answer on port ${port} within ${READY_TIMEOUT_MS} ms: ${stderr()}`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: `/${AZURITE_ACCOUNT}?comp=list`, timeout: 1_000, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** SIGTERM, SIGKILL after the grace period; waits (bounded) for the exit. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  let giveUp: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (giveUp = setTimeout(resolve, EXIT_WAIT_MS)))]);
  clearTimeout(timer);
  clearTimeout(giveUp);
}
