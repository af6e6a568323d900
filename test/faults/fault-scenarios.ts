// The fault suite, run for one storage service at a time: the engine (runMapping) syncs through a
// fault-injecting proxy in front of the service's test server, with the service as target (a local
// folder as source) and as source (a local folder as target). After every faulty run the invariants
// are checked by reading both sides directly (not through the proxy) and the database; then a clean
// run (no faults) must end `success` with every object equal at the target.
// Each test states the seed that replays it: FAULT_SEED=<seed> npx vitest run <file>.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping, RunSummary } from '../../shared/model';
import type { StorageProvider } from '../../electron/providers/provider';
import { createLocalProvider } from '../../electron/providers/local';
import { wrapProvider } from '../../electron/providers/stack';
import { openStore, type Store } from '../../electron/store';
import { runMapping, type RunOptions } from '../../electron/sync/runner';
import {
  LISTING_REQUESTS, NEXT_PAGE_PARAM, OBJECT_READS, PAGE_SIZE_PARAM, SERVICE_ERRORS, UPLOAD_BODIES,
  allOf, seedFromEnv, startFaultProxy, type Fault, type FaultProxy, type FaultRule,
} from '../support/fault-proxy';
import {
  checkInvariants, formatReport, lastRunId, localOpenUploads, runsSince, snapshotBucket,
  type InvariantReport, type OpenUploadsProbe,
} from '../support/invariants';
import { bytes, putText, uniqueBucket } from '../support/objects';

export type ServiceKind = 's3' | 'azure' | 'gcs';

/** One storage service's test server, as the fault suite needs it. */
export interface FaultyService {
  /** e.g. "s3rver", "moto", "Azurite". */
  label: string;
  kind: ServiceKind;
  /** The server's own URL (origin), which the proxy forwards to. */
  upstream: string;
  /** A provider for the service at `origin` (the server's or the proxy's), with parts small enough for the large test object. */
  provider(origin: string): StorageProvider;
  /** Size of the object that takes the multipart / block / resumable path. */
  largeBytes: number;
  /** Open uploads of ours in a bucket, when the server can list them. */
  openUploads?(bucket: string): OpenUploadsProbe;
  /** Whether the proxy may rewrite a listing's query (false where the query is signed and checked, as by Azurite). */
  unsignedQueries: boolean;
  stop(): Promise<void>;
}

/** Retries quickly: the faults are dense, the backoff is not what is under test. */
const FAULT_RETRY: NonNullable<RunOptions['retry']> = { attempts: 6, baseDelayMs: 5, maxDelayMs: 100 };
const SMALL_OBJECTS = 12;
/** Target objects the source does not have (mirror mode deletes them after a complete listing). */
const EXTRAS = ['extra-a.txt', 'small/extra-b.txt', 'zz-extra.txt'];

/** The service's throttling answer, as its SDK expects it. */
export function throttleFault(kind: ServiceKind): Fault {
  return kind === 's3' ? SERVICE_ERRORS.s3SlowDown : kind === 'azure' ? SERVICE_ERRORS.azureServerBusy : SERVICE_ERRORS.gcsRateLimit;
}

/**
 * The rule with its probability, and also on the 2nd matching request: a run of a few dozen requests
 * may otherwise draw no fault at all for some seeds, and test nothing.
 */
function atLeastOnce(rule: FaultRule & { name: string }): FaultRule[] {
  return [{ ...rule, probability: undefined, nth: 2 }, rule];
}

/** Source objects: small ones, a mid-size one, and one above the multipart threshold. */
function seedObjects(largeBytes: number, version: number): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < SMALL_OBJECTS; i++) objects.set(`small/f${String(i).padStart(2, '0')}.txt`, bytes(version * 1000 + i, 100 + i * 37));
  objects.set('victim-single.bin', bytes(version * 1000 + 100, 300_000));
  objects.set('large/victim-multi.bin', bytes(version * 1000 + 101, largeBytes));
  return objects;
}

