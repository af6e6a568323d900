// How many copies a mapping runs at once, found while it runs (AIMD): start at the mapping's
// `transfers`, add a step while each step makes throughput rise, keep the last step that paid, and
// halve on a Throttled answer. On a high-latency link an object's copy is mostly waiting, so
// throughput grows with concurrency until the link, the server or this machine's CPU is the limit;
// measuring it finds that point without the user tuning `transfers`.
//
// Pure logic: the runner reports completions and Throttled answers and applies `limit`; the clock is
// injected, so tests drive it with synthetic completions.
import { formatBytes } from '../../shared/format';

export interface AdaptiveOptions {
  /** The mapping's `transfers`: the first limit, and the floor. */
  start: number;
  /** The most the limit may reach (default MAX_ADAPTIVE_TRANSFERS). */
  max?: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
  /** Told every new limit, to resize the mapping's limiter. */
  onLimit?: (limit: number) => void;
  /** Told a sentence for the run's log when the limit changed meaningfully (a few per run at most). */
  onNote?: (message: string) => void;
}

/**
 * The providers' HTTP keep-alive pool holds 64 sockets (keep-alive-agent.ts): more copies than that
 * would queue in the agent, not on the link. Not a multiple of `transfers`: a user who kept the
 * default should get the same ceiling as one who guessed.
 */
export const MAX_ADAPTIVE_TRANSFERS = 64;
/** A window's throughput must beat the previous one by this share to count as a rise (noise on a busy machine is ~5%). */
const MARGIN = 0.1;
/** A window lasts at least this long and spans at least two rounds of the slots (see completed). */
const WINDOW_MS = 500;
const WINDOW_MIN_OBJECTS = 16;
/** Saturated windows spent holding before one more step is tried: after a step that did not pay, and (longer) after a Throttled answer. */
const HOLD_WINDOWS = 10;
const HOLD_WINDOWS_THROTTLED = 40;
/** A note after the first of its kind waits this long after the previous one, so a long run logs a few lines, not one per step. */
const NOTE_QUIET_MS = 60_000;

interface Rate {
  objects: number;
  bytes: number;
}

type Phase =
  | { kind: 'probe'; from: number; base: Rate } // measuring a step up from `from`
  | { kind: 'hold'; windowsLeft: number; best?: Rate }; // measuring the current limit before a step

export class AdaptiveConcurrency {
  private current: number;
  private readonly floor: number;
  private readonly max: number;
  /** Additive step: the user's transfers, at least 4, so one step's gain shows above the noise at the start. */
  private readonly step: number;
  private readonly now: () => number;
  /** A run starts by measuring its first limit over two windows, so one window that noise made low is not the base. */
  private phase: Phase = { kind: 'hold', windowsLeft: 2 };
  /** The window being measured: completions before `settleLeft` reaches 0 belong to the previous limit's round and are not counted. */
  private window = { start: 0, objects: 0, bytes: 0, demanded: 0, settleLeft: 0 };
  /** Attempts that end (completions and Throttled answers, counting down) before another Throttled answer may halve again: one decrease per round of the slots. */
  private decreaseGuard = 0;
  private announced: number;
  private lastNoteAt = -Infinity;
  private raisedNoted = false;
  private loweredNoted = false;
  /** The limit and throughput a climb began at, and its last rise, for the note. */
  private climb: { from: number; first: Rate; last: Rate; rises: number } | null = null;

  constructor(private readonly options: AdaptiveOptions) {
    if (!Number.isInteger(options.start) || options.start < 1) throw new RangeError(`start must be a positive integer, got ${options.start}`);
    this.floor = options.start;
    this.max = Math.max(options.start, options.max ?? MAX_ADAPTIVE_TRANSFERS);
    this.step = Math.max(4, options.start);
    this.now = options.now ?? (() => performance.now());
    this.current = options.start;
    this.announced = options.start;
    // The first round pays for new connections (and the listing's start): not a fair baseline.
    this.newWindow(options.start);
  }

  get limit(): number {
    return this.current;
  }

  /**
   * A copy finished. `demand`: every slot of the limit was copying and more copies were waiting, so
   * the limit was what held them back. A window mostly without demand (the listing is behind, the
   * run is ending, the global cap across mappings binds first) says nothing about the limit: it is
   * not compared, and a step measured so did not pay.
   */
  completed(bytes: number, demand: boolean): void {
    if (this.decreaseGuard > 0) this.decreaseGuard--;
    const w = this.window;
    if (w.settleLeft > 0) {
      if (--w.settleLeft === 0) w.start = this.now();
      return;
    }
    w.objects++;
    w.bytes += bytes;
    if (demand) w.demanded++;
    const elapsed = this.now() - w.start;
    // Two rounds of the slots at least: one round's completions bunch up after a change.
    if (elapsed < WINDOW_MS || w.objects < Math.max(WINDOW_MIN_OBJECTS, 2 * this.current)) return;
    const saturated = w.demanded * 2 >= w.objects;
    const rate = { objects: (w.objects * 1000) / elapsed, bytes: (w.bytes * 1000) / elapsed };
    this.newWindow(0);
    this.judge(rate, saturated);
  }

