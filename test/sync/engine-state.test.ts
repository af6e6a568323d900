// The engine's ports (sync/ports.ts) behave the same on both implementations: the SQLite store's
// (store/engine-state.ts) and the MemoryState. Each case runs on both.
import { describe, expect, it } from 'vitest';
import { MemoryState } from '../../electron/sync/memory-state';
import type { EngineState, SyncedObject, UploadRecord } from '../../electron/sync/ports';
import { storeWithMappings } from '../store/fixtures';

const counts = { copied: 1, adopted: 0, skipped: 2, deleted: 0, failed: 1, bytesCopied: 10 };

function synced(key: string, etag = 'e'): SyncedObject {
  return { key, sourceEtag: etag, sourceSize: 1, sourceMtime: 1, sourceMd5: null, targetEtag: 't', targetSize: 1, targetMtime: null, syncedAt: 1 };
}

function upload(key: string, state: string, startedAt: number): UploadRecord {
  return { key, targetBucket: 'b', targetKey: `p/${key}`, sourceEtag: 'e', sourceSize: 9, state, startedAt, updatedAt: startedAt };
}

const implementations: Record<string, () => EngineState> = {
  memory: () => new MemoryState(),
  sqlite: () => storeWithMappings('m1', 'm2').store.engineState,
};

