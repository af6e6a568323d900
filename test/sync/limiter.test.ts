import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../electron/sync/limiter';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('admits at most its capacity, first come first served, and admits more when it grows', async () => {
    const limiter = new Limiter(2);
    const order: number[] = [];
    const releases: Array<() => void> = [];
    for (let i = 0; i < 5; i++) void limiter.acquire().then((release) => { order.push(i); releases.push(release); });
    await settle();
    expect(order).toEqual([0, 1]);
    releases[0]!();
    releases[0]!(); // a second release of the same slot frees nothing more
    await settle();
    expect(order).toEqual([0, 1, 2]);
    expect(limiter.inUse).toBe(2);
    limiter.resize(4);
    await settle();
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.inUse).toBe(4);
  });

  it('keeps one abort listener per signal however many wait on it, and none once they are admitted', async () => {
    const limiter = new Limiter(1);
    const controller = new AbortController();
    const first = await limiter.acquire(controller.signal);
    const waits = Array.from({ length: 1_000 }, () => limiter.acquire(controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    first();
    for (const wait of waits) (await wait)();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects only the waiters of the signal that aborted, with its reason, and the others still get slots', async () => {
    const limiter = new Limiter(1);
    const held = await limiter.acquire();
    const run = new AbortController();
    const other = new AbortController();
    const cancelled = [limiter.acquire(run.signal), limiter.acquire(run.signal)];
    const kept = limiter.acquire(other.signal);
    run.abort(new Error('stopped'));
    for (const wait of cancelled) await expect(wait).rejects.toThrow('stopped');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    held();
    const release = await kept;
    expect(limiter.inUse).toBe(1);
    release();
    expect(limiter.inUse).toBe(0);
    expect(() => limiter.acquire(run.signal)).toThrow('stopped'); // already aborted: refused at once
  });
});
