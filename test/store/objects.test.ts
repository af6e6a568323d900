import { describe, expect, it } from 'vitest';
import type { SyncedObject } from '../../electron/sync/ports';
import { openDatabase } from '../../electron/store';
import { storeWithMappings } from './fixtures';

function row(key: string, etag = 'etag'): SyncedObject {
  return {
    key,
    sourceEtag: etag,
    sourceSize: 10,
    sourceMtime: 1_700_000_000_000,
    sourceMd5: key.length % 2 === 0 ? null : 'd41d8cd98f00b204e9800998ecf8427e',
    targetEtag: `t-${etag}`,
    targetSize: 10,
    targetMtime: key.length % 2 === 0 ? 1_700_000_000_500 : null,
    syncedAt: 1_700_000_001_000,
  };
}

/** Every row of the mapping, read page by page like the engine does. */
function readAll(store: ReturnType<typeof storeWithMappings>['store'], mappingId: string, pageSize: number): SyncedObject[] {
  const rows: SyncedObject[] = [];
  let after: string | null = null;
  for (;;) {
    const page = store.objects.page(mappingId, after, pageSize);
    expect(page.length).toBeLessThanOrEqual(pageSize);
    rows.push(...page);
    if (page.length < pageSize) return rows;
    after = page[page.length - 1]!.key;
  }
}

describe('objects (sync state)', () => {
  it('pages by key in UTF-8 byte order, the order of the listings', () => {
    const { store } = storeWithMappings('m1', 'm2');
    // '😀' (U+1F600) sorts before '～' (U+FF5E) in UTF-16 but after it in UTF-8.
    const keys = ['a', 'a/b', 'a-b', 'é', '😀', '\uFF5E', 'A', 'a/', 'a0', 'b', '', ' ', 'z\u0000x', 'e\u0301', 'Ω', 'a/b/c'];
    store.objects.upsertMany('m1', [...keys].reverse().map((k) => row(k)));
    store.objects.upsertMany('m2', [row('a'), row('zz')]);

    const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    expect(byteOrder.indexOf('\uFF5E')).toBeLessThan(byteOrder.indexOf('😀'));
    for (const pageSize of [1, 2, 3, 7, 100]) {
      expect(readAll(store, 'm1', pageSize).map((r) => r.key)).toEqual(byteOrder);
    }
    expect(store.objects.page('m1', 'a/b', 2).map((r) => r.key)).toEqual(byteOrder.slice(byteOrder.indexOf('a/b') + 1).slice(0, 2));
    expect(store.objects.page('m1', '\uFFFF\uFFFF', 10).map((r) => r.key)).toEqual(['😀']);
  });

  it('round-trips rows exactly, nulls included', () => {
    const { store } = storeWithMappings('m1');
    const rows = ['x', 'yy'].map((k) => row(k));
    store.objects.upsertMany('m1', rows);
    expect(store.objects.page('m1', null, 10)).toStrictEqual(rows);
  });

  it('replaces rows on upsert, removes by key, counts and clears per mapping', () => {
    const { store } = storeWithMappings('m1', 'm2');
    store.objects.upsertMany('m1', ['a', 'b', 'c'].map((k) => row(k)));
    store.objects.upsertMany('m2', [row('a')]);
    store.objects.upsertMany('m1', [row('b', 'changed')]);
    expect(store.objects.count('m1')).toBe(3);
    expect(store.objects.page('m1', 'a', 1)[0]).toMatchObject({ key: 'b', sourceEtag: 'changed', targetEtag: 't-changed' });

    expect(store.objects.removeMany('m1', ['a', 'missing'])).toBe(1);
    expect(store.objects.page('m1', null, 10).map((r) => r.key)).toEqual(['b', 'c']);
    expect(store.objects.clear('m1')).toBe(2);
    expect(store.objects.count('m1')).toBe(0);
    expect(store.objects.count('m2')).toBe(1);
  });

  it('refuses state for a mapping that does not exist', () => {
    const { store } = storeWithMappings();
    expect(() => store.objects.upsertMany('ghost', [row('a')])).toThrow(expect.objectContaining({ code: 'InvalidReference' }));
  });

  it('rejects a page limit it would have to cut, so a short page always means the end', () => {
    const { store } = storeWithMappings('m1');
    expect(() => store.objects.page('m1', null, 0)).toThrow(RangeError);
    expect(() => store.objects.page('m1', null, 1_000_000)).toThrow(RangeError);
  });

  it('walks the primary key for a page: no sort, no scan of other mappings', () => {
    const db = openDatabase(':memory:');
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT key FROM objects WHERE mapping_id = ? AND key > ? ORDER BY key LIMIT ?')
      .all('m', 'a', 10)
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
    db.close();
    expect(plan).toMatch(/SEARCH objects USING PRIMARY KEY \(mapping_id=\? AND key>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});
