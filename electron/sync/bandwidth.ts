// Bandwidth limits (rclone's --bwlimit): token buckets the bytes of every streamed copy pass through.
// A run's copies take tokens from its mapping's bucket and from the global bucket its service shares
// with every other run, so both limits hold at once. The rate is asked for again each time tokens are
// refilled, so a timetable that changes at 19:00 changes a transfer that is under way. Server-side
// copies move no bytes through us and are not limited (as in rclone).
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBwLimit, rateAt, type BwLimit } from '../../shared/bandwidth';

/** Time as the buckets see it; tests pass a fake one. */
export interface BandwidthClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: BandwidthClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
};

/** The limit in bytes per second at a time (ms since the epoch), or null: no limit then. */
export type RateAt = (nowMs: number) => number | null;

export const UNLIMITED: RateAt = () => null;

/**
 * A full bucket holds this many seconds of bytes at the current rate: the most that can pass at once
 * after an idle spell. Small, so a measured rate stays close to the limit even over a few seconds.
 */
const BURST_SECONDS = 0.1;
/** A waiter re-reads the rate at least this often (a timetable change, a new global setting). */
const MAX_SLEEP_MS = 250;
/**
 * A throttled stream passes its chunks on in pieces of at most this many bytes, and at most a full
 * bucket, so the flow stays even and no piece is let through ahead of its tokens.
 */
export const SLICE_BYTES = 16 * 1024;

interface Waiter {
  bytes: number;
  grant(): void;
}

/**
 * One limit: tokens (bytes) refill at the rate `rateAt` gives for now, up to BURST_SECONDS of them;
 * it starts empty, so a new limit allows no burst at all. Waiters are served first come, first
 * served. A request bigger than a full bucket is granted once the bucket is full and leaves a debt
 * the next requests wait for, so a large chunk never stalls and the average rate still holds. While
 * `rateAt` says null, everything passes at once and no tokens are saved up.
 */
export class TokenBucket {
  private tokens = 0;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private serving = false;

  constructor(
    private rateAt: RateAt,
    private readonly clock: BandwidthClock = SYSTEM_CLOCK,
  ) {
    this.last = clock.now();
  }

  /** The limit now, bytes per second; null: none. */
  rate(): number | null {
    return this.rateAt(this.clock.now());
  }

  /** The most bytes a full bucket holds now; Infinity while there is no limit. */
  size(): number {
    const rate = this.rate();
    return rate === null ? Infinity : capacity(rate);
  }

  /** Replaces the limit (a changed setting); waiters are served under the new one from their next refill. */
  setLimit(rateAt: RateAt): void {
    this.rateAt = rateAt;
    this.serve();
  }

  /** Resolves once `bytes` may pass; rejects with the signal's reason if it aborts first. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.waiters.length === 0 && this.tryTake(bytes)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        bytes,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.serve();
    });
  }

  /** Adds the tokens earned since the last refill at the rate of now; returns that rate. */
  private refill(): number | null {
    const now = this.clock.now();
    const rate = this.rateAt(now);
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (rate === null) {
      this.tokens = 0;
      return null;
    }
    this.tokens = Math.min(capacity(rate), this.tokens + elapsed * rate);
    return rate;
  }

  private tryTake(bytes: number): boolean {
    const rate = this.refill();
    if (rate === null) return true;
    if (this.tokens < Math.min(bytes, capacity(rate))) return false;
    this.tokens -= bytes; // below zero for a request bigger than the bucket: a debt
    return true;
  }

  /** One loop at a time grants the waiters in order, sleeping until the head's tokens are there. */
  private serve(): void {
    if (this.serving) return;
    this.serving = true;
    void (async () => {
      try {
        while (this.waiters.length > 0) {
          const head = this.waiters[0]!;
          if (this.tryTake(head.bytes)) {
            this.waiters.shift();
            head.grant();
            continue;
          }
          const rate = this.rateAt(this.clock.now()) ?? Infinity;
          const missing = Math.min(head.bytes, capacity(rate)) - this.tokens;
          await this.clock.sleep(Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil((missing / rate) * 1000))));
        }
      } finally {
        this.serving = false;
      }
    })();
  }
}

