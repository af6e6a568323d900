// Adaptive concurrency through the real engine: small local objects to s3rver behind the bench's
// latency proxy (40 ms round trip), where a copy is mostly waiting and more copies at once pay. The
// limit is read from what the target saw (most writes in flight at once) and from the run's log, never
// from timing; a wrapper answers Throttled to some writes once the limit grew.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../support/latency-proxy';
import { StorageError } from '../../electron/providers/errors';
import { createLocalProvider } from '../../electron/providers/local';
import type { StorageProvider } from '../../electron/providers/provider';
import { createS3Provider } from '../../electron/providers/s3';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping } from '../../electron/sync/runner';
import type { Mapping } from '../../shared/model';
import { bytes, contentMap, putText, uniqueBucket } from '../support/objects';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const OBJECTS = 400;
const TRANSFERS = 4;
const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** The target's writes as it sees them: the most asked for at once; `throttle` may answer one Throttled instead. */
function watchedWrites(inner: StorageProvider, throttle?: (key: string, inFlight: number) => boolean) {
  const seen = { inFlight: 0, peak: 0, throttled: 0 };
  const write: StorageProvider['write'] = async (bucket, key, ...rest) => {
    seen.peak = Math.max(seen.peak, seen.inFlight + 1);
    if (throttle?.(key, seen.inFlight + 1)) {
      seen.throttled++;
      throw new StorageError('Throttled', `SlowDown: ${key}`);
    }
    seen.inFlight++;
    try {
      return await inner.write(bucket, key, ...rest);
    } finally {
      seen.inFlight--;
    }
  };
  const provider = new Proxy(inner, {
    get(target, name) {
      if (name === 'write') return write;
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { provider, seen };
}

describe('adaptive concurrency through the engine, 40 ms round trip', () => {
  let server: S3TestServer;
  let proxy: LatencyProxy;
  let root: string;
  let direct: StorageProvider;
  let slow: StorageProvider;
  let local: StorageProvider;

  beforeAll(async () => {
    server = await startS3Server();
    proxy = await startLatencyProxy({ target: { host: '127.0.0.1', port: server.port }, rttMs: 40 });
    root = await mkdtemp(path.join(tmpdir(), 'cds-adaptive-'));
    local = createLocalProvider({ root });
    direct = createS3Provider(awsSettingsFor(server));
    slow = createS3Provider(awsSettingsFor({ ...server, endpoint: proxy.rewrite(server.endpoint) }));
  });
  afterAll(async () => {
    await Promise.allSettled([slow, direct, local].filter(Boolean).map((p) => p.close()));
    await proxy?.close();
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** OBJECTS small local objects, an empty target bucket (made straight, not through the proxy), and a mapping between them. */
  async function seeded(label: string): Promise<Mapping> {
    const sourceBucket = uniqueBucket(`${label}-src`);
    const targetBucket = uniqueBucket(`${label}-dst`);
    await local.createBucket(sourceBucket);
    await direct.createBucket(targetBucket);
    await Promise.all(Array.from({ length: OBJECTS }, (_, i) => putText(local, sourceBucket, `f/${String(i).padStart(4, '0')}.bin`, bytes(i + 1, 1_000 + (i % 7) * 500))));
    return {
      id: `adaptive-${label}`, name: label,
      sourceConnectionId: 'disk', sourceBucket, sourcePrefix: '',
      targetConnectionId: 's3', targetBucket, targetPrefix: '',
      transfers: TRANSFERS, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    };
  }

  async function sync(mapping: Mapping, target: StorageProvider) {
    const logs: string[] = [];
    const outcome = await runMapping({ state: new MemoryState(), mapping, source: local, target, sameConnection: false, retry: FAST_RETRY, onLog: (l) => logs.push(l.message) });
    return { run: outcome.run, notes: logs.filter((m) => m.startsWith('Concurrency ')) };
  }

  it(`raises concurrency above transfers (${TRANSFERS}) while throughput rises, and says so once`, async () => {
    const mapping = await seeded('rise');
    const { provider, seen } = watchedWrites(slow);
    const { run, notes } = await sync(mapping, provider);
    expect(run).toMatchObject({ status: 'success', copied: OBJECTS, failed: 0 });
    expect(await contentMap(direct, mapping.targetBucket)).toEqual(await contentMap(local, mapping.sourceBucket));
    expect(seen.peak).toBeGreaterThan(TRANSFERS);
    expect(notes).toHaveLength(1);
    const raised = Number(/^Concurrency raised to (\d+) /.exec(notes[0]!)?.[1]);
    expect(raised).toBeGreaterThan(TRANSFERS);
    expect(seen.peak).toBeGreaterThanOrEqual(raised);
  });

  it('lowers concurrency after Throttled answers, and every object still arrives', async () => {
    const mapping = await seeded('throttled');
    // Once more writes are in flight than transfers allow (the limit grew), the next 8 keys are each
    // answered Throttled once; their retries go through.
    const refused = new Set<string>();
    const { provider, seen } = watchedWrites(slow, (key, inFlight) => {
      if (refused.has(key) || (refused.size === 0 && inFlight <= TRANSFERS) || refused.size >= 8) return false;
      refused.add(key);
      return true;
    });
    const { run, notes } = await sync(mapping, provider);
    expect(seen.throttled).toBe(8);
    expect(run).toMatchObject({ status: 'success', copied: OBJECTS, failed: 0 });
    expect(await contentMap(direct, mapping.targetBucket)).toEqual(await contentMap(local, mapping.sourceBucket));
    const lowered = notes.map((n) => /^Concurrency lowered to (\d+) after a Throttled answer$/.exec(n)?.[1]).filter((n) => n !== undefined);
    expect(lowered).toHaveLength(1);
    expect(Number(lowered[0])).toBeGreaterThanOrEqual(TRANSFERS);
    expect(Number(lowered[0])).toBeLessThan(seen.peak);
  });
});
