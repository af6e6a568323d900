import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchWriter } from '../../electron/store';
import type { SyncedObject } from '../../electron/sync/ports';
import { storeWithMappings } from './fixtures';

function row(key: string): SyncedObject {
  return { key, sourceEtag: 'e', sourceSize: 1, sourceMtime: 1, sourceMd5: null, targetEtag: 't', targetSize: 1, targetMtime: 1, syncedAt: 1 };
}

function setup(options: ConstructorParameters<typeof BatchWriter>[1] = {}) {
  const { store } = storeWithMappings('m1', 'm2');
  const runId = store.runs.start('m1', false).id;
  const writer = new BatchWriter(store, options);
  const logCount = () => store.logs.query({ mappingId: 'm1', limit: 10_000 }).length;
  return { store, runId, writer, logCount };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchWriter', () => {
  it('flushes in one transaction as soon as it holds maxItems writes', () => {
    const { store, runId, writer, logCount } = setup({ maxItems: 5, maxDelayMs: 60_000 });
    const commits = vi.spyOn(store, 'transaction');
    for (let i = 0; i < 4; i++) writer.upsertState('m1', row(`k${i}`));
    expect(store.objects.count('m1')).toBe(0);
    expect(writer.pending).toBe(4);

    writer.log({ runId, mappingId: 'm1', ts: 1, level: 'info', message: 'fifth' });
    expect(writer.pending).toBe(0);
    expect(store.objects.count('m1')).toBe(4);
    expect(logCount()).toBe(1);
    expect(commits).toHaveBeenCalledTimes(1);
    writer.close();
  });

  it('flushes after maxDelayMs when fewer writes arrive', () => {
    vi.useFakeTimers();
    const { store, writer } = setup({ maxItems: 500, maxDelayMs: 200 });
    writer.upsertState('m1', row('a'));
    vi.advanceTimersByTime(150);
    writer.upsertState('m1', row('b'));
    expect(store.objects.count('m1')).toBe(0);
    vi.advanceTimersByTime(50); // 200 ms after the first write, not after the last
    expect(store.objects.count('m1')).toBe(2);
    expect(vi.getTimerCount()).toBe(0); // nothing left scheduled while the buffer is empty
    writer.close();
  });

  it('applies writes in call order across kinds and mappings', () => {
    const { store, runId, writer, logCount } = setup();
    store.objects.upsertMany('m1', [row('old')]);
    writer.upsertState('m1', row('a'));
    writer.removeState('m1', 'old');
    writer.upsertState('m2', row('a'));
    writer.removeState('m1', 'a');
    writer.log({ runId, mappingId: 'm1', ts: 1, level: 'warn', message: 'x', key: 'a' });
    writer.upsertState('m1', row('a'));
    writer.flush();
    expect(store.objects.page('m1', null, 10).map((r) => r.key)).toEqual(['a']);
    expect(store.objects.count('m2')).toBe(1);
    expect(logCount()).toBe(1);
    writer.close();
  });

  it('loses nothing on close and refuses writes afterwards', () => {
    const { store, runId, writer, logCount } = setup();
    for (let i = 0; i < 1234; i++) {
      writer.upsertState('m1', row(`key-${i}`));
      writer.log({ runId, mappingId: 'm1', ts: i, level: 'debug', message: `line ${i}` });
    }
    for (let i = 0; i < 10; i++) writer.removeState('m1', `key-${i}`);
    writer.close();
    writer.close();
    expect(store.objects.count('m1')).toBe(1224);
    expect(logCount()).toBe(1234);
    expect(() => writer.upsertState('m1', row('late'))).toThrow(/closed/);
  });

  it('reports a failed timer flush to the next call, dropping that batch only', () => {
    vi.useFakeTimers();
    const { store, writer } = setup({ maxDelayMs: 10 });
    writer.upsertState('ghost', row('a')); // unknown mapping: the flush fails
    vi.advanceTimersByTime(10);
    expect(() => writer.upsertState('m1', row('b'))).toThrow(expect.objectContaining({ code: 'InvalidReference' }));
    writer.upsertState('m1', row('c'));
    writer.close();
    expect(store.objects.page('m1', null, 10).map((r) => r.key)).toEqual(['c']);
  });

  it('hands timer flush errors to onError when given', () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    const { writer } = setup({ maxDelayMs: 10, onError });
    writer.upsertState('ghost', row('a'));
    vi.advanceTimersByTime(10);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'InvalidReference' }));
    expect(() => writer.close()).not.toThrow();
  });
});