export function describeFaultSuite(start: () => Promise<FaultyService>, defaultSeed: number): void {
  const seed = seedFromEnv(defaultSeed);
  let service: FaultyService;
  let proxy: FaultProxy;
  let viaProxy: StorageProvider;
  let direct: StorageProvider;
  let local: StorageProvider;
  let localDirect: StorageProvider;
  let localRoot: string;
  let dir: string;
  let store: Store;
  let counter = 0;
  const totals = { runs: 0, objectsChecked: 0, lost: 0, falseSynced: 0, violations: 0 };

  beforeAll(async () => {
    service = await start();
    proxy = await startFaultProxy({ upstream: service.upstream, seed });
    // As the sync service does: the wrapper stack (retry, pacing...) wraps each connection's provider once.
    viaProxy = wrapProvider(service.provider(proxy.url), { retry: FAULT_RETRY }).provider;
    direct = service.provider(service.upstream);
    dir = await mkdtemp(path.join(tmpdir(), 'cds-faults-'));
    localRoot = path.join(dir, 'disk');
    localDirect = createLocalProvider({ root: localRoot });
    local = wrapProvider(localDirect, { retry: FAULT_RETRY }).provider;
    store = openStore(path.join(dir, 'state.db'));
    store.connections.upsert({ id: 'c', name: 'c', type: 'local', local: { root: '/unused' } });
  }, 120_000);
  afterAll(async () => {
    const faults = Object.entries(proxy?.injectedTotal ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`fault suite ${service?.label} (seed ${seed}): ${totals.runs} runs checked, ${totals.objectsChecked} target objects checked, faults injected: ${faults || 'none'}; objects lost ${totals.lost}, false synced ${totals.falseSynced}, violations ${totals.violations}`);
    store?.close();
    await Promise.allSettled([viaProxy?.close(), direct?.close(), local?.close(), localDirect?.close()]);
    await proxy?.stop();
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A mapping between the service (through the proxy) and a local folder, with its source seeded. */
  async function setup(serviceIs: 'source' | 'target', deleteMode: Mapping['deleteMode'] = 'synced') {
    const id = `${serviceIs}-${++counter}`;
    const sourceBucket = uniqueBucket('fsrc');
    const targetBucket = uniqueBucket('fdst');
    const sides = serviceIs === 'source'
      ? { source: viaProxy, target: local, sourceDirect: direct, targetDirect: localDirect }
      : { source: local, target: viaProxy, sourceDirect: localDirect, targetDirect: direct };
    await sides.sourceDirect.createBucket(sourceBucket);
    await sides.targetDirect.createBucket(targetBucket);
    for (const [key, body] of seedObjects(service.largeBytes, 1)) await putText(sides.sourceDirect, sourceBucket, key, body, { contentType: 'application/octet-stream' });
    const mapping: Mapping = {
      id, name: id, sourceConnectionId: 'c', sourceBucket, sourcePrefix: '',
      targetConnectionId: 'c', targetBucket, targetPrefix: '',
      transfers: 4, deleteMode, maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    };
    store.mappings.upsert(mapping);
    const openUploads = serviceIs === 'target' ? service.openUploads?.(targetBucket) : localOpenUploads(localRoot, targetBucket);
    return { mapping, ...sides, openUploads };
  }

  type Setup = Awaited<ReturnType<typeof setup>>;

  /** One run with `rules` in the proxy, then the invariants; the proxy is transparent again afterwards. */
  async function faultyRun(s: Setup, rules: FaultRule[]): Promise<{ run: RunSummary; report: InvariantReport; context: string; injected: Record<string, number> }> {
    const targetBefore = await snapshotBucket(s.targetDirect, s.mapping.targetBucket);
    const since = lastRunId(store, s.mapping.id);
    proxy.setRules(rules);
    let run: RunSummary;
    let faults: string;
    let injected: Record<string, number>;
    try {
      ({ run } = await runMapping({ state: store.engineState, mapping: s.mapping, source: s.source, target: s.target, sameConnection: false, retry: FAULT_RETRY }));
    } finally {
      faults = proxy.describe();
      injected = { ...proxy.injected };
      proxy.setRules([]);
    }
    totals.runs++;
    const report = await checkInvariants({
      store, mapping: s.mapping, source: s.sourceDirect, target: s.targetDirect, targetBefore,
      runs: runsSince(store, s.mapping.id, since),
      // A run that says success promises that everything is there.
      complete: run.status === 'success',
      openUploads: run.status === 'success' ? s.openUploads : undefined,
    });
    const context = `${faults}\nrun: ${summary(run)}\n${formatReport(`${service.label} ${s.mapping.id}`, report)}`;
    console.log(context);
    totals.objectsChecked += report.objectsChecked;
    totals.lost += report.lost;
    totals.falseSynced += report.falseSynced;
    totals.violations += report.violations.length;
    return { run, report, context, injected };
  }

  /** No faults: must end success, complete, with nothing left open. */
  async function cleanRun(s: Setup): Promise<void> {
    const { run, report, context } = await faultyRun(s, []);
    expect(run.status, context).toBe('success');
    expect(report.violations, context).toEqual([]);
  }

  describe(`faults: ${seed} seed`, () => {
    it('as target, 30% of requests throttled: the run tells the truth, then a clean run completes', async () => {
      const s = await setup('target');
      const { report, context, injected: faults } = await faultyRun(s, atLeastOnce({ name: 'throttled', probability: 0.3, fault: throttleFault(service.kind) }));
      expect(report.violations, context).toEqual([]);
      expect(faults.throttled, context).toBeGreaterThan(0);
      await cleanRun(s);
    });

    it('as source, 30% of requests throttled: the run tells the truth, then a clean run completes', async () => {
      const s = await setup('source');
      const { report, context } = await faultyRun(s, atLeastOnce({ name: 'throttled', probability: 0.3, fault: throttleFault(service.kind) }));
      expect(report.violations, context).toEqual([]);
      await cleanRun(s);
    });

    it('as target, ~10% of uploads reset mid-body: nothing half-written is recorded or left open', async () => {
      const s = await setup('target');
      const { report, context, injected: faults } = await faultyRun(s, atLeastOnce({ name: 'reset-upload', match: UPLOAD_BODIES, probability: 0.1, fault: { kind: 'resetRequest' } }));
      expect(report.violations, context).toEqual([]);
      expect(faults['reset-upload'], context).toBeGreaterThan(0);
      await cleanRun(s);
    });

    it('as source, ~10% of downloads reset mid-body: the run tells the truth', async () => {
      const s = await setup('source');
      const { report, context, injected: faults } = await faultyRun(s, atLeastOnce({ name: 'reset-download', match: OBJECT_READS[service.kind], probability: 0.1, fault: { kind: 'resetResponse' } }));
      expect(report.violations, context).toEqual([]);
      expect(faults['reset-download'], context).toBeGreaterThan(0);
      await cleanRun(s);
    });

    it('as source, 20% of downloads truncated (clean close): never recorded short', async () => {
      const s = await setup('source');
      const { report, context, injected: faults } = await faultyRun(s, atLeastOnce({ name: 'truncated', match: OBJECT_READS[service.kind], probability: 0.2, fault: { kind: 'truncate' } }));
      expect(report.violations, context).toEqual([]);
      expect(faults['truncated'], context).toBeGreaterThan(0);
      await cleanRun(s);
    });

    it('as source, every download of two changed objects corrupted: they fail, the good copies stay', async () => {
      const s = await setup('source');
      await cleanRun(s);
      // New versions of the single-request object and of the multipart one (whose ETag is no MD5).
      for (const [key, body] of seedObjects(service.largeBytes, 2)) {
        if (key.startsWith('victim') || key.startsWith('large/')) await putText(s.sourceDirect, s.mapping.sourceBucket, key, body);
      }
      const reads = OBJECT_READS[service.kind];
      const { run, report, context, injected: faults } = await faultyRun(s, [
        { name: 'corrupt', match: allOf(reads, { path: /victim-(single|multi)\.bin/ }), fault: { kind: 'corrupt' } },
      ]);
      expect(report.violations, context).toEqual([]);
      expect(faults.corrupt, context).toBeGreaterThan(0);
      // Neither object can be copied with correct bytes: both fail, and the run says so.
      expect(run, context).toMatchObject({ failed: 2, copied: 0 });
      expect(run.status, context).not.toBe('success');
      await cleanRun(s);
    });

    for (const side of ['source', 'target'] as const) {
      it(`as ${side}, listing pages that keep failing in mirror mode: nothing is deleted and the run fails`, async () => {
        const s = await setup(side, 'mirror');
        await cleanRun(s);
        for (const key of EXTRAS) await putText(s.targetDirect, s.mapping.targetBucket, key, `not in the source: ${key}`);
        const { run, report, context, injected: faults } = await faultyRun(s, listingFailure(service, 'persistent'));
        expect(report.violations, context).toEqual([]);
        expect(run.status, context).toBe('failed');
        expect(run.deleted, context).toBe(0);
        expect(faults['listing-failed'], context).toBeGreaterThan(0);
      });

      it(`as ${side}, one failed listing page in mirror mode: the listing recovers and only extras are deleted`, async () => {
        const s = await setup(side, 'mirror');
        await cleanRun(s);
        for (const key of EXTRAS) await putText(s.targetDirect, s.mapping.targetBucket, key, `not in the source: ${key}`);
        const { run, report, context } = await faultyRun(s, listingFailure(service, 'once'));
        expect(report.violations, context).toEqual([]);
        expect(run, context).toMatchObject({ status: 'success', deleted: EXTRAS.length });
      });
    }
  });
}

/**
 * Listing pages fail: 'persistent' fails every listing request after the first page (retries and
 * restarts included), 'once' fails only the first request for a second page. Pages are made short
 * by the proxy, so a handful of objects span several. Where the listing's query is signed and checked
 * (Azurite), the page size cannot be rewritten: the first page's answer is cut instead.
 */
function listingFailure(service: FaultyService, how: 'persistent' | 'once'): FaultRule[] {
  const listing = LISTING_REQUESTS[service.kind];
  if (!service.unsignedQueries) {
    return [{ name: 'listing-failed', match: listing, nth: how === 'once' ? 1 : undefined, fault: { kind: 'truncate' } }];
  }
  const error = service.kind === 'gcs' ? SERVICE_ERRORS.gcsBackendError : SERVICE_ERRORS.s3InternalError;
  const failing: FaultRule = how === 'once'
    ? { name: 'listing-failed', match: allOf(listing, { query: (q) => q.has(NEXT_PAGE_PARAM[service.kind]) }), nth: 1, fault: error }
    : { name: 'listing-failed', match: listing, nth: (n) => n >= 2, fault: error };
  return [{ name: 'short-pages', match: listing, fault: { kind: 'rewriteQuery', param: PAGE_SIZE_PARAM[service.kind], value: '4' } }, failing];
}

function summary(run: RunSummary): string {
  return `#${run.id} ${run.status}: copied ${run.copied}, adopted ${run.adopted}, skipped ${run.skipped}, failed ${run.failed}, deleted ${run.deleted}${run.firstError ? ` — first error: ${run.firstError}` : ''}`;
}
