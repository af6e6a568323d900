import { describe, expect, it } from 'vitest';
import type { RunCounts } from '../../shared/model';
import { storeWithMappings } from './fixtures';

const counts: RunCounts = { copied: 3, adopted: 1, skipped: 10, deleted: 2, failed: 1, bytesCopied: 4096 };

describe('runs', () => {
  it('start records a running run; finish records status, counts, error and duration', () => {
    const { store } = storeWithMappings('m1');
    const before = Date.now();
    const started = store.runs.start('m1', true);
    expect(started).toMatchObject({ mappingId: 'm1', status: 'running', dryRun: true, finishedAt: null, durationMs: null, copied: 0, firstError: null, errorCode: null });
    expect(started.startedAt).toBeGreaterThanOrEqual(before);

    const finished = store.runs.finish(started.id, { status: 'partial', counts, firstError: 'photo.jpg: AccessDenied', errorCode: 'AccessDenied' });
    expect(finished).toMatchObject({ ...counts, id: started.id, status: 'partial', firstError: 'photo.jpg: AccessDenied', errorCode: 'AccessDenied' });
    expect(finished.finishedAt).toBeGreaterThanOrEqual(started.startedAt);
    expect(finished.durationMs).toBe(finished.finishedAt! - finished.startedAt);
    expect(store.runs.get(started.id)).toEqual(finished);
  });

  it('refuses "running" as a final status, unknown runs and unknown mappings', () => {
    const { store } = storeWithMappings('m1');
    const run = store.runs.start('m1', false);
    expect(() => store.runs.finish(run.id, { status: 'running', counts, firstError: null, errorCode: null })).toThrow(RangeError);
    expect(() => store.runs.finish(9999, { status: 'success', counts, firstError: null, errorCode: null })).toThrow(expect.objectContaining({ code: 'NotFound' }));
    expect(() => store.runs.start('ghost', false)).toThrow(expect.objectContaining({ code: 'InvalidReference' }));
  });

  it('lists newest first with an id cursor, per mapping', () => {
    const { store } = storeWithMappings('m1', 'm2');
    const ids = Array.from({ length: 5 }, () => store.runs.start('m1', false).id);
    store.runs.start('m2', false);
    expect(store.runs.list('m1', { limit: 2 }).map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(store.runs.list('m1', { limit: 2, beforeId: ids[3] }).map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(store.runs.list('m1', { limit: 10, beforeId: ids[1] }).map((r) => r.id)).toEqual([ids[0]]);
    expect(store.runs.latest('m1')?.id).toBe(ids[4]);
    expect(store.runs.latest('m2')?.mappingId).toBe('m2');
    store.mappings.upsert({ ...store.mappings.get('m1')!, id: 'm3' });
    expect(store.runs.latest('m3')).toBeUndefined();
  });

  it('markInterrupted closes every run a crash left running, and only those', () => {
    const { store } = storeWithMappings('m1', 'm2');
    const done = store.runs.start('m1', false);
    store.runs.finish(done.id, { status: 'success', counts, firstError: null, errorCode: null });
    const a = store.runs.start('m1', false);
    const b = store.runs.start('m2', true);

    expect(store.runs.markInterrupted()).toBe(2);
    for (const id of [a.id, b.id]) {
      const run = store.runs.get(id)!;
      expect(run.status).toBe('interrupted');
      expect(run.finishedAt).not.toBeNull();
    }
    expect(store.runs.get(done.id)?.status).toBe('success');
    expect(store.runs.markInterrupted()).toBe(0);
    expect(store.runs.get(a.id)?.errorCode).toBeNull();

    // The real outcome, if it still arrives, wins over the guess.
    expect(store.runs.finish(a.id, { status: 'cancelled', counts, firstError: null, errorCode: null }).status).toBe('cancelled');
  });

  it('markInterrupted drops the pending deletes of the runs it closes, and only those', () => {
    const { store } = storeWithMappings('m1');
    const done = store.runs.start('m1', false);
    store.pendingDeletes.append(done.id, [{ key: 'kept', reason: 'extra' }]);
    store.runs.finish(done.id, { status: 'success', counts, firstError: null, errorCode: null });
    const cut = store.runs.start('m1', false);
    store.pendingDeletes.append(cut.id, [{ key: 'a', size: 1, reason: 'extra' }, { key: 'b', reason: 'source-deleted' }]);

    expect(store.runs.markInterrupted()).toBe(1);
    expect(store.pendingDeletes.page(cut.id, null, 10)).toEqual([]);
    expect(store.pendingDeletes.page(done.id, null, 10)).toEqual([{ key: 'kept', reason: 'extra' }]);
  });

  it('never reuses a run id, even after the newest run is deleted', () => {
    const { store } = storeWithMappings('m1', 'm2');
    const first = store.runs.start('m1', false);
    store.mappings.remove('m1');
    expect(store.runs.start('m2', false).id).toBeGreaterThan(first.id);
  });
});
