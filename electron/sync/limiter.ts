// A counting semaphore: at most `capacity` holders at once, FIFO. Used for per-mapping transfers and
// for the global cap across mappings.
//
// Waiters share one abort listener per signal: a run queues up to thousands of copies on its one
// signal, and an EventTarget scans its listeners on every add and remove, so a listener per waiter
// made queueing quadratic (≈ 0.3 ms of CPU per object at 2,000 waiting).
interface Waiter {
  grant(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

interface Watch {
  waiters: number;
  onAbort(): void;
}

export class Limiter {
  private active = 0;
  private waiting: Waiter[] = [];
  private readonly watched = new Map<AbortSignal, Watch>();

  constructor(private capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`limiter capacity must be a positive integer, got ${capacity}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** Changes the capacity; waiters are admitted at once if it grew. */
  resize(capacity: number): void {
    this.capacity = capacity;
    this.admit();
  }

  /** Resolves with a release function once a slot is free; rejects if the signal aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      this.waiting.push({
        signal,
        reject,
        grant: () => {
          this.active++;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.active--;
            this.admit();
          });
        },
      });
      if (signal) this.watch(signal);
      this.admit();
    });
  }

  private admit(): void {
    while (this.active < this.capacity && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (next.signal) this.unwatch(next.signal);
      next.grant();
    }
  }

  private watch(signal: AbortSignal): void {
    const watch = this.watched.get(signal);
    if (watch) {
      watch.waiters++;
      return;
    }
    const onAbort = (): void => {
      this.watched.delete(signal);
      const dropped = this.waiting.filter((w) => w.signal === signal);
      this.waiting = this.waiting.filter((w) => w.signal !== signal);
      for (const waiter of dropped) waiter.reject(signal.reason);
    };
    this.watched.set(signal, { waiters: 1, onAbort });
    signal.addEventListener('abort', onAbort, { once: true });
  }

  private unwatch(signal: AbortSignal): void {
    const watch = this.watched.get(signal);
    if (!watch || --watch.waiters > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', watch.onAbort);
  }
}
