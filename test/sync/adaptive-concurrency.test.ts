// The AIMD controller alone (electron/sync/adaptive-concurrency.ts), on a fake clock: a simulated link
// answers with a throughput that depends on the limit, and completions arrive at that rate.
import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, MAX_ADAPTIVE_TRANSFERS } from '../../electron/sync/adaptive-concurrency';

/** Objects per second a link moves at a limit, at a time (ms). */
type Link = (limit: number, now: number) => number;

interface Sim {
  controller: AdaptiveConcurrency;
  /** Every limit the controller set, in order. */
  limits: number[];
  notes: string[];
  /** `count` completions of `bytes` each, spaced as a link moving `objectsPerSecond(limit)` would. */
  run(count: number, objectsPerSecond: Link, options?: { bytes?: number; demand?: boolean }): void;
  /** Completions until the limit is `limit` (at most `bound`); false if it never got there. */
  runUntil(limit: (l: number) => boolean, objectsPerSecond: Link, bound?: number): boolean;
}

function simulate(start: number, max?: number): Sim {
  let clock = 0;
  const limits: number[] = [];
  const notes: string[] = [];
  const controller = new AdaptiveConcurrency({ start, max, now: () => clock, onLimit: (l) => limits.push(l), onNote: (n) => notes.push(n) });
  const one = (objectsPerSecond: Link, bytes: number, demand: boolean) => {
    clock += 1000 / objectsPerSecond(controller.limit, clock);
    controller.completed(bytes, demand);
  };
  return {
    controller,
    limits,
    notes,
    run(count, objectsPerSecond, { bytes = 10_000, demand = true } = {}) {
      for (let i = 0; i < count; i++) one(objectsPerSecond, bytes, demand);
    },
    runUntil(done, objectsPerSecond, bound = 100_000) {
      for (let i = 0; i < bound && !done(controller.limit); i++) one(objectsPerSecond, 10_000, true);
      return done(controller.limit);
    },
  };
}

/** A latency-bound link: every copy takes one 80 ms round trip, until the server manages `ceiling` objects/s. */
const latencyBound = (ceiling = Infinity) => (limit: number) => Math.min(limit / 0.08, ceiling);

