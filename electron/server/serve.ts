// `cloud-data-sync serve`: the whole app without Electron. The same core as the desktop app (store,
// sync service, scheduler, API, events: electron/core/core.ts) behind the headless server instead
// of IPC. Runs until SIGINT/SIGTERM: runs in flight get a grace period, then the server and the
// database close. Over TLS with --tls-cert/--tls-key or --tls-self-signed (tls.ts); GET /healthz
// answers without the token (health.ts), GET /metrics with it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppCore, type AppCore } from '../core/core';
import type { ServeArgs } from '../headless/args';
import type { ConsoleLog } from '../headless/console-log';
import { EXIT, type CliEnvironment } from '../headless/exit-codes';
import { DatabaseLockedError } from '../store';
import { KEY_FILE_NAME, loadOrCreateKeyFile } from './file-key-cipher';
import { HEALTH_PATH, healthRoute, type ServePhase } from './health';
import { isLoopbackHost, MIN_TOKEN_LENGTH } from './security';
import { startServer, type RunningServer } from './server';
import { loadOrCreateSelfSigned, readTlsFiles, TlsSetupError, type TlsMaterial } from './tls';
import { startOperations, type Operations } from '../ops/operations';
import { answerMetrics, startMetricsListener, type MetricsListener } from '../ops/metrics';
import { otlpEndpointOf } from '../ops/tracing';
import { parseHostPort } from '../headless/args';

export const TOKEN_ENV = 'CDS_SERVER_TOKEN';
/** What in-flight transfers get after the first SIGINT/SIGTERM; a second signal aborts at once. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** The renderer build, as electron-vite writes it (`npm run build`). Resolved from the sources (tsx). */
const RENDERER_BUILD = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

type Env = Record<string, string | undefined>;

/** $XDG_DATA_HOME/cloud-data-sync/data.db, or ~/.local/share/cloud-data-sync/data.db. */
export function defaultDatabasePath(env: Env = process.env): string {
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME || homedir(), '.local', 'share');
  return path.join(dataHome, 'cloud-data-sync', 'data.db');
}

export interface ServeDependencies {
  env?: Env;
  /** Where the built renderer is; tests point it elsewhere. */
  rendererBuild?: string;
  /** Called once the server listens (tests read the URL from it); `fingerprint` is the TLS certificate's, or null. */
  onListening?: (info: { url: string; token: string; port: number; fingerprint: string | null }) => void;
}

