// A MemoryState hands out a mapping's sync state page by page at the cost of the page: a run that
// records new keys between its page reads must not sort every key of the mapping again for the next
// page (that made a large sync into existing state quadratic). Counted in sorts, never in time.
import { expect, it, vi } from 'vitest';
import type { Mapping } from '../../shared/model';
import type { ObjectInfo, StorageProvider } from '../../electron/providers/provider';
import { compareKeys } from '../../electron/lib/key-order';
import { MemoryState } from '../../electron/sync/memory-state';
import type { SyncedObject } from '../../electron/sync/ports';
import { runMapping } from '../../electron/sync/runner';
import { mulberry32 } from '../support/prng';

const KEYS = 20_000;

/**
 * A side that only lists: every object has the same MD5 on both sides, so the runner adopts what it
 * has no state for (recording it) and skips the rest, without a transfer.
 */
function listingOf(keys: readonly string[]): StorageProvider {
  const objects: ObjectInfo[] = keys.map((key) => ({ key, size: 1, etag: `etag-${key}`, md5: 'd41d8cd98f00b204e9800998ecf8427e', lastModified: 1 }));
  const provider: Partial<StorageProvider> = {
    type: 'local',
    capabilities: { serverSideCopy: false, metadata: false, md5InListing: true, multipartThreshold: Number.MAX_SAFE_INTEGER, listingIsHead: true },
    list: async function* () {
      yield* objects;
    },
    close: async () => {},
  };
  return provider as StorageProvider;
}

const mapping: Mapping = {
  id: 'm', name: 'scale', sourceConnectionId: 'src', sourceBucket: 'in', sourcePrefix: '',
  targetConnectionId: 'dst', targetBucket: 'out', targetPrefix: '',
  transfers: 4, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
};

/** Runs `fn`, counting the sorts of arrays of at least 1,000 items meanwhile (the state's keys, not a page's few). */
async function countLargeSorts(fn: () => Promise<void>): Promise<number> {
  const sort = Array.prototype.sort;
  let sorts = 0;
  const spy = vi.spyOn(Array.prototype, 'sort').mockImplementation(function (this: unknown[], compare?: (a: unknown, b: unknown) => number) {
    if (this.length >= 1_000) sorts++;
    return sort.call(this, compare);
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return sorts;
}

it(`a run that records ${KEYS / 2} new keys among ${KEYS / 2} recorded ones does not sort the memory state per page`, async () => {
  const keys = Array.from({ length: KEYS }, (_, i) => `k${String(i).padStart(6, '0')}`);
  const state = new MemoryState();
  const run = (listed: readonly string[]) => runMapping({ state, mapping, source: listingOf(listed), target: listingOf(listed), sameConnection: false });

  expect((await run(keys.filter((_, i) => i % 2 === 0))).run).toMatchObject({ status: 'success', adopted: KEYS / 2 });
  // Every odd key is recorded between the state's page reads (1,000 rows each) of the even ones: a
  // sort per page would be ten here, and grow with the bucket.
  const sorts = await countLargeSorts(async () => {
    expect((await run(keys)).run).toMatchObject({ status: 'success', adopted: KEYS / 2, skipped: KEYS / 2 });
  });
  expect(sorts).toBeLessThanOrEqual(1);
  expect(state.syncedObjects('m').map((o) => o.key)).toEqual(keys);
});

it('keeps the memory state in UTF-8 key order through keys added and removed in any order, across its blocks', async () => {
  const random = mulberry32(7);
  const state = new MemoryState();
  const recorder = await state.journal.start('m', false);
  const alphabet = ['a', 'b', '/', '-', '~', '\uFF5E', '😀', 'é'];
  const held = new Set<string>();
  const synced = (key: string): SyncedObject => ({ key, sourceEtag: 'e', sourceSize: 1, sourceMtime: 1, sourceMd5: null, targetEtag: 't', targetSize: 1, targetMtime: null, syncedAt: 1 });
  for (let step = 0; step < 12_000; step++) {
    const key = Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
    // Mostly adds, with removals of held and of unknown keys among them.
    if (random() < 0.25) {
      recorder.removeState(key);
      held.delete(key);
    } else {
      recorder.upsertState(synced(key));
      held.add(key);
    }
  }
  const expected = [...held].sort(compareKeys);
  expect(expected.length).toBeGreaterThan(3_000); // several blocks
  expect(state.syncedObjects('m').map((o) => o.key)).toEqual(expected);
  // Paged from every 97th key (and from a key it does not hold), as the runner reads it.
  for (let i = 0; i < expected.length; i += 97) {
    expect((await state.syncState.page('m', expected[i]!, 50)).map((o) => o.key)).toEqual(expected.slice(i + 1, i + 51));
  }
  expect((await state.syncState.page('m', 'a\u0000', 3)).map((o) => o.key)).toEqual(expected.filter((k) => compareKeys(k, 'a\u0000') > 0).slice(0, 3));
  for (const key of expected) recorder.removeState(key);
  expect(await state.syncState.page('m', null, 10)).toEqual([]);
});
