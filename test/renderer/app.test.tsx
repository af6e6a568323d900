// @vitest-environment jsdom
// The whole window against a fake API: first-run guidance, navigation, the first-run delete
// confirmation, live progress, history, and the desktop-only settings.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { AppSettings, AppStatus, PreviewResult } from '../../shared/contract';
import { metricsAddrProblem } from '../../shared/metrics-addr';
import { App } from '../../renderer/app';
import { apiError, type Handlers } from './fake-client';
import { appSettings, localConnection, logLine, mapping, progress, run, settingsAfter, status } from './fixtures';
import { description, isInvalid, renderWithStore } from './render';

const appStatus = (patch: Partial<AppStatus> = {}): AppStatus => ({ version: '0.1.0', paused: false, running: [], mode: 'desktop', ...patch });
const settings: AppSettings = appSettings();
const twoConnections = [localConnection('src', 'Source folder'), localConnection('dst', 'Backup folder')];

function renderApp(handlers: Handlers) {
  const r = renderWithStore(<App />, { 'app.status': () => appStatus(), 'connections.list': () => [], 'mappings.list': () => [], ...handlers });
  void r.store.getState().initialize();
  return r;
}

describe('first run', () => {
  test('with no connection the window guides to adding one, a local folder first', async () => {
    const { user, store } = renderApp({});
    expect(await screen.findByRole('heading', { name: 'Welcome to Cloud Data Sync' })).toBeTruthy();
    const choices = screen.getAllByRole('button', { name: /Local folder|Amazon S3|MinIO|Google Cloud Storage|Azure Blob Storage/ });
    expect(choices.map((b) => b.getAttribute('aria-label'))).toEqual(['Local folder', 'Amazon S3', 'MinIO / S3-compatible', 'Google Cloud Storage', 'Azure Blob Storage']);
    await user.click(screen.getByRole('button', { name: 'Local folder' }));
    expect(store.getState().view).toBe('connections');
    expect(screen.getByRole('heading', { name: 'Add Local folder connection' })).toBeTruthy();
    expect(screen.getByLabelText(/^Folder/)).toBeTruthy();
  });

  test('with connections but no mapping the board offers to draw one', async () => {
    const { user } = renderApp({ 'connections.list': () => twoConnections, 'buckets.list': () => [] });
    await user.click(await screen.findByRole('button', { name: 'Draw your first mapping' }));
    expect(screen.getByRole('heading', { name: 'New mapping' })).toBeTruthy();
  });
});

