// `cloud-data-sync serve` as its own process (the real bin), for tests that kill it as a crash
// would (SIGKILL) and start it again on the same port and database.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, waitFor } from '../../support/cli-child';

const BIN = path.join(REPO_ROOT, 'bin/cloud-data-sync.mjs');
/** The bin may compile the sources with tsx when its bundle is older than them. */
const START_TIMEOUT_MS = 60_000;

export interface ServeChild {
  child: ChildProcess;
  /** https://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** The address as serve prints it, with ?token=. */
  openUrl: string;
  /** The SHA-256 fingerprint serve printed (with --tls-self-signed). */
  fingerprint: string | null;
  output(): string;
  /** Resolves with the exit code (null: killed by a signal). */
  exit: Promise<number | null>;
}

/** Starts serve with `args` and CDS_SERVER_TOKEN=token; resolves once it printed its address (and fingerprint with TLS). */
export async function startServeChild(args: string[], token: string): Promise<ServeChild> {
  const env: NodeJS.ProcessEnv = { ...process.env, CDS_SERVER_TOKEN: token };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => ((exited = true), resolve(code))));
  const tls = args.includes('--tls-self-signed');
  const urlLine = () => /Cloud Data Sync is running at (https?:\/\/[^\s?]+)(\?token=\S+)/.exec(out);
  // serve writes the fingerprint after the URL, as a line of its own: wait for that line itself.
  const fingerprintLine = () => /SHA-256 fingerprint: ([0-9A-F:]{95})\s*\n/.exec(out);
  try {
    await waitFor(() => exited || (urlLine() !== null && (!tls || fingerprintLine() !== null)), START_TIMEOUT_MS, `serve ${args.join(' ')} to print its address`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; it printed:\n${out}`);
  }
  if (exited) throw new Error(`serve ${args.join(' ')} exited before it listened:\n${out}`);
  const [, url, query] = urlLine()!;
  return {
    child,
    url: url!,
    port: Number(new URL(url!).port),
    openUrl: `${url}${query}`,
    fingerprint: tls ? fingerprintLine()![1]! : null,
    output: () => out,
    exit,
  };
}
