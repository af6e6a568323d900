// The headless CLI: reads the original tool's config.json, keeps sync state and history in SQLite,
// and runs every mapping once (--once) or on an interval until SIGINT/SIGTERM.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, generateSampleConfig, parseConfig, type ValidatedConfig } from '../../shared/config';
import type { Mapping } from '../../shared/model';
import { locateOnDisk, sidesHoldingFile } from '../api/bucket-locations';
import { DatabaseLockedError, openStore, type Store } from '../store';
import { SyncService } from '../services/sync-service';
import { Scheduler } from '../sync/scheduler';
import { formatBytes } from '../../shared/format';
import type { RunOutcome } from '../sync/runner';
import { parseArgs, UsageError, USAGE, type CliArgs, type ServeArgs } from './args';
import { ConsoleLog } from './console-log';
import { EXIT, type CliEnvironment } from './exit-codes';

export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let args: CliArgs | ServeArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    env.stderr.write(`cloud-data-sync: ${err.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const log = new ConsoleLog(env, args.logLevel);
  switch (args.command) {
    case 'help':
      log.result(USAGE);
      return EXIT.ok;
    case 'version':
      log.result(env.version);
      return EXIT.ok;
    case 'generate-config':
      return generateConfig(args, log);
    case 'sync':
      return sync(args, log, env);
    case 'serve': {
      // Loaded only for this command: it brings the whole app (API, scheduler, HTTP, WebSocket).
      const { runServe } = await import('../server/serve');
      return runServe(args, log, env);
    }
  }
}

function generateConfig(args: CliArgs, log: ConsoleLog): number {
  if (existsSync(args.configPath) && !args.force) {
    log.error(`${args.configPath} already exists; pass --force to overwrite it or choose another path with --config`);
    return EXIT.usage;
  }
  writeFileSync(args.configPath, generateSampleConfig(), { mode: 0o600 });
  log.result(`Wrote a sample configuration to ${args.configPath}; edit the credentials and buckets, then run with --config ${args.configPath} --once`);
  return EXIT.ok;
}

function loadConfig(path: string, log: ConsoleLog): ValidatedConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    log.error(code === 'ENOENT' ? `configuration file ${path} not found (create one with --generate-config)` : `cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
  try {
    // Mappings are checked against each other by where their buckets really are (real paths on disk).
    const config = parseConfig(text, { locate: locateOnDisk });
    for (const warning of config.warnings) log.line('config', { level: 'warn', message: warning });
    const holding = sidesHoldingFile(config.mappings, config.connections, config.databasePath, (i) => `mappings[${i}]`);
    if (holding.length > 0) {
      log.error(`invalid configuration in ${path}:\n${holding.map((h) => h.message).join('\n')}`);
      return undefined;
    }
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error(`invalid configuration in ${path}:\n${err.message}`);
    return undefined;
  }
}

async function sync(args: CliArgs, log: ConsoleLog, env: CliEnvironment): Promise<number> {
  const config = loadConfig(args.configPath, log);
  if (!config) return EXIT.usage;

  let store: Store;
  try {
    // No cipher: the CLI's secrets live in config.json and are never written to the database.
    store = openStore(config.databasePath);
  } catch (err) {
    log.error(`databasePath: ${(err as Error).message}`);
    return err instanceof DatabaseLockedError ? EXIT.locked : EXIT.usage;
  }
  // openStore holds the database's lock: a run still 'running' belongs to a process that died.
  const interrupted = store.runs.markInterrupted();
  if (interrupted > 0) log.info(`Marked ${interrupted} run(s) left running by a process that ended without finishing them as interrupted`);
  store.transaction(() => {
    for (const connection of config.connections) store.connections.upsert(connection);
    for (const mapping of config.mappings) store.mappings.upsert(mapping);
  });

  const connections = new Map(config.connections.map((c) => [c.id, c]));
  const service = new SyncService(store.engineState, (id) => connections.get(id));
  const stop = new AbortController();
  const abort = new AbortController();
  let abortTimer: NodeJS.Timeout | undefined;
  const unsubscribe = env.onShutdownRequest((signal) => {
    if (stop.signal.aborted) {
      log.info(`${signal} again: aborting in-flight transfers`);
      abort.abort();
      return;
    }
    log.info(`${signal} received: finishing in-flight transfers (up to ${args.shutdownTimeoutSeconds} s), then stopping`);
    stop.abort();
    abortTimer = setTimeout(() => abort.abort(), args.shutdownTimeoutSeconds * 1000);
    abortTimer.unref();
  });

  try {
    const mappings = config.mappings.filter((m) => m.enabled);
    if (mappings.length === 0) log.info('No enabled mappings in the configuration; nothing to do');
    const failures = args.once
      ? await runCycle(mappings, service, args, log, stop.signal, abort.signal)
      : await runContinuously(mappings, service, args, log, stop.signal, abort.signal);
    if (stop.signal.aborted) return EXIT.interrupted;
    return failures > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    unsubscribe();
    if (abortTimer) clearTimeout(abortTimer);
    await service.close();
    store.close();
  }
}

