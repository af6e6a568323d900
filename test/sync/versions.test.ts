// keepVersions with a versions folder, on the two targets that keep versions that way: a local folder
// (the previous version is renamed away) and Azure on Azurite (copied server-side; Azurite, like the
// data API of a real account, has no bucket versioning to ask). An overwrite and a delete keep the old
// bytes under .cds-versions/<run start>/<key>; a failure to keep one fails that object, which stays as
// it was; .cds-versions/ is never listed as a sync object on either side; a dry run keeps nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { StorageError } from '../../electron/providers/errors';
import type { StorageProvider } from '../../electron/providers/provider';
import { wrap } from '../../electron/providers/wrap';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping } from '../../electron/sync/runner';
import { versionsFolderOf } from '../../electron/sync/versions';
import { startEndpoints, type Endpoints } from '../support/endpoints';
import { listAll, putText, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function mappingFor(sourceBucket: string, targetBucket: string, patch: Partial<Mapping> = {}): Mapping {
  return {
    id: 'm1', name: 'versions', sourceConnectionId: 'src', sourceBucket, sourcePrefix: 'data/',
    targetConnectionId: 'dst', targetBucket, targetPrefix: 'copy/',
    transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, keepVersions: true, ...patch,
  };
}

/** The target refuses to keep a previous version of any key containing `key` (as a full disk or a missing permission would). */
function refusingToKeep(target: StorageProvider, key: string): StorageProvider {
  return wrap(target, (call, run) =>
    (call.op === 'rename' || call.op === 'copy' || call.op === 'write') && call.what.includes('.cds-versions/') && call.what.includes(key)
      ? Promise.reject(new StorageError('AccessDenied', `${call.what}: denied by the test`))
      : run(),
  );
}

describe('keepVersions with a versions folder', () => {
  let endpoints: Endpoints;
  beforeAll(async () => {
    endpoints = await startEndpoints(['local', 'azure']);
  }, 120_000);
  afterAll(async () => {
    await endpoints?.stop();
  });

  for (const kind of ['local', 'azure'] as const) {
    describe(`local → ${kind}`, () => {
      it('the provider keeps versions in a folder: it has no bucket versioning to ask', () => {
        const target = endpoints.provider(kind);
        expect(target.versioning).toBeUndefined();
        expect(target.rename !== undefined).toBe(kind === 'local');
      });

      it('an overwrite and a delete keep the old bytes; a failure to keep fails the object, which stays; a dry run keeps nothing', async () => {
        const source = endpoints.provider('local');
        const target = endpoints.provider(kind);
        const sourceBucket = uniqueBucket('src');
        const targetBucket = uniqueBucket('dst');
        await source.createBucket(sourceBucket);
        await target.createBucket(targetBucket);
        const put = (key: string, text: string) => putText(source, sourceBucket, `data/${key}`, text);
        const text = async (key: string) => (await readAll(target, targetBucket, key)).toString();
        const keys = async () => (await listAll(target, targetBucket)).map((o) => o.key);
        await put('a.txt', 'alpha v1');
        await put('b/c.txt', 'charlie v1');
        await put('gone.txt', 'to be deleted');
        // An earlier run's kept version: a mirror must neither delete nor count it.
        await putText(target, targetBucket, '.cds-versions/2026-01-01T00-00-00.000Z/copy/a.txt', 'alpha v0');
        const state = new MemoryState();
        const mapping = mappingFor(sourceBucket, targetBucket);
        const run = (patch: Partial<Mapping> = {}, dryRun = false, on = target) =>
          runMapping({ state, mapping: { ...mapping, ...patch }, source, target: on, sameConnection: false, retry: FAST_RETRY, dryRun });
        const messages = (runId: number) => state.logs(runId).map((l) => l.message);

        const first = await run();
        expect(first.run).toMatchObject({ status: 'success', copied: 3, deleted: 0, failed: 0 });
        expect(first.versions).toBe(`Kept 0 previous version(s) in ${targetBucket}/${versionsFolderOf(first.run.startedAt)} (keepVersions)`);
        expect(messages(first.run.id)).toContain(`keepVersions: keeping the previous version of every object overwritten or deleted in ${targetBucket}/${versionsFolderOf(first.run.startedAt)}`);

        await put('a.txt', 'alpha v2');
        await source.remove(sourceBucket, ['data/gone.txt']);
        const before = await keys();
        const dry = await run({}, true);
        expect(dry.run).toMatchObject({ status: 'success', copied: 1, deleted: 1 });
        expect(dry.versions).toMatch(/^A run would keep 2 previous version\(s\) in .*; a dry run keeps nothing$/);
        expect(await keys()).toEqual(before);

        const second = await run();
        expect(second.run).toMatchObject({ status: 'success', copied: 1, deleted: 1, failed: 0 });
        const folder = versionsFolderOf(second.run.startedAt);
        expect(second.versions).toBe(`Kept 2 previous version(s) in ${targetBucket}/${folder} (keepVersions)`);
        expect(await text('copy/a.txt')).toBe('alpha v2');
        expect(await text(`${folder}copy/a.txt`)).toBe('alpha v1');
        expect(await text(`${folder}copy/gone.txt`)).toBe('to be deleted');
        expect(await text('.cds-versions/2026-01-01T00-00-00.000Z/copy/a.txt')).toBe('alpha v0');
        expect(await keys()).toEqual([
          '.cds-versions/2026-01-01T00-00-00.000Z/copy/a.txt',
          `${folder}copy/a.txt`,
          `${folder}copy/gone.txt`,
          'copy/a.txt',
          'copy/b/c.txt',
        ]);
        // Nothing in .cds-versions/ is a sync object: an unchanged source copies and deletes nothing.
        expect((await run()).run).toMatchObject({ status: 'success', copied: 0, deleted: 0, skipped: 2 });

        // Keeping b/c.txt fails: its overwrite fails and the target keeps the old bytes; a.txt goes on.
        await put('a.txt', 'alpha v3');
        await put('b/c.txt', 'charlie v2');
        const refusing = refusingToKeep(target, 'b/c.txt');
        const third = await run({}, false, refusing);
        expect(third.run).toMatchObject({ status: 'partial', copied: 1, failed: 1 });
        expect(third.run.firstError).toMatch(/^Failed to copy b\/c\.txt: could not keep its previous version as .*copy\/b\/c\.txt: .*denied by the test/);
        expect(await text('copy/b/c.txt')).toBe('charlie v1');
        expect(await text('copy/a.txt')).toBe('alpha v3');

        // The same for a delete: b/c.txt stays, a.txt is deleted and kept.
        await source.remove(sourceBucket, ['data/a.txt', 'data/b/c.txt']);
        const fourth = await run({}, false, refusing);
        expect(fourth.run).toMatchObject({ status: 'partial', deleted: 1, failed: 1 });
        expect(fourth.run.firstError).toMatch(/^Failed to delete b\/c\.txt: could not keep its previous version .*; it stays at the target$/);
        expect(await text('copy/b/c.txt')).toBe('charlie v1');
        expect(await text(`${versionsFolderOf(fourth.run.startedAt)}copy/a.txt`)).toBe('alpha v3');
        expect((await keys()).filter((k) => k.startsWith('copy/'))).toEqual(['copy/b/c.txt']);

        // Once keeping works again, the delete goes ahead.
        const fifth = await run();
        expect(fifth.run).toMatchObject({ status: 'success', deleted: 1, failed: 0 });
        expect(await text(`${versionsFolderOf(fifth.run.startedAt)}copy/b/c.txt`)).toBe('charlie v1');
        expect((await keys()).filter((k) => !k.startsWith('.cds-versions/'))).toEqual([]);
      });
    });
  }

  it('.cds-versions/ at the bucket root is no sync object on either side, with or without keepVersions', async () => {
    const source = endpoints.provider('local');
    const target = endpoints.provider('local');
    const sourceBucket = uniqueBucket('src');
    const targetBucket = uniqueBucket('dst');
    await source.createBucket(sourceBucket);
    await target.createBucket(targetBucket);
    await putText(source, sourceBucket, 'keep.txt', 'kept');
    await putText(source, sourceBucket, '.cds-versions/2026-01-01T00-00-00.000Z/keep.txt', 'history of the source');
    await putText(target, targetBucket, '.cds-versions/2026-02-02T00-00-00.000Z/old.txt', 'history of the target');
    const state = new MemoryState();
    for (const keepVersions of [false, true]) {
      const mapping = mappingFor(sourceBucket, targetBucket, { sourcePrefix: '', targetPrefix: '', keepVersions, maxDelete: { kind: 'count', value: 0 } });
      const { run } = await runMapping({ state, mapping, source, target, sameConnection: false, retry: FAST_RETRY });
      expect(run).toMatchObject({ status: 'success', copied: keepVersions ? 0 : 1, deleted: 0 });
      expect(state.logs(run.id).map((l) => l.message)).toContain('Not synced: 1 source object(s) in or bound for .cds-versions/, the folder reserved for kept versions');
      expect((await listAll(target, targetBucket)).map((o) => o.key)).toEqual(['.cds-versions/2026-02-02T00-00-00.000Z/old.txt', 'keep.txt']);
    }
  });

  it('a target prefix inside .cds-versions/ is refused before anything is listed', async () => {
    const local = endpoints.provider('local');
    const bucket = uniqueBucket('b');
    await local.createBucket(bucket);
    const state = new MemoryState();
    const { run } = await runMapping({ state, mapping: mappingFor(bucket, bucket, { targetPrefix: '.cds-versions/x/' }), source: local, target: local, sameConnection: true, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'VersionsUnavailable' });
    expect(run.firstError).toMatch(/target prefix "\.cds-versions\/x\/" is inside \.cds-versions\//);
  });
});
