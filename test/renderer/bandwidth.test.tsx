// @vitest-environment jsdom
// Bandwidth limits in the window: the settings field (checked as typed, sent only when changed), the
// mapping card's "Limited to …" from the mapping's and the global limit, and a running run's own
// account of its limit on the card and in Activity.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { AppSettings, AppStatus } from '../../shared/contract';
import { App } from '../../renderer/app';
import type { Handlers } from './fake-client';
import { appSettings, localConnection, mapping, progress, settingsAfter, status } from './fixtures';
import { isInvalid, renderWithStore } from './render';

const appStatus = (patch: Partial<AppStatus> = {}): AppStatus => ({ version: '0.1.0', paused: false, running: [], mode: 'server', ...patch });
const settings: AppSettings = appSettings();
const MiB = 1024 * 1024;

function renderApp(handlers: Handlers) {
  const r = renderWithStore(<App />, {
    'app.status': () => appStatus(),
    'connections.list': () => [localConnection('src', 'Source folder'), localConnection('dst', 'Backup folder')],
    'mappings.list': () => [],
    'settings.get': () => settings,
    ...handlers,
  });
  void r.store.getState().initialize();
  return r;
}

describe('bandwidth limits in the window', () => {
  test('the global limit is refused at its field when invalid, and sent only when it changed', async () => {
    const { store, user, client } = renderApp({ 'settings.set': (p) => settingsAfter(settings, p) });
    await waitFor(() => expect(store.getState().status).not.toBeNull());
    store.getState().setView('settings');
    const field = await screen.findByLabelText('Bandwidth limit for all mappings');
    await user.type(field, '2 megs');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(isInvalid(field)).toBe(true));
    expect(screen.getByText(/^Bandwidth limit must be a rate such as "512K"/)).toBeTruthy();
    expect(client.argsOf('settings.set')).toEqual([]);

    await user.clear(field);
    await user.type(field, 'Mon-08:00,2M 19:00,off');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(client.argsOf('settings.set')).toEqual([{ globalConcurrency: 16, maxConcurrentRuns: 2, bwLimit: 'Mon-08:00,2M 19:00,off' }]));
  });

  test("the card says the limit from the mapping's own and, once loaded, the global one; an idle card without one says nothing", async () => {
    const { store } = renderApp({
      'mappings.list': () => [mapping('m1', { name: 'Photos', bwLimit: '4M' }), mapping('m2', { name: 'Videos', targetPrefix: 'v/' })],
    });
    await waitFor(() => expect(store.getState().mappingsLoad).toBe('ready'));
    store.getState().setView('mappings');
    const photos = await screen.findByRole('article', { name: 'Photos' });
    expect(photos.textContent).toContain('Limited to 4 MiB/s');
    expect(screen.getByRole('article', { name: 'Videos' }).textContent).not.toContain('Limited');
    // A new global limit (saved in another window: its data.changed event reloads the settings).
    store.setState({ settings: { ...settings, bwLimit: '1M' } });
    await waitFor(() => expect(photos.textContent).toContain('Limited to 1 MiB/s'));
    expect(screen.getByRole('article', { name: 'Videos' }).textContent).toContain('Limited to 1 MiB/s');
  });

  test('the board loads the settings itself, so a global limit shows without visiting Settings', async () => {
    const { store } = renderApp({
      'settings.get': () => ({ ...settings, bwLimit: '512K' }),
      'mappings.list': () => [mapping('m1', { name: 'Photos' })],
    });
    await waitFor(() => expect(store.getState().mappingsLoad).toBe('ready'));
    store.getState().setView('mappings');
    const photos = await screen.findByRole('article', { name: 'Photos' });
    await waitFor(() => expect(photos.textContent).toContain('Limited to 512 KiB/s'));
  });

  test('without the settings (an API that refuses them) the board says nothing of a global limit, and no error', async () => {
    const { store, client } = renderApp({
      'settings.get': () => {
        throw new Error('no settings here');
      },
      'mappings.list': () => [mapping('m1', { name: 'Photos' })],
    });
    await waitFor(() => expect(store.getState().mappingsLoad).toBe('ready'));
    store.getState().setView('mappings');
    const photos = await screen.findByRole('article', { name: 'Photos' });
    await waitFor(() => expect(client.argsOf('settings.get')).toHaveLength(1));
    expect(photos.textContent).not.toContain('Limited');
    expect(store.getState().settingsLoad).toBe('idle');
    expect(screen.queryByText(/Could not load settings/)).toBeNull();
  });

  test("a running run's limit shows on the card and in Activity, with until when", async () => {
    const { store, client } = renderApp({
      'mappings.list': () => [mapping('m1', { name: 'Photos', status: status('m1', { state: 'running' }) })],
    });
    await waitFor(() => expect(store.getState().mappingsLoad).toBe('ready'));
    store.getState().setView('activity');
    await screen.findByRole('heading', { level: 1, name: 'Activity' });
    const until = new Date();
    until.setHours(until.getHours() + 1, 0, 0, 0);
    const hhmm = `${String(until.getHours()).padStart(2, '0')}:00`;
    client.emit('progress', progress('m1', { bandwidthLimit: { rate: 2 * MiB, until: until.getTime() } }));
    const card = await screen.findByRole('article', { name: 'Photos' });
    await waitFor(() => expect(card.textContent).toMatch(new RegExp(`Limited to 2 MiB/s until (\\w{3} )?${hhmm}`)));
    expect(within(card).getByText(/^Limited to/).closest('.live-bandwidth')).toBeTruthy();

    store.getState().setView('mappings');
    await screen.findByRole('heading', { level: 1, name: 'Mappings' });
    const board = await screen.findByRole('article', { name: 'Photos' });
    expect(board.textContent).toMatch(/Limited to 2 MiB\/s until/);
    // The timetable says off now: the run is not limited, and the card says nothing.
    client.emit('progress', progress('m1', { bandwidthLimit: null }));
    await waitFor(() => expect(board.textContent).not.toContain('Limited'));
  });
});
