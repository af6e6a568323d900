// Filters on real storage, through the SQLite store: local folders → an S3 server (s3rver) and back.
// The scenarios run in order on one mapping and one store per pair, as a user would change filters
// on a mapping that has synced before.
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import type { StorageProvider } from '../../electron/providers/provider';
import { createLocalProvider } from '../../electron/providers/local';
import { openStore, type Store } from '../../electron/store';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping, type RunLogLine } from '../../electron/sync/runner';
import { startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';
import { bytes, listAll, putText, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const DAY_MS = 86_400_000;

/** Keys relative to the prefixes, in key order. */
const SEED: Record<string, Buffer> = {
  'big.bin': bytes(1, 3_000),
  'cache/c.txt': Buffer.from('cached'),
  'keep/a.txt': Buffer.from('alpha'),
  'keep/b.jpg': Buffer.from('jpeg'),
  'notes.bak': Buffer.from('backup'),
  'tmp/x.tmp': Buffer.from('temporary'),
};
const ALL = Object.keys(SEED);

const PAIRS: [EndpointKind, EndpointKind][] = [
  ['local', 's3'],
  ['s3', 'local'],
];

describe('filters: excluded objects are never copied and never deleted unless deleteExcluded', () => {
  let endpoints: Endpoints;
  let dir: string;
  beforeAll(async () => {
    endpoints = await startEndpoints(['local', 's3']);
    dir = await mkdtemp(path.join(tmpdir(), 'cds-filters-'));
  });
  afterAll(async () => {
    await endpoints?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [sourceKind, targetKind] of PAIRS) {
    describe(`${sourceKind} → ${targetKind}`, () => {
      let store: Store;
      let source: StorageProvider;
      let target: StorageProvider;
      let mapping: Mapping;
      let logs: RunLogLine[];

      /** A run of the mapping with `filters` (and other settings) in place of the saved ones' filters. */
      const run = (m: Partial<Mapping> = {}, dryRun = false) => {
        logs = [];
        // One pending delete in memory: the rest spill to SQLite, whose schema must take the reason 'excluded'.
        return runMapping({ state: store.engineState, mapping: { ...mapping, ...m }, source, target, sameConnection: false, retry: FAST_RETRY, dryRun, pendingDeletesInMemory: 1, onLog: (l) => logs.push(l) });
      };
      const targetKeys = async () => (await listAll(target, mapping.targetBucket, 'mirror/')).map((o) => o.key.slice('mirror/'.length)).sort();
      /** Sets a local object's modification time (the S3 server always says "now"). */
      const age = async (kind: EndpointKind, bucket: string, key: string, days: number) => {
        if (kind !== 'local') throw new Error('only local objects can be aged');
        const when = new Date(Date.now() - days * DAY_MS);
        await utimes(path.join(endpoints.localRoot, bucket, ...key.split('/')), when, when);
      };

      beforeAll(async () => {
        store = openStore(path.join(dir, `${sourceKind}-${targetKind}.db`));
        source = endpoints.provider(sourceKind);
        target = endpoints.provider(targetKind);
        const sourceBucket = uniqueBucket('src');
        const targetBucket = uniqueBucket('dst');
        await source.createBucket(sourceBucket);
        await target.createBucket(targetBucket);
        for (const [key, body] of Object.entries(SEED)) await putText(source, sourceBucket, `data/${key}`, body);
        store.connections.upsert({ id: 'src', name: 'src', type: 'local', local: { root: '/unused' } });
        store.connections.upsert({ id: 'dst', name: 'dst', type: 'local', local: { root: '/unused' } });
        mapping = {
          id: `${sourceKind}-${targetKind}`, name: `${sourceKind}-${targetKind}`,
          sourceConnectionId: 'src', sourceBucket, sourcePrefix: 'data/',
          targetConnectionId: 'dst', targetBucket, targetPrefix: 'mirror/',
          transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
        };
        store.mappings.upsert(mapping);
      });
      afterAll(() => store?.close());

      it('include, exclude globs, excludeRegex and maxSize: only what passes is copied; the log and the outcome count each rule', async () => {
        const filters = { include: ['*.txt', '*.jpg', '*.bin', '*.bak', '*.tmp'], exclude: ['*.tmp', '/cache/**'], excludeRegex: ['\\.bak$'], maxSize: 1024 };
        const preview = await run(filters, true);
        expect(preview.run).toMatchObject({ status: 'success', copied: 2 });
        expect(preview.preview.copies.map((c) => c.key)).toEqual(['keep/a.txt', 'keep/b.jpg']);
        const expected = [
          { rule: 'maxSize 1 KiB', count: 1 },
          { rule: 'exclude "/cache/**"', count: 1 },
          { rule: 'excludeRegex "\\\\.bak$"', count: 1 },
          { rule: 'exclude "*.tmp"', count: 1 },
        ];
        expect(preview.excluded).toEqual(expected);

        const outcome = await run(filters);
        expect(outcome.run).toMatchObject({ status: 'success', copied: 2, deleted: 0, failed: 0 });
        expect(outcome.excluded).toEqual(expected);
        expect(await targetKeys()).toEqual(['keep/a.txt', 'keep/b.jpg']);
        expect(logs.map((l) => l.message)).toContain('Excluded by filters: 1 by maxSize 1 KiB, 1 by exclude "/cache/**", 1 by excludeRegex "\\\\.bak$", 1 by exclude "*.tmp"');
        expect(store.objects.count(mapping.id)).toBe(2);
      });

      it('includeRegex with include: a key must match one of them', async () => {
        const { run: r, excluded } = await run({ include: ['keep/*.jpg'], includeRegex: ['^big'] }, true);
        expect(r).toMatchObject({ status: 'success', copied: 1, skipped: 1 }); // big.bin new, keep/b.jpg synced
        expect(excluded).toEqual([{ rule: 'include (matched none)', count: 4 }]);
      });

      it('a filter that excludes objects synced before deletes nothing (mirror mode) and keeps their state', async () => {
        expect((await run()).run).toMatchObject({ status: 'success', copied: 4, skipped: 2 });
        expect(await targetKeys()).toEqual(ALL);
        const narrowed = await run({ include: ['/keep/**'] });
        expect(narrowed.run).toMatchObject({ status: 'success', copied: 0, skipped: 2, deleted: 0 });
        expect(narrowed.excluded).toEqual([{ rule: 'include (matched none)', count: 4 }]);
        expect(await targetKeys()).toEqual(ALL);
        expect(store.objects.count(mapping.id)).toBe(6);
        // Removing the filter again re-copies nothing: the state of the excluded keys was kept.
        expect((await run()).run).toMatchObject({ status: 'success', copied: 0, skipped: 6, deleted: 0 });
      });

      it('a target-only object is filtered by its key under the target prefix: kept though mirror mode would delete it', async () => {
        await putText(target, mapping.targetBucket, 'mirror/foreign.tmp', 'placed by someone else');
        const { run: r, excluded } = await run({ exclude: ['*.tmp'] });
        expect(r).toMatchObject({ status: 'success', deleted: 0 });
        expect(excluded).toEqual([{ rule: 'exclude "*.tmp"', count: 2 }]);
        expect(await targetKeys()).toContain('foreign.tmp');
      });

      it('deleteExcluded in synced mode deletes only excluded objects this mapping copied', async () => {
        const { run: r, preview } = await run({ deleteMode: 'synced', exclude: ['*.tmp'], deleteExcluded: true }, true);
        expect(r).toMatchObject({ status: 'success', deleted: 1 });
        expect(preview.deletes).toEqual([{ key: 'tmp/x.tmp', size: SEED['tmp/x.tmp']!.length, reason: 'excluded' }]);
      });

      it('deleteExcluded deletes excluded target objects, within the maxDelete guard', async () => {
        const filters = { include: ['/keep/**'], deleteExcluded: true };
        const guarded = await run({ ...filters, maxDelete: { kind: 'count', value: 2 } });
        expect(guarded.run).toMatchObject({ status: 'failed', errorCode: 'MaxDeleteGuard', deleted: 0 });
        expect(await targetKeys()).toEqual([...ALL, 'foreign.tmp'].sort());

        const { run: r } = await run(filters);
        expect(r).toMatchObject({ status: 'success', deleted: 5, copied: 0, skipped: 2 });
        expect(await targetKeys()).toEqual(['keep/a.txt', 'keep/b.jpg']);
        expect(logs.map((l) => l.message)).toContain('Deleted notes.bak from the target (excluded by the filters, deleteExcluded)');
        expect(store.objects.count(mapping.id)).toBe(2);
      });

      it('minSize, minAge and maxAge: sizes and ages from the source object', async () => {
        expect((await run({ minSize: 1024 }, true)).excluded).toEqual([{ rule: 'minSize 1 KiB', count: 5 }]);
        // Everything was written moments ago.
        expect((await run({ minAge: 3_600 }, true)).excluded).toEqual([{ rule: 'minAge 1h', count: 6 }]);
        expect((await run({ maxAge: 86_400 }, true)).excluded).toEqual([]);
      });

      it.runIf(sourceKind === 'local')('maxAge excludes a source object modified before it', async () => {
        await age(sourceKind, mapping.sourceBucket, 'data/big.bin', 10);
        const { run: r, excluded } = await run({ maxAge: 7 * 86_400 }, true);
        expect(excluded).toEqual([{ rule: 'maxAge 1w', count: 1 }]);
        expect(r).toMatchObject({ copied: 3, skipped: 2 }); // cache/c.txt, notes.bak, tmp/x.tmp were deleted as excluded
      });

      it.runIf(targetKind === 'local')("the age of a target-only object is the target object's", async () => {
        await putText(target, mapping.targetBucket, 'mirror/old-extra.txt', 'old');
        await age(targetKind, mapping.targetBucket, 'mirror/old-extra.txt', 3);
        const { run: r, excluded } = await run({ maxAge: 86_400, include: ['/keep/**', 'old-extra.txt'] }, true);
        expect(excluded).toContainEqual({ rule: 'maxAge 1d', count: 1 });
        expect(r).toMatchObject({ deleted: 0 });
        expect((await run({ include: ['/keep/**', 'old-extra.txt'] }, true)).run).toMatchObject({ deleted: 1 });
      });
    });
  }
});

describe('filters of a Mapping object that no config reader checked', () => {
  it('an invalid pattern rejects the run before it is recorded, naming the field', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cds-filters-invalid-'));
    try {
      const provider = createLocalProvider({ root });
      const state = new MemoryState();
      const mapping: Mapping = {
        id: 'm', name: 'm', sourceConnectionId: 'a', sourceBucket: 'src', sourcePrefix: '', targetConnectionId: 'a', targetBucket: 'dst', targetPrefix: '',
        transfers: 1, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, exclude: ['*.tmp', 'a[b'],
      };
      await expect(runMapping({ state, mapping, source: provider, target: provider, sameConnection: true })).rejects.toThrow(/^exclude\[1\]: invalid glob "a\[b": Missing closing/);
      expect(state.runs()).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