describe.each(Object.keys(implementations))('engine state ports (%s)', (kind) => {
  const open = implementations[kind]!;

  it('records a run: started running, finished with its status, counts, error and code', async () => {
    const state = open();
    const recorder = await state.journal.start('m1', true);
    expect(recorder.run).toMatchObject({ mappingId: 'm1', status: 'running', dryRun: true, finishedAt: null, firstError: null, errorCode: null });
    const second = await state.journal.start('m1', false);
    expect(second.run.id).toBeGreaterThan(recorder.run.id);
    const run = await recorder.finish({ status: 'partial', counts, firstError: 'Failed to copy a: denied', errorCode: 'AccessDenied' });
    expect(run).toMatchObject({ ...counts, id: recorder.run.id, status: 'partial', firstError: 'Failed to copy a: denied', errorCode: 'AccessDenied' });
    expect(run.durationMs).toBe(run.finishedAt! - run.startedAt);
  });

  it('hands out sync state in UTF-8 byte order, page by page, after a key', async () => {
    const state = open();
    const recorder = await state.journal.start('m1', false);
    // '😀' (a surrogate pair) sorts before '\uFF5E' in UTF-16 but after it in UTF-8; 'a/b' after 'a-b'.
    for (const key of ['\uFF5E', 'b', '😀', 'a/b', 'a-b', 'gone']) recorder.upsertState(synced(key));
    recorder.upsertState(synced('b', 'newer'));
    recorder.removeState('gone');
    recorder.removeState('never-there');
    await recorder.finish({ status: 'success', counts, firstError: null, errorCode: null });

    const order = ['a-b', 'a/b', 'b', '\uFF5E', '😀'];
    expect((await state.syncState.page('m1', null, 10)).map((o) => o.key)).toEqual(order);
    expect(await state.syncState.page('m1', null, 2)).toEqual([synced('a-b'), synced('a/b')]);
    expect((await state.syncState.page('m1', 'a/b', 2)).map((o) => [o.key, o.sourceEtag])).toEqual([['b', 'newer'], ['\uFF5E', 'e']]);
    expect(await state.syncState.page('m1', '😀', 2)).toEqual([]);
    expect(await state.syncState.page('m2', null, 2)).toEqual([]);
  });

  it("ties a mapping's sync state to its route: a reset forgets that mapping's objects and records the new route", async () => {
    const state = open();
    const route = { sourceConnectionId: 'src', sourceBucket: 'photos', sourcePrefix: '2024/', targetConnectionId: 'dst', targetBucket: 'backup', targetPrefix: '' };
    const moved = { ...route, sourcePrefix: '2025/' };
    for (const id of ['m1', 'm2']) {
      await state.syncState.resetRoute(id, route);
      const recorder = await state.journal.start(id, false);
      recorder.upsertState(synced('a'));
      await recorder.finish({ status: 'success', counts, firstError: null, errorCode: null });
    }
    await state.syncState.resetRoute('m1', moved);
    expect(await state.syncState.page('m1', null, 10)).toEqual([]);
    expect(await state.syncState.page('m2', null, 10)).toEqual([synced('a')]);
    expect(await state.syncState.route('m1')).toMatchObject(moved);
    expect(await state.syncState.route('m2')).toMatchObject(route);
    expect(await state.syncState.route('m3')).toBeUndefined();
  });

  it('keeps an upload journal per mapping: a replaced record keeps its start, listed by key', async () => {
    const { uploads } = open();
    uploads.put('m1', upload('z', 's1', 100));
    uploads.put('m1', upload('a', 's1', 200));
    uploads.put('m1', upload('z', 's2', 300));
    expect(await uploads.get('m1', 'z')).toMatchObject({ state: 's2', startedAt: 100, updatedAt: 300 });
    expect((await uploads.all('m1')).map((r) => r.key)).toEqual(['a', 'z']);
    expect(await uploads.get('m2', 'z')).toBeUndefined();
    uploads.remove('m1', 'z');
    uploads.remove('m1', 'never-there');
    expect((await uploads.all('m1')).map((r) => r.key)).toEqual(['a']);
  });

  it('spills pending deletes per run and hands them back in key order, until cleared', async () => {
    const state = open();
    const a = (await state.journal.start('m1', false)).run.id;
    const b = (await state.journal.start('m1', false)).run.id;
    await state.pendingDeletes.append(a, [{ key: 'a-b', size: 3, reason: 'extra' }, { key: 'a/b', reason: 'source-deleted' }]);
    await state.pendingDeletes.append(a, [{ key: '😀', size: 0, reason: 'extra' }]);
    await state.pendingDeletes.append(b, [{ key: 'other', reason: 'extra' }]);
    expect(await state.pendingDeletes.page(a, null, 2)).toEqual([{ key: 'a-b', size: 3, reason: 'extra' }, { key: 'a/b', reason: 'source-deleted' }]);
    expect(await state.pendingDeletes.page(a, 'a/b', 2)).toEqual([{ key: '😀', size: 0, reason: 'extra' }]);
    await state.pendingDeletes.clear(a);
    expect(await state.pendingDeletes.page(a, null, 10)).toEqual([]);
    expect(await state.pendingDeletes.page(b, null, 10)).toEqual([{ key: 'other', reason: 'extra' }]);
  });
});

describe('MemoryState', () => {
  it('refuses pending deletes out of key order, as the engine never appends them so', async () => {
    const state = new MemoryState();
    await state.pendingDeletes.append(1, [{ key: 'b', reason: 'extra' }]);
    await expect(state.pendingDeletes.append(1, [{ key: 'a', reason: 'extra' }])).rejects.toThrow(RangeError);
  });

  it('keeps runs and their log lines for a caller to read', async () => {
    const state = new MemoryState();
    const recorder = await state.journal.start('m1', false);
    recorder.log({ level: 'info', message: 'first' });
    recorder.log({ level: 'warn', message: 'second', key: 'k' });
    await recorder.finish({ status: 'success', counts, firstError: null, errorCode: null });
    await expect(recorder.finish({ status: 'success', counts, firstError: null, errorCode: null })).rejects.toThrow(/already finished/);
    expect(state.logs(recorder.run.id).map((l) => [l.level, l.message, l.key])).toEqual([['info', 'first', undefined], ['warn', 'second', 'k']]);
    expect(state.runs('m1').map((r) => r.status)).toEqual(['success']);
    expect(state.runs('m2')).toEqual([]);
  });
});
