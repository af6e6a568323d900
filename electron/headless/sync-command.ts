// The CLI's commands that touch storage: --generate-config, and sync (--once or on an interval).
// Loaded by run-cli.ts only when one of them is asked for.
import { existsSync, writeFileSync } from 'node:fs';
import { hasAlerts } from '../../shared/alerts';
import { formatRunCounts } from '../../shared/format';
import { sidesHoldingFile } from '../api/bucket-locations';
import {
  ConfigError,
  createSynchronizer,
  DatabaseLockedError,
  generateSampleConfig,
  loadConfig,
  openSqliteState,
  type Mapping,
  type RunOutcome,
  type SqliteState,
  type SyncConfig,
  type Synchronizer,
  type SyncOptions,
} from '../library';
import { Scheduler } from '../sync/scheduler';
import { AlertDispatcher } from '../ops/alerts';
import type { DeliveryPolicy } from '../ops/alerts-delivery';
import { startOperations, type Operations } from '../ops/operations';
import { startMetricsListener, writeMetricsFile, type MetricsListener } from '../ops/metrics';
import { otlpEndpointOf } from '../ops/tracing';
import { parseHostPort } from './args';
import type { CliArgs } from './args';
import { ConsoleLog } from './console-log';
import { EXIT, type CliEnvironment } from './exit-codes';

export function generateConfig(args: CliArgs, log: ConsoleLog): number {
  if (existsSync(args.configPath) && !args.force) {
    log.error(`${args.configPath} already exists; pass --force to overwrite it or choose another path with --config`);
    return EXIT.usage;
  }
  writeFileSync(args.configPath, generateSampleConfig(), { mode: 0o600 });
  log.result(`Wrote a sample configuration to ${args.configPath}; edit the credentials and buckets, then run with --config ${args.configPath} --once`);
  return EXIT.ok;
}

