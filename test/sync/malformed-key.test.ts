// A key that is not well-formed UTF-16 (a lone surrogate) has no UTF-8 form: no service can hold it
// and SQLite would store U+FFFD in its place. Only a library user's own provider can list one; the
// run fails as a listing failure, before any delete, and leaves the target and the sync state alone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { createLocalProvider } from '../../electron/providers/local';
import type { ObjectInfo, StorageProvider } from '../../electron/providers/provider';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping } from '../../electron/sync/runner';
import { listAll, putText } from '../support/objects';

const MAPPING: Mapping = {
  id: 'm1', name: 'malformed', sourceConnectionId: 'src', sourceBucket: 'src', sourcePrefix: 'data/',
  targetConnectionId: 'dst', targetBucket: 'dst', targetPrefix: 'copy/',
  transfers: 2, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
};

describe('a source listing with a key that is not well-formed UTF-16', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cds-malformed-key-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('fails the run as a listing failure naming the key, and deletes nothing', async () => {
    const local = createLocalProvider({ root });
    await local.createBucket('src');
    await local.createBucket('dst');
    for (const key of ['a.txt', 'b.txt']) await putText(local, 'src', `data/${key}`, key);
    const state = new MemoryState();
    const removes: string[][] = [];
    const target: StorageProvider = Object.create(local) as StorageProvider;
    target.remove = (bucket, keys, signal) => (removes.push([...keys]), local.remove(bucket, keys, signal));
    // Like the source, a provider of one's own that takes the key (a folder would not).
    target.write = async (bucket, key, open, size, options) => {
      if (!key.endsWith('\uD800.txt')) return local.write(bucket, key, open, size, options);
      for await (const _ of await open()) void _;
      return { etag: 'w', size };
    };
    expect((await runMapping({ state, mapping: MAPPING, source: local, target, sameConnection: false })).run).toMatchObject({ status: 'success', copied: 2 });

    // Both kinds of delete are planned before the bad key is listed: b.txt (gone from the source) and
    // extra.txt (only at the target).
    await local.remove('src', ['data/b.txt']);
    await putText(local, 'dst', 'copy/extra.txt', 'extra');
    // The source lists and serves the bad key, so only the listing check stands between it and a
    // run that copies it and then deletes.
    const bad: ObjectInfo = { key: 'data/z\uD800.txt', size: 1, etag: 'e', lastModified: 0 };
    const source: StorageProvider = Object.create(local) as StorageProvider;
    source.list = async function* (bucket, prefix, signal, onSkipped): AsyncIterable<ObjectInfo> {
      yield* local.list(bucket, prefix, signal, onSkipped);
      yield bad;
    };
    source.head = async (bucket, key, signal) => (key === bad.key ? bad : local.head(bucket, key, signal));
    source.read = async (bucket, key, signal, ifMatch) => (key === bad.key ? Readable.from([Buffer.from('z')]) : local.read(bucket, key, signal, ifMatch));
    const { run } = await runMapping({ state, mapping: MAPPING, source, target, sameConnection: false });

    expect(run).toMatchObject({ status: 'failed', deleted: 0, errorCode: 'ListingFailed' });
    expect(run.firstError).toContain('listing the source bucket "src" on connection "src" failed: source listing returned the key "data/z\\ud800.txt"');
    expect(run.firstError).toMatch(/Nothing was deleted\.$/);
    expect(removes).toEqual([]);
    expect((await listAll(local, 'dst')).map((o) => o.key)).toEqual(['copy/a.txt', 'copy/b.txt', 'copy/extra.txt']);
    expect(state.syncedObjects('m1').map((o) => o.key)).toEqual(['a.txt', 'b.txt']);
  });
});
