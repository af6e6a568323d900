// The overlap rule beyond a mapping's own save (the app core and its API, as desktop and `serve` run
// them): a config import is checked by real path, a connection edit that moves mappings into an
// overlap is refused, and mappings already saved in a conflict (before the rule existed) do not run:
// each attempt, scheduled or "sync now", is recorded as a failed run that says why.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../electron/core/core';
import { unwrapEnvelope, type CommandArgs, type CommandName, type CommandResult, type MappingInput } from '../../shared/contract';
import type { Mapping, RunSummary } from '../../shared/model';

let core: AppCore;
let dir: string;
let root: string;
let alias: string;
let real: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cds-overlap-changes-'));
  root = path.join(dir, 'root');
  for (const bucket of ['a', 'b']) mkdirSync(path.join(root, bucket), { recursive: true });
  mkdirSync(path.join(dir, 'elsewhere', 'a'), { recursive: true });
  alias = path.join(dir, 'alias');
  symlinkSync(root, alias);
  real = realpathSync(root);
  core = createAppCore({ dbPath: path.join(dir, 'data.db'), version: '0.0.0-test', mode: 'server' });
});
afterEach(async () => {
  await core.shutdown(1_000);
  rmSync(dir, { recursive: true, force: true });
});

function input(extra: Partial<MappingInput>): MappingInput {
  return {
    name: 'M', sourceConnectionId: 'disk', sourceBucket: 'a', sourcePrefix: '', targetConnectionId: 'disk', targetBucket: 'b', targetPrefix: '',
    transfers: 1, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...extra,
  };
}

async function connect(id: string, folder: string): Promise<void> {
  expect((await core.dispatch('connections.create', { id, name: id, type: 'local', local: { root: folder } })).ok).toBe(true);
}

/** A command's result; throws its error. */
async function call<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandResult<N>> {
  return unwrapEnvelope(await core.dispatch(name, args)) as CommandResult<N>;
}

/** The next finished run of `mappingId`. */
function nextRun(mappingId: string): Promise<RunSummary> {
  return new Promise((resolve) => {
    const off = core.events.on('run.finished', (run) => {
      if (run.mappingId !== mappingId) return;
      off();
      resolve(run);
    });
  });
}