/** Runs one mapping with the CLI's options and prints its summary line. */
async function runAndReport(
  mapping: Mapping,
  service: SyncService,
  args: CliArgs,
  log: ConsoleLog,
  control: { signal: AbortSignal; stopSignal: AbortSignal },
): Promise<RunOutcome> {
  const outcome = await service.run(mapping, { ...control, dryRun: args.dryRun, onLog: (line) => log.line(mapping.name, line) });
  log.result(summarize(mapping, outcome));
  return outcome;
}

/** Runs each mapping once, in order. Returns the number of mappings that did not succeed. */
async function runCycle(
  mappings: readonly Mapping[],
  service: SyncService,
  args: CliArgs,
  log: ConsoleLog,
  stopSignal: AbortSignal,
  signal: AbortSignal,
): Promise<number> {
  let failures = 0;
  for (const mapping of mappings) {
    if (stopSignal.aborted) break;
    const outcome = await runAndReport(mapping, service, args, log, { signal, stopSignal });
    if (outcome.run.status !== 'success') failures++;
  }
  return failures;
}

/**
 * Continuous mode, on the app's own Scheduler: every mapping runs at start, then again when its
 * interval (its own intervalSeconds, or --interval) has passed since its previous run ended; one
 * mapping at a time. Returns how many mappings failed their latest run.
 */
async function runContinuously(
  mappings: readonly Mapping[],
  service: SyncService,
  args: CliArgs,
  log: ConsoleLog,
  stopSignal: AbortSignal,
  signal: AbortSignal,
): Promise<number> {
  if (mappings.length === 0) return 0;
  const failing = new Set<string>();
  const scheduled = mappings.map((m) => ({ ...m, intervalSeconds: m.intervalSeconds ?? args.intervalSeconds }));
  const scheduler = new Scheduler({
    listMappings: () => scheduled,
    maxConcurrentRuns: 1,
    runMapping: async (mapping, control) => {
      const outcome = await runAndReport(mapping, service, args, log, control);
      if (outcome.run.status === 'success') failing.delete(mapping.id);
      else failing.add(mapping.id);
      return outcome.run;
    },
  });
  log.info(`Continuous sync of ${mappings.length} mapping(s) every ${args.intervalSeconds} s (Ctrl+C to stop)`);
  scheduler.start();
  // The scheduler's timers are unref'd (they must not hold the desktop app open); here the process
  // lives until a signal asks it to stop.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  await new Promise<void>((resolve) => (stopSignal.aborted ? resolve() : stopSignal.addEventListener('abort', () => resolve(), { once: true })));
  clearInterval(keepAlive);
  // A second signal (or the shutdown timeout) aborts the running transfers at once.
  const abortRunning = () => scheduler.runningIds().forEach((id) => scheduler.cancel(id));
  if (signal.aborted) abortRunning();
  else signal.addEventListener('abort', abortRunning, { once: true });
  await scheduler.stop(args.shutdownTimeoutSeconds * 1000);
  return failing.size;
}

function summarize(mapping: Mapping, { run }: RunOutcome): string {
  const seconds = ((run.durationMs ?? 0) / 1000).toFixed(1);
  const verb = run.dryRun ? 'would copy' : 'copied';
  const del = run.dryRun ? 'would delete' : 'deleted';
  const head = `${mapping.name}: ${run.status}${run.dryRun ? ' (dry run)' : ''} in ${seconds} s`;
  const counts = `${verb} ${run.copied} (${formatBytes(run.bytesCopied)}), adopted ${run.adopted}, skipped ${run.skipped}, ${del} ${run.deleted}, failed ${run.failed}`;
  return run.firstError ? `${head} — ${counts}\n  first error: ${run.firstError}` : `${head} — ${counts}`;
}