describe('adaptive concurrency', () => {
  it('raises the limit step by step while throughput keeps rising, up to its cap', () => {
    const sim = simulate(4, 20);
    expect(sim.runUntil((l) => l === 20, latencyBound())).toBe(true);
    expect(sim.limits).toEqual([8, 12, 16, 20]);
    sim.run(5_000, latencyBound());
    expect(Math.max(...sim.limits)).toBe(20);
    expect(sim.controller.limit).toBe(20);
    expect(sim.notes).toEqual(['Concurrency raised to 20 (from 4 transfers at 50 objects/s (500 kB/s) to 250 objects/s (2.5 MB/s); it stopped rising above that)']);
  });

  it(`never passes ${MAX_ADAPTIVE_TRANSFERS} by default, however much throughput still rises`, () => {
    const sim = simulate(8);
    sim.run(20_000, latencyBound());
    expect(sim.controller.limit).toBe(MAX_ADAPTIVE_TRANSFERS);
    expect(Math.max(...sim.limits)).toBe(MAX_ADAPTIVE_TRANSFERS);
  });

  it('keeps the last step that paid once throughput stops rising, and says so once', () => {
    const sim = simulate(4);
    sim.run(20_000, latencyBound(300)); // 300 objects/s is 24 copies of 80 ms
    expect(sim.controller.limit).toBe(24);
    // Later tries one step up (28) find no rise and come back.
    expect(sim.limits.slice(0, 7)).toEqual([8, 12, 16, 20, 24, 28, 24]);
    expect(Math.max(...sim.limits)).toBe(28);
    expect(sim.notes).toHaveLength(1);
    expect(sim.notes[0]).toMatch(/^Concurrency raised to 24 \(from 4 transfers at 50 objects\/s .* to 300 objects\/s/);
  });

  it('holds at transfers when more concurrency brings nothing (a CPU-bound loopback run)', () => {
    const sim = simulate(8);
    sim.run(20_000, () => 400);
    expect(sim.controller.limit).toBe(8);
    expect(new Set(sim.limits)).toEqual(new Set([16, 8]));
    expect(sim.notes).toEqual([]);
  });

  it('is not ratcheted up by noise: a step from a hold must beat the best window held', () => {
    const sim = simulate(8);
    // Flat at 400 objects/s, give or take up to 8% from one half second to the next.
    const jitter = (i: number) => {
      const x = Math.sin(i * 12.9898) * 43_758.5453;
      return (x - Math.floor(x)) * 2 - 1;
    };
    sim.run(100_000, (_limit, now) => 400 * (1 + 0.08 * jitter(Math.floor(now / 500))));
    expect(sim.controller.limit).toBe(8);
    expect(Math.max(...sim.limits)).toBe(16);
  });

  it('takes back a step measured without demand (the global cap across mappings binds first)', () => {
    const sim = simulate(4, 16);
    expect(sim.runUntil((l) => l === 8, latencyBound())).toBe(true);
    sim.run(200, latencyBound(), { demand: false });
    expect(sim.controller.limit).toBe(4);
    expect(sim.notes).toEqual([]);
  });

  it('does not grow while no copy waits for a slot: the limit is not what holds the run back', () => {
    const sim = simulate(4);
    sim.run(5_000, latencyBound(), { demand: false });
    expect(sim.limits).toEqual([]);
  });

  it('counts a rise in bytes/s as a rise when objects/s holds (larger objects in the mix)', () => {
    const sim = simulate(4, 8);
    sim.run(108, () => 100, { bytes: 10_000 }); // two windows at 4, then a step to 8
    expect(sim.limits).toEqual([8]);
    sim.run(200, () => 100, { bytes: 20_000 });
    expect(sim.controller.limit).toBe(8);
    expect(sim.notes).toHaveLength(1);
  });

  it('halves on a Throttled answer, counts a burst of them once, never goes below transfers, and says so', () => {
    const sim = simulate(4, 32);
    expect(sim.runUntil((l) => l === 32, latencyBound())).toBe(true);
    sim.controller.throttled();
    expect(sim.controller.limit).toBe(16);
    // The other copies of the same round answer Throttled too: one decrease for all of them.
    for (let i = 0; i < 10; i++) sim.controller.throttled();
    expect(sim.controller.limit).toBe(16);
    // Once the 32 copies of that round ended, the next Throttled answer counts again.
    sim.run(22, latencyBound());
    sim.controller.throttled();
    expect(sim.controller.limit).toBe(8);
    sim.run(16, latencyBound());
    sim.controller.throttled();
    expect(sim.controller.limit).toBe(4);
    sim.run(8, latencyBound());
    sim.controller.throttled();
    expect(sim.controller.limit).toBe(4);
    expect(sim.limits.slice(-3)).toEqual([16, 8, 4]);
    // Only the first decrease of the minute is said (the step to 32 was not judged yet: no climb note).
    expect(sim.notes).toEqual(['Concurrency lowered to 16 after a Throttled answer']);
  });

  it('after a Throttled answer holds for a while, then climbs again if throughput still rises', () => {
    const sim = simulate(4, 32);
    expect(sim.runUntil((l) => l === 16, latencyBound())).toBe(true);
    sim.controller.throttled();
    expect(sim.controller.limit).toBe(8);
    sim.run(100, latencyBound());
    expect(sim.controller.limit).toBe(8);
    expect(sim.runUntil((l) => l > 8, latencyBound())).toBe(true);
  });

  it('says at the end of a run that throughput was still rising, if it was', () => {
    const sim = simulate(4);
    expect(sim.runUntil((l) => l === 16, latencyBound())).toBe(true);
    expect(sim.notes).toEqual([]);
    sim.controller.finish();
    // 16 is a step not judged yet (a run may end before its copies fill it): 12 is the limit the last window proved, at 150 objects/s.
    expect(sim.notes).toEqual(['Concurrency raised to 12 (throughput still rising: from 4 transfers at 50 objects/s (500 kB/s) to 150 objects/s (1.5 MB/s))']);
  });

  it('says nothing at the end when the only step taken was not judged yet', () => {
    const sim = simulate(4);
    expect(sim.runUntil((l) => l === 8, latencyBound())).toBe(true);
    sim.controller.finish();
    expect(sim.notes).toEqual([]);
  });
});
