import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, openStore } from '../../electron/store';
import { MIGRATIONS } from '../../electron/store/migrations';
import type { Mapping } from '../../shared/model';
import { mapping, storeWithMappings, tempDir, trackStore } from './fixtures';

const stateRow = (key: string) => ({
  key,
  sourceEtag: 'e1',
  sourceSize: 1,
  sourceMtime: 1,
  sourceMd5: null,
  targetEtag: 't1',
  targetSize: 1,
  targetMtime: null,
  syncedAt: 1,
});

describe('mappings', () => {
  it('round-trips every field of Mapping exactly', () => {
    const { store } = storeWithMappings();
    const variants: Mapping[] = [
      mapping('m1'),
      mapping('m2', { maxDelete: null, dryRun: true, enabled: false, intervalSeconds: null, deleteMode: 'mirror', transfers: 1 }),
      mapping('m3', { maxDelete: { kind: 'count', value: 0 }, deleteMode: 'never', sourcePrefix: 'é/😀/', targetPrefix: 'x/' }),
      mapping('m4', { bwLimit: 'Mon-08:00,2M 19:00,off', targetStorageClass: 'STANDARD_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'k-1' }, keepVersions: true }),
      mapping('m5', { targetEncryption: { encryptionScope: 'scope-1' }, bwLimit: '512K' }),
    ];
    for (const m of variants) store.mappings.upsert(m);
    for (const m of variants) expect(store.mappings.get(m.id)).toStrictEqual(m);
    expect(store.mappings.list()).toStrictEqual(variants);
    expect(store.mappings.get('missing')).toBeUndefined();
  });

  it('round-trips the filters, keeping only the ones that filter, and keeps sync state when they change', () => {
    const { store } = storeWithMappings('m1');
    store.objects.upsertMany('m1', [stateRow('a')]);
    const filtered = mapping('m1', {
      include: ['**/*.jpg'],
      exclude: ['*.tmp', '/cache/**'],
      includeRegex: ['^é/'],
      excludeRegex: ['\\.bak$'],
      minSize: 0,
      maxSize: 10 * 1024 ** 2,
      minAge: 60,
      maxAge: 86_400,
      deleteExcluded: true,
    });
    store.mappings.upsert(filtered);
    expect(store.mappings.get('m1')).toStrictEqual(filtered);
    // A filter change is not a route change: what was synced stays recorded (no mass re-copy).
    expect(store.objects.count('m1')).toBe(1);
    store.mappings.upsert(mapping('m1', { include: [], exclude: ['*.tmp'], minSize: null, deleteExcluded: false }));
    expect(store.mappings.get('m1')).toStrictEqual(mapping('m1', { exclude: ['*.tmp'] }));
    store.mappings.upsert(mapping('m1'));
    expect(store.mappings.get('m1')).toStrictEqual(mapping('m1'));
  });

  it('reads a mapping saved before filters existed (schema 4) as one without filters', () => {
    const path = join(tempDir(), 'data.sqlite');
    const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, 4) });
    old.prepare(`INSERT INTO connections (id, name, type, settings_json, created_at, updated_at) VALUES ('c', 'c', 'local', '{"root":"/x"}', 0, 0)`).run();
    old.prepare(
      `INSERT INTO mappings (id, name, source_connection_id, source_bucket, source_prefix, target_connection_id, target_bucket,
         target_prefix, transfers, delete_mode, max_delete_json, dry_run, enabled, interval_seconds, created_at, updated_at)
       VALUES ('m', 'm', 'c', 'a', '', 'c', 'b', '', 8, 'synced', NULL, 0, 1, NULL, 0, 0)`,
    ).run();
    old.close();
    const store = trackStore(openStore(path));
    expect(store.mappings.get('m')).toStrictEqual({
      id: 'm',
      name: 'm',
      sourceConnectionId: 'c',
      sourceBucket: 'a',
      sourcePrefix: '',
      targetConnectionId: 'c',
      targetBucket: 'b',
      targetPrefix: '',
      transfers: 8,
      deleteMode: 'synced',
      maxDelete: null,
      dryRun: false,
      enabled: true,
      intervalSeconds: null,
    });
  });

  it('updates in place and toggles enabled', () => {
    const { store } = storeWithMappings('m1');
    store.mappings.upsert(mapping('m1', { name: 'Renamed', transfers: 4 }));
    expect(store.mappings.get('m1')).toMatchObject({ name: 'Renamed', transfers: 4 });
    expect(store.mappings.setEnabled('m1', false)).toBe(true);
    expect(store.mappings.get('m1')?.enabled).toBe(false);
    expect(store.mappings.setEnabled('missing', true)).toBe(false);
  });

  it('refuses a mapping whose connection does not exist, naming it', () => {
    const { store } = storeWithMappings();
    expect(() => store.mappings.upsert(mapping('m1', { targetConnectionId: 'nope' }))).toThrow(
      expect.objectContaining({ code: 'InvalidReference', message: 'mapping "Mapping m1" refers to target connection "nope", which does not exist' }),
    );
  });

  it('keeps sync state across edits of its settings, but drops it when an endpoint changes', () => {
    const { store } = storeWithMappings('m1');
    store.objects.upsertMany('m1', [stateRow('a'), stateRow('b')]);
    store.mappings.upsert(mapping('m1', { transfers: 2, deleteMode: 'mirror' }));
    expect(store.objects.count('m1')).toBe(2);
    store.mappings.upsert(mapping('m1', { sourcePrefix: '2025/' }));
    expect(store.objects.count('m1')).toBe(0);
  });

  it("resetRoute gives the mapping's row the new route and drops its sync state, keeping its other settings", () => {
    const { store } = storeWithMappings('m1');
    store.objects.upsertMany('m1', [stateRow('a')]);
    store.mappings.resetRoute('m1', { ...mapping('m1'), targetBucket: 'archive', targetPrefix: 'old/' });
    expect(store.mappings.get('m1')).toEqual(mapping('m1', { targetBucket: 'archive', targetPrefix: 'old/' }));
    expect(store.objects.count('m1')).toBe(0);
  });

  it('resetRoute refuses an unknown mapping or connection and then changes nothing', () => {
    const { store } = storeWithMappings('m1');
    store.objects.upsertMany('m1', [stateRow('a')]);
    expect(() => store.mappings.resetRoute('nope', mapping('nope'))).toThrow(expect.objectContaining({ code: 'InvalidReference', message: 'mapping "nope" does not exist' }));
    expect(() => store.mappings.resetRoute('m1', mapping('m1', { sourceConnectionId: 'gone' }))).toThrow(
      expect.objectContaining({ code: 'InvalidReference', message: 'mapping "m1" refers to source connection "gone", which does not exist' }),
    );
    expect(store.mappings.get('m1')).toEqual(mapping('m1'));
    expect(store.objects.count('m1')).toBe(1);
  });

  it('removing a mapping removes its state, runs and logs', () => {
    const { store } = storeWithMappings('m1', 'm2');
    store.objects.upsertMany('m1', [stateRow('a')]);
    store.objects.upsertMany('m2', [stateRow('a')]);
    const run = store.runs.start('m1', false);
    store.logs.appendMany([{ runId: run.id, mappingId: 'm1', ts: 1, level: 'info', message: 'hello' }]);
    expect(store.mappings.remove('m1')).toBe(true);
    expect(store.mappings.remove('m1')).toBe(false);
    expect(store.objects.count('m1')).toBe(0);
    expect(store.runs.get(run.id)).toBeUndefined();
    expect(store.logs.query({ mappingId: 'm1', limit: 10 })).toEqual([]);
    expect(store.objects.count('m2')).toBe(1);
  });
});
