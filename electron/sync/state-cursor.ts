// Reads a mapping's sync-state rows in key order, page by page, so the run can join them with the
// merged listings without loading every row. Rows are handed out in ranges: all rows up to a key.
import { compareKeys } from '../lib/key-order';
import type { ObjectStateRow } from '../store/objects';

export interface StatePager {
  page(mappingId: string, afterKey: string | null, limit: number): ObjectStateRow[];
}

export class StateCursor {
  private buffer: ObjectStateRow[] = [];
  private index = 0;
  private lastFetchedKey: string | null = null;
  private exhausted = false;

  constructor(
    private readonly pager: StatePager,
    private readonly mappingId: string,
    private readonly pageSize = 1_000,
  ) {}

  /** Rows with key <= `upTo` (every remaining row when `upTo` is null), in key order. */
  takeThrough(upTo: string | null): ObjectStateRow[] {
    const rows: ObjectStateRow[] = [];
    for (;;) {
      while (this.index < this.buffer.length) {
        const row = this.buffer[this.index]!;
        if (upTo !== null && compareKeys(row.key, upTo) > 0) return rows;
        rows.push(row);
        this.index++;
      }
      if (this.exhausted) return rows;
      this.fetch();
    }
  }

  private fetch(): void {
    this.buffer = this.pager.page(this.mappingId, this.lastFetchedKey, this.pageSize);
    this.index = 0;
    if (this.buffer.length < this.pageSize) this.exhausted = true;
    if (this.buffer.length > 0) this.lastFetchedKey = this.buffer[this.buffer.length - 1]!.key;
  }
}
