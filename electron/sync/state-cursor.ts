// Reads a mapping's sync state in key order, page by page, so the run can join it with the merged
// listings without loading every object. Objects are handed out in ranges: all up to a key.
import { compareKeys } from '../lib/key-order';
import type { SyncedObject, SyncStatePort } from './ports';

export class StateCursor {
  private buffer: SyncedObject[] = [];
  private index = 0;
  private lastFetchedKey: string | null = null;
  private exhausted = false;

  constructor(
    private readonly state: Pick<SyncStatePort, 'page'>,
    private readonly mappingId: string,
    private readonly pageSize = 1_000,
  ) {}

  /** Objects with key <= `upTo` (every remaining one when `upTo` is null), in key order. */
  async takeThrough(upTo: string | null): Promise<SyncedObject[]> {
    const rows: SyncedObject[] = [];
    for (;;) {
      while (this.index < this.buffer.length) {
        const row = this.buffer[this.index]!;
        if (upTo !== null && compareKeys(row.key, upTo) > 0) return rows;
        rows.push(row);
        this.index++;
      }
      if (this.exhausted) return rows;
      await this.fetch();
    }
  }

  private async fetch(): Promise<void> {
    this.buffer = await this.state.page(this.mappingId, this.lastFetchedKey, this.pageSize);
    this.index = 0;
    if (this.buffer.length < this.pageSize) this.exhausted = true;
    if (this.buffer.length > 0) this.lastFetchedKey = this.buffer[this.buffer.length - 1]!.key;
  }
}
