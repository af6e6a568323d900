// A provider that invents its objects: N keys listed lazily in sorted order, so the engine can be
// measured at bucket sizes no test server could hold. Writes are consumed and discarded.
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ObjectInfo, OpenSource, StorageProvider, WriteResult } from '../../electron/providers/provider';

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
  return {
    type: 'local',
    capabilities: { serverSideCopy: false, metadata: false, md5InListing: false, multipartThreshold: Number.POSITIVE_INFINITY },
    async listBuckets() {
      return ['synthetic'];
    },
    async createBucket() {},
    async deleteBucket() {},
    async *list(_bucket, prefix) {
      // Keys sorted by (index % 1000, index): walk that order lazily. Like a real listing, each page
      // of 1,000 keys arrives in its own turn of the event loop.
      let listed = 0;
      for (let folder = 0; folder < 1000; folder++) {
        for (let index = folder; index < options.objects; index += 1000) {
          if (++listed % 1000 === 0) await yieldToLoop();
          const key = syntheticKey(index);
          if (!key.startsWith(prefix)) continue;
          const etag = options.changed?.(index) ? `changed-${index}` : `etag-${index}`;
          yield { key, size: 1024, etag, lastModified: 1_700_000_000_000 } satisfies ObjectInfo;
        }
      }
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
}
