// SyncMetrics on synthetic run events (electron/sync/telemetry.ts), read back as Prometheus reads a
// scrape (parse-prometheus-text-format): what each event counts, dry runs, failed runs, the labels,
// registries of their own, the carry-over a textfile makes across processes, the unauthenticated
// listener and the textfile writer. The end-to-end checks against real runs are in
// test/server/metrics-serve.test.ts and test/cli/metrics-cli.test.ts.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mapping, RunStatus, RunSummary } from '../../shared/model';
import { startMetricsListener, SyncMetrics, writeMetricsFile } from '../../electron/ops/metrics';
import { parseSamples } from '../../electron/ops/metrics-samples';
import type { RunEvent } from '../../electron/sync/telemetry';
import { parseScrape } from './metrics-scrape';

function mappingOf(id: string, overrides: Partial<Mapping> = {}): Mapping {
  return {
    id, name: `Mapping ${id}`, sourceConnectionId: 'a', sourceBucket: 'photos', sourcePrefix: '2024/', targetConnectionId: 'b', targetBucket: 'backup', targetPrefix: '',
    transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    ...overrides,
  };
}

function summary(mappingId: string, status: RunStatus, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1, mappingId, status, dryRun: false, startedAt: 1_700_000_000_000, finishedAt: 1_700_000_002_500, durationMs: 2_500, firstError: null, errorCode: null,
    copied: 0, adopted: 0, skipped: 0, deleted: 0, failed: 0, bytesCopied: 0,
    ...overrides,
  };
}

function started(mappingId: string, dryRun = false): RunEvent {
  return { type: 'run.started', mappingId, runId: 1, dryRun, startedAt: 1_700_000_000_000, source: { provider: 'local', bucket: 'photos', prefix: '2024/' }, target: { provider: 'aws', bucket: 'backup', prefix: '' } };
}

function transfer(key: string, size: number, outcome: 'copied' | 'failed' | 'cancelled', code?: string): RunEvent[] {
  return [
    { type: 'transfer.started', key, size },
    { type: 'transfer.finished', key, size, outcome, serverSide: false, route: 'streamed', bytes: outcome === 'copied' ? size : 0, attempts: 1, startedAt: 1, finishedAt: 2, error: code ? { code, message: code } : null },
  ];
}

/** A run with a bit of everything; its summary says what the runner would have counted. */
function busyRun(id: string): { events: RunEvent[]; run: RunSummary } {
  const run = summary(id, 'partial', { copied: 2, bytesCopied: 300, skipped: 2, adopted: 1, failed: 3, deleted: 2, errorCode: 'Throttled' });
  return {
    run,
    events: [
      started(id),
      { type: 'retry', what: 'listing photos', code: 'Throttled', attempt: 1, delayMs: 10 },
      { type: 'listing.finished', side: 'source', startedAt: 1, finishedAt: 2, objects: 7, error: null },
      { type: 'listing.finished', side: 'target', startedAt: 1, finishedAt: 2, objects: 5, error: null },
      { type: 'object.checked', key: 'same-1', adopted: false },
      { type: 'object.checked', key: 'same-2', adopted: false },
      { type: 'object.checked', key: 'adopted', adopted: true },
      ...transfer('a', 100, 'copied'),
      { type: 'retry', what: 'copy b', key: 'b', code: 'Transient', attempt: 1, delayMs: 10 },
      ...transfer('b', 200, 'copied'),
      { type: 'retry', what: 'copy c', key: 'c', code: 'Throttled', attempt: 1, delayMs: 10 },
      ...transfer('c', 50, 'failed', 'Throttled'),
      ...transfer('d', 60, 'failed', 'AccessDenied'),
      ...transfer('e', 70, 'cancelled'),
      { type: 'object.failed', key: 'f', error: { code: 'Transient', message: 'waiting to copy f' } },
      { type: 'objects.deleted', keys: ['old-1', 'old-2'] },
      { type: 'deletes.blocked', count: 4, reason: 'failedTransfers' },
      { type: 'run.finished', run },
    ],
  };
}

