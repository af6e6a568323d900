// The bandwidth limiter on a fake clock: every figure here is exact time, not a measurement, so the
// tests do not depend on how loaded the machine is.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseBwLimit, type BwLimit } from '../../shared/bandwidth';
import { bandwidthText, combinedRateAt, limitedNowText, limitedToText, momentText } from '../../shared/bandwidth-now';
import { SLICE_BYTES, Throttle, TokenBucket, UNLIMITED, type BandwidthClock, type RateAt } from '../../electron/sync/bandwidth';

/** A clock that moves only when a test lets it: to the next sleep's end, once nothing else can happen. */
class FakeClock implements BandwidthClock {
  private time = 1_000_000;
  private timers: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve) => {
      this.timers.push({ at: this.time + ms, resolve });
      this.timers.sort((a, b) => a.at - b.at);
    });
  }

  /** Seconds since the clock was made. */
  seconds(): number {
    return (this.time - 1_000_000) / 1000;
  }

  /** Runs `work` to its end, advancing time from sleep to sleep whenever it waits; returns its result. */
  async run<T>(work: Promise<T>): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    work.then((value) => (outcome = { value }), (error: unknown) => (outcome = { error }));
    for (let idle = 0; ; ) {
      await settle();
      if (outcome) {
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      }
      const next = this.timers.shift();
      if (!next) {
        // Stream machinery may take a few more turns to reach its next wait.
        if (++idle > 100) throw new Error('the work waits for nothing the clock can end');
        continue;
      }
      idle = 0;
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
  }
}

/** Lets promise callbacks, next-ticks and stream events run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

const fixed = (rate: number): RateAt => () => rate;

/** Reads a stream to its end; the sizes of the pieces it gave. */
async function drain(stream: Readable): Promise<number[]> {
  const sizes: number[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) sizes.push(chunk.length);
  return sizes;
}

function source(chunks: number[]): Readable {
  return Readable.from(chunks.map((n) => Buffer.alloc(n, 7)), { objectMode: false });
}

describe('TokenBucket', () => {
  it('lets bytes through at the rate, with no burst at the start', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(fixed(1000), clock);
    await clock.run((async () => {
      for (let i = 0; i < 50; i++) await bucket.take(100);
    })());
    // 5,000 bytes at 1,000 B/s from an empty bucket: 5 s (a piece is granted once its tokens are all there).
    expect(clock.seconds()).toBeCloseTo(5, 1);
  });

  it('switches rate at a timetable boundary in the middle of a transfer', async () => {
    const clock = new FakeClock();
    const boundary = clock.now() + 5_000;
    const bucket = new TokenBucket((now) => (now < boundary ? 1000 : 4000), clock);
    await clock.run((async () => {
      for (let i = 0; i < 130; i++) await bucket.take(100);
    })());
    // 5,000 bytes in the first 5 s at 1,000 B/s, then 8,000 at 4,000 B/s: 2 s more. The rate is
    // re-read at least every 250 ms, so the switch is seen within that.
    expect(clock.seconds()).toBeGreaterThan(6.9);
    expect(clock.seconds()).toBeLessThan(7.3);
  });

  it('lets everything through at once while the timetable says off, and saves at most one bucket up', async () => {
    const clock = new FakeClock();
    const limitedFrom = clock.now() + 10_000;
    const bucket = new TokenBucket((now) => (now < limitedFrom ? null : 1000), clock);
    await clock.run(bucket.take(1_000_000));
    expect(clock.seconds()).toBe(0);
    await clock.run(clock.sleep(10_000));
    await clock.run((async () => {
      for (let i = 0; i < 10; i++) await bucket.take(100);
    })());
    // The 10 s without a limit leave at most a full bucket (0.1 s of bytes: the first refill under
    // the limit counts the time since the last one at the new rate), so 1,000 bytes take 0.9 to 1 s.
    expect(clock.seconds()).toBeGreaterThan(10.89);
    expect(clock.seconds()).toBeLessThan(11.05);
  });

  it('grants a request bigger than the bucket once the bucket is full, and makes the next wait for the debt', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(fixed(1000), clock); // holds 100 bytes
    await clock.run(bucket.take(5000));
    expect(clock.seconds()).toBeCloseTo(0.1, 2);
    await clock.run(bucket.take(100));
    // The debt of 4,900 bytes, then 100 more: 5 s after the first grant.
    expect(clock.seconds()).toBeCloseTo(5.1, 1);
  });

  it('serves waiters in order, and an aborted waiter leaves the queue without holding the others up', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(fixed(1000), clock);
    const order: string[] = [];
    const abort = new AbortController();
    const a = bucket.take(100).then(() => order.push('a'));
    const b = bucket.take(100, abort.signal).then(
      () => order.push('b'),
      () => order.push('b aborted'),
    );
    const c = bucket.take(100).then(() => order.push('c'));
    abort.abort();
    await clock.run(Promise.all([a, b, c]));
    expect(order).toEqual(['b aborted', 'a', 'c']);
    expect(clock.seconds()).toBeCloseTo(0.2, 2);
  });

  it('applies a new limit to waiters already queued', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(fixed(10), clock);
    const waiting = bucket.take(1000);
    await clock.run(clock.sleep(1_000));
    bucket.setLimit(UNLIMITED);
    await clock.run(waiting);
    // Without the change it would have taken 100 s; the waiter re-read the rate at its next wake-up.
    expect(clock.seconds()).toBeLessThan(1.3);
  });
});

