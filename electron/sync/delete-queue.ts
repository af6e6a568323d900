// A run's planned deletions, in key order, until its delete phase. Held in memory up to a limit and
// spilled to the pending-deletes port past it, so a mirror run against an emptied source (one delete
// per target object) does not hold the whole target listing in memory.
import type { PendingDelete, PendingDeletesPort } from './ports';

export class DeleteQueue {
  private buffer: PendingDelete[] = [];
  private spilled = false;
  private total = 0;
  /** The first deletes planned (up to `keepFirst`), for a dry run's preview. */
  readonly first: PendingDelete[] = [];

  /**
   * `keepAll` false (a dry run, which deletes nothing): only the count and the first are kept.
   * `memoryLimit`: how many deletes are held before they are spilled to `port`.
   */
  constructor(
    private readonly port: PendingDeletesPort,
    private readonly runId: number,
    private readonly options: { keepAll: boolean; memoryLimit: number; keepFirst: number },
  ) {
    if (!Number.isInteger(options.memoryLimit) || options.memoryLimit < 1) throw new RangeError('memoryLimit must be a positive integer');
  }

  get count(): number {
    return this.total;
  }

  /** Adds a delete; keys must come in ascending order. */
  async add(d: PendingDelete): Promise<void> {
    this.total++;
    if (this.first.length < this.options.keepFirst) this.first.push(d);
    if (!this.options.keepAll) return;
    this.buffer.push(d);
    if (this.buffer.length >= this.options.memoryLimit) await this.spill();
  }

  /** Every delete added, in key order, in batches of up to `size`. */
  async *batches(size: number): AsyncIterable<PendingDelete[]> {
    if (!this.spilled) {
      for (let i = 0; i < this.buffer.length; i += size) yield this.buffer.slice(i, i + size);
      return;
    }
    if (this.buffer.length > 0) await this.spill();
    let afterKey: string | null = null;
    for (;;) {
      const page = await this.port.page(this.runId, afterKey, size);
      if (page.length > 0) yield page;
      if (page.length < size) return;
      afterKey = page[page.length - 1]!.key;
    }
  }

  /** Forgets what was spilled. Call once the run is over, whatever its outcome. */
  async clear(): Promise<void> {
    this.buffer = [];
    if (this.spilled) await this.port.clear(this.runId);
  }

  private async spill(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.spilled = true;
    await this.port.append(this.runId, batch);
  }
}
