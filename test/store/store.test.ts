import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempStore } from './fixtures';
import { localConnection } from './fixtures';

describe('Store', () => {
  it('stores settings as JSON with a fallback for unset keys', () => {
    const { store } = tempStore();
    expect(store.settings.get('concurrency', 16)).toBe(16);
    store.settings.set('concurrency', 4);
    store.settings.set('window', { width: 800, maximized: false });
    expect(store.settings.get('concurrency', 16)).toBe(4);
    expect(store.settings.get('window', null)).toEqual({ width: 800, maximized: false });
    store.settings.set('concurrency', undefined);
    expect(store.settings.get('concurrency', 16)).toBe(16);
  });

  it('transaction commits together or rolls back together', () => {
    const { store } = tempStore();
    expect(store.transaction(() => {
      store.connections.upsert(localConnection('a'));
      store.settings.set('x', 1);
      return 'done';
    })).toBe('done');
    expect(() =>
      store.transaction(() => {
        store.connections.upsert(localConnection('b'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.connections.list().map((c) => c.id)).toEqual(['a']);
  });

  it('close checkpoints the WAL into the main file and is idempotent', () => {
    const { store, path } = tempStore();
    for (let i = 0; i < 50; i++) store.connections.upsert(localConnection(`c${i}`));
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    store.close();
    store.close();
    expect(store.isOpen).toBe(false);
    expect(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0).toBe(true);
  });
});
