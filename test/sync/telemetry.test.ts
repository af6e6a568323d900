// The run's events (electron/sync/telemetry.ts), as metrics, traces and structured logs see them:
// their order, their counts against the run's summary, retries of single requests attributed to the
// run whose call was retried, and deletions held back. Local folders as both sides; a source of our
// own throttles its first listing page.
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProvider, createSynchronizer, parseConfig, type Mapping, type RunEvent, type StorageProvider, type SyncConfig } from '../../electron/library';
import { StorageError } from '../../electron/providers/errors';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cds-telemetry-'));
  await mkdir(path.join(dir, 'disk', 'src'), { recursive: true });
  await mkdir(path.join(dir, 'disk', 'dst'));
  for (const name of ['a.txt', 'b.txt', 'c.txt']) await writeFile(path.join(dir, 'disk', 'src', name), `${name} body`);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(mapping: object = {}): SyncConfig {
  return parseConfig(
    JSON.stringify({
      providers: [{ id: 'disk', type: 'local', local: { root: path.join(dir, 'disk') } }],
      mappings: [{ id: 'm', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst', ...mapping }],
    }),
  );
}

/** Each run's events, in order, with the mapping they came with. */
function recorder() {
  const events: RunEvent[] = [];
  const mappings = new Set<string>();
  return {
    events,
    mappings,
    onEvent: (event: RunEvent, mapping: Mapping) => {
      events.push(event);
      mappings.add(mapping.id);
    },
    of: <T extends RunEvent['type']>(type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type),
  };
}

describe('run events', () => {
  it('tell a run from start to finish: listings, transfers, checks, deletes, in order, matching the summary', async () => {
    const c = config();
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
    try {
      const first = recorder();
      const { run } = await synchronizer.sync('m', { onEvent: first.onEvent });
      expect(run).toMatchObject({ status: 'success', copied: 3 });
      expect(first.mappings).toEqual(new Set(['m']));
      expect(first.events[0]).toMatchObject({ type: 'run.started', mappingId: 'm', runId: run.id, dryRun: false, source: { provider: 'local', bucket: 'src' }, target: { provider: 'local', bucket: 'dst' } });
      expect(first.events.at(-1)).toEqual({ type: 'run.finished', run });
      expect(first.of('listing.finished').map((l) => [l.side, l.objects, l.error])).toEqual(
        expect.arrayContaining([['source', 3, null], ['target', 0, null]]),
      );
      const finished = first.of('transfer.finished');
      expect(finished.map((t) => t.key).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
      for (const t of finished) {
        expect(t).toMatchObject({ outcome: 'copied', size: 10, bytes: 10, attempts: 1, serverSide: false, error: null });
        expect(t.finishedAt).toBeGreaterThanOrEqual(t.startedAt);
        // Each transfer started before it finished.
        const started = first.events.findIndex((e) => e.type === 'transfer.started' && e.key === t.key);
        expect(started).toBeGreaterThan(0);
        expect(started).toBeLessThan(first.events.indexOf(t));
      }

      await unlink(path.join(dir, 'disk', 'src', 'c.txt'));
      const second = recorder();
      const again = await synchronizer.sync('m', { onEvent: second.onEvent });
      expect(again.run).toMatchObject({ status: 'success', copied: 0, skipped: 2, deleted: 1 });
      expect(second.of('object.checked').map((e) => [e.key, e.adopted]).sort()).toEqual([['a.txt', false], ['b.txt', false]]);
      expect(second.of('objects.deleted')).toEqual([{ type: 'objects.deleted', keys: ['c.txt'] }]);
      expect(second.of('transfer.started')).toEqual([]);
    } finally {
      await synchronizer.close();
    }
  });

  it('report a retried listing page to the run that made the call, with its code', async () => {
    const c = config();
    const local = await createProvider(c.connections[0]!);
    let throttled = 0;
    // A provider of our own: its first listing page of the source answers Throttled once.
    const flaky: StorageProvider = Object.create(local) as StorageProvider;
    flaky.listPage = (bucket, prefix, token, signal, limit) => {
      if (bucket === 'src' && throttled++ === 0) return Promise.reject(new StorageError('Throttled', 'slow down'));
      return local.listPage(bucket, prefix, token, signal, limit);
    };
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings, providers: { disk: flaky } });
    try {
      const events = recorder();
      const { run } = await synchronizer.sync('m', { onEvent: events.onEvent });
      expect(run).toMatchObject({ status: 'success', copied: 3 });
      expect(events.of('retry')).toEqual([expect.objectContaining({ type: 'retry', code: 'Throttled', attempt: 1 })]);
      expect(events.of('retry')[0]!.what).toMatch(/src/);
    } finally {
      await synchronizer.close();
    }
  });

  it('say which listing broke off, with its storage error code', async () => {
    const c = config();
    const local = await createProvider(c.connections[0]!);
    const denied: StorageProvider = Object.create(local) as StorageProvider;
    denied.listPage = (bucket, prefix, token, signal, limit) =>
      bucket === 'src' ? Promise.reject(new StorageError('AccessDenied', 'no list permission')) : local.listPage(bucket, prefix, token, signal, limit);
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings, providers: { disk: denied } });
    try {
      const events = recorder();
      const { run } = await synchronizer.sync('m', { onEvent: events.onEvent });
      expect(run).toMatchObject({ status: 'failed', errorCode: 'AccessDenied' });
      expect(events.of('listing.finished').find((l) => l.side === 'source')).toMatchObject({ objects: 0, error: { code: 'AccessDenied', message: 'no list permission' } });
      expect(events.of('transfer.started')).toEqual([]);
    } finally {
      await synchronizer.close();
    }
  });

  it('say when the maxDelete guard holds deletions back', async () => {
    const c = config({ maxDelete: 1 });
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
    try {
      await synchronizer.sync('m');
      await unlink(path.join(dir, 'disk', 'src', 'a.txt'));
      await unlink(path.join(dir, 'disk', 'src', 'b.txt'));
      const events = recorder();
      const { run } = await synchronizer.sync('m', { onEvent: events.onEvent });
      expect(run).toMatchObject({ status: 'failed', errorCode: 'MaxDeleteGuard', deleted: 0 });
      expect(events.of('deletes.blocked')).toEqual([{ type: 'deletes.blocked', count: 2, reason: 'maxDelete' }]);
      expect(events.events.at(-1)).toMatchObject({ type: 'run.finished', run: { status: 'failed' } });
    } finally {
      await synchronizer.close();
    }
  });

  it('cannot change a run by throwing', async () => {
    const c = config();
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings });
    try {
      const { run } = await synchronizer.sync('m', {
        onEvent: () => {
          throw new Error('a broken watcher');
        },
      });
      expect(run).toMatchObject({ status: 'success', copied: 3, failed: 0 });
    } finally {
      await synchronizer.close();
    }
  });
});
