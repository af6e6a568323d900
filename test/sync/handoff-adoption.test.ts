// After a hand-off (docs/scale-out.md) a transfer service has copied the objects; the mapping's next
// run must adopt what it can prove equal (the same MD5 on both sides: recorded, not copied again),
// copy what it cannot (a multipart upload has no MD5 to compare), and then be a plain no-change run.
// The service's copy is played by writing the same bytes to the target directly, as it would leave them.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSynchronizer, memoryState } from '../../electron/library';
import type { StorageProvider } from '../../electron/providers/provider';
import type { Mapping } from '../../shared/model';
import { startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';

const MiB = 1024 * 1024;
/** What a service copied, by key under the prefixes; `multipart` ones are uploaded in parts at the source. */
const OBJECTS: Record<string, number> = { 'a.txt': 1000, 'dir/b.bin': 70_000, 'dir/c.json': 12 };

let endpoints: Endpoints;
beforeAll(async () => {
  endpoints = await startEndpoints(['s3', 'moto', 'gcs', 'azure']);
}, 120_000);
afterAll(async () => {
  await endpoints?.stop();
});

async function put(provider: StorageProvider, bucket: string, key: string, data: Buffer): Promise<void> {
  await provider.write(bucket, key, async () => Readable.from([data]), data.length, { contentType: 'application/octet-stream' });
}

function mappingOf(id: string): Mapping {
  return {
    id,
    name: id,
    sourceConnectionId: 'source',
    sourceBucket: `${id}-src`,
    sourcePrefix: 'data/',
    targetConnectionId: 'target',
    targetBucket: `${id}-dst`,
    targetPrefix: 'copy/',
    transfers: 4,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
  };
}

// The services' directions: into GCS (Storage Transfer Service) from S3 on two implementations, and into S3 (DataSync) from Azure.
describe.each([
  { from: 's3', to: 'gcs', multipart: false },
  { from: 'moto', to: 'gcs', multipart: true },
  { from: 'azure', to: 's3', multipart: false },
] as { from: EndpointKind; to: EndpointKind; multipart: boolean }[])('after a transfer service copied $from → $to', ({ from, to, multipart }) => {
  it('the next run adopts every object with an MD5 on both sides, copies only what it cannot compare, and the run after checks only', async () => {
    // Small parts so a test-sized object is a multipart upload at the source (moto's ETag "<md5 of md5s>-2").
    const source = endpoints.provider(from, multipart ? { multipartThreshold: 5 * MiB, partSize: 5 * MiB } : undefined);
    const target = endpoints.provider(to);
    const mapping = mappingOf(`handoff-${from}-${to}`);
    await source.createBucket(mapping.sourceBucket);
    await target.createBucket(mapping.targetBucket);
    const objects: Record<string, Buffer> = Object.fromEntries(Object.entries(OBJECTS).map(([key, size]) => [key, randomBytes(size)]));
    if (multipart) objects['big/parts.bin'] = randomBytes(6 * MiB);
    for (const [key, data] of Object.entries(objects)) {
      await put(source, mapping.sourceBucket, `data/${key}`, data);
      await put(target, mapping.targetBucket, `copy/${key}`, data); // what the service left
    }
    if (multipart) expect((await source.head(mapping.sourceBucket, 'data/big/parts.bin'))?.md5).toBeUndefined();

    const sync = createSynchronizer({ connections: [], mappings: [mapping], providers: { source, target }, state: memoryState() });
    try {
      const first = await sync.sync(mapping.id);
      const comparable = Object.keys(OBJECTS).length;
      expect(first.run).toMatchObject({ status: 'success', adopted: comparable, copied: multipart ? 1 : 0, failed: 0, deleted: 0 });
      // What the run copied again is still the same bytes.
      for (const [key, data] of Object.entries(objects)) {
        const read = await target.read(mapping.targetBucket, `copy/${key}`);
        const chunks: Buffer[] = [];
        for await (const chunk of read) chunks.push(chunk as Buffer);
        expect(createHash('md5').update(Buffer.concat(chunks)).digest('hex'), key).toBe(createHash('md5').update(data).digest('hex'));
      }
      const second = await sync.sync(mapping.id);
      expect(second.run).toMatchObject({ status: 'success', adopted: 0, copied: 0, skipped: Object.keys(objects).length });
    } finally {
      await sync.close();
    }
  });
});
