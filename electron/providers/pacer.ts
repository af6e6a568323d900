// One pacer per connection (rclone's lib/pacer idea): calls on a connection are spaced by a delay
// that grows when the service says "slow down" and shrinks again as calls succeed. So a Throttled
// answer slows every transfer on that connection together, instead of each one retrying at full
// speed on its own and keeping the service overloaded.
import { setTimeout as sleep } from 'node:timers/promises';

export interface PacerOptions {
  /** Spacing after the first Throttled answer. */
  minDelayMs: number;
  /** Spacing never grows beyond this. */
  maxDelayMs: number;
}

export const DEFAULT_PACER: PacerOptions = { minDelayMs: 10, maxDelayMs: 2_000 };

export class Pacer {
  private delay = 0;
  /** When the next call may start (ms since epoch). */
  private nextStart = 0;

  constructor(private readonly options: PacerOptions = DEFAULT_PACER) {}

  /** The current spacing between calls; 0 while the service has not throttled us lately. */
  get delayMs(): number {
    return this.delay;
  }

  /** Resolves when a call may start: at once while unthrottled, else one `delayMs` after the previous start. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (this.delay === 0) return;
    const now = Date.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + this.delay;
    if (start > now) await sleep(start - now, undefined, { signal });
  }

  /** The service asked us to slow down: double the spacing. */
  throttled(): void {
    this.delay = Math.min(this.options.maxDelayMs, Math.max(this.options.minDelayMs, this.delay * 2));
  }

  /** A call succeeded: halve the spacing, back to none below the minimum. */
  succeeded(): void {
    if (this.delay === 0) return;
    const next = Math.floor(this.delay / 2);
    this.delay = next < this.options.minDelayMs ? 0 : next;
  }
}
