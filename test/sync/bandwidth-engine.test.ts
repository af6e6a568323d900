// Bandwidth limits through the real engine on real storage: the measured rate of a limited run must
// not exceed its limit by more than 10%. Only the upper bound is asserted: a loaded machine can only
// make a run slower, so a lower bound would be flaky, while an unthrottled run of these sizes between
// local folders or to a local S3 server goes many times faster than the limit and fails the bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import type { StorageProvider } from '../../electron/providers/provider';
import { BandwidthLimit } from '../../electron/sync/bandwidth';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping, type RunLogLine, type RunOutcome } from '../../electron/sync/runner';
import { startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';
import { bytes, contentMap, putText, uniqueBucket } from '../support/objects';

const MiB = 1024 * 1024;
const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

interface Measured {
  outcome: RunOutcome;
  logs: string[];
  /** Bytes copied per second of the whole run, listing included. */
  rate: number;
}

describe('bandwidth limits through the engine', () => {
  let endpoints: Endpoints;
  beforeAll(async () => {
    endpoints = await startEndpoints(['local', 's3', 'moto']);
  });
  afterAll(async () => {
    await endpoints?.stop();
  });

  /** A source bucket of `count` objects of `size` bytes, an empty target, and a mapping between them. */
  async function seeded(sourceKind: EndpointKind, targetKind: EndpointKind, count: number, size: number, m: Partial<Mapping> = {}) {
    const source = endpoints.provider(sourceKind);
    const target = sourceKind === targetKind && m.sourceConnectionId === m.targetConnectionId && m.sourceConnectionId !== undefined ? source : endpoints.provider(targetKind);
    const sourceBucket = uniqueBucket('bw-src');
    const targetBucket = uniqueBucket('bw-dst');
    await source.createBucket(sourceBucket);
    await target.createBucket(targetBucket);
    for (let i = 0; i < count; i++) await putText(source, sourceBucket, `data/object-${i}.bin`, bytes(i + 1, size));
    const mapping: Mapping = {
      id: `bw-${sourceKind}-${targetKind}`, name: `bw ${sourceKind} → ${targetKind}`,
      sourceConnectionId: 'src', sourceBucket, sourcePrefix: 'data/',
      targetConnectionId: 'dst', targetBucket, targetPrefix: 'copy/',
      transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
      ...m,
    };
    return { source, target, mapping };
  }

  async function measure(
    { source, target, mapping }: { source: StorageProvider; target: StorageProvider; mapping: Mapping },
    options: { globalBandwidth?: BandwidthLimit; sameConnection?: boolean; dryRun?: boolean } = {},
  ): Promise<Measured> {
    const logs: RunLogLine[] = [];
    const started = performance.now();
    const outcome = await runMapping({
      state: new MemoryState(), mapping, source, target, sameConnection: options.sameConnection ?? false, retry: FAST_RETRY,
      globalBandwidth: options.globalBandwidth, dryRun: options.dryRun, onLog: (l) => logs.push(l),
    });
    const seconds = (performance.now() - started) / 1000;
    return { outcome, logs: logs.map((l) => l.message), rate: outcome.run.bytesCopied / seconds };
  }

  it('local → local: a mapping limit of 1 MiB/s holds 4 MiB over four parallel transfers to it', async () => {
    const pair = await seeded('local', 'local', 4, MiB, { bwLimit: '1M' });
    const { outcome, logs, rate } = await measure(pair);
    expect(outcome.run).toMatchObject({ status: 'success', copied: 4, bytesCopied: 4 * MiB });
    expect(rate).toBeLessThanOrEqual(1.1 * MiB);
    expect(outcome.bandwidth).toBe(`Bandwidth limit: 1 MiB/s (this mapping's bwLimit "1M")`);
    expect(logs[1]).toBe(outcome.bandwidth);
    expect(await contentMap(pair.target, pair.mapping.targetBucket, 'copy/')).toEqual(await contentMap(pair.source, pair.mapping.sourceBucket, 'data/'));
  });

  it('local → s3rver: the global limit alone holds a run (one 4 MiB object, cut into pieces as it streams)', async () => {
    const pair = await seeded('local', 's3', 1, 4 * MiB);
    const { outcome, logs, rate } = await measure(pair, { globalBandwidth: new BandwidthLimit('1M') });
    expect(outcome.run).toMatchObject({ status: 'success', copied: 1, bytesCopied: 4 * MiB });
    expect(rate).toBeLessThanOrEqual(1.1 * MiB);
    expect(logs).toContain(`Bandwidth limit: 1 MiB/s (the global bwLimit "1M")`);
    expect(await contentMap(pair.target, pair.mapping.targetBucket, 'copy/')).toEqual(await contentMap(pair.source, pair.mapping.sourceBucket, 'data/'));
  });

  it('moto → local: with a mapping limit of 4 MiB/s and a global one of 1 MiB/s, the lower one holds', async () => {
    const pair = await seeded('moto', 'local', 2, 2 * MiB, { bwLimit: '4M' });
    const { outcome, logs, rate } = await measure(pair, { globalBandwidth: new BandwidthLimit('1M') });
    expect(outcome.run).toMatchObject({ status: 'success', copied: 2, bytesCopied: 4 * MiB });
    expect(rate).toBeLessThanOrEqual(1.1 * MiB);
    expect(logs).toContain(`Bandwidth limit: 1 MiB/s (this mapping's bwLimit "4M"; the global bwLimit "1M")`);
  });

  it('a timetable whose entry of now says 1M limits the run and the log says until when', async () => {
    // Daily entries two hours either side of now: the run is inside the 1M one, whatever the time.
    const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    const from = new Date(Date.now() - 2 * 3_600_000);
    const to = new Date(Date.now() + 2 * 3_600_000);
    const timetable = `${hhmm(from)},1M ${hhmm(to)},off`;
    const pair = await seeded('local', 'local', 2, 2 * MiB, { bwLimit: timetable });
    const { outcome, rate } = await measure(pair);
    expect(outcome.run).toMatchObject({ status: 'success', copied: 2 });
    expect(rate).toBeLessThanOrEqual(1.1 * MiB);
    expect(outcome.bandwidth).toMatch(new RegExp(`^Bandwidth limit: 1 MiB/s until (\\w{3} )?${hhmm(to)} \\(this mapping's bwLimit "${timetable}"\\)$`));
  });

  it('a timetable that says off now lets the run go unthrottled, and says so', async () => {
    const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    const from = new Date(Date.now() - 2 * 3_600_000);
    const to = new Date(Date.now() + 2 * 3_600_000);
    const pair = await seeded('local', 'local', 2, 2 * MiB, { bwLimit: `${hhmm(from)},off ${hhmm(to)},16K` });
    const { outcome } = await measure(pair);
    // At 16 KiB/s the 4 MiB would take over four minutes: the test's timeout would end it.
    expect(outcome.run).toMatchObject({ status: 'success', copied: 2 });
    expect(outcome.bandwidth).toMatch(/^Bandwidth limit: unlimited until /);
  });

  it('a dry run says the limit and moves nothing; server-side copies are said once to be unlimited', async () => {
    const pair = await seeded('s3', 's3', 3, 64 * 1024, { bwLimit: '1M', sourceConnectionId: 'same', targetConnectionId: 'same' });
    const preview = await measure(pair, { dryRun: true, sameConnection: true });
    expect(preview.outcome.bandwidth).toBe(`Bandwidth limit: 1 MiB/s (this mapping's bwLimit "1M")`);
    expect(preview.logs).toContain(preview.outcome.bandwidth);

    const { outcome, logs } = await measure(pair, { sameConnection: true });
    expect(outcome.run).toMatchObject({ status: 'success', copied: 3 });
    const note = 'Server-side copies do not pass through this machine: the bandwidth limit does not apply to them';
    expect(logs.filter((l) => l === note)).toHaveLength(1);
  });

  it('a mapping whose bwLimit is not a limit is refused before a run is recorded, naming the field', async () => {
    const pair = await seeded('local', 'local', 1, 10, { bwLimit: '2X' });
    const state = new MemoryState();
    await expect(runMapping({ state, mapping: pair.mapping, source: pair.source, target: pair.target, sameConnection: false })).rejects.toThrow(/^bwLimit must be a rate/);
    expect(await state.journal.start('probe', true).then((r) => r.run.id)).toBe(1);
  });
});
