// Object names of one bucket kept in UTF-8 byte order, the order GCS lists in. Names sharing a
// prefix form one contiguous run in that order, so a listing is a binary search plus a scan.

interface Entry {
  name: string;
  key: Buffer;
}

export class SortedNames {
  private readonly entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  add(name: string): void {
    const key = Buffer.from(name, 'utf8');
    const i = this.lowerBound(key);
    if (this.entries[i]?.name !== name) this.entries.splice(i, 0, { name, key });
  }

  delete(name: string): void {
    const i = this.lowerBound(Buffer.from(name, 'utf8'));
    if (this.entries[i]?.name === name) this.entries.splice(i, 1);
  }

  /** Names at or after `from` (or strictly after, when `exclusive`), in order. */
  *from(from: string, exclusive: boolean): Generator<string> {
    const key = Buffer.from(from, 'utf8');
    let i = this.lowerBound(key);
    if (exclusive && this.entries[i]?.name === from) i++;
    for (; i < this.entries.length; i++) yield this.entries[i]!.name;
  }

  /** First index whose key is >= `key`. */
  private lowerBound(key: Buffer): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.entries[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
