// `serve`'s Prometheus metrics during and after real runs: S3 (s3rver, then moto) → local folder,
// through a gate in front of the S3 server that holds the download of one object until the test
// lets it go, so /metrics is scraped while a transfer is surely in flight. Scrapes are parsed with
// parse-prometheus-text-format and compared with the runs' own summaries (runs.list).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveDefaults } from '../../electron/headless/args';
import { contractSocket, serveHarness } from './serve-harness';
import { ConsoleLog } from '../../electron/headless/console-log';
import { createS3Provider } from '../../electron/providers/s3';
import { runServe } from '../../electron/server/serve';
import type { RunSummary } from '../../shared/model';
import { startMotoServer } from '../support/moto-server';
import { putText } from '../support/objects';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { parseScrape } from '../ops/metrics-scrape';
import { rawRequest } from './helpers';

const TOKEN = 'metrics-serve-token-0123456789abcdef';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An HTTP proxy to `upstreamPort` that holds every request `holds` picks until release(); `held`
 * resolves when the first one arrives. Requests go on unchanged (headers included: S3 signatures
 * cover the Host header, which the client signed for this proxy's address and the server checks as sent).
 */
async function startGate(upstreamPort: number, holds: (req: IncomingMessage) => boolean) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const held = new Promise<void>((r) => (arrived = r));
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = http.createServer((req, res) => {
    if (!holds(req)) return forward(req, res);
    arrived();
    void released.then(() => forward(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    held,
    release,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}


async function scrape(url: string, headers: Record<string, string> = {}) {
  const { port, pathname } = new URL(url);
  const answer = await rawRequest(Number(port), pathname, headers);
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseScrape(answer.body);
}

const servers: [string, () => Promise<S3TestServer>][] = [
  ['s3rver', startS3Server],
  ['moto', startMotoServer],
];

describe.each(servers)('serve /metrics, S3 (%s) → local', (_name, startServer) => {
  it('shows a transfer in flight, then counters equal to the runs; the token guards /metrics, --metrics-addr does not need it', async () => {
    const s3 = await startServer();
    cleanups.push(() => s3.stop());
    const source = createS3Provider(awsSettingsFor(s3));
    cleanups.push(() => source.close());
    await source.createBucket('metrics-src');
    await putText(source, 'metrics-src', 'a.txt', 'alpha');
    await putText(source, 'metrics-src', 'dir/b.txt', 'bravo bravo');
    await putText(source, 'metrics-src', 'held.bin', 'held back until the test has scraped');
    // Only the first run's requests for held.bin wait (the gate opens once, for good).
    const gate = await startGate(s3.port, (req) => (req.url ?? '').split('?')[0]!.endsWith('/held.bin'));
    cleanups.push(() => gate.close());

    const home = mkdtempSync(path.join(tmpdir(), 'cds-metrics-serve-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const root = path.join(home, 'disk');
    mkdirSync(path.join(root, 'backup'), { recursive: true });

    const h = serveHarness();
    let listening!: (info: { port: number }) => void;
    const ready = new Promise<{ port: number }>((r) => (listening = r));
    const exit = runServe({ ...serveDefaults(), port: 0, metricsAddr: '127.0.0.1:0' }, new ConsoleLog(h.cli, 'info'), h.cli, {
      env: { XDG_DATA_HOME: path.join(home, 'data'), CDS_SERVER_TOKEN: TOKEN },
      rendererBuild: path.join(home, 'no-build'),
      onListening: listening,
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) {
        gate.release();
        h.interrupt('SIGINT');
        await exit;
      }
    });
    const { port } = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${(h.out() + h.err())}`)))]);
    const openUrl = /Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics) \(no token\)/.exec((h.out() + h.err()))?.[1];
    expect(openUrl, (h.out() + h.err())).toBeDefined();
    const tokenUrl = `http://127.0.0.1:${port}/metrics`;
    const bearer = { Authorization: `Bearer ${TOKEN}` };

    const socket = contractSocket(port, TOKEN);
    cleanups.push(() => socket.close());
    await socket.opened;
    const s3Connection = await socket.value('connections.create', {
      name: 'S3', type: 'aws', aws: { region: 'us-east-1', endpoint: gate.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const disk = await socket.value('connections.create', { name: 'Disk', type: 'local', local: { root } });
    const mapping = await socket.value('mappings.create', {
      name: 'Metrics', sourceConnectionId: s3Connection.id, sourceBucket: 'metrics-src', sourcePrefix: '', targetConnectionId: disk.id, targetBucket: 'backup', targetPrefix: '',
      transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    });
    const ours = { mapping: mapping.id };
    const finishedRuns = async (count: number): Promise<RunSummary[]> => {
      let runs: RunSummary[] = [];
      await expect
        .poll(async () => (runs = (await socket.value<RunSummary[]>('runs.list', { mappingId: mapping.id })).filter((r) => r.finishedAt !== null)).length, { timeout: 30_000, interval: 50 })
        .toBe(count);
      return runs;
    };

    // Run 1, scraped while held.bin's download waits at the gate.
    await socket.value('sync.now', { mappingId: mapping.id });
    await gate.held;
    for (const during of [await scrape(tokenUrl, bearer), await scrape(openUrl!)]) {
      expect(during.value('cds_run_in_progress', ours)).toBe(1);
      expect(during.value('cds_transfers_in_progress', ours)).toBeGreaterThanOrEqual(1);
      expect(during.value('cds_last_success_timestamp_seconds', ours)).toBeUndefined();
    }
    gate.release();
    const [first] = await finishedRuns(1);
    expect(first).toMatchObject({ status: 'success', copied: 3, failed: 0 });

    let after = await scrape(tokenUrl, bearer);
    expect(after.value('cds_run_in_progress', ours)).toBe(0);
    expect(after.value('cds_transfers_in_progress', ours)).toBe(0);
    expect(after.value('cds_objects_transferred_total', ours)).toBe(first!.copied);
    expect(after.value('cds_bytes_transferred_total', ours)).toBe(first!.bytesCopied);
    expect(after.value('cds_objects_checked_total', ours)).toBe(first!.skipped + first!.adopted);
    expect(after.value('cds_objects_listed_total', { ...ours, side: 'source' })).toBe(3);
    expect(after.value('cds_objects_listed_total', { ...ours, side: 'target' })).toBe(0);
    expect(after.value('cds_runs_total', { ...ours, status: 'success' })).toBe(1);
    expect(after.value('cds_last_success_timestamp_seconds', ours)).toBe(first!.finishedAt! / 1000);
    expect(after.value('cds_run_duration_seconds', ours)).toBe(first!.durationMs! / 1000);
    expect(after.samples('cds_mapping_info')).toEqual([[{ mapping: mapping.id, name: 'Metrics', source: 'metrics-src', target: 'backup' }, 1]]);

    // Run 2: one new object, one deleted at the source; the rest are checked. Counters add up.
    await putText(source, 'metrics-src', 'c.txt', 'charlie');
    await source.remove('metrics-src', ['a.txt']);
    await socket.value('sync.now', { mappingId: mapping.id });
    const runs = await finishedRuns(2);
    const second = runs.find((r) => r.id !== first!.id)!;
    expect(second).toMatchObject({ status: 'success', copied: 1, deleted: 1, skipped: 2 });
    after = await scrape(openUrl!);
    expect(after.value('cds_objects_transferred_total', ours)).toBe(first!.copied + second.copied);
    expect(after.value('cds_bytes_transferred_total', ours)).toBe(first!.bytesCopied + second.bytesCopied);
    expect(after.value('cds_objects_checked_total', ours)).toBe(second.skipped + second.adopted);
    expect(after.value('cds_objects_deleted_total', ours)).toBe(second.deleted);
    expect(after.value('cds_objects_listed_total', { ...ours, side: 'source' })).toBe(3 + 3);
    expect(after.value('cds_objects_listed_total', { ...ours, side: 'target' })).toBe(0 + 3);
    expect(after.value('cds_runs_total', { ...ours, status: 'success' })).toBe(2);
    expect(after.value('cds_last_success_timestamp_seconds', ours)).toBe(second.finishedAt! / 1000);

    // The server's own /metrics wants the token; the --metrics-addr listener answers only /metrics.
    expect((await rawRequest(port, '/metrics')).status).toBe(401);
    expect((await rawRequest(port, '/metrics', { Authorization: 'Bearer not-the-token-0123456789' })).status).toBe(401);
    const open = new URL(openUrl!);
    expect((await rawRequest(Number(open.port), '/')).status).toBe(404);

    gate.release();
    h.interrupt('SIGINT');
    stopped = true;
    expect(await exit).toBe(0);
    // The listener closed with the server: a new connection is refused.
    await expect(
      new Promise((resolve, reject) => net.connect(Number(open.port), '127.0.0.1').once('connect', resolve).once('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // Restarted, serve shows the saved mapping at 0 before any run (counters are per process).
    const h2 = serveHarness();
    let again!: (info: { port: number }) => void;
    const ready2 = new Promise<{ port: number }>((r) => (again = r));
    const exit2 = runServe({ ...serveDefaults(), port: 0 }, new ConsoleLog(h2.cli, 'info'), h2.cli, {
      env: { XDG_DATA_HOME: path.join(home, 'data'), CDS_SERVER_TOKEN: TOKEN },
      rendererBuild: path.join(home, 'no-build'),
      onListening: again,
    });
    cleanups.push(async () => {
      h2.interrupt('SIGINT');
      await exit2;
    });
    const restarted = await scrape(`http://127.0.0.1:${(await ready2).port}/metrics`, bearer);
    expect(restarted.value('cds_objects_transferred_total', ours)).toBe(0);
    expect(restarted.value('cds_runs_total', { ...ours, status: 'success' })).toBe(0);
    expect(restarted.value('cds_last_success_timestamp_seconds', ours)).toBeUndefined();
    expect(restarted.samples('cds_mapping_info').map(([labels]) => labels.name)).toEqual(['Metrics']);
  });
});
