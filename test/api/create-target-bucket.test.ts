// createTargetBucket through the API: a mapping keeps the flag (store, list, export/import); its run
// creates the missing target folder and logs it, a preview plans against an empty target and creates
// nothing, and without the flag the run fails naming the bucket.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unwrapEnvelope, type ApiError, type CommandArgs, type CommandName, type CommandResult, type MappingInput } from '../../shared/contract';
import { createApiDispatcher, type ApiDeps } from '../../electron/api';
import { SyncService } from '../../electron/services/sync-service';
import { Scheduler } from '../../electron/sync/scheduler';
import { tempDir, tempStore, testCipher } from '../store/fixtures';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The dispatcher over a real store, sync service and scheduler; a local root with a source bucket only. */
async function setup() {
  const { store } = tempStore({ cipher: testCipher() });
  const syncService = new SyncService(store.engineState, (id) => store.connections.getWithSecrets(id), { globalTransfers: 4 });
  const scheduler = new Scheduler({
    listMappings: () => store.mappings.list(),
    runMapping: async (mapping, control) => (await syncService.run(mapping, control)).run,
    maxConcurrentRuns: 1,
    lastRun: (id) => store.runs.latest(id) ?? null,
  });
  scheduler.start();
  cleanups.push(async () => {
    await scheduler.stop(1_000);
    await syncService.close();
  });
  const deps: ApiDeps = { store, syncService, scheduler, emit: () => undefined, version: '9.9.9', mode: 'server', applyDesktopSetting: () => undefined };
  const dispatch = createApiDispatcher(deps);
  const call = async <N extends CommandName>(name: N, ...args: CommandArgs<N> extends void ? [] : [CommandArgs<N>]): Promise<CommandResult<N>> =>
    unwrapEnvelope(await dispatch(name, args[0])) as never;
  const fail = async (name: CommandName, args: unknown): Promise<ApiError> => {
    const envelope = await dispatch(name, args);
    if (envelope.ok) throw new Error(`expected ${name} to fail`);
    return envelope.error;
  };
  const root = tempDir();
  mkdirSync(join(root, 'photos', 'b'), { recursive: true });
  writeFileSync(join(root, 'photos', 'a.jpg'), 'aaa');
  writeFileSync(join(root, 'photos', 'b', '1.jpg'), 'b1');
  const src = (await call('connections.create', { name: 'Laptop', type: 'local', local: { root } })).id;
  const dst = (await call('connections.create', { name: 'NAS', type: 'local', local: { root } })).id;
  const input = (overrides: Partial<MappingInput> = {}): MappingInput => ({
    name: 'Photos', sourceConnectionId: src, sourceBucket: 'photos', sourcePrefix: '', targetConnectionId: dst, targetBucket: 'new-backup', targetPrefix: '',
    transfers: 2, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    ...overrides,
  });
  const finishedRun = async (mappingId: string) => {
    await call('sync.now', { mappingId });
    let run: CommandResult<'runs.list'>[number] | undefined;
    await expect.poll(async () => (run = (await call('runs.list', { mappingId })).find((r) => !r.dryRun))?.finishedAt ?? null, { timeout: 10_000 }).not.toBeNull();
    return run!;
  };
  return { call, fail, input, root, finishedRun };
}

describe('api: createTargetBucket', () => {
  it('keeps the flag; a preview creates nothing and plans every copy; the run creates the bucket, logs it and syncs', async () => {
    const { call, input, root, finishedRun } = await setup();
    const created = await call('mappings.create', input({ createTargetBucket: true }));
    expect(created.createTargetBucket).toBe(true);
    expect((await call('mappings.list'))[0]?.createTargetBucket).toBe(true);

    const preview = await call('mappings.preview', { id: created.id });
    expect(preview).toMatchObject({ status: 'success', copies: 2, deletes: 0, error: null });
    expect(existsSync(join(root, 'new-backup'))).toBe(false);

    expect((await finishedRun(created.id)).status).toBe('success');
    expect(readdirSync(join(root, 'new-backup'), { recursive: true }).sort()).toEqual(['a.jpg', 'b', join('b', '1.jpg')]);
    const logs = await call('logs.query', { mappingId: created.id, text: 'Created target bucket' });
    expect(logs.map((l) => l.message)).toEqual(['Created target bucket new-backup']);
  });

  it('without the flag the run fails naming the missing bucket and creates nothing', async () => {
    const { call, input, root, finishedRun } = await setup();
    const created = await call('mappings.create', input());
    expect(created).not.toHaveProperty('createTargetBucket');
    const run = await finishedRun(created.id);
    expect(run.status).toBe('failed');
    expect(run.firstError).toMatch(/target bucket "new-backup" was not found/);
    expect(existsSync(join(root, 'new-backup'))).toBe(false);
  });

  it('an update without the field clears it, and a value that is not a boolean is refused at the field', async () => {
    const { call, fail, input } = await setup();
    const { id } = await call('mappings.create', input({ createTargetBucket: true }));
    expect(await call('mappings.update', { ...input(), id })).not.toHaveProperty('createTargetBucket');
    expect(await fail('mappings.create', { ...input(), createTargetBucket: 'yes' })).toMatchObject({ code: 'InvalidArgument', field: 'createTargetBucket' });
  });

  it('config export writes it and import reads it back', async () => {
    const { call, input } = await setup();
    const created = await call('mappings.create', input({ createTargetBucket: true }));
    const { json } = await call('config.export');
    expect((JSON.parse(json) as { mappings: Record<string, unknown>[] }).mappings[0]).toMatchObject({ createTargetBucket: true });
    const other = await setup();
    await other.call('config.import', { json, apply: true });
    expect((await other.call('mappings.list')).find((m) => m.id === created.id)?.createTargetBucket).toBe(true);
  });
});