export async function runServe(args: ServeArgs, log: ConsoleLog, cli: CliEnvironment, deps: ServeDependencies = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const token = env[TOKEN_ENV] || randomBytes(32).toString('hex');
  if (token.length < MIN_TOKEN_LENGTH) {
    log.error(`${TOKEN_ENV} must have at least ${MIN_TOKEN_LENGTH} characters (better: 64 random hex digits)`);
    return EXIT.usage;
  }

  // Given certificate files are checked before anything is opened: a typo costs nothing.
  let tls: TlsMaterial | null = null;
  if (args.tlsCert !== null && args.tlsKey !== null) {
    try {
      tls = readTlsFiles(args.tlsCert, args.tlsKey, args.host);
    } catch (err) {
      if (!(err instanceof TlsSetupError)) throw err;
      log.error(err.message);
      return EXIT.usage;
    }
  }

  const dbPath = path.resolve(args.dbPath ?? defaultDatabasePath(env));
  let core: AppCore;
  try {
    // The folder holds the database and the key that decrypts its secrets: the owner's alone.
    mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
    const keyPath = path.join(path.dirname(dbPath), KEY_FILE_NAME);
    const key = loadOrCreateKeyFile(keyPath);
    if (key.created) log.info(`Created ${keyPath}: it encrypts connection secrets in the database; keep it with the database, never share it`);
    if (key.warning) log.line('server', { level: 'warn', message: key.warning });
    core = createAppCore({ dbPath, cipher: key.cipher, version: cli.version, mode: 'server', warn: (message) => log.line('alerts', { level: 'warn', message }) });
  } catch (err) {
    log.error(`cannot open the database ${dbPath}: ${(err as Error).message}`);
    // In use by another process (the message names it): a temporary failure, as the CLI says it.
    return err instanceof DatabaseLockedError ? EXIT.locked : EXIT.usage;
  }

  // Metrics, traces: they watch every run of the core (electron/ops/).
  const ops: Operations = await startOperations({
    version: cli.version,
    otlpEndpoint: otlpEndpointOf(args.otlpEndpoint, env),
    warn: (message) => log.line('server', { level: 'warn', message }),
  });
  const stopEvents = core.onRunEvent((event, mapping) => ops.observe(event, mapping));
  // Saved mappings show at 0 before their first run, so rate() sees that run's increase.
  for (const mapping of core.store.mappings.list()) ops.metrics.declare(mapping);
  // Runs' log lines on the console too (per-object lines at debug, as the CLI prints them).
  const stopLog = core.onRunLog((line, mapping, runId) => log.line(mapping.name, line, { mappingId: mapping.id, runId }));
  const stopWatching = (): void => {
    stopEvents();
    stopLog();
  };

  if (args.tlsSelfSigned) {
    // After the database is open: its lock keeps a second server from writing the same files.
    try {
      tls = await loadOrCreateSelfSigned(path.dirname(dbPath), args.host);
    } catch (err) {
      stopWatching();
      await ops.close();
      await core.shutdown(0);
      log.error(`--tls-self-signed: ${(err as Error).message}`);
      return EXIT.usage;
    }
  }
  for (const notice of tls?.notices ?? []) log.info(notice);
  for (const warning of tls?.warnings ?? []) log.line('server', { level: 'warn', message: warning });

  // What GET /healthz reports: 'running' from core.start() until the first stop signal.
  let phase: ServePhase = 'starting';

  const rendererBuild = deps.rendererBuild ?? RENDERER_BUILD;
  const staticDir = existsSync(path.join(rendererBuild, 'index.html')) ? rendererBuild : null;
  if (staticDir === null) log.line('server', { level: 'warn', message: `No web UI build in ${rendererBuild}: run \`npm run build\` for the UI; the API (WebSocket /ws) works without it` });

  let server: RunningServer;
  try {
    server = await startServer({
      host: args.host,
      port: args.port,
      token,
      staticDir,
      allowNonLoopback: args.allowRemote,
      dispatch: core.dispatch,
      subscribe: (send) => core.events.subscribe(send),
      tls,
      routes: {
        '/metrics': { open: false, handle: (req, res) => answerMetrics(ops.metrics, req, res) },
        [HEALTH_PATH]: healthRoute({
          phase: () => phase,
          readDatabase: () => {
            if (!core.store.isOpen) throw new Error('the database is closed');
            core.settings();
          },
        }),
      },
    });
  } catch (err) {
    stopWatching();
    await ops.close();
    await core.shutdown(0);
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${args.port} is in use (choose another with --port)` : (err as Error).message;
    log.error(`cannot start the server on ${args.host}:${args.port}: ${reason}`);
    return EXIT.usage;
  }

  // The first SIGINT/SIGTERM starts a graceful stop; a second one aborts in-flight transfers.
  let signals = 0;
  let requestStop!: (signal: string) => void;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  const unsubscribe = cli.onShutdownRequest((signal) => {
    if (signals++ === 0) return requestStop(signal);
    log.info(`${signal} again: aborting in-flight transfers`);
    void core.scheduler.stop(0);
  });
  let metricsListener: MetricsListener | undefined;
  if (args.metricsAddr !== null) {
    const { host, port } = parseHostPort('metrics-addr', args.metricsAddr);
    try {
      metricsListener = await startMetricsListener(ops.metrics, host, port);
      log.info(`Prometheus metrics at ${metricsListener.url} (no token)`);
    } catch (err) {
      log.error(`cannot serve metrics on ${args.metricsAddr}: ${(err as Error).message}`);
      await server.close();
      stopWatching();
      await ops.close();
      await core.shutdown(0);
      unsubscribe();
      return EXIT.usage;
    }
  }
  core.start();
  phase = 'running';
  const url = `${server.url}?token=${token}`;
  log.result(`Cloud Data Sync is running at ${url}`);
  // On the result stream with the URL: whoever copies the URL sees what to pin.
  if (tls) log.result(`SHA-256 fingerprint: ${tls.fingerprint}`);
  if (!isLoopbackHost(args.host) && !tls) {
    log.line('server', { level: 'warn', message: `Listening on ${args.host}: anyone on the network who has the token can control this app; traffic is not encrypted (use --tls-self-signed or --tls-cert/--tls-key, or put a TLS proxy in front)` });
  }
  deps.onListening?.({ url: server.url, token, port: server.port, fingerprint: tls?.fingerprint ?? null });

  const first = await stopRequested;
  // From here on /healthz answers 503: a load balancer stops sending new work while runs wind down.
  phase = 'stopping';
  log.info(`${first} received: letting in-flight transfers finish (up to ${SHUTDOWN_GRACE_MS / 1000} s), then stopping`);
  try {
    // Runs end first, so open pages still see them finish (as cancelled); then the server goes.
    await core.scheduler.stop(SHUTDOWN_GRACE_MS);
    await server.close();
    await metricsListener?.close();
  } finally {
    await core.shutdown(SHUTDOWN_GRACE_MS);
    stopWatching();
    await ops.close();
    unsubscribe();
  }
  log.info('Stopped');
  return EXIT.ok;
}
