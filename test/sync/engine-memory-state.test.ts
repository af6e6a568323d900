// The engine needs no database: real syncs (local folders, and local → s3rver) run through a
// MemoryState, and better-sqlite3 is never loaded — importing it anywhere in this file's module
// graph, or at run time, would fail the file.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../../shared/model';
import { createLocalProvider } from '../../electron/providers/local';
import type { StorageProvider } from '../../electron/providers/provider';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping } from '../../electron/sync/runner';
import { contentMap, listAll, putText } from '../support/objects';
import type { S3TestServer } from '../support/s3-server';

const native = vi.hoisted(() => ({ loaded: false }));
vi.mock('better-sqlite3', () => {
  native.loaded = true;
  throw new Error('better-sqlite3 must not be loaded by an engine run on a MemoryState');
});

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function mappingFor(sourceBucket: string, targetBucket: string, patch: Partial<Mapping> = {}): Mapping {
  return {
    id: 'm1', name: 'memory', sourceConnectionId: 'src', sourceBucket, sourcePrefix: 'data/',
    targetConnectionId: 'dst', targetBucket, targetPrefix: 'copy/',
    transfers: 4, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, ...patch,
  };
}

const FILES: Record<string, string> = { 'a.txt': 'alpha', 'b/c.txt': 'nested', 'docs/😀.txt': 'non-BMP', 'z.txt': 'omega' };

/** First sync, a no-change re-sync, a deletion and the error codes, with the state held in memory. */
async function syncScenario(source: StorageProvider, target: StorageProvider, sourceBucket: string, targetBucket: string): Promise<void> {
  for (const [key, text] of Object.entries(FILES)) await putText(source, sourceBucket, `data/${key}`, text);
  const state = new MemoryState();
  const mapping = mappingFor(sourceBucket, targetBucket);
  const run = (patch: Partial<Mapping> = {}) => runMapping({ state, mapping: { ...mapping, ...patch }, source, target, sameConnection: false, retry: FAST_RETRY });

  const first = (await run()).run;
  expect(first).toMatchObject({ status: 'success', copied: 4, failed: 0, firstError: null, errorCode: null });
  expect(await contentMap(target, targetBucket, 'copy/')).toEqual(await contentMap(source, sourceBucket, 'data/'));
  expect(state.syncedObjects('m1').map((o) => o.key)).toEqual(['a.txt', 'b/c.txt', 'docs/😀.txt', 'z.txt']);
  expect(state.logs(first.id).at(-1)?.message).toMatch(/^Run success: copied 4/);

  // The second run finds the state the first one recorded in memory.
  expect((await run()).run).toMatchObject({ status: 'success', copied: 0, skipped: 4 });

  await source.remove(sourceBucket, ['data/z.txt']);
  expect((await run({ maxDelete: { kind: 'count', value: 0 } })).run).toMatchObject({ status: 'failed', deleted: 0, errorCode: 'MaxDeleteGuard' });
  expect((await run()).run).toMatchObject({ status: 'success', deleted: 1 });
  expect((await listAll(target, targetBucket)).map((o) => o.key)).toEqual(['copy/a.txt', 'copy/b/c.txt', 'copy/docs/😀.txt']);

  expect((await run({ sourceBucket: 'missing-bucket' })).run).toMatchObject({ status: 'failed', errorCode: 'NotFound' });
  expect(state.runs('m1').map((r) => r.status)).toEqual(['success', 'success', 'failed', 'success', 'failed']);
  expect(state.pendingDeleteCount()).toBe(0);
}

describe('the engine on a MemoryState, without better-sqlite3', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cds-memory-engine-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    // Last, after every run: nothing along the way loaded the native module, by import or require.
    expect(native.loaded).toBe(false);
    expect(Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('better-sqlite3'))).toEqual([]);
  });

  it('syncs local → local', async () => {
    const local = createLocalProvider({ root });
    await local.createBucket('src');
    await local.createBucket('dst');
    await syncScenario(local, createLocalProvider({ root }), 'src', 'dst');

    // A run stopped before it started anything is cancelled, with the code saying so and no error.
    const state = new MemoryState();
    const stop = new AbortController();
    stop.abort();
    const { run } = await runMapping({ state, mapping: mappingFor('src', 'dst'), source: local, target: local, sameConnection: true, stopSignal: stop.signal });
    expect(run).toMatchObject({ status: 'cancelled', copied: 0, firstError: null, errorCode: 'Cancelled' });
    expect(native.loaded).toBe(false);
  });

  describe('local → s3 (s3rver)', () => {
    let server: S3TestServer | undefined;
    afterAll(async () => server?.stop());

    it('syncs', async () => {
      const { startS3Server, awsSettingsFor } = await import('../support/s3-server');
      const { createS3Provider } = await import('../../electron/providers/s3');
      server = await startS3Server();
      const s3 = createS3Provider(awsSettingsFor(server));
      const local = createLocalProvider({ root });
      await local.createBucket('from-local');
      await s3.createBucket('to-s3');
      try {
        await syncScenario(local, s3, 'from-local', 'to-s3');
      } finally {
        await s3.close();
      }
      expect(native.loaded).toBe(false);
    });
  });
});
