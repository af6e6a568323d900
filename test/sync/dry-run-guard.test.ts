// A dry run cannot write, even by mistake: the sync service hands a dry run's runner its providers
// behind the dry-run guard (providers/dry-run.ts), over the connection's shared provider. Runs here go
// through the library's synchronizer, as the CLI's --dry-run and a mapping set to dry run do (the
// app's previews are the same service runs: test/api/api.test.ts).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Connection, Mapping } from '../../shared/model';
import { createSynchronizer, type SyncOptions } from '../../electron/library';
import { counted, RequestCounts } from '../../electron/providers/counted';
import { createLocalProvider } from '../../electron/providers/local';
import { MemoryState } from '../../electron/sync/memory-state';
import * as runner from '../../electron/sync/runner';

vi.mock('../../electron/sync/runner', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../electron/sync/runner')>();
  return { ...actual, runMapping: vi.fn(actual.runMapping) };
});

const actualRunner = await vi.importActual<typeof import('../../electron/sync/runner')>('../../electron/sync/runner');

/** A runner with a planner bug: it forgets the run is a dry run, and copies and deletes for real. */
function runnerThatForgetsDryRun(): void {
  vi.mocked(runner.runMapping).mockImplementationOnce((options) =>
    actualRunner.runMapping({ ...options, dryRun: false, mapping: { ...options.mapping, dryRun: false } }),
  );
}

const CHANGES = ['createBucket', 'deleteBucket', 'write', 'remove', 'copy', 'abandonUpload'] as const;

let dir: string;
/** Calls that reached each connection's provider (under the service's own wrappers). */
let counts: Record<string, RequestCounts>;
let state: MemoryState;

const mapping: Mapping = {
  id: 'm',
  name: 'guarded',
  sourceConnectionId: 'src',
  sourceBucket: 'photos',
  sourcePrefix: '',
  targetConnectionId: 'dst',
  targetBucket: 'backup',
  targetPrefix: '',
  transfers: 2,
  deleteMode: 'mirror',
  maxDelete: null,
  dryRun: false,
  enabled: true,
  intervalSeconds: null,
};

function synchronizer(m: Mapping = mapping) {
  const connections: Connection[] = ['src', 'dst'].map((id) => ({ id, name: id, type: 'local', local: { root: path.join(dir, id) } }));
  return createSynchronizer({
    connections,
    mappings: [m],
    state,
    // Every connection here is a local folder under dir, named by its id.
    providerFactory: (connection) => counted(createLocalProvider({ root: path.join(dir, connection.id) }), counts[connection.id]!),
  });
}

async function run(m: Mapping, options: SyncOptions = {}) {
  const s = synchronizer(m);
  try {
    return (await s.sync(m.id, options)).run;
  } finally {
    await s.close();
  }
}

const targetFiles = async (): Promise<string[]> => (await readdir(path.join(dir, 'dst', 'backup'))).sort();
const changesAt = (id: string): number[] => CHANGES.map((op) => counts[id]!.calls[op]);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cds-dry-run-guard-'));
  await mkdir(path.join(dir, 'src', 'photos'), { recursive: true });
  await mkdir(path.join(dir, 'dst', 'backup'), { recursive: true });
  await writeFile(path.join(dir, 'src', 'photos', 'cat.jpg'), 'meow');
  await writeFile(path.join(dir, 'src', 'photos', 'dog.jpg'), 'woof');
  await writeFile(path.join(dir, 'dst', 'backup', 'stale.jpg'), 'old');
  counts = { src: new RequestCounts(), dst: new RequestCounts() };
  state = new MemoryState();
  vi.mocked(runner.runMapping).mockClear();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a dry run under the dry-run guard', () => {
  it.each([
    ['asked for by the caller', mapping, { dryRun: true }],
    ['set on the mapping', { ...mapping, dryRun: true }, {}],
  ] as const)('%s: a runner that tries to copy gets a refusal instead, and nothing reaches either provider', async (_, m, options) => {
    runnerThatForgetsDryRun();
    const result = await run(m, options);
    expect(runner.runMapping).toHaveBeenCalledTimes(1);
    expect(result).toMatchObject({ copied: 0, failed: 2, deleted: 0 });
    expect(result.status).not.toBe('success');
    expect(result.firstError).toMatch(/refused, this is a dry run/);
    expect(changesAt('dst')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(changesAt('src')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await targetFiles()).toEqual(['stale.jpg']);
  });

  it('is what stops that runner: in a real run the same runner copies and deletes', async () => {
    runnerThatForgetsDryRun();
    expect(await run(mapping)).toMatchObject({ status: 'success', copied: 2, deleted: 1 });
    expect(counts.dst!.calls.write).toBe(2);
    expect(await targetFiles()).toEqual(['cat.jpg', 'dog.jpg']);
  });

  it('lets a correct dry run plan as before: copies and deletes counted and listed, only reads reach the providers', async () => {
    const result = await run(mapping, { dryRun: true, previewLimit: 10 });
    expect(result).toMatchObject({ status: 'success', dryRun: true, copied: 2, deleted: 1, failed: 0, firstError: null });
    expect(changesAt('dst')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(counts.dst!.calls.listPage + counts.dst!.calls.listLevel).toBeGreaterThan(0);
    expect(await targetFiles()).toEqual(['stale.jpg']);
  });

  it("leaves an unfinished upload alone (its partial file and its journal row); the next real run aborts it", async () => {
    const partial = '.cds-partial-0123456789abcdef';
    await writeFile(path.join(dir, 'dst', 'backup', partial), 'half a file');
    const now = Date.now();
    state.uploads.put('m', {
      key: 'gone.jpg', targetBucket: 'backup', targetKey: 'gone.jpg', sourceEtag: 'e', sourceSize: 100,
      state: JSON.stringify({ partial }), startedAt: now, updatedAt: now,
    });

    expect(await run(mapping, { dryRun: true })).toMatchObject({ status: 'success', dryRun: true });
    expect(counts.dst!.calls.abandonUpload).toBe(0);
    expect((await state.uploads.all('m')).map((u) => u.key)).toEqual(['gone.jpg']);
    expect(await targetFiles()).toContain(partial);

    expect(await run(mapping)).toMatchObject({ status: 'success', dryRun: false, copied: 2 });
    expect(counts.dst!.calls.abandonUpload).toBe(1);
    expect(await state.uploads.all('m')).toEqual([]);
    expect(await targetFiles()).toEqual(['cat.jpg', 'dog.jpg']);
  });
});
