// A counting semaphore: at most `capacity` holders at once, FIFO. Used for per-mapping transfers and
// for the global cap across mappings.
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

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
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active--;
          this.admit();
        });
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
      this.admit();
    });
  }

  private admit(): void {
    while (this.active < this.capacity && this.waiting.length > 0) this.waiting.shift()!();
  }
}