function capacity(rate: number): number {
  return Math.max(1, rate * BURST_SECONDS);
}

/**
 * The limits one run's bytes pass through: its mapping's bucket and the global one (either may be
 * absent). Each piece of a chunk takes its tokens from every bucket, in order.
 */
export class Throttle {
  private readonly buckets: TokenBucket[];

  constructor(...buckets: Array<TokenBucket | undefined>) {
    this.buckets = buckets.filter((b): b is TokenBucket => b !== undefined);
  }

  /** Some bucket limits the rate now. */
  limited(): boolean {
    return this.buckets.some((b) => b.rate() !== null);
  }

  /** The size of the pieces chunks are cut into now: SLICE_BYTES, or the smallest full bucket. */
  private pieceBytes(): number {
    return Math.max(1, Math.floor(Math.min(SLICE_BYTES, ...this.buckets.map((b) => b.size()))));
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (const bucket of this.buckets) await bucket.take(bytes, signal);
  }

  /**
   * `body`'s bytes, each piece let through once every bucket granted it: chunks are cut into pieces
   * (pieceBytes) while a limit applies, and passed whole while none does. Reads `body` only
   * as fast as they are let through (back-pressure). Destroying the result destroys `body`.
   */
  stream(body: Readable, signal?: AbortSignal): Readable {
    const throttle = this;
    async function* limited(): AsyncGenerator<Buffer> {
      for await (const chunk of body as AsyncIterable<Buffer | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (!throttle.limited()) {
          yield buf;
          continue;
        }
        for (let offset = 0; offset < buf.length; ) {
          const piece = buf.subarray(offset, offset + throttle.pieceBytes());
          await throttle.take(piece.length, signal);
          offset += piece.length;
          yield piece;
        }
      }
    }
    const out = Readable.from(limited(), { objectMode: false });
    out.once('close', () => body.destroy());
    return out;
  }
}

/** The RateAt of a limit; a timetable is read again only once the entry that applied has ended. */
export function rateOfLimit(limit: BwLimit | null): RateAt {
  if (limit === null) return UNLIMITED;
  if (limit.kind === 'fixed') {
    const { rate } = limit;
    return () => rate;
  }
  let known: { rate: number | null; from: number; until: number } | undefined;
  return (nowMs) => {
    if (known === undefined || nowMs < known.from || nowMs >= known.until) {
      const now = rateAt(limit, new Date(nowMs));
      known = { rate: now.rate, from: nowMs, until: now.until?.getTime() ?? Infinity };
    }
    return known.rate;
  };
}

/**
 * A bandwidth limit by its text (shared/bandwidth.ts; null: none) and the bucket that enforces it. The
 * global one lives as long as its sync service and changes with the setting; a mapping's lasts one run.
 */
export class BandwidthLimit {
  readonly bucket: TokenBucket;
  private current: string | null = null;
  private parsed: BwLimit | null = null;

  /** Throws a RangeError naming bwLimit when `text` is not a limit. */
  constructor(text: string | null | undefined, clock: BandwidthClock = SYSTEM_CLOCK) {
    this.bucket = new TokenBucket(UNLIMITED, clock);
    this.set(text);
  }

  /** The limit's text; null when there is none. */
  get text(): string | null {
    return this.current;
  }

  /** The limit, parsed; null when there is none. */
  get limit(): BwLimit | null {
    return this.parsed;
  }

  /** Replaces the limit; transfers under way follow the new one at once. Throws as the constructor does. */
  set(text: string | null | undefined): void {
    const trimmed = text?.trim() ?? '';
    if (trimmed === '') {
      this.current = null;
      this.parsed = null;
      this.bucket.setLimit(UNLIMITED);
      return;
    }
    const limit = parseBwLimit(trimmed);
    if ('problem' in limit) throw new RangeError(`bwLimit ${limit.problem}`);
    this.current = trimmed;
    this.parsed = limit;
    this.bucket.setLimit(rateOfLimit(limit));
  }
}
