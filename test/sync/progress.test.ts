import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProgressSnapshot } from '../../shared/model';
import { ProgressTracker } from '../../electron/sync/progress';

describe('ProgressTracker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces a burst of updates into at most one snapshot per 100 ms', async () => {
    const snapshots: ProgressSnapshot[] = [];
    const tracker = new ProgressTracker('m', 1, (s) => snapshots.push(s), 100);
    tracker.planned(1000);
    const t = tracker.begin('k', 1000);
    // 1,000 chunk updates over one second.
    for (let i = 0; i < 1000; i++) {
      tracker.bytes(t, 1);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(snapshots.length).toBeGreaterThanOrEqual(9);
    expect(snapshots.length).toBeLessThanOrEqual(11);
    tracker.end(t, true);
    tracker.finish();
    const last = snapshots.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', objectsDone: 1, objectsTotal: 1, bytesDone: 1000, bytesTotal: 1000, inFlight: [] });
  });

  it('estimates from objects too: many small objects left are not "less than a second" after large ones went fast', () => {
    let t = 0;
    const tracker = new ProgressTracker('m', 1, undefined, 100, () => t);
    const MB = 1024 * 1024;
    for (let i = 0; i < 5; i++) tracker.planned(10 * MB);
    for (let i = 0; i < 190; i++) tracker.planned(1024);
    tracker.setPhase('transferring', true);
    tracker.snapshot();
    // The five large objects arrive within four seconds: 12.5 MiB/s, 1.25 objects/s.
    for (let i = 0; i < 5; i++) {
      t += 800;
      const h = tracker.begin(`big-${i}`, 10 * MB);
      tracker.bytes(h, 10 * MB);
      tracker.end(h, true);
      tracker.snapshot();
    }
    const { etaSeconds, objectsDone, objectsTotal } = tracker.snapshot();
    expect([objectsDone, objectsTotal]).toEqual([5, 195]);
    // Bytes alone: 190 KiB at 12.5 MiB/s is 0.015 s. Objects: 190 at 1.25/s is about 152 s.
    expect(etaSeconds).toBeGreaterThan(100);
  });

  it('reports rate and ETA once totals are final, and never counts a retried or failed transfer twice', async () => {
    let latest: ProgressSnapshot | undefined;
    const tracker = new ProgressTracker('m', 1, (s) => (latest = s), 100);
    tracker.planned(10_000);
    tracker.planned(500);
    const a = tracker.begin('a', 10_000);
    const b = tracker.begin('b', 500);
    tracker.bytes(b, 200);
    tracker.end(b, false); // failed: its bytes and its share of the totals go away
    tracker.setPhase('transferring', true);
    tracker.bytes(a, 3_000);
    tracker.restart(a); // retry resends from zero
    for (let i = 0; i < 10; i++) {
      tracker.bytes(a, 500);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(latest).toMatchObject({ objectsTotal: 1, bytesTotal: 10_000, bytesDone: 5_000, totalsFinal: true });
    expect(latest!.bytesPerSecond).toBeGreaterThan(4_000);
    expect(latest!.etaSeconds).toBeGreaterThan(0.5);
    expect(latest!.etaSeconds).toBeLessThan(2);
    expect(latest!.inFlight).toEqual([{ key: 'a', size: 10_000, bytesDone: 5_000 }]);
  });
});
