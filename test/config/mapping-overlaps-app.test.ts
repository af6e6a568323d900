// The app (desktop and `serve` share this core and its API) refuses to save a mapping that overlaps
// through a second connection to the same folder, by real path: the same rule as the CLI's config.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../electron/core/core';
import { storedMappingConflicts } from '../../electron/api/bucket-locations';
import type { MappingInput } from '../../shared/contract';

let core: AppCore | undefined;
let dir: string | undefined;
afterEach(async () => {
  await core?.shutdown(1_000);
  core = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function input(extra: Partial<MappingInput>): MappingInput {
  return {
    name: 'M', sourceConnectionId: 'disk', sourceBucket: 'a', sourcePrefix: '', targetConnectionId: 'alias', targetBucket: 'b', targetPrefix: '',
    transfers: 1, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...extra,
  };
}

describe('app: mapping overlaps by real path', () => {
  it('refuses a mapping into its own source and a loop with a mirror, through a symlinked connection', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cds-overlap-app-'));
    const root = path.join(dir, 'root');
    for (const bucket of ['a', 'b']) mkdirSync(path.join(root, bucket), { recursive: true });
    symlinkSync(root, path.join(dir, 'alias'));
    const real = realpathSync(root);
    core = createAppCore({ dbPath: path.join(dir, 'data.db'), version: '0.0.0-test', mode: 'server' });
    expect((await core.dispatch('connections.create', { id: 'disk', name: 'Disk', type: 'local', local: { root } })).ok).toBe(true);
    expect((await core.dispatch('connections.create', { id: 'alias', name: 'Alias', type: 'local', local: { root: path.join(dir, 'alias') } })).ok).toBe(true);

    const nested = await core.dispatch('mappings.create', input({ name: 'Nest', targetBucket: 'a', targetPrefix: 'copy/' }));
    expect(nested).toMatchObject({ ok: false, error: { code: 'InvalidArgument', field: 'targetPrefix' } });
    expect(!nested.ok && nested.error.message).toContain(`source disk:a/ (file://${real}/a/) and target alias:a/copy/ (file://${real}/a/copy/)`);
    // Previewing the unsaved input is refused by the same rule.
    expect(await core.dispatch('mappings.preview', { input: input({ name: 'Nest', targetBucket: 'a', targetPrefix: 'copy/' }) })).toMatchObject({ ok: false, error: { code: 'InvalidArgument' } });

    expect((await core.dispatch('mappings.create', input({ name: 'There', deleteMode: 'mirror' }))).ok).toBe(true);
    const back = await core.dispatch('mappings.create', input({ name: 'Back', sourceConnectionId: 'alias', sourceBucket: 'b', targetConnectionId: 'disk', targetBucket: 'a' }));
    expect(back).toMatchObject({ ok: false, error: { code: 'InvalidArgument' } });
    expect(!back.ok && back.error.message).toContain('forms a loop mapping "There" → mapping "Back" → mapping "There"');
    expect(core.store.mappings.list().map((m) => m.name)).toEqual(['There']);

    // A loop already in the database (saved before this rule, or by a connection edit) is found there too.
    expect(storedMappingConflicts(core.store)).toEqual([]);
    core.store.mappings.upsert({ ...input({ name: 'Legacy back', sourceConnectionId: 'alias', sourceBucket: 'b', targetConnectionId: 'disk', targetBucket: 'a' }), id: 'legacy', maxDelete: null, alerts: undefined });
    expect(storedMappingConflicts(core.store)).toEqual([
      expect.objectContaining({ kind: 'cycle', mappingIds: [expect.any(String), 'legacy'], message: expect.stringContaining('forms a loop mapping "There" → mapping "Legacy back"') }),
    ]);
  });
});

describe('app: a mapping over the folder that holds the database', () => {
  it('is refused: a run would read the live database files, and reading the lock file drops the lock', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cds-overlap-app-'));
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, 'config'), { recursive: true });
    mkdirSync(path.join(home, 'backup'), { recursive: true });
    core = createAppCore({ dbPath: path.join(home, 'config', 'app', 'data.db'), version: '0.0.0-test', mode: 'desktop' });
    expect((await core.dispatch('connections.create', { id: 'home', name: 'Home', type: 'local', local: { root: home } })).ok).toBe(true);
    const saved = await core.dispatch('mappings.create', { ...input({ name: 'Everything' }), sourceConnectionId: 'home', sourceBucket: 'config', targetConnectionId: 'home', targetBucket: 'backup' });
    const real = realpathSync(home);
    expect(saved).toMatchObject({
      ok: false,
      error: { code: 'InvalidArgument', field: 'sourceBucket', message: `mapping "Everything": the source (file://${real}/config/) holds the database ${real}/config/app/data.db; move the database out of synced folders` },
    });
  });
});
