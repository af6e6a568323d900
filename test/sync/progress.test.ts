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
