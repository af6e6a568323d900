// A provider that invents its objects: N keys listed lazily in sorted order, so the engine can be
// measured at bucket sizes no test server could hold. Writes are consumed and discarded.
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { pagedList } from '../../electron/providers/listing';
import type { ListPage, ObjectInfo, OpenSource, StorageProvider, WriteResult } from '../../electron/providers/provider';

export interface SyntheticOptions {
  objects: number;
  /** Keys whose index satisfies this get a different etag (a "changed" object). */
  changed?: (index: number) => boolean;
}

/** Zero-padded keys sort in UTF-8 byte order exactly as their indexes do. */
export function syntheticKey(index: number): string {
  return `data/${String(index % 1000).padStart(3, '0')}/object-${String(index).padStart(9, '0')}`;
}

export function createSyntheticProvider(options: SyntheticOptions): StorageProvider {
  const keyIndex = (key: string) => Number(key.slice(-9));
  // Keys sorted by (index % 1000, index): the index listed after `index`, undefined after the last.
  const indexAfter = (index: number): number | undefined => {
    if (index + 1000 < options.objects) return index + 1000;
    const folder = (index % 1000) + 1;
    return folder < Math.min(1000, options.objects) ? folder : undefined;
  };
  const provider: StorageProvider = {
    type: 'local',
    capabilities: { serverSideCopy: false, metadata: false, md5InListing: false, multipartThreshold: Number.POSITIVE_INFINITY },
    async listBuckets() {
      return ['synthetic'];
    },
    async createBucket() {},
    async deleteBucket() {},
    list: pagedList({ listPage: (...a) => provider.listPage(...a) }),
    async listPage(_bucket, prefix, token, _signal, limit = 1000): Promise<ListPage> {
      // The token is the last key listed. Like a real listing, each page arrives in its own turn of
      // the event loop.
      await yieldToLoop();
      let index = token === null ? (options.objects > 0 ? 0 : undefined) : indexAfter(keyIndex(token));
      const items: ObjectInfo[] = [];
      let last = '';
      while (index !== undefined && items.length < limit) {
        const key = syntheticKey(index);
        last = key;
        if (key.startsWith(prefix)) {
          const etag = options.changed?.(index) ? `changed-${index}` : `etag-${index}`;
          items.push({ key, size: 1024, etag, lastModified: 1_700_000_000_000 });
        }
        index = indexAfter(index);
      }
      return { items, skipped: [], next: index === undefined ? null : last };
    },
    async head(_bucket, key) {
      return { key, size: 1024, etag: `etag-${keyIndex(key)}`, lastModified: 1_700_000_000_000 };
    },
    async read() {
      return Readable.from([Buffer.alloc(1024, 7)]);
    },
    async write(_bucket, key, open: OpenSource, size): Promise<WriteResult> {
      for await (const _ of await open());
      await yieldToLoop(); // the upload's network round trip
      return { etag: `written-${keyIndex(key)}`, size };
    },
    async remove() {},
    async close() {},
  };
  return provider;
}
