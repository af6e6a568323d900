// Traces of runs (electron/ops/tracing.ts, tracing-sdk.ts, tracing-spans.ts) as a collector receives
// them: an OTLP/HTTP receiver of our own on 127.0.0.1 (tracing-receiver.ts) takes the exporter's JSON,
// and the tests read the span tree back from it. Real runs over local folders, through a source of our
// own whose reads fail on cue (one object always, one once: a failed object and a retried copy).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProvider, createSynchronizer, parseConfig, type StorageProvider, type SyncConfig, type Synchronizer } from '../../electron/library';
import { StorageError } from '../../electron/providers/errors';
import { endpointForDisplay, otlpEndpointOf, startTracing, type RunTracer } from '../../electron/ops/tracing';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from '../cli/in-process';
import { closeServer, deadPort, startReceiver } from './tracing-receiver';

let dir: string;
let synchronizer: Synchronizer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cds-tracing-'));
  await mkdir(path.join(dir, 'disk', 'src'), { recursive: true });
  await mkdir(path.join(dir, 'disk', 'dst'));
  for (const name of ['ok.txt', 'flaky.txt', 'bad.txt']) await writeFile(path.join(dir, 'disk', 'src', name), `${name} body`);
});

afterEach(async () => {
  await synchronizer?.close();
  synchronizer = undefined;
  await rm(dir, { recursive: true, force: true });
});

function config(): SyncConfig {
  return parseConfig(
    JSON.stringify({
      providers: [{ id: 'disk', type: 'local', local: { root: path.join(dir, 'disk') } }],
      mappings: [{ id: 'm', name: 'photos', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
    }),
  );
}

/** A synchronizer whose source cannot read bad.txt (AccessDenied) and reads flaky.txt at the second try. */
async function faultySynchronizer(): Promise<Synchronizer> {
  const c = config();
  const local = await createProvider(c.connections[0]!);
  let flakyReads = 0;
  const faulty: StorageProvider = Object.create(local) as StorageProvider;
  faulty.read = (bucket, key, signal, ifMatch) => {
    if (bucket === 'src' && key === 'bad.txt') return Promise.reject(new StorageError('AccessDenied', 'no reading bad.txt'));
    if (bucket === 'src' && key === 'flaky.txt' && flakyReads++ === 0) return Promise.reject(new StorageError('Transient', 'connection reset'));
    return local.read(bucket, key, signal, ifMatch);
  };
  synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings, providers: { disk: faulty } });
  return synchronizer;
}

async function syncTraced(tracer: RunTracer) {
  const s = await faultySynchronizer();
  return s.sync('m', { onEvent: (event, mapping) => tracer.observe(event, mapping) });
}

