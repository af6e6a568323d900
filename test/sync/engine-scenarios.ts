// Engine scenarios run for every ordered pair of providers, against real servers. Each pair gets its
// own buckets and SQLite file; the same scenario sequence proves first sync, no-change re-sync (zero
// transfers, by counting provider calls), change, deletion, drift repair and the safety guards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { StorageError } from '../../electron/providers/errors';
import { openStore, type Store } from '../../electron/store';
import { runMapping, type RunOptions } from '../../electron/sync/runner';
import { startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';
import { instrument, type Instrumented } from '../support/instrumented-provider';
import { bytes, contentMap, listAll, putText, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
/** A low part threshold makes the 6 MB object take the multipart / block path where there is one. */
const PARTS = { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 };

/** Keys chosen to catch ordering and encoding mistakes: nesting, spaces, unicode, '+', '%'. */
const SEED: Record<string, Buffer> = {
  'a.txt': Buffer.from('alpha'),
  'a-b/c.txt': Buffer.from('sibling that sorts before a/'),
  'a/b/c.bin': bytes(1, 70_000),
  'a/b/d e+f%g.txt': Buffer.from('spaces plus percent'),
  'docs/日本語/ファイル.txt': Buffer.from('unicode'),
  'docs/😀.txt': Buffer.from('non-BMP'),
  'docs/\uFF5E.txt': Buffer.from('sorts before 😀 in UTF-16 but after it in UTF-8'),
  'big/part.bin': bytes(2, 6 * 1024 * 1024 + 123),
  'z-last.txt': Buffer.from('omega'),
};

export function describeEnginePairs(sourceKind: EndpointKind, targetKinds: readonly EndpointKind[]): void {
  describe(`engine: ${sourceKind} → ${targetKinds.join(', ')}`, () => {
    let endpoints: Endpoints;
    let dir: string;
    beforeAll(async () => {
      endpoints = await startEndpoints([sourceKind, ...targetKinds]);
      dir = await mkdtemp(path.join(tmpdir(), 'cds-engine-'));
    });
    afterAll(async () => {
      await endpoints?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    for (const targetKind of targetKinds) {
      describe(`${sourceKind} → ${targetKind}`, () => {
        let store: Store;
        let source: Instrumented;
        let target: Instrumented;
        let mapping: Mapping;
        const run = (extra: Partial<RunOptions> = {}, m: Partial<Mapping> = {}) =>
          runMapping({ state: store.engineState, mapping: { ...mapping, ...m }, source: source.provider, target: target.provider, sameConnection: false, retry: FAST_RETRY, ...extra });

        beforeAll(async () => {
          store = openStore(path.join(dir, `${sourceKind}-${targetKind}.db`));
          source = instrument(endpoints.provider(sourceKind, PARTS));
          target = instrument(endpoints.provider(targetKind, PARTS));
          const sourceBucket = uniqueBucket('src');
          const targetBucket = uniqueBucket('dst');
          await source.provider.createBucket(sourceBucket);
          await target.provider.createBucket(targetBucket);
          for (const [key, body] of Object.entries(SEED)) await putText(source.provider, sourceBucket, `data/${key}`, body, { contentType: 'text/plain' });
          store.connections.upsert({ id: 'src', name: 'src', type: 'local', local: { root: '/unused' } });
          store.connections.upsert({ id: 'dst', name: 'dst', type: 'local', local: { root: '/unused' } });
          mapping = {
            id: `${sourceKind}-${targetKind}`, name: `${sourceKind}-${targetKind}`,
            sourceConnectionId: 'src', sourceBucket, sourcePrefix: 'data/',
            targetConnectionId: 'dst', targetBucket, targetPrefix: 'mirror/',
            transfers: 4, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
          };
          store.mappings.upsert(mapping);
        });
        afterAll(() => store?.close());

        it('dry run reports the plan and changes nothing', async () => {
          const { run: r, preview } = await run({ dryRun: true });
          expect(r).toMatchObject({ status: 'success', dryRun: true, copied: Object.keys(SEED).length });
          expect(preview.copies.map((c) => c.key).sort()).toEqual(Object.keys(SEED).sort());
          expect(await listAll(target.provider, mapping.targetBucket)).toEqual([]);
          expect(store.objects.count(mapping.id)).toBe(0);
        });

        it('first sync copies every object, byte for byte, under the target prefix', async () => {
          const { run: r } = await run();
          expect(r).toMatchObject({ status: 'success', copied: Object.keys(SEED).length, failed: 0, firstError: null, errorCode: null });
          expect(await contentMap(target.provider, mapping.targetBucket, 'mirror/')).toEqual(await contentMap(source.provider, mapping.sourceBucket, 'data/'));
          if (source.provider.capabilities.metadata && target.provider.capabilities.metadata) {
            expect((await target.provider.head(mapping.targetBucket, 'mirror/a.txt'))?.contentType).toBe('text/plain');
          }
        });

        it('re-sync with no change transfers nothing (no read, head, write or delete)', async () => {
          source.reset();
          target.reset();
          const { run: r } = await run();
          expect(r).toMatchObject({ status: 'success', copied: 0, skipped: Object.keys(SEED).length, deleted: 0 });
          expect({ ...source.calls, list: 0 }).toMatchObject({ read: 0, head: 0, write: 0, remove: 0, copy: 0 });
          expect({ ...target.calls, list: 0 }).toMatchObject({ read: 0, head: 0, write: 0, remove: 0, copy: 0 });
        });

        it('copies an object changed at the source with the same size', async () => {
          const changed = bytes(99, SEED['a/b/c.bin']!.length);
          await putText(source.provider, mapping.sourceBucket, 'data/a/b/c.bin', changed);
          const { run: r } = await run();
          expect(r).toMatchObject({ status: 'success', copied: 1 });
          expect((await readAll(target.provider, mapping.targetBucket, 'mirror/a/b/c.bin')).equals(changed)).toBe(true);
        });

        it('deletes at the target what was deleted at the source, and only what it synced', async () => {
          await putText(target.provider, mapping.targetBucket, 'mirror/not-ours.txt', 'placed by someone else');
          await source.provider.remove(mapping.sourceBucket, ['data/z-last.txt']);
          const { run: r } = await run();
          expect(r).toMatchObject({ status: 'success', deleted: 1, copied: 0 });
          const keys = (await listAll(target.provider, mapping.targetBucket)).map((o) => o.key);
          expect(keys).not.toContain('mirror/z-last.txt');
          expect(keys).toContain('mirror/not-ours.txt');
        });

        it('repairs drift: a target object altered or removed behind our back', async () => {
          await putText(target.provider, mapping.targetBucket, 'mirror/a.txt', 'tampered');
          await target.provider.remove(mapping.targetBucket, ['mirror/docs/😀.txt']);
          const { run: r } = await run();
          expect(r).toMatchObject({ status: 'success', copied: 2 });
          expect((await readAll(target.provider, mapping.targetBucket, 'mirror/a.txt')).toString()).toBe('alpha');
          expect((await readAll(target.provider, mapping.targetBucket, 'mirror/docs/😀.txt')).toString()).toBe('non-BMP');
        });

        it('retries a transfer that fails twice, then succeeds', async () => {
          await putText(source.provider, mapping.sourceBucket, 'data/flaky.txt', 'eventually');
          target.failNext('write', 2, () => new StorageError('Transient', 'injected network failure'));
          const { run: r } = await run();
          expect(r).toMatchObject({ status: 'success', copied: 1, failed: 0 });
          expect((await readAll(target.provider, mapping.targetBucket, 'mirror/flaky.txt')).toString()).toBe('eventually');
          const retries = store.logs.query({ mappingId: mapping.id, runId: r.id, text: 'Retrying', limit: 10 });
          expect(retries).toHaveLength(2);
        });

        it('trips the maxDelete guard without deleting anything', async () => {
          await source.provider.remove(mapping.sourceBucket, ['data/a.txt', 'data/docs/😀.txt', 'data/flaky.txt']);
          const before = await contentMap(target.provider, mapping.targetBucket);
          const { run: r } = await run({}, { maxDelete: { kind: 'count', value: 2 } });
          expect(r.status).toBe('failed');
          expect(r.deleted).toBe(0);
          expect(r.firstError).toMatch(/maxDelete guard tripped: this run would delete 3 object/);
          expect(r.errorCode).toBe('MaxDeleteGuard');
          expect(await contentMap(target.provider, mapping.targetBucket)).toEqual(before);
        });

        it('never deletes when the source bucket is missing', async () => {
          const before = await contentMap(target.provider, mapping.targetBucket);
          const { run: r } = await run({}, { sourceBucket: uniqueBucket('gone'), deleteMode: 'mirror' });
          expect(r.status).toBe('failed');
          expect(r.firstError).toMatch(/source bucket "gone-.*" was not found.*Nothing was deleted/);
          expect(r.errorCode).toBe('NotFound');
          expect(await contentMap(target.provider, mapping.targetBucket)).toEqual(before);
        });
      });
    }
  });
}