describe('SyncMetrics', () => {
  it('counts what a run reports, per mapping, as the series Prometheus reads', async () => {
    const metrics = new SyncMetrics();
    const mapping = mappingOf('m1');
    const { events, run } = busyRun('m1');
    for (const e of events) metrics.observe(e, mapping);
    const s = parseScrape(await metrics.text());

    const m1 = { mapping: 'm1' };
    expect(s.value('cds_bytes_transferred_total', m1)).toBe(run.bytesCopied);
    expect(s.value('cds_objects_transferred_total', m1)).toBe(run.copied);
    expect(s.value('cds_objects_checked_total', m1)).toBe(run.skipped + run.adopted);
    expect(s.value('cds_objects_deleted_total', m1)).toBe(run.deleted);
    expect(s.value('cds_objects_failed_total', m1)).toBe(run.failed);
    expect(s.value('cds_objects_listed_total', { mapping: 'm1', side: 'source' })).toBe(7);
    expect(s.value('cds_objects_listed_total', { mapping: 'm1', side: 'target' })).toBe(5);
    expect(s.value('cds_retries_total', { mapping: 'm1', code: 'Throttled' })).toBe(2);
    expect(s.value('cds_retries_total', { mapping: 'm1', code: 'Transient' })).toBe(1);
    // Two Throttled answers were retried, and one more failed the copy of c.
    expect(s.value('cds_throttled_total', m1)).toBe(3);
    expect(s.value('cds_deletes_blocked_total', { mapping: 'm1', reason: 'failedTransfers' })).toBe(4);
    expect(s.value('cds_deletes_blocked_total', { mapping: 'm1', reason: 'maxDelete' })).toBe(0);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'partial' })).toBe(1);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'success' })).toBe(0);
    expect(s.value('cds_run_duration_seconds', m1)).toBe(2.5);
    expect(s.value('cds_last_run_timestamp_seconds', m1)).toBe(run.finishedAt! / 1000);
    // Not a success: no success time at all yet.
    expect(s.value('cds_last_success_timestamp_seconds', m1)).toBeUndefined();
    expect(s.value('cds_run_in_progress', m1)).toBe(0);
    expect(s.value('cds_transfers_in_progress', m1)).toBe(0);
    expect(s.samples('cds_mapping_info')).toEqual([[{ mapping: 'm1', name: 'Mapping m1', source: 'photos/2024/', target: 'backup' }, 1]]);

    for (const name of ['cds_bytes_transferred_total', 'cds_objects_transferred_total', 'cds_runs_total', 'cds_throttled_total']) expect(s.type(name), name).toBe('COUNTER');
    for (const name of ['cds_transfers_in_progress', 'cds_run_in_progress', 'cds_last_success_timestamp_seconds', 'cds_mapping_info']) expect(s.type(name), name).toBe('GAUGE');
    // Every sample is labelled with its mapping.
    for (const family of s.families) for (const sample of family.metrics) expect(sample.labels?.mapping, family.name).toBe('m1');
  });

  it('shows the run and its transfers in progress while they are', async () => {
    const metrics = new SyncMetrics();
    const mapping = mappingOf('m1');
    const inProgress = async () => {
      const s = parseScrape(await metrics.text());
      return [s.value('cds_run_in_progress', { mapping: 'm1' }), s.value('cds_transfers_in_progress', { mapping: 'm1' })];
    };
    metrics.observe(started('m1'), mapping);
    expect(await inProgress()).toEqual([1, 0]);
    metrics.observe({ type: 'transfer.started', key: 'a', size: 1 }, mapping);
    metrics.observe({ type: 'transfer.started', key: 'b', size: 1 }, mapping);
    expect(await inProgress()).toEqual([1, 2]);
    metrics.observe(transfer('a', 1, 'copied')[1]!, mapping);
    expect(await inProgress()).toEqual([1, 1]);
    metrics.observe({ type: 'run.finished', run: summary('m1', 'cancelled') }, mapping);
    expect(await inProgress()).toEqual([0, 0]);
  });

  it('keeps the time of the last success through a failed run, and counts runs by status', async () => {
    const metrics = new SyncMetrics();
    const mapping = mappingOf('m1');
    metrics.observe(started('m1'), mapping);
    metrics.observe({ type: 'run.finished', run: summary('m1', 'success', { finishedAt: 1_700_000_010_000, durationMs: 1_000 }) }, mapping);
    metrics.observe(started('m1'), mapping);
    metrics.observe({ type: 'listing.finished', side: 'source', startedAt: 1, finishedAt: 2, objects: 0, error: { code: 'Throttled', message: 'slow down' } }, mapping);
    metrics.observe({ type: 'run.finished', run: summary('m1', 'failed', { finishedAt: 1_700_000_020_000, durationMs: 4_000, errorCode: 'ListingFailed' }) }, mapping);
    const s = parseScrape(await metrics.text());
    expect(s.value('cds_last_success_timestamp_seconds', { mapping: 'm1' })).toBe(1_700_000_010);
    expect(s.value('cds_last_run_timestamp_seconds', { mapping: 'm1' })).toBe(1_700_000_020);
    expect(s.value('cds_run_duration_seconds', { mapping: 'm1' })).toBe(4);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'success' })).toBe(1);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'failed' })).toBe(1);
    expect(s.value('cds_throttled_total', { mapping: 'm1' })).toBe(1);
  });

  it('counts a dry run only as a dry run: it changes nothing, so it proves nothing about the sync', async () => {
    const metrics = new SyncMetrics();
    const mapping = mappingOf('m1');
    metrics.observe(started('m1', true), mapping);
    metrics.observe({ type: 'listing.finished', side: 'source', startedAt: 1, finishedAt: 2, objects: 3, error: null }, mapping);
    metrics.observe({ type: 'object.checked', key: 'x', adopted: false }, mapping);
    metrics.observe({ type: 'deletes.blocked', count: 9, reason: 'maxDelete' }, mapping);
    expect(parseScrape(await metrics.text()).value('cds_run_in_progress', { mapping: 'm1' })).toBe(1);
    metrics.observe({ type: 'run.finished', run: summary('m1', 'success', { dryRun: true }) }, mapping);
    const s = parseScrape(await metrics.text());
    expect(s.value('cds_dry_runs_total', { mapping: 'm1', status: 'success' })).toBe(1);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'success' })).toBe(0);
    expect(s.value('cds_objects_checked_total', { mapping: 'm1' })).toBe(0);
    expect(s.value('cds_objects_listed_total', { mapping: 'm1', side: 'source' })).toBe(0);
    expect(s.value('cds_deletes_blocked_total', { mapping: 'm1', reason: 'maxDelete' })).toBe(0);
    expect(s.value('cds_last_success_timestamp_seconds', { mapping: 'm1' })).toBeUndefined();
    expect(s.value('cds_run_in_progress', { mapping: 'm1' })).toBe(0);
    // A real run right after counts again.
    metrics.observe(started('m1'), mapping);
    metrics.observe({ type: 'object.checked', key: 'x', adopted: false }, mapping);
    expect(parseScrape(await metrics.text()).value('cds_objects_checked_total', { mapping: 'm1' })).toBe(1);
  });

  it('counts a run held back before it started (its run.finished alone)', async () => {
    const metrics = new SyncMetrics();
    metrics.observe({ type: 'run.finished', run: summary('m1', 'failed', { errorCode: 'NotStarted' }) }, mappingOf('m1'));
    expect(parseScrape(await metrics.text()).value('cds_runs_total', { mapping: 'm1', status: 'failed' })).toBe(1);
  });

  it('labels by mapping id, keeps the name on cds_mapping_info only, and follows a rename there', async () => {
    const metrics = new SyncMetrics();
    const tricky = mappingOf('m2', { name: 'Photos "2024"\\raw\nnew', sourcePrefix: '' });
    metrics.declare(mappingOf('m1'));
    metrics.declare(tricky);
    metrics.observe({ type: 'object.checked', key: 'k', adopted: false }, tricky);
    let s = parseScrape(await metrics.text());
    expect(s.value('cds_objects_checked_total', { mapping: 'm1' })).toBe(0);
    expect(s.value('cds_objects_checked_total', { mapping: 'm2' })).toBe(1);
    expect(s.samples('cds_mapping_info').map(([labels]) => labels)).toEqual([
      { mapping: 'm1', name: 'Mapping m1', source: 'photos/2024/', target: 'backup' },
      { mapping: 'm2', name: 'Photos "2024"\\raw\nnew', source: 'photos', target: 'backup' },
    ]);
    metrics.observe(started('m1'), mappingOf('m1', { name: 'Renamed' }));
    s = parseScrape(await metrics.text());
    expect(s.samples('cds_mapping_info').filter(([l]) => l.mapping === 'm1').map(([l]) => l.name)).toEqual(['Renamed']);
  });

  it('keeps a registry of its own: two of them never mix, and the global registry stays empty', async () => {
    const a = new SyncMetrics();
    const b = new SyncMetrics({ processMetrics: true });
    a.observe({ type: 'object.checked', key: 'k', adopted: false }, mappingOf('m1'));
    const [ta, tb] = [parseScrape(await a.text()), parseScrape(await b.text())];
    expect(ta.value('cds_objects_checked_total', { mapping: 'm1' })).toBe(1);
    expect(tb.samples('cds_objects_checked_total')).toEqual([]);
    expect(ta.type('process_cpu_user_seconds_total')).toBeUndefined();
    expect(tb.type('process_cpu_user_seconds_total')).toBe('COUNTER');
    expect(await globalRegistry.metrics()).not.toMatch(/cds_|process_cpu/);
  });

  it('counts a million checks in one pass, at the cost of a plain increment', async () => {
    const metrics = new SyncMetrics();
    const mapping = mappingOf('m1');
    const check: RunEvent = { type: 'object.checked', key: 'k', adopted: false };
    metrics.observe(started('m1'), mapping);
    const t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++) metrics.observe(check, mapping);
    const ms = performance.now() - t0;
    expect(parseScrape(await metrics.text()).value('cds_objects_checked_total', { mapping: 'm1' })).toBe(1_000_000);
    // ≈ 10 ms here; prom-client's labelled child inc() (hashing its labels every call) takes ≈ 240 ms
    // for a million. The bound leaves room for a loaded machine and still fails on per-event work
    // that grows (a scan, a copy of the labels).
    expect(ms).toBeLessThan(1_000);
  });
});