describe('navigation', () => {
  test('the sidebar reaches every view and marks the current one', async () => {
    const { user } = renderApp({ 'settings.get': () => settings });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    for (const name of ['Connections', 'Mappings', 'Activity', 'History', 'Logs', 'Settings']) {
      await user.click(within(nav).getByRole('button', { name }));
      expect(within(nav).getByRole('button', { name }).getAttribute('aria-current')).toBe('page');
      expect(screen.getByRole('heading', { level: 1, name })).toBeTruthy();
    }
  });

  test('Pause all / Resume all toggles through the API', async () => {
    let paused = false;
    const { user, client } = renderApp({
      'app.status': () => appStatus({ paused }),
      'sync.pauseAll': () => {
        paused = true;
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Pause all' }));
    expect(await screen.findByRole('button', { name: 'Resume all' })).toBeTruthy();
    expect(client.argsOf('sync.pauseAll')).toHaveLength(1);
  });

  test('while a run is going, the pause button says it stops it too', async () => {
    renderApp({ 'mappings.list': () => [mapping('m1', { status: status('m1', { state: 'running' }) })] });
    expect(await screen.findByRole('button', { name: 'Pause and stop running syncs' })).toBeTruthy();
  });

  test('Sync now while paused says the run waits for Resume, and the top bar counts it', async () => {
    const { user, client } = renderApp({
      'app.status': () => appStatus({ paused: true }),
      'connections.list': () => twoConnections,
      'mappings.list': () => [mapping('m1', { name: 'Photos', status: status('m1', { state: 'paused', version: 1 }) })],
      'sync.now': () => ({ queued: ['m1'], paused: true }),
    });
    await user.click(await screen.findByRole('button', { name: 'Sync now: Photos' }));
    expect(await screen.findByText('Paused: “Photos” is queued and starts when you resume.')).toBeTruthy();
    client.emit('mapping.status', status('m1', { state: 'queued', version: 2 }));
    expect(await screen.findByText('Paused: 1 queued mapping starts when you resume')).toBeTruthy();
  });
});

describe('first-run delete confirmation', () => {
  const preview: PreviewResult = {
    status: 'success',
    copies: 1,
    copyBytes: 10,
    adopts: 0,
    skips: 0,
    deletes: 2,
    firstCopies: [],
    firstDeletes: [
      { key: 'stale/a.txt', reason: 'not in source' },
      { key: 'stale/b.txt', reason: 'not in source' },
    ],
    error: null,
  };
  const handlers: Handlers = {
    'connections.list': () => twoConnections,
    'mappings.list': () => [mapping('m1', { name: 'Photos', deleteMode: 'mirror' })],
    'mappings.preview': () => preview,
    'sync.now': () => ({ queued: ['m1'], paused: false }),
  };

  test('a first sync that would delete asks, naming what goes, and syncs only on yes', async () => {
    const { user, client } = renderApp(handlers);
    await user.click(await screen.findByRole('button', { name: 'Sync now: Photos' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'The first run would delete 2 objects' });
    expect(dialog.textContent).toContain('stale/a.txt');
    expect(dialog.textContent).toContain('stale/b.txt');
    expect(client.argsOf('sync.now')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Sync and delete' }));
    await waitFor(() => expect(client.argsOf('sync.now')).toEqual([{ mappingId: 'm1' }]));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  test('Cancel (or Escape) closes it without syncing', async () => {
    const { user, client } = renderApp(handlers);
    await user.click(await screen.findByRole('button', { name: 'Sync now: Photos' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(client.argsOf('sync.now')).toEqual([]);
  });

  test('a mapping that ran before syncs without asking', async () => {
    const { user, client } = renderApp({ ...handlers, 'mappings.list': () => [mapping('m1', { name: 'Photos', deleteMode: 'mirror', status: status('m1', { lastRun: run(1, 'm1') }) })] });
    await user.click(await screen.findByRole('button', { name: 'Sync now: Photos' }));
    await waitFor(() => expect(client.argsOf('sync.now')).toEqual([{ mappingId: 'm1' }]));
    expect(client.argsOf('mappings.preview')).toEqual([]);
  });
});

describe('activity', () => {
  test('progress events show objects, bytes, rate, ETA and each transfer in flight; Cancel cancels', async () => {
    const { user, client, store } = renderApp({
      'connections.list': () => twoConnections,
      'mappings.list': () => [mapping('m1', { name: 'Photos', status: status('m1', { state: 'running' }) })],
      'sync.cancel': () => undefined,
    });
    await waitFor(() => expect(store.getState().mappingsLoad).toBe('ready'));
    store.getState().setView('activity');
    await screen.findByRole('heading', { level: 1, name: 'Activity' });
    client.emit(
      'progress',
      progress('m1', {
        objectsDone: 3,
        objectsTotal: 12,
        bytesDone: 3_000_000,
        bytesTotal: 12_000_000,
        bytesPerSecond: 1_500_000,
        etaSeconds: 6,
        inFlight: [
          { key: 'big/one.bin', bytesDone: 500, size: 1000 },
          { key: 'big/two.bin', bytesDone: 100, size: 1000 },
        ],
      }),
    );
    const card = await screen.findByRole('article', { name: 'Photos' });
    expect(card.textContent).toContain('Objects 3 of 12');
    expect(card.textContent).toContain('3.0 MB of 12 MB');
    expect(card.textContent).toContain('1.5 MB/s');
    expect(card.textContent).toContain('6.0 s');
    expect(within(card).getByRole('progressbar', { name: 'Objects of Photos' }).getAttribute('aria-valuenow')).toBe('25');
    const transfers = within(card).getByRole('list', { name: 'Transfers in flight for Photos' });
    expect(within(transfers).getAllByRole('progressbar').map((p) => p.getAttribute('aria-valuenow'))).toEqual(['50', '10']);
    expect(within(card).getByRole('img', { name: /Throughput of Photos/ })).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Cancel Photos' }));
    expect(client.argsOf('sync.cancel')).toEqual([{ mappingId: 'm1' }]);

    client.emit('run.finished', run(1, 'm1', { status: 'cancelled' }));
    client.emit('mapping.status', status('m1', { lastRun: run(1, 'm1', { status: 'cancelled' }) }));
    await waitFor(() => expect(card.textContent).toContain('Cancelled'));
    expect(within(card).queryByRole('progressbar')).toBeNull();
  });
});

describe('history', () => {
  test('runs are listed per mapping and one opens with its log', async () => {
    const { user, client, store } = renderApp({
      'connections.list': () => twoConnections,
      'mappings.list': () => [mapping('m1', { name: 'Photos' })],
      'runs.list': () => [run(2, 'm1', { status: 'failed', failed: 1, firstError: 'AccessDenied on x.jpg' }), run(1, 'm1')],
      'runs.get': ({ id }) => run(id, 'm1', { status: 'failed', failed: 1, firstError: 'AccessDenied on x.jpg' }),
      'logs.query': () => [logLine(11, 'm1', { level: 'error', message: 'copy failed', key: 'x.jpg', runId: 2 }), logLine(10, 'm1', { runId: 2 })],
    });
    await waitFor(() => expect(store.getState().mappingsLoad).toBe('ready'));
    store.getState().setView('history');
    const table = await screen.findByRole('table', { name: 'Runs' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-run-id'))).toEqual(['2', '1']);
    expect(rows[0]!.textContent).toContain('Failed');
    await user.click(within(table).getByRole('button', { name: 'Run 2 details' }));
    const detail = await screen.findByRole('region', { name: 'Run 2' });
    await within(detail).findByText('copy failed');
    expect(detail.textContent).toContain('AccessDenied on x.jpg');
    expect(client.argsOf('logs.query')).toEqual([{ mappingId: 'm1', runId: 2, limit: 500 }]);
  });
});

describe('settings', () => {
  test('desktop mode shows start at login, tray and notifications', async () => {
    const { store } = renderApp({ 'settings.get': () => settings });
    await waitFor(() => expect(store.getState().status).not.toBeNull());
    store.getState().setView('settings');
    expect(await screen.findByRole('checkbox', { name: 'Notifications' })).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Start at login' })).toBeTruthy();
  });

  test('server mode hides the desktop-only settings and saves only the limits', async () => {
    const { store, user, client } = renderApp({ 'app.status': () => appStatus({ mode: 'server' }), 'settings.get': () => settings, 'settings.set': (p) => settingsAfter(settings, p) });
    await waitFor(() => expect(store.getState().status?.mode).toBe('server'));
    store.getState().setView('settings');
    const field = await screen.findByLabelText('Parallel transfers across all mappings');
    expect(screen.queryByRole('checkbox', { name: 'Notifications' })).toBeNull();
    expect(screen.queryByRole('checkbox', { name: 'Serve Prometheus metrics' })).toBeNull();
    expect(screen.queryByLabelText('Metrics address')).toBeNull();
    await user.clear(field);
    await user.type(field, '4');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(client.argsOf('settings.set')).toEqual([{ globalConcurrency: 4, maxConcurrentRuns: 2 }]));
  });

  test('desktop mode: the Prometheus listener is off with an address suggested; a bad address is refused as metricsAddrProblem says and nothing is sent; a good one is', async () => {
    const { store, user, client } = renderApp({ 'settings.get': () => settings, 'settings.set': (p) => settingsAfter(settings, p) });
    await waitFor(() => expect(store.getState().status).not.toBeNull());
    store.getState().setView('settings');
    const on = (await screen.findByRole('checkbox', { name: 'Serve Prometheus metrics' })) as HTMLInputElement;
    expect(description(on)).toContain('it has no token, so it listens on');
    const addr = screen.getByLabelText('Metrics address') as HTMLInputElement;
    expect(on.checked).toBe(false);
    expect(addr.disabled).toBe(true);
    expect(addr.value).toBe('127.0.0.1:9464');

    await user.click(on);
    await user.clear(addr);
    await user.type(addr, '0.0.0.0:9464');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(isInvalid(addr)).toBe(true));
    expect(description(addr)).toContain(`The metrics address ${metricsAddrProblem('0.0.0.0:9464')}.`);
    expect(client.argsOf('settings.set')).toEqual([]);

    await user.clear(addr);
    // user-event reads "[[" as one "[".
    await user.type(addr, '[[::1]:9100');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(client.argsOf('settings.set')).toHaveLength(1));
    expect(client.argsOf('settings.set')[0]).toEqual({ globalConcurrency: 16, maxConcurrentRuns: 2, startAtLogin: false, closeToTray: true, notifications: true, metricsAddr: '[::1]:9100' });
    await screen.findByText('Settings saved.');
    expect(on.checked).toBe(true);
    expect(addr.value).toBe('[::1]:9100');
  });

  test('desktop mode: turning the Prometheus listener off sends null; a refused address from main is shown at the field', async () => {
    const listening = appSettings({ metricsAddr: '127.0.0.1:9464' });
    const { store, user, client } = renderApp({ 'settings.get': () => listening, 'settings.set': () => Promise.reject(apiError({ message: 'metricsAddr is refused here', field: 'metricsAddr' })) });
    await waitFor(() => expect(store.getState().status).not.toBeNull());
    store.getState().setView('settings');
    const on = (await screen.findByRole('checkbox', { name: 'Serve Prometheus metrics' })) as HTMLInputElement;
    const addr = screen.getByLabelText('Metrics address') as HTMLInputElement;
    expect(on.checked).toBe(true);
    await user.clear(addr);
    await user.type(addr, '127.0.0.1:9465');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(description(addr)).toContain('metricsAddr is refused here'));
    expect(addr.value).toBe('127.0.0.1:9465');

    client.handlers['settings.set'] = (p) => settingsAfter(listening, p);
    await user.click(on);
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(client.argsOf('settings.set')).toHaveLength(2));
    expect(client.argsOf('settings.set')[1]).toMatchObject({ metricsAddr: null });
  });

  test('an import is checked first (apply: false), then applied', async () => {
    const plan = { connections: [{ id: 'gcs1', name: 'GCS', type: 'gcs' as const, exists: false }], mappings: [{ id: 'm', name: 'GCS → S3', exists: true }], warnings: ['providers[0].gcs.keyFile: still holds the placeholder'], applied: false };
    const { store, user, client } = renderApp({ 'settings.get': () => settings, 'config.import': ({ apply }) => ({ ...plan, applied: apply }) });
    store.getState().setView('settings');
    const json = '{"providers":[],"mappings":[]}';
    const box = await screen.findByLabelText('Or paste its contents');
    await user.click(box);
    await user.paste(json);
    expect((screen.getByRole('button', { name: 'Import' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Check import' }));
    const result = await screen.findByRole('region', { name: 'What the import will do' });
    expect(result.textContent).toContain('GCS (Google Cloud Storage) — will be created');
    expect(result.textContent).toContain('GCS → S3 — will be updated');
    expect(result.textContent).toContain('still holds the placeholder');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    await screen.findByRole('region', { name: 'Imported' });
    expect(client.argsOf('config.import')).toEqual([
      { json, apply: false },
      { json, apply: true },
    ]);
  });
});
