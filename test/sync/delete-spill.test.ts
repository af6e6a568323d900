// Planned deletes past the in-memory limit spill to the pending-deletes port and come back in key
// order: a mirror run against an emptied source deletes exactly the target objects the source lacks,
// in every batch, on both implementations of the port (SQLite and memory), and leaves none behind.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../../shared/model';
import { createLocalProvider } from '../../electron/providers/local';
import type { StorageProvider } from '../../electron/providers/provider';
import { MemoryState } from '../../electron/sync/memory-state';
import type { EngineState } from '../../electron/sync/ports';
import { runMapping } from '../../electron/sync/runner';
import { listAll, putText } from '../support/objects';
import { storeWithMappings } from '../store/fixtures';

const TARGET_OBJECTS = 2_345; // more than two delete batches of 1,000
const MEMORY_LIMIT = 300; // spills several times over
/** Keys the source keeps: spread over the range, so some sit between spilled deletes. */
const KEPT = ['k0000', 'k0299', 'k0300', 'k1000', 'k1999', `k${String(TARGET_OBJECTS - 1).padStart(4, '0')}`];

interface Harness {
  state: EngineState;
  /** Pending deletes still held after the run. */
  leftover(): number;
}

const harnesses: Record<string, () => Harness> = {
  memory: () => {
    const state = new MemoryState();
    return { state, leftover: () => state.pendingDeleteCount() };
  },
  sqlite: () => {
    const { store } = storeWithMappings('m1');
    const runs = () => store.runs.list('m1', { limit: 100 });
    return { state: store.engineState, leftover: () => runs().reduce((n, r) => n + store.pendingDeletes.page(r.id, null, 10_000).length, 0) };
  },
};

describe.each(Object.keys(harnesses))('pending deletes spill (%s state)', (kind) => {
  let root: string;
  let local: StorageProvider;
  let mapping: Mapping;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cds-spill-'));
    local = createLocalProvider({ root });
    await local.createBucket('src');
    await local.createBucket('dst');
    for (const key of KEPT) await putText(local, 'src', key, `kept ${key}`);
    const keys = Array.from({ length: TARGET_OBJECTS }, (_, i) => `k${String(i).padStart(4, '0')}`);
    // Written straight into the bucket's folder: thousands of provider writes would take most of the test.
    await Promise.all(keys.map((key) => writeFile(path.join(root, 'dst', key), KEPT.includes(key) ? `kept ${key}` : `extra ${key}`)));
    mapping = {
      id: 'm1', name: 'spill', sourceConnectionId: 'src', sourceBucket: 'src', sourcePrefix: '',
      targetConnectionId: 'dst', targetBucket: 'dst', targetPrefix: '',
      transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    };
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const run = (h: Harness, patch: Partial<Mapping> = {}, target = local) =>
    runMapping({ state: h.state, mapping: { ...mapping, ...patch }, source: local, target, sameConnection: true, pendingDeletesInMemory: MEMORY_LIMIT });

  it('a dry run counts and previews the deletes without spilling them', async () => {
    const h = harnesses[kind]!();
    const append = vi.spyOn(h.state.pendingDeletes, 'append');
    const { run: r, preview } = await run(h, { dryRun: true });
    expect(r).toMatchObject({ status: 'success', deleted: TARGET_OBJECTS - KEPT.length });
    expect(preview.deletes).toHaveLength(100);
    expect(preview.deletes[0]).toMatchObject({ key: 'k0001', reason: 'extra' });
    expect(append).not.toHaveBeenCalled();
    expect((await listAll(local, 'dst')).length).toBe(TARGET_OBJECTS);
  });

  it('a tripped delete guard deletes nothing and forgets what was spilled', async () => {
    const h = harnesses[kind]!();
    const append = vi.spyOn(h.state.pendingDeletes, 'append');
    const { run: r } = await run(h, { maxDelete: { kind: 'count', value: 10 } });
    expect(r).toMatchObject({ status: 'failed', deleted: 0, errorCode: 'MaxDeleteGuard' });
    expect(append).toHaveBeenCalled();
    expect(h.leftover()).toBe(0);
    expect((await listAll(local, 'dst')).length).toBe(TARGET_OBJECTS);
  });

  it('a mirror run deletes exactly the objects the source lacks, no more', async () => {
    const h = harnesses[kind]!();
    const append = vi.spyOn(h.state.pendingDeletes, 'append');
    const removed: string[][] = [];
    // The same folders, with every delete batch recorded on its way through.
    const target: StorageProvider = Object.assign(Object.create(local) as StorageProvider, {
      remove: (bucket: string, keys: readonly string[], signal?: AbortSignal) => {
        removed.push([...keys]);
        return local.remove(bucket, keys, signal);
      },
    });
    const { run: r } = await run(h, {}, target);

    expect(r).toMatchObject({ status: 'success', deleted: TARGET_OBJECTS - KEPT.length, failed: 0 });
    // Spilled in pieces of the memory limit; deleted in batches of 1,000, in key order.
    expect(append.mock.calls.length).toBeGreaterThanOrEqual(Math.floor((TARGET_OBJECTS - KEPT.length) / MEMORY_LIMIT));
    expect(removed.map((b) => b.length)).toEqual([1_000, 1_000, TARGET_OBJECTS - KEPT.length - 2_000]);
    const all = removed.flat();
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);
    expect(all.some((key) => KEPT.includes(key))).toBe(false);
    expect((await listAll(local, 'dst')).map((o) => o.key)).toEqual(KEPT);
    expect(h.leftover()).toBe(0);
  });
});