describe('config import', () => {
  it('refuses a file whose two local connections reach one folder through a symlink and nest, by real path; nothing is saved', async () => {
    const json = JSON.stringify({
      providers: [{ id: 'disk', type: 'local', local: { root } }, { id: 'alias', type: 'local', local: { root: alias } }],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'a', targetProviderId: 'alias', targetBucket: 'a', targetPrefix: 'copy/' }],
    });
    for (const apply of [false, true]) {
      const result = await core.dispatch('config.import', { json, apply });
      expect(result).toMatchObject({ ok: false, error: { code: 'InvalidArgument', field: 'mappings[0]' } });
      expect(!result.ok && result.error.message).toContain(`source disk:a/ (file://${real}/a/) and target alias:a/copy/ (file://${real}/a/copy/)`);
    }
    expect(core.store.connections.list()).toEqual([]);
  });

  it('refuses a file whose mapping closes a loop with a saved mirror mapping, in the preview too; the transaction leaves nothing behind', async () => {
    await connect('disk', root);
    expect((await core.dispatch('mappings.create', input({ name: 'There', deleteMode: 'mirror' }))).ok).toBe(true);
    const json = JSON.stringify({
      providers: [{ id: 'alias', type: 'local', local: { root: alias } }],
      mappings: [{ name: 'Back', sourceProviderId: 'alias', sourceBucket: 'b', targetProviderId: 'alias', targetBucket: 'a' }],
    });
    for (const apply of [false, true]) {
      const result = await core.dispatch('config.import', { json, apply });
      expect(result).toMatchObject({ ok: false, error: { code: 'InvalidArgument' } });
      expect(!result.ok && result.error.message).toContain('this change would make saved mappings overlap: mapping "Back" forms a loop mapping "There" → mapping "Back" → mapping "There"');
    }
    expect(core.store.connections.list().map((c) => c.id)).toEqual(['disk']);
    expect(core.store.mappings.list().map((m) => m.name)).toEqual(['There']);
  });

  it('refuses a file with a mapping over the folder that holds the database', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'cds-overlap-target-'));
    try {
      const json = JSON.stringify({
        providers: [{ id: 'up', type: 'local', local: { root: path.dirname(dir) } }, { id: 'backup', type: 'local', local: { root: outside } }],
        mappings: [{ sourceProviderId: 'up', sourceBucket: path.basename(dir), targetProviderId: 'backup', targetBucket: 'b' }],
      });
      const result = await core.dispatch('config.import', { json, apply: false });
      expect(result).toMatchObject({ ok: false, error: { code: 'InvalidArgument' } });
      expect(!result.ok && result.error.message).toBe(
        `mappings[0]: the source (file://${realpathSync(dir)}/) holds the database ${realpathSync(dir)}/data.db; move the database out of synced folders`,
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('connection edit', () => {
  it('refuses a new root that moves a saved mapping into its own source, naming the mapping, on the root field', async () => {
    await connect('disk', root);
    await connect('other', path.join(dir, 'elsewhere'));
    expect((await core.dispatch('mappings.create', input({ name: 'Out', targetConnectionId: 'other', targetBucket: 'a' }))).ok).toBe(true);

    const moved = await core.dispatch('connections.update', { id: 'other', name: 'other', type: 'local', local: { root: alias } });
    expect(moved).toMatchObject({ ok: false, error: { code: 'InvalidArgument', field: 'local.root' } });
    expect(!moved.ok && moved.error.message).toBe(
      `this change would make saved mappings overlap: mapping "Out": source disk:a/ (file://${real}/a/) and target other:a/ (file://${real}/a/) are the same place or one inside the other: ` +
        'the mapping would sync into itself; use another bucket or non-overlapping prefixes, one level deeper on every run',
    );
    expect(core.store.connections.get('other')).toMatchObject({ local: { root: path.join(dir, 'elsewhere') } });

    // An edit that moves nothing into an overlap is saved.
    expect(await core.dispatch('connections.update', { id: 'other', name: 'Elsewhere', type: 'local', local: { root: path.join(dir, 'elsewhere'), symlinks: 'follow' } })).toMatchObject({ ok: true });
  });

  it('does not refuse an edit because of a conflict that was saved before it', async () => {
    await connect('disk', root);
    await connect('alias', alias);
    core.store.mappings.upsert({ ...input({ name: 'Legacy nest', targetConnectionId: 'alias', targetBucket: 'a', targetPrefix: 'copy/' }), id: 'legacy', alerts: undefined });
    expect(await core.dispatch('connections.update', { id: 'alias', name: 'Alias, renamed', type: 'local', local: { root: alias } })).toMatchObject({ ok: true });
  });
});

describe('mappings saved in a conflict', () => {
  it('do not run, scheduled or on "sync now": a failed run says why; once the conflict is gone they run', async () => {
    writeFileSync(path.join(root, 'a', 'x.txt'), 'x');
    await connect('disk', root);
    await connect('alias', alias);
    const there = await call('mappings.create', input({ name: 'There', deleteMode: 'mirror' }));
    // Saved before the rule existed (the API refuses it now): B → A through the alias, every hour.
    const back: Mapping = { ...input({ name: 'Back', sourceConnectionId: 'alias', sourceBucket: 'b', targetConnectionId: 'disk', targetBucket: 'a', intervalSeconds: 3600 }), id: 'legacy-back', alerts: undefined };
    core.store.mappings.upsert(back);

    const scheduled = nextRun(back.id);
    core.start(); // interval mappings run once at start
    const backRun = await scheduled;
    expect(backRun).toMatchObject({ status: 'failed', copied: 0, failed: 0, errorCode: 'NotStarted' });
    expect(backRun.firstError).toMatch(
      /^not run, it overlaps other saved mappings \(change one of the mappings or connections involved\): mapping "Back" forms a loop mapping "There" → mapping "Back" → mapping "There"/,
    );

    const manual = nextRun(there.id);
    expect(await core.dispatch('sync.now', { mappingId: there.id })).toMatchObject({ ok: true });
    const thereRun = await manual;
    expect(thereRun).toMatchObject({ status: 'failed', firstError: backRun.firstError });
    expect(existsSync(path.join(root, 'b', 'x.txt'))).toBe(false);
    // The history calls return the run's error code with it.
    expect(await call('runs.get', { id: thereRun.id })).toMatchObject({ status: 'failed', errorCode: 'NotStarted' });
    const logs = await call('logs.query', { mappingId: there.id, runId: thereRun.id });
    expect(logs.map((l) => [l.level, l.message])).toEqual([['error', thereRun.firstError]]);

    // Deleting one side of the loop (a data change) lets the other run.
    expect(await core.dispatch('mappings.delete', { id: back.id })).toMatchObject({ ok: true });
    const fixed = nextRun(there.id);
    await core.dispatch('sync.now', { mappingId: there.id });
    expect(await fixed).toMatchObject({ status: 'success', copied: 1 });
    expect(readFileSync(path.join(root, 'b', 'x.txt'), 'utf8')).toBe('x');
  });
});
