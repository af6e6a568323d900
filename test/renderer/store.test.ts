// The store's slices against a fake contract client: what they fetch, how events change them, and
// where errors surface.
import { describe, expect, test } from 'vitest';
import type { ConnectionTestResult, PreviewResult } from '../../shared/contract';
import { connectEvents, createAppStore } from '../../renderer/store';
import { DRAFT_TEST_KEY } from '../../renderer/store/connections-slice';
import { LOG_PAGE_SIZE } from '../../renderer/store/logs-slice';
import { RUNS_PAGE_SIZE } from '../../renderer/store/history-slice';
import { THROUGHPUT_WINDOW_MS } from '../../renderer/store/activity-slice';
import { apiError, FakeClient, type Handlers } from './fake-client';
import { localConnection, logLine, logPage, mapping, progress, run, status } from './fixtures';

function setup(handlers: Handlers = {}, clock = { t: 1_000_000 }) {
  const client = new FakeClient(handlers);
  const store = createAppStore(client, { now: () => clock.t });
  const disconnect = connectEvents(store, client);
  return { client, store, clock, disconnect };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const emptyPreview: PreviewResult = { status: 'success', copies: 0, copyBytes: 0, adopts: 0, skips: 0, deletes: 0, firstCopies: [], firstDeletes: [], error: null };

describe('initial loads', () => {
  test('initialize fetches status, connections and mappings', async () => {
    const { store, client } = setup({
      'app.status': () => ({ version: '1.0.0', paused: false, running: [], mode: 'server' }),
      'connections.list': () => [localConnection('a')],
      'mappings.list': () => [mapping('m1')],
    });
    await store.getState().initialize();
    const s = store.getState();
    expect(client.calls.map((c) => c.name).sort()).toEqual(['app.status', 'connections.list', 'mappings.list']);
    expect(s.status?.mode).toBe('server');
    expect(s.connections.map((c) => c.id)).toEqual(['a']);
    expect(s.connectionsLoad).toBe('ready');
    expect(s.mappings.map((m) => m.id)).toEqual(['m1']);
  });

  test('a failed list load shows its message in the toast area and marks the list as failed', async () => {
    const { store } = setup({ 'connections.list': () => Promise.reject(apiError({ code: 'Transient', message: 'the connection to the server was lost' })) });
    await store.getState().loadConnections();
    expect(store.getState().connectionsLoad).toBe('error');
    expect(store.getState().toasts).toEqual([expect.objectContaining({ kind: 'error', title: 'Could not load connections', message: 'the connection to the server was lost' })]);
  });

  test('a refetch that fails keeps the list already shown', async () => {
    let fail = false;
    const { store } = setup({ 'mappings.list': () => (fail ? Promise.reject(apiError({ message: 'boom' })) : [mapping('m1')]) });
    await store.getState().loadMappings();
    fail = true;
    await store.getState().loadMappings();
    expect(store.getState().mappingsLoad).toBe('ready');
    expect(store.getState().mappings).toHaveLength(1);
  });
});

describe('a mapping status overtaken by events', () => {
  test("a list fetched before a run started does not undo the run's status event (Save and sync now)", async () => {
    let answer: ((list: ReturnType<typeof mapping>[]) => void) | undefined;
    const { store, client } = setup({ 'mappings.list': () => (answer ? new Promise((resolve) => (answer = resolve)) : [mapping('m1', { status: status('m1', { version: 1 }) })]) });
    await store.getState().loadMappings();
    answer = () => undefined;
    const loading = store.getState().loadMappings();
    client.emit('mapping.status', status('m1', { state: 'running', version: 7 }));
    answer!([mapping('m1', { status: status('m1', { state: 'idle', version: 6 }) })]);
    await loading;
    expect(store.getState().mappings[0]!.status.state).toBe('running');
    // An older status event changes nothing either; a newer one does.
    client.emit('mapping.status', status('m1', { state: 'idle', version: 5 }));
    expect(store.getState().mappings[0]!.status.state).toBe('running');
    client.emit('mapping.status', status('m1', { state: 'idle', version: 8 }));
    expect(store.getState().mappings[0]!.status.state).toBe('idle');
  });

  test("a saved mapping's status from before its run started keeps the running state", async () => {
    const { store, client } = setup({ 'mappings.list': () => [mapping('m1', { status: status('m1', { version: 1 }) })], 'mappings.update': (input) => mapping('m1', { ...input, status: status('m1', { version: 2 }) }) });
    await store.getState().loadMappings();
    const saving = store.getState().saveMapping({ ...mapping('m1'), alerts: undefined, name: 'renamed' });
    client.emit('mapping.status', status('m1', { state: 'running', version: 3 }));
    await saving;
    expect(store.getState().mappings[0]).toMatchObject({ name: 'renamed', status: { state: 'running' } });
  });
});

describe('events', () => {
  test('data.changed refetches exactly the named lists', async () => {
    const { store, client } = setup({
      'connections.list': () => [],
      'mappings.list': () => [],
      'app.status': () => ({ version: '1', paused: false, running: [], mode: 'desktop' }),
      'settings.get': () => ({ globalConcurrency: 16, maxConcurrentRuns: 2, startAtLogin: false, closeToTray: true, notifications: true, bwLimit: null, alerts: null, metricsAddr: null }),
    });
    client.emit('data.changed', { lists: ['connections'] });
    await settle();
    expect(client.calls.map((c) => c.name)).toEqual(['connections.list']);

    client.calls.length = 0;
    client.emit('data.changed', { lists: ['settings'] });
    await settle();
    expect(client.calls).toEqual([]); // settings never opened: nothing to refresh

    await store.getState().loadSettings();
    client.calls.length = 0;
    client.emit('data.changed', { lists: ['mappings', 'settings'] });
    await settle();
    expect(client.calls.map((c) => c.name).sort()).toEqual(['app.status', 'mappings.list', 'settings.get']);
  });

  test('data.changed "runs" refreshes the run lists that were loaded', async () => {
    const runs = [run(2, 'm1'), run(1, 'm1')];
    const { store, client } = setup({ 'runs.list': () => runs });
    await store.getState().loadRuns('m1');
    runs.unshift(run(3, 'm1'));
    client.emit('data.changed', { lists: ['runs'] });
    await settle();
    expect(store.getState().runs.m1?.items.map((r) => r.id)).toEqual([3, 2, 1]);
    expect(client.argsOf('runs.list')).toEqual([
      { mappingId: 'm1', limit: RUNS_PAGE_SIZE },
      { mappingId: 'm1', limit: RUNS_PAGE_SIZE },
    ]);
  });

  test('mapping.status replaces the status of that mapping only', async () => {
    const { store, client } = setup({ 'mappings.list': () => [mapping('m1'), mapping('m2')] });
    await store.getState().loadMappings();
    client.emit('mapping.status', status('m2', { state: 'running' }));
    expect(store.getState().mappings.map((m) => m.status.state)).toEqual(['idle', 'running']);
  });

  test('mapping.status telling of a pause the app does not know re-reads app.status', async () => {
    let paused = false;
    const { store, client } = setup({ 'app.status': () => ({ version: '1', paused, running: [], mode: 'desktop' }), 'mappings.list': () => [mapping('m1')] });
    await store.getState().initialize().catch(() => undefined);
    paused = true; // paused from the tray
    client.emit('mapping.status', status('m1', { state: 'paused' }));
    await settle();
    expect(store.getState().status?.paused).toBe(true);
  });

  test('progress snapshots are kept per mapping with a throughput history of the last minute', () => {
    const { store, client, clock } = setup();
    client.emit('run.started', { mappingId: 'm1', runId: 7 });
    client.emit('progress', progress('m1', { bytesPerSecond: 100 }));
    clock.t += 1000;
    client.emit('progress', progress('m1', { bytesPerSecond: 200, objectsDone: 5 }));
    clock.t += 100; // closer than the sample spacing: replaces the last sample
    client.emit('progress', progress('m1', { bytesPerSecond: 300 }));
    expect(store.getState().throughput.m1?.map((s) => s.bytesPerSecond)).toEqual([100, 300]);
    clock.t += THROUGHPUT_WINDOW_MS + 1;
    client.emit('progress', progress('m1', { bytesPerSecond: 400 }));
    expect(store.getState().throughput.m1?.map((s) => s.bytesPerSecond)).toEqual([400]);
    expect(store.getState().progress.m1?.bytesPerSecond).toBe(400);
  });

  test('run.finished ends the live progress, updates the mapping and the loaded history', async () => {
    const { store, client } = setup({ 'mappings.list': () => [mapping('m1')], 'runs.list': () => [run(4, 'm1', { status: 'running', finishedAt: null, durationMs: null })] });
    await store.getState().loadMappings();
    await store.getState().loadRuns('m1');
    client.emit('progress', progress('m1'));
    const finished = run(4, 'm1', { status: 'failed', firstError: 'AccessDenied' });
    client.emit('run.finished', finished);
    const s = store.getState();
    expect(s.progress.m1).toBeUndefined();
    expect(s.mappings[0]?.status.lastRun).toEqual(finished);
    expect(s.runs.m1?.items).toEqual([finished]);
  });

  test('alert events are shown as error messages', () => {
    const { store, client } = setup();
    client.emit('alert', { mappingId: 'm1', title: 'Delete guard tripped', message: 'would delete 500 objects, limit 100' });
    expect(store.getState().toasts).toEqual([expect.objectContaining({ kind: 'error', title: 'Delete guard tripped' })]);
  });

  test('the unsubscribe detaches every listener', () => {
    const { client, disconnect } = setup();
    expect(client.listenerCount('progress')).toBe(1);
    disconnect();
    for (const name of ['progress', 'run.started', 'run.finished', 'mapping.status', 'data.changed', 'alert'] as const) expect(client.listenerCount(name)).toBe(0);
  });
});

describe('connections', () => {
  test('save creates without id, updates with id, and upserts the list', async () => {
    const { store, client } = setup({
      'connections.create': (input) => ({ ...localConnection('new', input.name), id: 'new' }),
      'connections.update': (input) => ({ ...localConnection(input.id, input.name) }),
    });
    const created = await store.getState().saveConnection({ name: 'Folder', type: 'local', local: { root: '/x' } });
    expect(created.ok).toBe(true);
    await store.getState().saveConnection({ id: 'new', name: 'Renamed', type: 'local', local: { root: '/x' } });
    expect(client.calls.map((c) => c.name)).toEqual(['connections.create', 'connections.update']);
    expect(store.getState().connections.map((c) => c.name)).toEqual(['Renamed']);
  });

  test('a rejected save returns the error with its field and changes nothing', async () => {
    const { store } = setup({ 'connections.create': () => Promise.reject(apiError({ message: 'must be an absolute path', field: 'local.root' })) });
    const result = await store.getState().saveConnection({ name: 'F', type: 'local', local: { root: 'x' } });
    expect(result).toEqual({ ok: false, error: { code: 'InvalidArgument', message: 'must be an absolute path', field: 'local.root', retryable: false } });
    expect(store.getState().connections).toEqual([]);
    expect(store.getState().toasts).toEqual([]); // the form shows it, next to the field
  });

  test('a connection test keeps its result per key; a failed call is kept as the error', async () => {
    const result: ConnectionTestResult = {
      ok: false,
      checks: [
        { name: 'auth', ok: false, skipped: false, message: 'The access key is not valid', durationMs: 30 },
        { name: 'listBuckets', ok: false, skipped: true, message: 'needs auth', durationMs: 0 },
      ],
    };
    let fail = false;
    const { store, client } = setup({ 'connections.test': () => (fail ? Promise.reject(apiError({ code: 'Transient', message: 'offline' })) : result) });
    await store.getState().testConnection('c1', { id: 'c1' });
    expect(store.getState().connectionTests.c1).toEqual({ running: false, result, error: null, at: 1_000_000 });
    fail = true;
    await store.getState().testConnection(DRAFT_TEST_KEY, { input: { name: 'x', type: 'local', local: { root: '/x' } } });
    expect(store.getState().connectionTests[DRAFT_TEST_KEY]?.error?.message).toBe('offline');
    expect(client.argsOf('connections.test')[1]).toEqual({ input: { name: 'x', type: 'local', local: { root: '/x' } } });
  });

  test('bucket lists are fetched once per connection and dropped when the connection is saved', async () => {
    const { store, client } = setup({ 'buckets.list': () => ['b', 'a'], 'connections.update': (i) => localConnection(i.id) });
    await Promise.all([store.getState().loadBuckets('c1'), store.getState().loadBuckets('c1')]);
    expect(store.getState().buckets.c1).toEqual({ names: ['a', 'b'], status: 'ready', error: null });
    expect(client.argsOf('buckets.list')).toEqual([{ connectionId: 'c1' }]);
    await store.getState().saveConnection({ id: 'c1', name: 'c1', type: 'local', local: { root: '/x' } });
    expect(store.getState().buckets.c1).toBeUndefined();
  });
});

describe('sync now', () => {
  const preview = (deletes: number): PreviewResult => ({ ...emptyPreview, deletes, firstDeletes: deletes ? [{ key: 'old.txt', reason: 'not in source' }] : [] });

  test('a mapping that ran before syncs at once', async () => {
    const { store, client } = setup({ 'mappings.list': () => [mapping('m1', { status: status('m1', { lastRun: run(1, 'm1') }) })], 'sync.now': () => ({ queued: ['m1'], paused: false }) });
    await store.getState().loadMappings();
    await store.getState().requestSyncNow('m1');
    expect(client.calls.map((c) => c.name)).toEqual(['mappings.list', 'sync.now']);
    expect(client.argsOf('sync.now')).toEqual([{ mappingId: 'm1' }]);
  });

  test('a first run that would delete waits for confirmation, then syncs', async () => {
    const { store, client } = setup({ 'mappings.list': () => [mapping('m1', { deleteMode: 'mirror' })], 'mappings.preview': () => preview(3), 'sync.now': () => ({ queued: ['m1'], paused: false }) });
    await store.getState().loadMappings();
    await store.getState().requestSyncNow('m1');
    expect(client.argsOf('mappings.preview')).toEqual([{ id: 'm1', limit: 20 }]);
    expect(client.argsOf('sync.now')).toEqual([]);
    expect(store.getState().syncConfirm).toEqual({ mappingId: 'm1', items: [{ mappingId: 'm1', name: 'Mapping m1', deletes: 3, firstDeletes: [{ key: 'old.txt', reason: 'not in source' }], error: null }] });
    await store.getState().confirmSyncNow();
    expect(client.argsOf('sync.now')).toEqual([{ mappingId: 'm1' }]);
    expect(store.getState().syncConfirm).toBeNull();
  });

  test('a mapping whose only runs were dry runs (previews) still asks before its first real run', async () => {
    const { store, client } = setup({
      'mappings.list': () => [mapping('m1', { deleteMode: 'mirror', status: status('m1', { lastRun: run(1, 'm1', { dryRun: true }) }) })],
      'mappings.preview': () => preview(1),
    });
    await store.getState().loadMappings();
    await store.getState().requestSyncNow('m1');
    expect(store.getState().syncConfirm?.items.map((i) => i.deletes)).toEqual([1]);
    expect(client.argsOf('sync.now')).toEqual([]);
  });

  test('dismissing the confirmation syncs nothing', async () => {
    const { store, client } = setup({ 'mappings.list': () => [mapping('m1', { deleteMode: 'mirror' })], 'mappings.preview': () => preview(1) });
    await store.getState().loadMappings();
    await store.getState().requestSyncNow('m1');
    store.getState().dismissSyncConfirm();
    expect(client.argsOf('sync.now')).toEqual([]);
  });

  test('a first mirror run that deletes nothing, a dry run, deleteMode "never" or "synced" syncs without asking', async () => {
    const { store, client } = setup({
      'mappings.list': () => [
        mapping('m1', { deleteMode: 'mirror' }),
        mapping('m2', { deleteMode: 'mirror', dryRun: true }),
        mapping('m3', { deleteMode: 'never' }),
        // A first "synced" run has copied nothing before, so it cannot delete: no preview, no dry run in history.
        mapping('m4', { deleteMode: 'synced' }),
      ],
      'mappings.preview': () => preview(0),
      'sync.now': (a) => ({ queued: a.mappingId ? [a.mappingId] : [], paused: false }),
    });
    await store.getState().loadMappings();
    for (const id of ['m1', 'm2', 'm3', 'm4']) await store.getState().requestSyncNow(id);
    expect(client.argsOf('mappings.preview')).toEqual([{ id: 'm1', limit: 20 }]);
    expect(client.argsOf('sync.now')).toEqual([{ mappingId: 'm1' }, { mappingId: 'm2' }, { mappingId: 'm3' }, { mappingId: 'm4' }]);
  });

  test('sync all checks the enabled first-run mappings and sends one sync.now without id', async () => {
    const { store, client } = setup({
      'mappings.list': () => [mapping('m1', { deleteMode: 'mirror' }), mapping('m2', { deleteMode: 'mirror', enabled: false }), mapping('m3', { status: status('m3', { lastRun: run(1, 'm3') }) })],
      'mappings.preview': (a) => preview(a.id === 'm1' ? 2 : 0),
      'sync.now': () => ({ queued: ['m1', 'm3'], paused: false }),
    });
    await store.getState().loadMappings();
    await store.getState().requestSyncNow();
    expect(client.argsOf('mappings.preview')).toEqual([{ id: 'm1', limit: 20 }]);
    expect(store.getState().syncConfirm?.mappingId).toBeNull();
    await store.getState().confirmSyncNow();
    expect(client.argsOf('sync.now')).toEqual([{}]);
  });

  test('a failed sync.now or cancel is reported', async () => {
    const { store } = setup({
      'mappings.list': () => [mapping('m1', { status: status('m1', { lastRun: run(1, 'm1') }) })],
      'sync.now': () => Promise.reject(apiError({ code: 'Conflict', message: 'paused' })),
      'sync.cancel': () => Promise.reject(apiError({ code: 'NotFound', message: 'not running' })),
    });
    await store.getState().loadMappings();
    await store.getState().requestSyncNow('m1');
    await store.getState().cancelSync('m1');
    expect(store.getState().toasts.map((t) => t.message)).toEqual(['paused', 'not running']);
    expect(store.getState().syncPending).toEqual([]);
  });

  test('pause and resume call the API and update the flag', async () => {
    let paused = false;
    const { store, client } = setup({
      'app.status': () => ({ version: '1', paused, running: [], mode: 'desktop' }),
      'sync.pauseAll': () => {
        paused = true;
      },
      'sync.resumeAll': () => {
        paused = false;
      },
    });
    await store.getState().loadStatus();
    await store.getState().pauseAll();
    expect(store.getState().status?.paused).toBe(true);
    await store.getState().resumeAll();
    expect(store.getState().status?.paused).toBe(false);
    expect(client.calls.map((c) => c.name)).toEqual(['app.status', 'sync.pauseAll', 'app.status', 'sync.resumeAll', 'app.status']);
  });
});

describe('preview', () => {
  test('the latest preview wins when an older one answers late', async () => {
    const answers: ((r: PreviewResult) => void)[] = [];
    const { store } = setup({ 'mappings.preview': () => new Promise<PreviewResult>((resolve) => answers.push(resolve)) });
    const first = store.getState().runPreview({ id: 'm1' });
    const second = store.getState().runPreview({ id: 'm1' });
    answers[1]!({ ...emptyPreview, copies: 2 });
    answers[0]!({ ...emptyPreview, copies: 1 });
    await Promise.all([first, second]);
    const preview = store.getState().preview;
    expect(preview.status === 'ready' && preview.result.copies).toBe(2);
  });
});

describe('history', () => {
  test('older pages are fetched with the last id as beforeId', async () => {
    const page1 = Array.from({ length: RUNS_PAGE_SIZE }, (_, i) => run(100 - i, 'm1'));
    const { store, client } = setup({ 'runs.list': (a) => (a.beforeId === undefined ? page1 : [run(50, 'm1')]) });
    await store.getState().loadRuns('m1');
    expect(store.getState().runs.m1?.hasMore).toBe(true);
    await store.getState().loadRuns('m1', { more: true });
    expect(client.argsOf('runs.list')[1]).toEqual({ mappingId: 'm1', limit: RUNS_PAGE_SIZE, beforeId: 51 });
    expect(store.getState().runs.m1?.items).toHaveLength(RUNS_PAGE_SIZE + 1);
    expect(store.getState().runs.m1?.hasMore).toBe(false);
  });

  test('opening a run fetches it and its log lines (oldest first)', async () => {
    const { store, client } = setup({ 'runs.get': (a) => run(a.id, 'm1'), 'logs.query': () => [logLine(3, 'm1'), logLine(2, 'm1')] });
    await store.getState().openRun(9);
    expect(client.argsOf('logs.query')).toEqual([{ mappingId: 'm1', runId: 9, limit: 500 }]);
    expect(store.getState().runDetail).toMatchObject({ id: 9, status: 'ready', linesStatus: 'ready', hasOlderLines: false });
    expect(store.getState().runDetail?.lines.map((l) => l.id)).toEqual([2, 3]);
  });
});

describe('logs', () => {
  test('opening a mapping loads its newest page, shown oldest first', async () => {
    const { store, client } = setup({ 'logs.query': () => logPage('m1', 10, 3) });
    await store.getState().openLogs('m1');
    expect(client.argsOf('logs.query')).toEqual([{ mappingId: 'm1', limit: LOG_PAGE_SIZE }]);
    expect(store.getState().logs.lines.map((l) => l.id)).toEqual([8, 9, 10]);
    expect(store.getState().logs.hasOlder).toBe(false);
  });

  test('filters go into logs.query; "debug" and empty text are no filter', async () => {
    const { store, client } = setup({ 'logs.query': () => [] });
    await store.getState().openLogs('m1');
    await store.getState().setLogFilter({ minLevel: 'warn' });
    await store.getState().setLogFilter({ runId: 4, text: '  photo  ' });
    await store.getState().setLogFilter({ minLevel: 'debug', runId: null, text: '' });
    expect(client.argsOf('logs.query')).toEqual([
      { mappingId: 'm1', limit: LOG_PAGE_SIZE },
      { mappingId: 'm1', minLevel: 'warn', limit: LOG_PAGE_SIZE },
      { mappingId: 'm1', runId: 4, minLevel: 'warn', text: 'photo', limit: LOG_PAGE_SIZE },
      { mappingId: 'm1', limit: LOG_PAGE_SIZE },
    ]);
  });

  test('older lines come with beforeId = the oldest id shown and go on top', async () => {
    const { store, client } = setup({ 'logs.query': (a) => (a.beforeId === undefined ? logPage('m1', 5000, LOG_PAGE_SIZE) : logPage('m1', a.beforeId - 1, 2)) });
    await store.getState().openLogs('m1');
    expect(store.getState().logs.hasOlder).toBe(true);
    await store.getState().loadOlderLogs();
    expect(client.argsOf('logs.query')[1]).toEqual({ mappingId: 'm1', limit: LOG_PAGE_SIZE, beforeId: 4001 });
    const ids = store.getState().logs.lines.map((l) => l.id);
    expect(ids.slice(0, 3)).toEqual([3999, 4000, 4001]);
    expect(ids).toHaveLength(LOG_PAGE_SIZE + 2);
    expect(store.getState().logs.hasOlder).toBe(false);
  });

  test('progress of the shown mapping fetches new lines (throttled) and appends them', async () => {
    let newest = 3;
    const { store, client, clock } = setup({ 'logs.query': () => logPage('m1', newest, Math.min(newest, 3)) });
    await store.getState().openLogs('m1');
    newest = 5;
    client.emit('progress', progress('m1'));
    await settle();
    expect(store.getState().logs.lines.map((l) => l.id)).toEqual([1, 2, 3, 4, 5]);
    client.emit('progress', progress('m1')); // within a second: no call
    client.emit('progress', progress('other'));
    await settle();
    expect(client.argsOf('logs.query')).toHaveLength(2);
    clock.t += 5000;
    newest = 6;
    client.emit('run.finished', run(1, 'm1'));
    await settle();
    expect(store.getState().logs.lines.map((l) => l.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('an answer for an older filter is dropped', async () => {
    const answers: (() => void)[] = [];
    const { store } = setup({
      'logs.query': (a) =>
        new Promise((resolve) => answers.push(() => resolve(a.minLevel === 'error' ? [logLine(2, 'm1', { level: 'error' })] : [logLine(1, 'm1')]))),
    });
    const open = store.getState().openLogs('m1');
    const filtered = store.getState().setLogFilter({ minLevel: 'error' });
    answers[1]!();
    answers[0]!();
    await Promise.all([open, filtered]);
    expect(store.getState().logs.lines.map((l) => l.id)).toEqual([2]);
  });

  test('export sends the current filter', async () => {
    const { store, client } = setup({ 'logs.query': () => [], 'logs.export': () => ({ fileName: 'm1.log', text: 'x' }) });
    await store.getState().openLogs('m1');
    await store.getState().setLogFilter({ minLevel: 'error', text: 'denied' });
    const result = await store.getState().exportLogs();
    expect(result).toEqual({ ok: true, value: { fileName: 'm1.log', text: 'x' } });
    expect(client.argsOf('logs.export')).toEqual([{ mappingId: 'm1', minLevel: 'error', text: 'denied' }]);
  });
});

describe('settings', () => {
  test('an applied import refetches connections and mappings; a check does not', async () => {
    const importResult = { connections: [], mappings: [], warnings: [], applied: false };
    const { store, client } = setup({ 'config.import': (a) => ({ ...importResult, applied: a.apply }), 'connections.list': () => [], 'mappings.list': () => [] });
    await store.getState().importConfig('{}', false);
    expect(client.calls.map((c) => c.name)).toEqual(['config.import']);
    await store.getState().importConfig('{}', true);
    expect(client.calls.map((c) => c.name).sort()).toEqual(['config.import', 'config.import', 'connections.list', 'mappings.list']);
  });

  test('saving settings stores what the API returns', async () => {
    const saved = { globalConcurrency: 4, maxConcurrentRuns: 1, startAtLogin: true, closeToTray: true, notifications: false, bwLimit: null, alerts: null, metricsAddr: null };
    const { store, client } = setup({ 'settings.set': () => saved });
    await store.getState().saveSettings({ globalConcurrency: 4 });
    expect(client.argsOf('settings.set')).toEqual([{ globalConcurrency: 4 }]);
    expect(store.getState().settings).toEqual(saved);
  });
});

describe('toasts', () => {
  test('at most four are kept, newest last', () => {
    const { store } = setup();
    for (let i = 0; i < 6; i++) store.getState().notify('info', `m${i}`);
    expect(store.getState().toasts.map((t) => t.message)).toEqual(['m2', 'm3', 'm4', 'm5']);
    store.getState().dismissToast(store.getState().toasts[0]!.id);
    expect(store.getState().toasts).toHaveLength(3);
  });

  test('a plain Error is reported with its message', () => {
    const { store } = setup();
    store.getState().reportError(new Error('socket closed'), 'Could not load');
    expect(store.getState().toasts[0]).toMatchObject({ title: 'Could not load', message: 'socket closed' });
  });
});
