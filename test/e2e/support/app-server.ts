// `cloud-data-sync serve` in process, as a user starts it: its own data folder, the token from
// CDS_SERVER_TOKEN, 127.0.0.1 on a free port, and the built renderer as its web UI.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveDefaults, type ServeArgs } from '../../../electron/headless/args';
import { ConsoleLog } from '../../../electron/headless/console-log';
import type { CliEnvironment } from '../../../electron/headless/exit-codes';
import { runServe, TOKEN_ENV } from '../../../electron/server/serve';

export interface AppServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  token: string;
  /** The address `serve` prints: the page trades the token for a cookie on the first load. */
  openUrl: string;
  /** What the server printed so far (for failure messages). */
  output(): string;
  /** Stops as SIGINT would (runs in flight end as cancelled), then removes the data folder. */
  stop(): Promise<void>;
}

/** `prepare` may fill the server's database (path given) before it starts: data a test begins with. */
export async function startAppServer(rendererBuild: string, prepare?: (dbPath: string) => void): Promise<AppServer> {
  const home = mkdtempSync(path.join(tmpdir(), 'cds-e2e-server-'));
  prepare?.(path.join(home, 'data.db'));
  const token = randomBytes(32).toString('hex');
  let output = '';
  const listeners = new Set<(signal: string) => void>();
  const cli: CliEnvironment = {
    stdout: { write: (text: string) => (output += text) },
    stderr: { write: (text: string) => (output += text) },
    version: '0.1.0',
    onShutdownRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const args: ServeArgs = { ...serveDefaults(), port: 0, dbPath: path.join(home, 'data.db') };

  let listening!: (info: { url: string }) => void;
  const ready = new Promise<{ url: string }>((resolve) => (listening = resolve));
  const exit = runServe(args, new ConsoleLog(cli, 'info'), cli, { env: { [TOKEN_ENV]: token }, rendererBuild, onListening: listening });
  let url: string;
  try {
    ({ url } = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`serve exited with ${code}:\n${output}`)))]));
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    token,
    openUrl: `${url}?token=${token}`,
    output: () => output,
    async stop() {
      listeners.forEach((listener) => listener('SIGINT'));
      const code = await exit;
      rmSync(home, { recursive: true, force: true });
      if (code !== 0) throw new Error(`serve exited with ${code}:\n${output}`);
    },
  };
}