  /**
   * The service answered Throttled: halve, never below `transfers` (the user's own figure, which the
   * connection's pacer already slows down below by spacing calls), then hold before trying again.
   * A burst of Throttled answers to the copies of one round counts once.
   */
  throttled(): void {
    if (this.decreaseGuard > 0) {
      this.decreaseGuard--;
      return;
    }
    this.decreaseGuard = this.current;
    this.phase = { kind: 'hold', windowsLeft: HOLD_WINDOWS_THROTTLED };
    this.climb = null;
    const lowered = Math.max(this.floor, Math.floor(this.current / 2));
    if (lowered === this.current) return;
    this.set(lowered, this.current);
    if (this.mayNote(this.loweredNoted)) {
      this.loweredNoted = true;
      this.note(`Concurrency lowered to ${lowered} after a Throttled answer`);
    }
  }

  /**
   * The run ended: says so if the limit was still climbing (a climb that ended has been said). The
   * step under way was not judged, and the run may have ended before its copies filled it: the limit
   * said is the last one a window proved, which the copies did reach.
   */
  finish(): void {
    if (this.phase.kind === 'probe' && this.phase.from > this.announced && this.climb && this.climb.rises > 0) {
      this.note(`Concurrency raised to ${this.phase.from} (throughput still rising: ${this.climbText()})`);
    }
  }

  private judge(rate: Rate, saturated: boolean): void {
    const phase = this.phase;
    if (phase.kind === 'hold') {
      if (!saturated) return;
      // A step must beat the best window held, not one that noise made low.
      phase.best = phase.best ? { objects: Math.max(phase.best.objects, rate.objects), bytes: Math.max(phase.best.bytes, rate.bytes) } : rate;
      if (--phase.windowsLeft <= 0) this.stepUp(phase.best);
      return;
    }
    if (saturated && rising(phase.base, rate)) {
      if (this.climb) {
        this.climb.last = rate;
        this.climb.rises++;
      }
      if (this.current < this.max) return this.stepUp(rate);
      this.phase = { kind: 'hold', windowsLeft: HOLD_WINDOWS };
      return this.endClimb(this.current);
    }
    // The step did not pay: back to the limit that did, and hold.
    this.set(phase.from, this.current);
    this.phase = { kind: 'hold', windowsLeft: HOLD_WINDOWS };
    this.endClimb(phase.from);
  }

  private stepUp(base: Rate): void {
    if (this.current >= this.max) {
      this.phase = { kind: 'hold', windowsLeft: HOLD_WINDOWS };
      return;
    }
    this.climb ??= { from: this.current, first: base, last: base, rises: 0 };
    const from = this.current;
    this.phase = { kind: 'probe', from, base };
    this.set(Math.min(this.max, from + this.step), from);
  }

  private endClimb(settled: number): void {
    if (settled > this.announced && this.climb && this.climb.rises > 0 && this.mayNote(this.raisedNoted)) {
      this.raisedNoted = true;
      this.note(`Concurrency raised to ${settled} (${this.climbText()}; it stopped rising above that)`);
    }
    this.climb = null;
  }

  private climbText(): string {
    const { from, first, last } = this.climb!;
    return `from ${from} transfers at ${rateText(first)} to ${rateText(last)}`;
  }

  private set(limit: number, previous: number): void {
    this.current = limit;
    // The copies that started under the previous limit finish first: their round is not measured.
    this.newWindow(Math.min(previous, limit));
    this.options.onLimit?.(limit);
  }

  private newWindow(settle: number): void {
    this.window = { start: this.now(), objects: 0, bytes: 0, demanded: 0, settleLeft: settle };
  }

  /** The first note of a kind is always said; a later one only after a quiet spell. */
  private mayNote(saidBefore: boolean): boolean {
    return !saidBefore || this.now() - this.lastNoteAt >= NOTE_QUIET_MS;
  }

  private note(message: string): void {
    this.announced = this.current;
    this.lastNoteAt = this.now();
    this.options.onNote?.(message);
  }
}

function rateText(rate: Rate): string {
  return `${Math.round(rate.objects)} objects/s (${formatBytes(rate.bytes)}/s)`;
}

/** More objects/s without fewer bytes/s, or more bytes/s without fewer objects/s (a bucket of mixed sizes). */
function rising(before: Rate, after: Rate): boolean {
  const rose = (a: number, b: number) => b > a * (1 + MARGIN);
  const held = (a: number, b: number) => b >= a * (1 - MARGIN);
  return (rose(before.objects, after.objects) && held(before.bytes, after.bytes)) || (rose(before.bytes, after.bytes) && held(before.objects, after.objects));
}