describe('carrying over a previous textfile', () => {
  it('adds its counters, keeps its success time through a failure, and leaves in-progress gauges alone', async () => {
    const mapping = mappingOf('m1');
    const first = new SyncMetrics();
    for (const e of busyRun('m1').events) first.observe(e, mapping);
    first.observe(started('m1'), mapping);
    first.observe({ type: 'run.finished', run: summary('m1', 'success', { finishedAt: 1_700_000_050_000 }) }, mapping);
    first.observe(started('m1'), mapping); // left running: not carried
    const previous = await first.text();

    const next = new SyncMetrics();
    next.observe(started('m1'), mapping);
    for (const e of transfer('z', 1_000, 'copied')) next.observe(e, mapping);
    next.observe({ type: 'run.finished', run: summary('m1', 'failed', { finishedAt: 1_700_000_090_000 }) }, mapping);
    expect(next.carryOver(previous)).toBeGreaterThan(10);
    const s = parseScrape(await next.text());
    expect(s.value('cds_bytes_transferred_total', { mapping: 'm1' })).toBe(300 + 1_000);
    expect(s.value('cds_objects_transferred_total', { mapping: 'm1' })).toBe(3);
    expect(s.value('cds_retries_total', { mapping: 'm1', code: 'Throttled' })).toBe(2);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'partial' })).toBe(1);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'success' })).toBe(1);
    expect(s.value('cds_runs_total', { mapping: 'm1', status: 'failed' })).toBe(1);
    expect(s.value('cds_last_success_timestamp_seconds', { mapping: 'm1' })).toBe(1_700_000_050);
    expect(s.value('cds_last_run_timestamp_seconds', { mapping: 'm1' })).toBe(1_700_000_090);
    expect(s.value('cds_run_in_progress', { mapping: 'm1' })).toBe(0);
  });

  it('takes the name from the file only until the mapping itself is seen, and ignores what is not ours', async () => {
    const text = [
      '# HELP cds_objects_checked_total whatever',
      'cds_objects_checked_total{mapping="m9"} 4 1700000000000',
      'cds_mapping_info{mapping="m9",name="Old \\"name\\"",source="s",target="t"} 1',
      'cds_objects_checked_total 3',
      'cds_objects_checked_total{mapping="m9"} NaN',
      'cds_objects_checked_total{mapping="m9"} -2',
      'node_load1{mapping="m9"} 5',
      'cds_objects_checked_total{mapping="m9" broken',
      'cds_transfers_in_progress{mapping="m9"} 6',
    ].join('\n');
    const metrics = new SyncMetrics();
    expect(metrics.carryOver(text)).toBe(2);
    let s = parseScrape(await metrics.text());
    expect(s.value('cds_objects_checked_total', { mapping: 'm9' })).toBe(4);
    expect(s.value('cds_transfers_in_progress', { mapping: 'm9' })).toBe(0);
    expect(s.value('cds_mapping_info', { mapping: 'm9' })).toBe(1);
    expect(s.samples('cds_mapping_info')[0]![0].name).toBe('Old "name"');
    metrics.declare(mappingOf('m9', { name: 'New' }));
    metrics.carryOver(text);
    s = parseScrape(await metrics.text());
    expect(s.samples('cds_mapping_info')[0]![0].name).toBe('New');
    expect(s.value('cds_objects_checked_total', { mapping: 'm9' })).toBe(8);
  });

  it('parses label escapes, timestamps and spacing as the text format allows', () => {
    expect(parseSamples('a_total{x="q\\"\\\\\\n}",y="",} 1.5e3 123\nb 2\n  \n# c 3\nd{} +Inf\n')).toEqual([
      { name: 'a_total', labels: { x: 'q"\\\n}', y: '' }, value: 1500 },
      { name: 'b', labels: {}, value: 2 },
    ]);
  });
});