/** The library's loadConfig, its errors said for the command line. */
export async function readConfig(path: string, log: ConsoleLog): Promise<SyncConfig | undefined> {
  try {
    const config = await loadConfig(path);
    for (const warning of config.warnings) log.line('config', { level: 'warn', message: warning });
    const holding = sidesHoldingFile(config.mappings, config.connections, config.databasePath, (i) => `mappings[${i}]`);
    if (holding.length > 0) {
      log.error(`invalid configuration in ${path}:\n${holding.map((h) => h.message).join('\n')}`);
      return undefined;
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      log.error(`invalid configuration in ${path}:\n${err.message}`);
      return undefined;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    log.error(code === 'ENOENT' ? `configuration file ${path} not found (create one with --generate-config)` : `cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

export interface SyncEnvironment extends CliEnvironment {
  /** Alert retries and timeouts (ops/alerts-delivery.ts DEFAULT_DELIVERY): in-process tests shorten the waits. */
  alertDelivery?: Partial<DeliveryPolicy>;
}

export async function sync(args: CliArgs, log: ConsoleLog, env: SyncEnvironment): Promise<number> {
  const config = await readConfig(args.configPath, log);
  if (!config) return EXIT.usage;

  let state: SqliteState;
  try {
    // The CLI's secrets live in config.json: the database records connections without them.
    state = openSqliteState(config.databasePath);
  } catch (err) {
    log.error(`databasePath: ${(err as Error).message}`);
    return err instanceof DatabaseLockedError ? EXIT.locked : EXIT.usage;
  }
  if (state.interruptedRuns > 0) log.info(`Marked ${state.interruptedRuns} run(s) left running by a process that ended without finishing them as interrupted`);
  let synchronizer: Synchronizer;
  try {
    synchronizer = createSynchronizer({ connections: config.connections, mappings: config.mappings, bwLimit: config.bwLimit, state });
  } catch (err) {
    state.close();
    log.error(`invalid configuration in ${args.configPath}:\n${(err as Error).message}`);
    return EXIT.usage;
  }
  // Metrics, traces: they watch every run (electron/ops/).
  // Alerts: the config's top-level ones and each mapping's own; delivered (bounded) before the process exits.
  const alerts =
    hasAlerts(config.alerts) || config.mappings.some((m) => hasAlerts(m.alerts))
      ? new AlertDispatcher({
          version: env.version,
          warn: (message) => log.line('alerts', { level: 'warn', message }),
          alertsOf: (mapping) => mapping.alerts,
          globalAlerts: () => config.alerts,
          ...(env.alertDelivery ? { policy: env.alertDelivery } : {}),
        })
      : undefined;
  const ops = await startOperations({
    version: env.version,
    otlpEndpoint: otlpEndpointOf(args.otlpEndpoint, process.env),
    warn: (message) => log.line('cli', { level: 'warn', message }),
    ...(alerts ? { alerts } : {}),
  });
  // Mappings show at 0 before their first run, so rate() sees that run's increase.
  for (const mapping of config.mappings) if (mapping.enabled) ops.metrics.declare(mapping);
  let metricsListener: MetricsListener | undefined;
  if (args.metricsAddr !== null) {
    const { host, port } = parseHostPort('metrics-addr', args.metricsAddr);
    try {
      metricsListener = await startMetricsListener(ops.metrics, host, port);
      log.info(`Prometheus metrics at ${metricsListener.url}`);
    } catch (err) {
      log.error(`cannot serve metrics on ${args.metricsAddr}: ${(err as Error).message}`);
      await ops.close();
      await synchronizer.close();
      return EXIT.usage;
    }
  }
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

  // Textfile writes, one after the other: the file always holds the latest run's numbers.
  let metricsWrites = Promise.resolve();
  try {
    const mappings = config.mappings.filter((m) => m.enabled);
    if (mappings.length === 0) log.info('No enabled mappings in the configuration; nothing to do');
    // The run each mapping is on, for structured log lines.
    const runIds = new Map<string, number>();
    const run = {
      signal: abort.signal,
      stopSignal: stop.signal,
      dryRun: args.dryRun,
      onStart: (started, mapping) => runIds.set(mapping.id, started.id),
      onLog: (line, mapping) => log.line(mapping.name, line, { mappingId: mapping.id, runId: runIds.get(mapping.id) ?? 0 }),
      onEvent: (event, mapping) => ops.observe(event, mapping),
      onFinish: (outcome, mapping) => {
        log.summary(mapping, outcome.run, summarize(mapping, outcome));
        if (args.metricsFile !== null) {
          const file = args.metricsFile;
          metricsWrites = metricsWrites.then(() => writeMetricsFile(ops.metrics, file)).catch((err: unknown) => log.error(`cannot write the metrics to ${file}: ${(err as Error).message}`));
        }
      },
    } satisfies SyncOptions;
    const failures = args.once
      ? (await synchronizer.syncAll(run)).filter((outcome) => outcome.run.status !== 'success').length
      : await runContinuously(mappings, synchronizer, run, args, log);
    if (stop.signal.aborted) return EXIT.interrupted;
    return failures > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    unsubscribe();
    if (abortTimer) clearTimeout(abortTimer);
    await metricsWrites;
    await metricsListener?.close();
    // Spans still buffered are sent before the process ends.
    await ops.close();
    // The providers, then the database.
    await synchronizer.close();
  }
}

/**
 * Continuous mode, on the app's own Scheduler: every mapping runs at start, then again when its
 * interval (its own intervalSeconds, or --interval) has passed since its previous run ended; one
 * mapping at a time. Returns how many mappings failed their latest run.
 */
async function runContinuously(
  mappings: readonly Mapping[],
  synchronizer: Synchronizer,
  run: SyncOptions & { signal: AbortSignal; stopSignal: AbortSignal },
  args: CliArgs,
  log: ConsoleLog,
): Promise<number> {
  const { signal, stopSignal } = run;
  if (mappings.length === 0) return 0;
  const failing = new Set<string>();
  const scheduled = mappings.map((m) => ({ ...m, intervalSeconds: m.intervalSeconds ?? args.intervalSeconds }));
  const scheduler = new Scheduler({
    listMappings: () => scheduled,
    maxConcurrentRuns: 1,
    runMapping: async (mapping, control) => {
      const outcome = await synchronizer.sync(mapping, { ...run, ...control });
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
  const head = `${mapping.name}: ${run.status}${run.dryRun ? ' (dry run)' : ''} in ${seconds} s`;
  const counts = formatRunCounts(run, run.dryRun);
  return run.firstError ? `${head} — ${counts}\n  first error: ${run.firstError}` : `${head} — ${counts}`;
}
