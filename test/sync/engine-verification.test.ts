// The engine's own checks: server-side copy on one connection, and corruption caught by MD5 checks.
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping, ProgressSnapshot } from '../../shared/model';
import type { StorageProvider } from '../../electron/providers/provider';
import { openStore, type Store } from '../../electron/store';
import { LARGE_OBJECT_BYTES, runMapping } from '../../electron/sync/runner';
import { startEndpoints, type EndpointKind, type Endpoints } from '../support/endpoints';
import { instrument } from '../support/instrumented-provider';
import { listAll, putText, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };

describe('engine verification', () => {
  let endpoints: Endpoints;
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    endpoints = await startEndpoints(['local', 's3', 'minio', 'azure', 'gcs']);
    dir = await mkdtemp(path.join(tmpdir(), 'cds-verify-'));
    store = openStore(path.join(dir, 'state.db'));
    store.connections.upsert({ id: 'c', name: 'c', type: 'local', local: { root: '/unused' } });
  });
  afterAll(async () => {
    store?.close();
    await endpoints?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function setup(source: StorageProvider, target: StorageProvider, id: string): Promise<Mapping> {
    const mapping: Mapping = {
      id, name: id, sourceConnectionId: 'c', sourceBucket: uniqueBucket('vs'), sourcePrefix: '',
      targetConnectionId: 'c', targetBucket: uniqueBucket('vt'), targetPrefix: 'copy/',
      transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    };
    await source.createBucket(mapping.sourceBucket);
    await target.createBucket(mapping.targetBucket);
    await putText(source, mapping.sourceBucket, 'one.txt', 'first', { contentType: 'text/plain' });
    await putText(source, mapping.sourceBucket, 'dir/two.txt', 'second');
    store.mappings.upsert(mapping);
    return mapping;
  }

  // A local folder has no server-side copy of its own: its copy would be a read and a write, which the
  // engine's verified stream does better (one consistent version, checksummed).
  it.each<EndpointKind>(['s3', 'minio', 'azure', 'gcs'])('uses server-side copy when source and target are one %s connection', async (kind) => {
    const connection = instrument(endpoints.provider(kind));
    const mapping = await setup(connection.provider, connection.provider, `same-${kind}`);
    connection.reset();
    const { run } = await runMapping({ state: store.engineState, mapping, source: connection.provider, target: connection.provider, sameConnection: true, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'success', copied: 2 });
    expect(connection.calls).toMatchObject({ copy: 2, read: 0, write: 0 });
    expect((await readAll(connection.provider, mapping.targetBucket, 'copy/dir/two.txt')).toString()).toBe('second');
    // The state recorded after a server-side copy makes the next run a no-op.
    connection.reset();
    expect((await runMapping({ state: store.engineState, mapping, source: connection.provider, target: connection.provider, sameConnection: true })).run).toMatchObject({ copied: 0, skipped: 2 });
    expect(connection.calls.copy).toBe(0);
  });

  it('fails an object whose stored MD5 differs from the bytes sent, and records no state for it', async () => {
    const source = endpoints.provider('s3');
    const real = endpoints.provider('local');
    // A target that claims to have stored different content (as s3rver did with chunk-framed bodies).
    const lying: StorageProvider = {
      ...real,
      type: real.type,
      capabilities: real.capabilities,
      list: real.list.bind(real),
      write: async (...args) => ({ ...(await real.write(...args)), md5: '00000000000000000000000000000000' }),
    };
    const mapping = await setup(source, real, 'corrupt');
    const { run } = await runMapping({ state: store.engineState, mapping, source, target: lying, sameConnection: false, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'failed', copied: 0, failed: 2 });
    expect(run.firstError).toMatch(/the target stored MD5 0{32} but we sent [0-9a-f]{32}; the upload was corrupted/);
    expect(store.objects.count(mapping.id)).toBe(0);
  });

  it('fails an object whose bytes do not match the MD5 the source reports for it', async () => {
    const source = endpoints.provider('s3');
    const target = endpoints.provider('local');
    const mapping = await setup(source, target, 'source-md5');
    // The engine verifies against what HEAD says of the version it reads, not against the listing.
    const headWrong: StorageProvider = Object.assign(Object.create(source) as StorageProvider, {
      head: async (...args: Parameters<StorageProvider['head']>) => {
        const info = await source.head(...args);
        return info && { ...info, md5: 'ffffffffffffffffffffffffffffffff' };
      },
    });
    const { run } = await runMapping({ state: store.engineState, mapping, source: headWrong, target, sameConnection: false, retry: FAST_RETRY });
    expect(run).toMatchObject({ status: 'failed', failed: 2 });
    expect(run.firstError).toMatch(/differs from the source's .*corrupted in transit or changed during the copy, so nothing was committed/);
    expect(store.objects.count(mapping.id)).toBe(0);
    // Nothing verified was left behind as "synced", and the next honest run copies both.
    expect((await runMapping({ state: store.engineState, mapping, source, target, sameConnection: false })).run).toMatchObject({ status: 'success', copied: 2 });
    expect((await listAll(target, mapping.targetBucket)).map((o) => o.key)).toEqual(['copy/dir/two.txt', 'copy/one.txt']);
  });

  it('finishes listing ahead of slow transfers, so totals and an ETA are known while objects still copy', async () => {
    const source = endpoints.provider('local');
    const real = endpoints.provider('local');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Every write waits for the gate: with one transfer slot, nothing finishes until the test says so.
    const slow: StorageProvider = Object.assign(Object.create(real) as StorageProvider, {
      write: async (...args: Parameters<StorageProvider['write']>) => {
        await gate;
        return real.write(...args);
      },
    });
    const mapping = { ...(await setup(source, real, 'ahead')), transfers: 1 };
    const snapshots: ProgressSnapshot[] = [];
    const running = runMapping({ state: store.engineState, mapping, source, target: slow, sameConnection: false, progressIntervalMs: 5, onProgress: (p) => snapshots.push(p) });
    const deadline = Date.now() + 10_000;
    while (!snapshots.some((p) => p.totalsFinal) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const early = snapshots.find((p) => p.totalsFinal)!;
    expect(early).toMatchObject({ totalsFinal: true, objectsTotal: 2, objectsDone: 0 });
    release();
    expect((await running).run).toMatchObject({ status: 'success', copied: 2 });
  });

  it('keeps a lane for small objects: large ones never hold every transfer slot', async () => {
    const source = endpoints.provider('local');
    const real = endpoints.provider('local');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const smallDone: string[] = [];
    // Large writes wait for the gate; small ones go through and are recorded.
    const target: StorageProvider = Object.assign(Object.create(real) as StorageProvider, {
      write: async (...args: Parameters<StorageProvider['write']>) => {
        if (args[3] >= LARGE_OBJECT_BYTES) await gate;
        const result = await real.write(...args);
        if (args[3] < LARGE_OBJECT_BYTES) smallDone.push(args[1]);
        return result;
      },
    });
    const mapping: Mapping = { ...(await setup(source, real, 'lanes')), transfers: 2 };
    // Two large objects sort first, so without a lane they would take both slots.
    for (const name of ['a-large-1.bin', 'a-large-2.bin']) {
      await putText(source, mapping.sourceBucket, name, Buffer.alloc(0));
      await truncate(path.join(endpoints.localRoot, mapping.sourceBucket, name), LARGE_OBJECT_BYTES);
    }
    const running = runMapping({ state: store.engineState, mapping, source, target, sameConnection: false });
    const deadline = Date.now() + 10_000;
    while (smallDone.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(smallDone.sort()).toEqual(['copy/dir/two.txt', 'copy/one.txt']);
    release();
    expect((await running).run).toMatchObject({ status: 'success', copied: 4 });
  });
});
