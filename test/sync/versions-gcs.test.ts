// keepVersions on GCS, against the in-repo GCS test server, which keeps noncurrent generations when a
// bucket's versioning is enabled (as GCS does; gaps in docs/versions.md). A bucket without versioning
// refuses the run, naming the bucket and the gcloud command; createTargetBucket creates the bucket
// with versioning on, and an overwrite and a delete leave the old generations listable (versions=true)
// and readable by generation, through the JSON API as any GCS client would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { createGcsProvider } from '../../electron/providers/gcs';
import type { StorageProvider } from '../../electron/providers/provider';
import { MemoryState } from '../../electron/sync/memory-state';
import { runMapping } from '../../electron/sync/runner';
import { startEndpoints, type Endpoints } from '../support/endpoints';
import { gcsSettingsFor, startGcsServer, type GcsTestServer } from '../support/gcs-server';
import { listAll, putText, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

function mappingFor(sourceBucket: string, targetBucket: string, patch: Partial<Mapping> = {}): Mapping {
  return {
    id: 'm1', name: 'versions', sourceConnectionId: 'src', sourceBucket, sourcePrefix: '',
    targetConnectionId: 'dst', targetBucket, targetPrefix: 'copy/',
    transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, keepVersions: true, ...patch,
  };
}

interface Generation {
  name: string;
  generation: string;
  timeDeleted?: string;
}

describe('keepVersions on GCS bucket versioning (the GCS test server)', () => {
  let endpoints: Endpoints;
  let server: GcsTestServer;
  let local: StorageProvider;
  let target: StorageProvider;
  beforeAll(async () => {
    [endpoints, server] = await Promise.all([startEndpoints(['local']), startGcsServer()]);
    local = endpoints.provider('local');
    target = createGcsProvider(gcsSettingsFor(server));
  });
  afterAll(async () => {
    await target?.close();
    await Promise.allSettled([endpoints?.stop(), server?.stop()]);
  });

  const api = (path: string) => fetch(`${server.apiEndpoint}/storage/v1/${path}`);
  const generations = async (bucket: string, prefix: string): Promise<Generation[]> =>
    ((await (await api(`b/${bucket}/o?versions=true&prefix=${encodeURIComponent(prefix)}`)).json()) as { items?: Generation[] }).items ?? [];
  const readGeneration = async (bucket: string, g: Generation) => (await api(`b/${bucket}/o/${encodeURIComponent(g.name)}?generation=${g.generation}&alt=media`)).text();

  it('a bucket without versioning refuses the run, naming the bucket and how to enable it', async () => {
    const src = uniqueBucket('src');
    const bucket = uniqueBucket('plain');
    await local.createBucket(src);
    await putText(local, src, 'a.txt', 'alpha');
    await target.createBucket(bucket);
    expect(await target.versioning!(bucket)).toBe('off');
    const { run } = await runMapping({ state: new MemoryState(), mapping: mappingFor(src, bucket), source: local, target, sameConnection: false, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'failed', copied: 0, errorCode: 'VersionsUnavailable' });
    expect(run.firstError).toMatch(new RegExp(`^keepVersions: target bucket "${bucket}" does not keep previous versions \\(its versioning is off\\)\\. Nothing was copied or deleted\\. Enable versioning on the bucket \\(gcloud storage buckets update gs://${bucket} --versioning\\)`));
    expect(await listAll(target, bucket)).toEqual([]);
  });

  it('createTargetBucket makes the bucket with versioning on; an overwrite and a delete leave the old generations readable', async () => {
    const src = uniqueBucket('src');
    const bucket = uniqueBucket('versioned');
    await local.createBucket(src);
    await putText(local, src, 'a.txt', 'alpha v1');
    await putText(local, src, 'gone.txt', 'to be deleted');
    const state = new MemoryState();
    const mapping = mappingFor(src, bucket, { createTargetBucket: true });
    const run = () => runMapping({ state, mapping, source: local, target, sameConnection: false, retry: FAST_RETRY });

    const first = await run();
    expect(first.run).toMatchObject({ status: 'success', copied: 2 });
    expect(state.logs(first.run.id).map((l) => l.message)).toContain(`Created target bucket ${bucket} with versioning on (keepVersions)`);
    expect(await target.versioning!(bucket)).toBe('enabled');

    await putText(local, src, 'a.txt', 'alpha v2');
    await local.remove(src, ['gone.txt']);
    const second = await run();
    expect(second.run).toMatchObject({ status: 'success', copied: 1, deleted: 1 });
    expect(second.versions).toBe(`Overwrote or deleted 2 object(s); bucket versioning of ${bucket} keeps their previous versions (keepVersions)`);
    expect((await readAll(target, bucket, 'copy/a.txt')).toString()).toBe('alpha v2');
    expect(await target.head(bucket, 'copy/gone.txt')).toBeNull();
    // The provider's listing is of live objects only.
    expect((await listAll(target, bucket)).map((o) => o.key)).toEqual(['copy/a.txt']);

    const all = await generations(bucket, 'copy/');
    expect(all.map((g) => [g.name, g.timeDeleted !== undefined])).toEqual([
      ['copy/a.txt', true],
      ['copy/a.txt', false],
      ['copy/gone.txt', true],
    ]);
    expect(await readGeneration(bucket, all[0]!)).toBe('alpha v1');
    expect(await readGeneration(bucket, all[1]!)).toBe('alpha v2');
    expect(await readGeneration(bucket, all[2]!)).toBe('to be deleted');
  });
});