describe('Throttle', () => {
  it('holds a chunk to the lower of the mapping and the global limit', async () => {
    const clock = new FakeClock();
    const throttle = new Throttle(new TokenBucket(fixed(64 * 1024), clock), new TokenBucket(fixed(16 * 1024), clock));
    const sizes = await clock.run(drain(throttle.stream(source([256 * 1024]))));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(256 * 1024);
    // 256 KiB at the global 16 KiB/s: 16 s (pieces are no bigger than the smaller bucket, so none
    // is let through ahead of its tokens).
    expect(clock.seconds()).toBeGreaterThan(15.9);
    expect(clock.seconds()).toBeLessThan(16.3);
  });

  it('shares the global bucket among runs: together they keep to its rate', async () => {
    const clock = new FakeClock();
    const global = new TokenBucket(fixed(32 * 1024), clock);
    const a = new Throttle(new TokenBucket(fixed(1024 * 1024), clock), global);
    const b = new Throttle(undefined, global);
    await clock.run(Promise.all([drain(a.stream(source([128 * 1024]))), drain(b.stream(source([128 * 1024])))]));
    // 256 KiB through one 32 KiB/s bucket: 8 s, however the two interleave.
    expect(clock.seconds()).toBeGreaterThan(7.9);
    expect(clock.seconds()).toBeLessThan(8.3);
  });

  it('cuts a large chunk into pieces, so it flows at the rate instead of stalling', async () => {
    const clock = new FakeClock();
    const throttle = new Throttle(new TokenBucket(fixed(8 * 1024), clock));
    const sizes = await clock.run(drain(throttle.stream(source([10 * SLICE_BYTES + 5]))));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10 * SLICE_BYTES + 5);
    // Pieces of at most a full bucket (0.1 s at 8 KiB/s: 819 bytes), so the chunk flows at the rate:
    // 160 KiB at 8 KiB/s = 20 s.
    expect(Math.max(...sizes)).toBe(819);
    expect(clock.seconds()).toBeGreaterThan(19.9);
    expect(clock.seconds()).toBeLessThan(20.1);
  });

  it('passes chunks whole and at once while no limit applies', async () => {
    const clock = new FakeClock();
    const throttle = new Throttle(new TokenBucket(UNLIMITED, clock), undefined);
    expect(throttle.limited()).toBe(false);
    const sizes = await clock.run(drain(throttle.stream(source([100_000, 200_000]))));
    expect(sizes).toEqual([100_000, 200_000]);
    expect(clock.seconds()).toBe(0);
  });

  it('stops waiting when the transfer is aborted, and destroys the source', async () => {
    const clock = new FakeClock();
    const throttle = new Throttle(new TokenBucket(fixed(1000), clock));
    const abort = new AbortController();
    const body = source([SLICE_BYTES, SLICE_BYTES]);
    const reading = drain(throttle.stream(body, abort.signal));
    await settle();
    abort.abort(new Error('cancelled'));
    await expect(clock.run(reading)).rejects.toThrow('cancelled');
    await settle();
    expect(body.destroyed).toBe(true);
  });
});

describe('what a limit allows now, in words (shared/bandwidth-now.ts)', () => {
  const parse = (text: string): BwLimit => {
    const limit = parseBwLimit(text);
    if ('problem' in limit) throw new Error(limit.problem);
    return limit;
  };
  // A Friday, local time.
  const at = (day: number, hours: number, minutes = 0) => new Date(2026, 10, 22 + day, hours, minutes);
  const friday = (hours: number, minutes = 0) => at(5, hours, minutes);

  it('the lowest rate applies, until the moment the lowest rate changes', () => {
    const office = parse('Mon-08:00,2M Fri-19:00,off');
    const global = parse('1M');
    expect(combinedRateAt([office, global], friday(12))).toEqual({ rate: 1024 * 1024, until: null });
    // The office limit ends at 19:00 but the global 1M holds on: no change ahead.
    const cheap = parse('512K');
    expect(combinedRateAt([office, cheap], friday(12)).until).toBeNull();
    const evening = parse('08:00,4M 19:00,8M');
    const both = combinedRateAt([office, evening], friday(12));
    expect(both.rate).toBe(2 * 1024 * 1024);
    expect(both.until).toEqual(friday(19));
    // After 19:00 the office limit is off and the evening one says 8M until 08:00 the next day.
    expect(combinedRateAt([office, evening], friday(20))).toEqual({ rate: 8 * 1024 * 1024, until: at(6, 8) });
  });

  it('says the limit for the card and the run log', () => {
    const limits = [{ whose: "this mapping's", text: 'Mon-08:00,2M Fri-19:00,off' }];
    expect(limitedToText(limits, friday(12))).toBe('Limited to 2 MiB/s until 19:00');
    expect(limitedToText(limits, friday(20))).toBeNull();
    expect(bandwidthText(limits, friday(20))).toBe(`Bandwidth limit: unlimited until Mon 08:00 (this mapping's bwLimit "Mon-08:00,2M Fri-19:00,off")`);
    expect(bandwidthText([], friday(20))).toBeNull();
    expect(limitedNowText({ rate: 512 * 1024, until: null }, friday(1))).toBe('Limited to 512 KiB/s');
    expect(momentText(at(6, 7, 5), friday(23))).toBe('Sat 07:05');
  });
});
