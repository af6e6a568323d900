// Prometheus metrics of the runs: every run's events (sync/telemetry.ts) counted per mapping, shown by
// prom-client on a registry of their own (never the global one: a process may hold several). Served
// by `serve` at /metrics behind its token, by an unauthenticated listener (--metrics-addr, the
// desktop's opt-in), or written after each run as a node_exporter textfile (--metrics-file).
//
// observe() runs once per object (a no-change run of a million keys reports a million checks), so it
// only bumps plain numbers (metrics-series.ts); prom-client sees them when the text is asked for, and
// is loaded then, not before: a sync that nobody scrapes never loads it.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';
import { parseSamples } from './metrics-samples';
import type { Exposition, SyncMetricsOptions } from './metrics-exposition';
import { MAPPING_INFO, MappingTally, SERIES } from './metrics-series';

export class SyncMetrics {
  /** Prometheus text format 0.0.4 (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  private readonly tallies = new Map<string, MappingTally>();
  private exposition: Promise<Exposition> | undefined;
  /** Scrapes one after the other: each fills the one registry, then reads it. */
  private rendering: Promise<unknown> = Promise.resolve();
  // The mapping of the last event and its tally: a run's events come with the same mapping object.
  private lastMapping: Mapping | undefined;
  private lastTally: MappingTally | undefined;

  constructor(private readonly options: SyncMetricsOptions = {}) {}

  /**
   * Shows the mapping at 0 before its first run (a counter that appears with its first value loses
   * that increase to rate()), or refreshes its name and route. Never resets a number.
   */
  declare(mapping: Mapping): void {
    describe(this.tallyOf(mapping), mapping);
  }

  /** Counts one event of a run of `mapping`. O(1), and allocates nothing for per-object events. */
  observe(event: RunEvent, mapping: Mapping): void {
    const t = mapping === this.lastMapping ? this.lastTally! : this.tallyOf(mapping);
    switch (event.type) {
      case 'object.checked':
        if (!t.dryRun) t.objectsChecked++;
        return;
      case 'transfer.started':
        t.transfersInProgress++;
        return;
      case 'transfer.finished':
        if (t.transfersInProgress > 0) t.transfersInProgress--;
        if (t.dryRun) return;
        if (event.outcome === 'copied') {
          t.objectsTransferred++;
          t.bytesTransferred += event.size;
          add(t.transferredByRoute, event.route, 1);
        } else if (event.outcome === 'failed') {
          t.objectsFailed++;
          if (event.error?.code === 'Throttled') t.throttled++;
        }
        return;
      case 'object.failed':
        if (t.dryRun) return;
        t.objectsFailed++;
        if (event.error.code === 'Throttled') t.throttled++;
        return;
      case 'objects.deleted':
        if (!t.dryRun) t.objectsDeleted += event.keys.length;
        return;
      case 'listing.finished':
        if (t.dryRun) return;
        add(t.objectsListed, event.side, event.objects);
        if (event.error?.code === 'Throttled') t.throttled++;
        return;
      case 'retry':
        if (t.dryRun) return;
        add(t.retries, event.code, 1);
        if (event.code === 'Throttled') t.throttled++;
        return;
      case 'deletes.blocked':
        if (!t.dryRun) add(t.deletesBlocked, event.reason, event.count);
        return;
      case 'run.started':
        describe(t, mapping);
        t.dryRun = event.dryRun;
        t.runInProgress = 1;
        t.transfersInProgress = 0;
        return;
      case 'run.finished': {
        // A run held back before it started reports only this event: its own dryRun says which it was.
        const { run } = event;
        t.runInProgress = 0;
        t.transfersInProgress = 0;
        t.dryRun = false;
        if (run.dryRun) return add(t.dryRuns, run.status, 1);
        add(t.runs, run.status, 1);
        const finished = (run.finishedAt ?? Date.now()) / 1000;
        t.lastRunSeconds = finished;
        if (run.durationMs !== null) t.runDurationSeconds = run.durationMs / 1000;
        if (run.status === 'success') t.lastSuccessSeconds = finished;
        return;
      }
    }
  }

  /**
   * Carries on from a previous process's exposition (the textfile it wrote): its counters are added
   * to these, and its last-run gauges kept until a run of this process replaces them, so a textfile
   * rewritten by every `--once` run holds counters that only grow and the time of the last success
   * even after a failure. Series of this process alone (runs and transfers in progress) are not
   * carried. Counters add up whenever it is called; a gauge is taken only while this process has no
   * value of its own. Returns how many samples were taken.
   */
  carryOver(text: string): number {
    let taken = 0;
    for (const sample of parseSamples(text)) {
      const id = sample.labels.mapping;
      if (id === undefined || id === '') continue;
      if (sample.name === MAPPING_INFO.name) {
        // What a mapping is called now comes from the mapping, once this process has seen it.
        const t = this.tallyOfId(id);
        if (!t.described) {
          t.name = sample.labels.name ?? t.name;
          t.source = sample.labels.source ?? t.source;
          t.target = sample.labels.target ?? t.target;
        }
        taken++;
        continue;
      }
      const spec = SERIES.find((s) => s.name === sample.name);
      if (!spec?.carried || sample.value < 0) continue;
      const t = this.tallyOfId(id);
      if ('label' in spec) {
        const key = sample.labels[spec.label];
        if (key === undefined) continue;
        add(t[spec.field], key, sample.value);
      } else if (spec.type === 'counter') {
        t[spec.field] = (t[spec.field] ?? 0) + sample.value;
      } else {
        t[spec.field] ??= sample.value;
      }
      taken++;
    }
    return taken;
  }