describe('traces of a run', () => {
  it('are one root span per run with a child per listing and per transfer, errors and retries included', async () => {
    const receiver = await startReceiver();
    const warnings: string[] = [];
    try {
      const tracer = await startTracing({ endpoint: otlpEndpointOf(receiver.base, {})!, version: '9.8.7', warn: (m) => warnings.push(m) });
      const { run } = await syncTraced(tracer);
      expect(run).toMatchObject({ status: 'partial', copied: 2, failed: 1, errorCode: 'AccessDenied' });
      await tracer.shutdown();

      expect(receiver.errors).toEqual([]);
      expect(warnings).toEqual([]);
      const spans = receiver.spans;
      expect(spans.every((s) => s.resource['service.name'] === 'cloud-data-sync' && s.resource['service.version'] === '9.8.7')).toBe(true);

      const roots = spans.filter((s) => s.parentSpanId === '');
      expect(roots).toHaveLength(1);
      const root = roots[0]!;
      expect(root.name).toBe('sync photos');
      expect(root.attributes).toMatchObject({
        'cds.mapping.id': 'm',
        'cds.mapping.name': 'photos',
        'cds.run.id': run.id,
        'cds.run.dry_run': false,
        'cds.source.provider': 'local',
        'cds.source.bucket': 'src',
        'cds.target.provider': 'local',
        'cds.target.bucket': 'dst',
        'cds.run.status': 'partial',
        'cds.run.copied': 2,
        'cds.run.failed': 1,
        'cds.run.bytes_copied': run.bytesCopied,
        'error.type': 'AccessDenied',
      });
      expect(root.status.code).toBe(2); // ERROR
      expect(root.status.message).toBe(run.firstError);
      // The run's span covers the run as the run row has it (ns = ms · 10⁶).
      expect(root.start).toBe(BigInt(run.startedAt) * 1_000_000n);
      expect(root.end).toBe(BigInt(run.finishedAt!) * 1_000_000n);

      const children = spans.filter((s) => s !== root);
      for (const child of children) {
        expect(child.traceId).toBe(root.traceId);
        expect(child.parentSpanId).toBe(root.spanId);
        expect(child.start).toBeGreaterThanOrEqual(root.start);
        expect(child.end).toBeLessThanOrEqual(root.end);
        expect(child.end).toBeGreaterThanOrEqual(child.start);
      }
      const listings = children.filter((s) => s.name.startsWith('list '));
      expect(listings.map((l) => [l.name, l.attributes['cds.listing.objects'], l.attributes['cds.provider'], l.attributes['cds.bucket'], l.status.code]).sort()).toEqual([
        ['list source', 3, 'local', 'src', 0],
        ['list target', 0, 'local', 'dst', 0],
      ]);

      const copies = new Map(children.filter((s) => s.name === 'copy').map((s) => [s.attributes['cds.object.key'], s]));
      expect([...copies.keys()].sort()).toEqual(['bad.txt', 'flaky.txt', 'ok.txt']);
      expect(children).toHaveLength(listings.length + copies.size);
      expect(copies.get('ok.txt')!.attributes).toMatchObject({ 'cds.transfer.outcome': 'copied', 'cds.object.size': 11, 'cds.transfer.bytes': 11, 'cds.transfer.attempts': 1, 'cds.transfer.retries': 0, 'cds.transfer.server_side': false, 'cds.source.provider': 'local', 'cds.target.bucket': 'dst' });
      expect(copies.get('ok.txt')!.status.code).toBe(0);
      const flaky = copies.get('flaky.txt')!;
      expect(flaky.attributes).toMatchObject({ 'cds.transfer.outcome': 'copied', 'cds.transfer.attempts': 2, 'cds.transfer.retries': 1 });
      expect(flaky.status.code).toBe(0);
      expect(flaky.events).toEqual([{ name: 'retry', attributes: expect.objectContaining({ 'cds.retry.code': 'Transient', 'cds.retry.attempt': 1, 'cds.retry.what': 'copy flaky.txt' }) }]);
      const bad = copies.get('bad.txt')!;
      expect(bad.attributes).toMatchObject({ 'cds.transfer.outcome': 'failed', 'error.type': 'AccessDenied', 'cds.transfer.retries': 0 });
      expect(bad.status).toMatchObject({ code: 2, message: expect.stringContaining('no reading bad.txt') });
    } finally {
      await receiver.close();
    }
  });

  it('of a run that changes nothing are the run and its two listings, without spans for the checked objects', async () => {
    const receiver = await startReceiver();
    try {
      const tracer = await startTracing({ endpoint: `${receiver.base}/v1/traces`, version: '1', warn: () => undefined });
      const c = config();
      synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
      await synchronizer.sync('m');
      const { run } = await synchronizer.sync('m', { onEvent: (e, m) => tracer.observe(e, m) });
      expect(run).toMatchObject({ status: 'success', copied: 0, skipped: 3 });
      await tracer.shutdown();
      expect(receiver.spans.map((s) => s.name).sort()).toEqual(['list source', 'list target', 'sync photos']);
      const root = receiver.spans.find((s) => s.parentSpanId === '')!;
      expect(root.attributes).toMatchObject({ 'cds.run.status': 'success', 'cds.run.skipped': 3 });
      expect(root.status.code).toBe(0);
      expect(root.attributes['error.type']).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });

  it('keep at most maxCopySpansPerRun spans of successful copies, and say how many were left out', async () => {
    const receiver = await startReceiver();
    try {
      const tracer = await startTracing({ endpoint: `${receiver.base}/v1/traces`, version: '1', warn: () => undefined, maxCopySpansPerRun: 1 });
      const { run } = await syncTraced(tracer);
      expect(run).toMatchObject({ copied: 2, failed: 1 });
      await tracer.shutdown();
      expect(receiver.errors).toEqual([]);
      const copies = receiver.spans.filter((s) => s.name === 'copy');
      // One successful copy, and the failed one: failures always have their span.
      expect(copies.map((s) => s.attributes['cds.transfer.outcome']).sort()).toEqual(['copied', 'failed']);
      expect(receiver.spans.find((s) => s.parentSpanId === '')!.attributes['cds.run.transfer_spans_omitted']).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('send the headers of $OTEL_EXPORTER_OTLP_HEADERS (a collector’s credentials), as JSON', async () => {
    const receiver = await startReceiver();
    const before = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'Authorization=Bearer%20collector-token';
    try {
      const tracer = await startTracing({ endpoint: `${receiver.base}/v1/traces`, version: '1', warn: () => undefined });
      const c = config();
      synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
      await synchronizer.sync('m', { onEvent: (e, m) => tracer.observe(e, m) });
      await tracer.shutdown();
      expect(receiver.requests.length).toBeGreaterThan(0);
      for (const request of receiver.requests) expect(request).toEqual({ path: '/v1/traces', contentType: 'application/json', authorization: 'Bearer collector-token' });
    } finally {
      if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      else process.env.OTEL_EXPORTER_OTLP_HEADERS = before;
      await receiver.close();
    }
  });

  it('through the CLI (--otlp-endpoint): the spans are sent before the command returns', async () => {
    const receiver = await startReceiver();
    try {
      await writeFile(
        path.join(dir, 'config.json'),
        JSON.stringify({
          databasePath: path.join(dir, 'state.db'),
          providers: [{ id: 'disk', type: 'local', local: { root: path.join(dir, 'disk') } }],
          mappings: [{ id: 'm', name: 'photos', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
        }),
      );
      const r = await cli(['--config', path.join(dir, 'config.json'), '--once', '--otlp-endpoint', receiver.base]);
      expect(r.code).toBe(EXIT.ok);
      expect(receiver.errors).toEqual([]);
      const root = receiver.spans.find((s) => s.parentSpanId === '');
      expect(root).toMatchObject({ name: 'sync photos', attributes: expect.objectContaining({ 'cds.run.status': 'success', 'cds.run.copied': 3 }), resource: expect.objectContaining({ 'service.version': '0.0.0-test' }) });
      expect(receiver.spans.filter((s) => s.name === 'copy')).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });
});

describe('a collector that fails', () => {
  it('down: the run succeeds, shutdown returns within its bound, and one warning says so without the credentials', async () => {
    const port = await deadPort();
    const warnings: string[] = [];
    const tracer = await startTracing({ endpoint: `http://user:secret@127.0.0.1:${port}/v1/traces?key=token`, version: '1', warn: (m) => warnings.push(m), exportTimeoutMs: 1_000, shutdownTimeoutMs: 3_000 });
    const c = config();
    synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
    const { run } = await synchronizer.sync('m', { onEvent: (e, m) => tracer.observe(e, m) });
    expect(run).toMatchObject({ status: 'success', copied: 3 });
    const started = Date.now();
    await tracer.shutdown();
    expect(Date.now() - started).toBeLessThan(3_000 + 500);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`cannot send spans to http://127\\.0\\.0\\.1:${port}/v1/traces \\(.*\\); 6 span\\(s\\) lost`));
    expect(warnings.join('\n')).not.toMatch(/secret|token/);
  });

  it('that never answers: shutdown gives up at its bound and says so', async () => {
    // Takes the request and never answers.
    const held: ServerResponse[] = [];
    const server = createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const warnings: string[] = [];
      const tracer = await startTracing({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, version: '1', warn: (m) => warnings.push(m), shutdownTimeoutMs: 500 });
      const c = config();
      synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
      const { run } = await synchronizer.sync('m', { onEvent: (e, m) => tracer.observe(e, m) });
      expect(run.status).toBe('success');
      const started = Date.now();
      await tracer.shutdown();
      expect(Date.now() - started).toBeLessThan(500 + 500);
      // The export did reach the collector (it is still waiting for an answer).
      await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(warnings).toEqual([expect.stringMatching(/gave up sending the last spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces after 0\.5 s/)]);
    } finally {
      await closeServer(server);
    }
  });

  it('with an endpoint that is no http URL: traces are off, with a warning, and runs go on', async () => {
    const warnings: string[] = [];
    const tracer = await startTracing({ endpoint: 'collector:4318', version: '1', warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/Traces are off: the OTLP endpoint .* is not an http:\/\/ or https:\/\/ URL/)]);
    tracer.observe({ type: 'transfer.started', key: 'k', size: 1 }, config().mappings[0]!);
    await tracer.shutdown();
  });
});

describe('otlpEndpointOf', () => {
  it('takes the flag as the base URL, adding /v1/traces unless it ends with it', () => {
    expect(otlpEndpointOf('http://collector:4318', {})).toBe('http://collector:4318/v1/traces');
    expect(otlpEndpointOf('http://collector:4318/', {})).toBe('http://collector:4318/v1/traces');
    expect(otlpEndpointOf('https://otel.example/otlp', {})).toBe('https://otel.example/otlp/v1/traces');
    expect(otlpEndpointOf('https://otel.example/v1/traces', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other/x' })).toBe('https://otel.example/v1/traces');
  });

  it('else the traces variable as it is, else the base variable with v1/traces appended', () => {
    expect(otlpEndpointOf(null, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318' })).toBe('http://c:4318/custom');
    expect(otlpEndpointOf(null, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318' })).toBe('http://b:4318/v1/traces');
    expect(otlpEndpointOf(null, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318/otlp/' })).toBe('http://b:4318/otlp/v1/traces');
    expect(otlpEndpointOf(null, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeNull();
    expect(otlpEndpointOf(null, {})).toBeNull();
  });

  it('is shown in messages without user, password or query', () => {
    expect(endpointForDisplay('https://u:p@otel.example:4318/v1/traces?api-key=s')).toBe('https://otel.example:4318/v1/traces');
  });
});