describe('startMetricsListener', () => {
  function get(url: string, method = 'GET'): Promise<{ status: number; type: string | undefined; allow: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], allow: res.headers.allow, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers GET and HEAD /metrics on the port the system gave, nothing else, and closes with a scraper connected', async () => {
    const metrics = new SyncMetrics();
    metrics.observe({ type: 'object.checked', key: 'k', adopted: false }, mappingOf('m1'));
    const listener = await startMetricsListener(metrics, '127.0.0.1', 0);
    try {
      expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(listener.url).not.toMatch(/:0\//);
      const ok = await get(listener.url);
      expect(ok.status).toBe(200);
      expect(ok.type).toBe(metrics.contentType);
      expect(parseScrape(ok.body).value('cds_objects_checked_total', { mapping: 'm1' })).toBe(1);
      expect(await get(`${listener.url}?name[]=x`)).toMatchObject({ status: 200 });
      expect(await get(listener.url, 'HEAD')).toMatchObject({ status: 200, body: '' });
      expect(await get(listener.url.replace('/metrics', '/'))).toMatchObject({ status: 404 });
      expect(await get(listener.url.replace('/metrics', '/metrics/x'))).toMatchObject({ status: 404 });
      expect(await get(listener.url, 'POST')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
      // A scraper's kept-alive connection must not hold close() up.
      await new Promise<void>((resolve, reject) => request(listener.url, { agent: new Agent({ keepAlive: true }) }, (res) => res.resume().on('end', resolve)).on('error', reject).end());
    } finally {
      await listener.close();
    }
    await expect(get(listener.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('listens on IPv6 loopback with the address in brackets', async () => {
    const listener = await startMetricsListener(new SyncMetrics(), '::1', 0).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT') return null; // no IPv6 on this machine
      throw err;
    });
    if (listener === null) return;
    try {
      expect(listener.url).toMatch(/^http:\/\/\[::1\]:\d+\/metrics$/);
      expect((await get(listener.url)).status).toBe(200);
    } finally {
      await listener.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      await expect(startMetricsListener(new SyncMetrics(), '127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      holder.close();
    }
  });
});

describe('writeMetricsFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-metrics-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file atomically with mode 0644, leaving no temporary file, and carries on from the file it replaces', async () => {
    const file = path.join(dir, 'cds.prom');
    await writeFile(file, 'cds_objects_checked_total{mapping="m1"} 40\n', { mode: 0o600 });
    const metrics = new SyncMetrics();
    const mapping = mappingOf('m1');
    metrics.observe({ type: 'object.checked', key: 'k', adopted: false }, mapping);
    await writeMetricsFile(metrics, file);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(parseScrape(await readFile(file, 'utf8')).value('cds_objects_checked_total', { mapping: 'm1' })).toBe(41);
    // Later writes of the same process do not add the old file again.
    metrics.observe({ type: 'object.checked', key: 'k', adopted: false }, mapping);
    await writeMetricsFile(metrics, file);
    expect(parseScrape(await readFile(file, 'utf8')).value('cds_objects_checked_total', { mapping: 'm1' })).toBe(42);
    // The next process carries on.
    const next = new SyncMetrics();
    next.observe({ type: 'object.checked', key: 'k', adopted: false }, mapping);
    await writeMetricsFile(next, file);
    expect(parseScrape(await readFile(file, 'utf8')).value('cds_objects_checked_total', { mapping: 'm1' })).toBe(43);
    expect(await readdir(dir)).toEqual(['cds.prom']);
  });

  it('fails with the folder in the message when the folder is missing', async () => {
    const folder = path.join(dir, 'no-such-folder');
    await expect(writeMetricsFile(new SyncMetrics(), path.join(folder, 'cds.prom'))).rejects.toThrow(`folder ${folder} does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });
});