  /** The exposition text. */
  text(): Promise<string> {
    const text = this.rendering.then(() => this.render());
    this.rendering = text.catch(() => undefined);
    return text;
  }

  private async render(): Promise<string> {
    // Loaded here, not at the top: a sync nobody scrapes never loads prom-client (≈ 90 ms).
    const exposition = await (this.exposition ??= import('./metrics-exposition').then((m) => m.createExposition(this.options)));
    // Filled in one synchronous pass: a scrape shows the numbers of one moment, never half of an event's changes.
    for (const { spec, metric } of exposition.series) {
      metric.reset();
      for (const t of this.tallies.values()) {
        if ('label' in spec) {
          for (const [key, n] of t[spec.field]) metric.put({ mapping: t.id, [spec.label]: key }, n);
        } else {
          const value = t[spec.field];
          if (value !== null) metric.put({ mapping: t.id }, value);
        }
      }
    }
    exposition.info.reset();
    for (const t of this.tallies.values()) exposition.info.set({ mapping: t.id, name: t.name, source: t.source, target: t.target }, 1);
    return exposition.registry.metrics();
  }

  private tallyOf(mapping: Mapping): MappingTally {
    let t = this.tallies.get(mapping.id);
    if (t === undefined) {
      t = this.tallyOfId(mapping.id);
      describe(t, mapping);
    }
    this.lastMapping = mapping;
    this.lastTally = t;
    return t;
  }

  private tallyOfId(id: string): MappingTally {
    let t = this.tallies.get(id);
    if (t === undefined) this.tallies.set(id, (t = new MappingTally(id)));
    return t;
  }
}

function describe(t: MappingTally, mapping: Mapping): void {
  t.described = true;
  t.name = mapping.name;
  t.source = mapping.sourceBucket + (mapping.sourcePrefix === '' ? '' : `/${mapping.sourcePrefix}`);
  t.target = mapping.targetBucket + (mapping.targetPrefix === '' ? '' : `/${mapping.targetPrefix}`);
}

function add(counts: Map<string, number>, key: string, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

export interface MetricsListener {
  /** http://host:port/metrics, with the port the system gave when 0 was asked for. */
  url: string;
  close(): Promise<void>;
}

/**
 * An unauthenticated HTTP listener answering GET and HEAD /metrics (404 elsewhere): --metrics-addr,
 * and the desktop app's opt-in. Rejects when it cannot bind (the port is taken, the host is not ours).
 */
export async function startMetricsListener(metrics: SyncMetrics, host: string, port: number): Promise<MetricsListener> {
  const server = createServer((req, res) => void answerMetrics(metrics, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper keeps its connection alive between scrapes: close() would wait for it.
        server.closeAllConnections();
      }),
  };
}

/** Answers a request for /metrics (the path is the caller's to check): GET and HEAD, 405 otherwise. */
export async function answerMetrics(metrics: SyncMetrics, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname !== '/metrics') return plain(res, req, 404, 'Not found: metrics are at /metrics');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, req, 405, 'Method not allowed');
  }
  let text: string;
  try {
    text = await metrics.text();
  } catch (err) {
    return plain(res, req, 500, `Cannot make the metrics: ${(err as Error).message}`);
  }
  res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function plain(res: ServerResponse, req: IncomingMessage, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
}

/** Per SyncMetrics, the files whose previous content it has carried over (writeMetricsFile), and when. */
const carriedFiles = new WeakMap<SyncMetrics, Map<string, Promise<void>>>();

/**
 * Writes the metrics to `file` in node_exporter's textfile format (name it *.prom in the collector's
 * folder), atomically: a temporary file in the same folder (a name the collector ignores), mode 0644
 * whatever the umask, renamed over it. A missing folder is an error naming it, never created.
 *
 * The first write to a path carries on from the file it replaces (SyncMetrics.carryOver): a cron job
 * running `--once` is a new process each time, and its counters must still only grow, and a failed
 * run must not erase the time of the last success. Delete the file to start from 0.
 */
export async function writeMetricsFile(metrics: SyncMetrics, file: string): Promise<void> {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  let carried = carriedFiles.get(metrics);
  if (carried === undefined) carriedFiles.set(metrics, (carried = new Map()));
  let previous = carried.get(target);
  if (previous === undefined) carried.set(target, (previous = carryOverFile(metrics, target)));
  await previous;
  const text = await metrics.text();
  const temp = path.join(folder, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644, flag: 'wx' });
    await chmod(temp, 0o644);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`folder ${folder} does not exist`);
    throw err;
  }
}

/** Carries on from the textfile at `file`, if there is one; one that cannot be read is left alone (it is about to be replaced). */
async function carryOverFile(metrics: SyncMetrics, file: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  metrics.carryOver(text);
}
