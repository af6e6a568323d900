import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Mapping, RunSummary } from '../../shared/model';
import { Scheduler, type RunControl } from '../../electron/sync/scheduler';

const mapping = (id: string, extra: Partial<Mapping> = {}): Mapping => ({
  id, name: id, sourceConnectionId: 'a', sourceBucket: 'src', sourcePrefix: '', targetConnectionId: 'b', targetBucket: 'dst',
  targetPrefix: '', transfers: 8, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: 60, ...extra,
});

/** A fake runner whose runs end only when the test says so, recording what it was asked. */
function harness(mappings: Mapping[], maxConcurrentRuns = 2) {
  const started: string[] = [];
  const pending = new Map<string, { finish: () => void; control: RunControl }>();
  const runMapping = (m: Mapping, control: RunControl) =>
    new Promise<RunSummary>((resolve) => {
      started.push(m.id);
      const finish = () => {
        pending.delete(m.id);
        resolve({ id: started.length, mappingId: m.id, status: control.signal.aborted || control.stopSignal.aborted ? 'cancelled' : 'success' } as RunSummary);
      };
      pending.set(m.id, { finish, control });
      // A run that is asked to stop ends promptly, as the real runner does.
      control.signal.addEventListener('abort', finish);
      control.stopSignal.addEventListener('abort', finish);
    });
  const scheduler = new Scheduler({ listMappings: () => mappings, runMapping, maxConcurrentRuns });
  return { scheduler, started, pending, mappings };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

describe('Scheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs interval mappings at start, then one interval after each run ends', async () => {
    const h = harness([mapping('m1', { intervalSeconds: 60 }), mapping('ondemand', { intervalSeconds: null })]);
    h.scheduler.start();
    await settle();
    expect(h.started).toEqual(['m1']);
    await vi.advanceTimersByTimeAsync(120_000); // still running: no second run
    expect(h.started).toEqual(['m1']);
    h.pending.get('m1')!.finish();
    await settle();
    expect(h.scheduler.status('m1').nextRunAt).toBe(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(h.started).toEqual(['m1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.started).toEqual(['m1', 'm1']);
  });

  it('never runs a mapping twice at once: sync-now while running queues exactly one follow-up', async () => {
    const h = harness([mapping('m1', { intervalSeconds: null })]);
    h.scheduler.start();
    h.scheduler.syncNow('m1');
    await settle();
    h.scheduler.syncNow('m1');
    h.scheduler.syncNow('m1');
    expect(h.scheduler.status('m1')).toMatchObject({ state: 'running', followUpQueued: true });
    h.pending.get('m1')!.finish();
    await settle();
    expect(h.started).toEqual(['m1', 'm1']);
    h.pending.get('m1')!.finish();
    await settle();
    expect(h.started).toEqual(['m1', 'm1']);
    expect(h.scheduler.status('m1')).toMatchObject({ state: 'idle', followUpQueued: false });
  });

  it('caps mappings running at once and starts queued ones as slots free', async () => {
    const h = harness(['a', 'b', 'c'].map((id) => mapping(id, { intervalSeconds: null })), 2);
    h.scheduler.start();
    expect(h.scheduler.syncNow()).toEqual(['a', 'b', 'c']);
    await settle();
    expect(h.started).toEqual(['a', 'b']);
    expect(h.scheduler.status('c').state).toBe('queued');
    h.pending.get('a')!.finish();
    await settle();
    expect(h.started).toEqual(['a', 'b', 'c']);
  });

  it('pause stops running runs gracefully and starts nothing until resume', async () => {
    const h = harness([mapping('m1', { intervalSeconds: null })]);
    h.scheduler.start();
    h.scheduler.syncNow('m1');
    await settle();
    const control = h.pending.get('m1')!.control;
    h.scheduler.pause();
    expect(control.stopSignal.aborted).toBe(true);
    expect(control.signal.aborted).toBe(false);
    await settle();
    h.scheduler.syncNow('m1');
    await settle();
    expect(h.started).toEqual(['m1']);
    // Asked for while paused, it waits for the resume, and says so.
    expect(h.scheduler.status('m1').state).toBe('queued');
    h.scheduler.resume();
    await settle();
    expect(h.started).toEqual(['m1', 'm1']);
  });

  it('cancel aborts the run and drops its follow-up', async () => {
    const h = harness([mapping('m1', { intervalSeconds: null })]);
    h.scheduler.start();
    h.scheduler.syncNow('m1');
    await settle();
    const control = h.pending.get('m1')!.control;
    h.scheduler.syncNow('m1');
    expect(h.scheduler.cancel('m1')).toBe(true);
    expect(control.signal.aborted).toBe(true);
    await settle();
    expect(h.started).toEqual(['m1']);
  });

  it('disabled mappings are not scheduled; enabling one arms its interval', async () => {
    const h = harness([mapping('m1', { enabled: false, intervalSeconds: 30 })]);
    h.scheduler.start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.started).toEqual([]);
    expect(h.scheduler.status('m1').state).toBe('disabled');
    h.mappings[0] = mapping('m1', { enabled: true, intervalSeconds: 30 });
    h.scheduler.refresh();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.started).toEqual(['m1']);
  });

  it('a deleted mapping has its run aborted and is forgotten', async () => {
    const h = harness([mapping('m1', { intervalSeconds: null })]);
    h.scheduler.start();
    h.scheduler.syncNow('m1');
    await settle();
    const control = h.pending.get('m1')!.control;
    h.mappings.length = 0;
    h.scheduler.refresh();
    expect(control.signal.aborted).toBe(true);
    expect(() => h.scheduler.status('m1')).toThrow(/does not exist/);
  });

  it('handles intervals longer than the 24.8-day timer limit without firing early', async () => {
    const h = harness([mapping('m1', { intervalSeconds: 40 * 24 * 3600 })]);
    h.scheduler.start();
    await settle();
    h.pending.get('m1')!.finish();
    await settle();
    await vi.advanceTimersByTimeAsync(30 * 24 * 3600 * 1000);
    expect(h.started).toEqual(['m1']);
    await vi.advanceTimersByTimeAsync(10 * 24 * 3600 * 1000);
    expect(h.started).toEqual(['m1', 'm1']);
  });

  it('stop gives running runs a grace period, then aborts them, and schedules nothing more', async () => {
    const started: string[] = [];
    let control!: RunControl;
    const scheduler = new Scheduler({
      listMappings: () => [mapping('slow', { intervalSeconds: 1 })],
      maxConcurrentRuns: 1,
      // Ignores the graceful stop, like a transfer that does not finish in time.
      runMapping: (m, c) => {
        started.push(m.id);
        control = c;
        return new Promise((resolve) => c.signal.addEventListener('abort', () => resolve({} as RunSummary)));
      },
    });
    scheduler.start();
    await settle();
    const stopped = scheduler.stop(5_000);
    expect(control.stopSignal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(control.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(control.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toEqual(['slow']);
  });
});
