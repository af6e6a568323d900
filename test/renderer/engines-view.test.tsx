// @vitest-environment jsdom
// Remote engines in the window: the switcher in the sidebar, the Engines view's add form (check,
// compare the fingerprint, pin and save), and what an unreachable engine's views show.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { AppStatus, EngineView } from '../../shared/contract';
import { App } from '../../renderer/app';
import { splitServeUrl } from '../../renderer/views/engine-form';
import type { Handlers } from './fake-client';
import { engine, localConnection, mapping } from './fixtures';
import { renderWithStore } from './render';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
const twoConnections = [localConnection('src', 'Source folder'), localConnection('dst', 'Backup folder')];
const appStatus = (): AppStatus => ({ version: '0.1.0', paused: false, running: [], mode: 'server' });

function renderApp(handlers: Handlers, engines: EngineView[]) {
  const r = renderWithStore(<App />, {
    'app.status': appStatus,
    'connections.list': () => twoConnections,
    'mappings.list': () => [mapping('h1', { name: 'Home mapping' })],
    'engines.list': () => engines,
    ...handlers,
  });
  void r.store.getState().initialize();
  void r.store.getState().loadEngines();
  return r;
}

describe('the engine switcher', () => {
  test('names the home first, then each engine with its state and health, and switches the views', async () => {
    const { user, store } = renderApp(
      { 'engines.call': ({ name }) => (name === 'mappings.list' ? [mapping('b1', { name: 'B mapping' })] : name === 'app.status' ? appStatus() : twoConnections) },
      [engine('b', { name: 'VM B', health: 'running' }), engine('c', { name: 'VM C', state: 'offline', health: 'failed' })],
    );
    const select = screen.getByLabelText('Engine');
    await waitFor(() => expect(within(select).getAllByRole('option')).toHaveLength(3));
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['This server', 'VM B — Online, syncing', 'VM C — Offline, last known: a run failed']);
    await screen.findByRole('article', { name: 'Home mapping' });
    await user.selectOptions(select, 'b');
    expect(store.getState().engineId).toBe('b');
    await screen.findByRole('article', { name: 'B mapping' });
    expect(screen.queryByRole('article', { name: 'Home mapping' })).toBeNull();
  });

  test('an offline engine shows the banner and its last-known mappings instead of the view, and nothing can be started', async () => {
    const offline = engine('b', {
      name: 'VM B',
      state: 'offline',
      error: 'connect ECONNREFUSED 127.0.0.1:8443',
      lastSeenAt: new Date(2025, 0, 1, 17, 5).getTime(),
      health: 'running',
      mappings: [{ id: 'b1', name: 'B mapping', state: 'running', lastRunStatus: 'success', lastRunAt: 1_700_000_000_000 }],
    });
    const { store } = renderApp({}, [offline]);
    await waitFor(() => expect(store.getState().engines).toHaveLength(1));
    store.getState().selectEngine('b');
    expect(await screen.findByText(/^VM B is offline since (17:05|05:05 PM) — showing what it last reported; reconnecting…$/)).toBeTruthy();
    expect(screen.getByText('connect ECONNREFUSED 127.0.0.1:8443')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Mappings of VM B as last reported' });
    expect(within(table).getByText('B mapping')).toBeTruthy();
    expect(within(table).getByText('Syncing')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Sync all now' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('VM B: offline')).toBeTruthy();
    // Never "online" for it anywhere.
    expect(within(screen.getByLabelText('Engine')).getByRole('option', { name: /VM B/ }).textContent).toBe('VM B — Offline, last known: syncing');
  });
});

describe('adding an engine', () => {
  test('a pasted serve address gives its token to the token field, never to the address', () => {
    expect(splitServeUrl('https://10.0.0.5:8384/?token=abc%2Bdef0123456789')).toEqual({ url: 'https://10.0.0.5:8384/', token: 'abc+def0123456789' });
    expect(splitServeUrl(' http://127.0.0.1:9000/ ')).toEqual({ url: 'http://127.0.0.1:9000/', token: null });
  });

  test('Check shows the fingerprint; saving waits until the user says it matches, then pins it', async () => {
    const added: unknown[] = [];
    const { user } = renderApp(
      {
        'engines.probe': ({ url }) => ({ url, fingerprint: FINGERPRINT, trusted: false, error: null }),
        'engines.add': (input) => {
          added.push(input);
          return engine('new', { name: input.name, url: input.url, fingerprint: input.fingerprint });
        },
      },
      [],
    );
    await user.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Engines' }));
    await user.click(screen.getByRole('button', { name: 'Add engine' }));
    const form = screen.getByRole('form', { name: 'Add engine' });
    await user.type(within(form).getByLabelText(/^Name/), 'VM B');
    await user.type(within(form).getByLabelText(/^Address/), 'https://127.0.0.1:8443/?token=0123456789abcdef0123');
    await user.tab();
    expect((within(form).getByLabelText(/^Address/) as HTMLInputElement).value).toBe('https://127.0.0.1:8443/');
    expect((within(form).getByLabelText(/^Token/) as HTMLInputElement).value).toBe('0123456789abcdef0123');

    await user.click(within(form).getByRole('button', { name: 'Save engine' }));
    expect(within(form).getByText(/Check the address first/)).toBeTruthy();
    expect(added).toEqual([]);

    await user.click(within(form).getByRole('button', { name: 'Check' }));
    expect(await within(form).findByText(FINGERPRINT)).toBeTruthy();
    await user.click(within(form).getByRole('button', { name: 'Pin and save' }));
    expect(within(form).getByText(/Compare the fingerprint/)).toBeTruthy();
    expect(added).toEqual([]);

    await user.click(within(form).getByLabelText('It is the fingerprint serve printed at start'));
    await user.click(within(form).getByRole('button', { name: 'Pin and save' }));
    await waitFor(() => expect(added).toEqual([{ name: 'VM B', url: 'https://127.0.0.1:8443/', token: '0123456789abcdef0123', fingerprint: FINGERPRINT }]));
    expect(await screen.findByRole('listitem', { name: 'VM B' })).toBeTruthy();
  });
});
