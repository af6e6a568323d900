// The API over a real store, sync service and scheduler, with two local connections ("Laptop" and
// "NAS") on one temporary root: where the API tests of a mapping feature (filters, hooks, bucket
// creation) start. Everything it starts is stopped when the test finishes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { unwrapEnvelope, type ApiError, type CommandArgs, type CommandName, type CommandResult, type MappingInput } from '../../shared/contract';
import { createApiDispatcher, type ApiDeps } from '../../electron/api';
import { SyncService } from '../../electron/services/sync-service';
import { Scheduler } from '../../electron/sync/scheduler';
import { tempDir, tempStore, testCipher } from '../store/fixtures';

export interface LocalApiOptions {
  /** Files of the source bucket "photos", by key. */
  source?: Record<string, string>;
  /** The target bucket's name (default "backup"). */
  targetBucket?: string;
  /** Files already in the target bucket, by key; null: the target bucket does not exist. */
  target?: Record<string, string> | null;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), text);
  }
}

export async function localApi(options: LocalApiOptions = {}) {
  const { store } = tempStore({ cipher: testCipher() });
  const syncService = new SyncService(store.engineState, (id) => store.connections.getWithSecrets(id), { globalTransfers: 4 });
  const scheduler = new Scheduler({
    listMappings: () => store.mappings.list(),
    runMapping: async (mapping, control) => (await syncService.run(mapping, control)).run,
    maxConcurrentRuns: 1,
    lastRun: (id) => store.runs.latest(id) ?? null,
  });
  scheduler.start();
  onTestFinished(async () => {
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
  const targetBucket = options.targetBucket ?? 'backup';
  writeFiles(join(root, 'photos'), options.source ?? { 'a.jpg': 'aaa', 'b/1.jpg': 'b1' });
  if (options.target !== null) writeFiles(join(root, targetBucket), options.target ?? {});
  const src = (await call('connections.create', { name: 'Laptop', type: 'local', local: { root } })).id;
  const dst = (await call('connections.create', { name: 'NAS', type: 'local', local: { root } })).id;
  const input = (overrides: Partial<MappingInput> = {}): MappingInput => ({
    name: 'Photos', sourceConnectionId: src, sourceBucket: 'photos', sourcePrefix: '', targetConnectionId: dst, targetBucket, targetPrefix: '',
    transfers: 2, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    ...overrides,
  });
  /** Starts a run of the mapping and waits until a (non-dry) run of it has finished. */
  const finishedRun = async (mappingId: string) => {
    await call('sync.now', { mappingId });
    let run: CommandResult<'runs.list'>[number] | undefined;
    await expect.poll(async () => (run = (await call('runs.list', { mappingId })).find((r) => !r.dryRun))?.finishedAt ?? null, { timeout: 10_000 }).not.toBeNull();
    return run!;
  };
  return { call, fail, input, root, finishedRun };
}
