// @vitest-environment jsdom
// The alerts editor (renderer/views/alerts-editor.tsx) in the mapping editor and in Settings: what it
// sends (the AlertsInput whole, stored URLs and secrets left out to keep them), how it shows what is
// stored (a URL's origin, "Secret set", never a value), and where its errors land.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { MAX_WEBHOOKS, type AlertsInput, type AlertsView } from '../../shared/alerts';
import type { AppSettings, AppStatus } from '../../shared/contract';
import { App } from '../../renderer/app';
import { ALERT_EVENT_LABELS } from '../../renderer/views/alerts-form';
import { MappingEditor } from '../../renderer/views/mapping-editor';
import { apiError, type Handlers } from './fake-client';
import { appSettings, localConnection, mapping, settingsAfter } from './fixtures';
import { description, isInvalid, renderWithStore, type Rendered } from './render';

const connections = [localConnection('src', 'Source folder'), localConnection('dst', 'Backup folder')];
const buckets: Handlers['buckets.list'] = ({ connectionId }) => (connectionId === 'src' ? ['photos', 'docs'] : ['backup']);

const stored: AlertsView = {
  webhooks: [
    { id: 'a1', url: { origin: 'https://hooks.example.com' }, on: ['failure', 'guard'], secretSet: true },
    { id: 'b2', url: { origin: 'http://127.0.0.1:9000' }, on: ['success'], secretSet: false },
  ],
  healthchecks: { start: { origin: 'https://hc-ping.com' }, success: { origin: 'https://hc-ping.com' } },
};

const webhook = (n: number) => screen.getByRole('group', { name: `Webhook ${n}` });
const eventBox = (n: number, event: keyof typeof ALERT_EVENT_LABELS) => within(webhook(n)).getByRole('checkbox', { name: ALERT_EVENT_LABELS[event] }) as HTMLInputElement;
const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

function renderNew(handlers: Handlers = {}) {
  return renderWithStore(<MappingEditor mapping={null} onDone={vi.fn()} />, { 'buckets.list': buckets, ...handlers }, { connections, connectionsLoad: 'ready' });
}

async function chooseBuckets({ user }: Rendered) {
  await user.selectOptions(screen.getByLabelText(/^Source bucket/), await screen.findByRole('option', { name: 'photos' }));
  await screen.findByRole('option', { name: 'backup' });
  await user.selectOptions(screen.getByLabelText(/^Target bucket/), 'backup');
}

function renderSaved(alerts: AlertsView, handlers: Handlers = {}) {
  const saved = mapping('m1', { sourceConnectionId: 'src', sourceBucket: 'photos', targetConnectionId: 'dst', targetBucket: 'backup', alerts });
  const onDone = vi.fn();
  const r = renderWithStore(
    <MappingEditor mapping={saved} onDone={onDone} />,
    { 'buckets.list': buckets, 'mappings.update': (i) => mapping('m1', { ...saved, ...i }), ...handlers },
    { connections, connectionsLoad: 'ready', mappings: [saved] },
  );
  return { ...r, onDone };
}

async function saveChanges({ user, client }: Rendered): Promise<AlertsInput | null | undefined> {
  await screen.findByRole('option', { name: 'photos' });
  await user.click(screen.getByRole('button', { name: 'Save changes' }));
  await waitFor(() => expect(client.argsOf('mappings.update')).toHaveLength(1));
  return client.argsOf('mappings.update')[0]!.alerts;
}

describe("a mapping's alerts", () => {
  test('stops adding webhooks at the contract\'s cap, saying why', async () => {
    const many: AlertsView = { webhooks: Array.from({ length: MAX_WEBHOOKS - 1 }, (_, i) => ({ id: `w${i}`, url: { origin: 'https://hooks.example.com' }, on: ['failure'], secretSet: false })) };
    const r = renderSaved(many);
    const add = screen.getByRole('button', { name: 'Add webhook' }) as HTMLButtonElement;
    expect(add.disabled).toBe(false);
    await r.user.click(add);
    expect(add.disabled).toBe(true);
    expect(description(add)).toBe(`At most ${MAX_WEBHOOKS} webhooks.`);
  });

  test('a webhook added with its events and a secret, and a success ping, are sent exactly', async () => {
    const r = renderNew({ 'mappings.create': (i) => mapping('new', { ...i, id: 'new' }) });
    await chooseBuckets(r);
    expect(screen.getByText('No webhook.')).toBeTruthy();
    await r.user.click(screen.getByRole('button', { name: 'Add webhook' }));
    // The new row's URL has the keyboard.
    await waitFor(() => expect(document.activeElement).toBe(input('Webhook 1 URL')));
    expect(eventBox(1, 'failure').checked).toBe(true);
    expect(eventBox(1, 'guard').checked).toBe(true);
    expect(eventBox(1, 'success').checked).toBe(false);
    await r.user.type(input('Webhook 1 URL'), 'https://hooks.example.com/T0/B0/xyz');
    await r.user.click(eventBox(1, 'guard'));
    await r.user.click(eventBox(1, 'success'));
    const secret = input('Webhook 1 signing secret');
    expect(secret.type).toBe('password');
    await r.user.type(secret, 'k3y');
    await r.user.type(input('Success ping URL'), 'https://hc-ping.com/0f0e/');
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(r.client.argsOf('mappings.create')).toHaveLength(1));
    expect(r.client.argsOf('mappings.create')[0]!.alerts).toEqual<AlertsInput>({
      webhooks: [{ url: 'https://hooks.example.com/T0/B0/xyz', on: ['failure', 'success'], secret: 'k3y' }],
      healthchecks: { success: 'https://hc-ping.com/0f0e/' },
    });
  });

  test('stored alerts show their origins and "Secret set", no value; saved untouched they are sent as kept', async () => {
    const r = renderSaved(stored);
    const url = input('Webhook 1 URL');
    expect(url.value).toBe('');
    expect(url.placeholder).toBe('Leave empty to keep');
    expect(description(url)).toContain('https://hooks.example.com/… (saved)');
    expect(description(input('Webhook 2 URL'))).toContain('http://127.0.0.1:9000/… (saved)');
    expect(input('Webhook 1 signing secret').value).toBe('');
    expect(description(input('Webhook 1 signing secret'))).toContain('Secret set.');
    expect(description(input('Webhook 2 signing secret'))).not.toContain('Secret set');
    expect(within(webhook(2)).queryByRole('button', { name: /secret/ })).toBeNull();
    expect(eventBox(2, 'success').checked).toBe(true);
    expect(eventBox(2, 'failure').checked).toBe(false);
    expect(description(input('Start ping URL'))).toContain('https://hc-ping.com/… (saved)');
    expect(description(input('Failure ping URL'))).not.toContain('(saved)');
    // Every alerts input is empty: nothing stored is ever in the page.
    const alertsSection = screen.getByRole('group', { name: 'Alerts' });
    for (const field of within(alertsSection).getAllByRole('textbox')) expect((field as HTMLInputElement).value).toBe('');

    expect(await saveChanges(r)).toEqual<AlertsInput>({ webhooks: [{ id: 'a1', on: ['failure', 'guard'] }, { id: 'b2', on: ['success'] }], healthchecks: {} });
  });

  test('Remove secret sends "", a removed row is left out, a removed ping sends "", a typed one sets it', async () => {
    const r = renderSaved(stored);
    await r.user.click(screen.getByRole('button', { name: 'Remove the secret of webhook 1' }));
    expect(description(input('Webhook 1 signing secret'))).toContain('Secret removed when you save.');
    // The same button undoes it, and keeps the keyboard.
    const undo = screen.getByRole('button', { name: 'Keep the secret of webhook 1' });
    expect(document.activeElement).toBe(undo);
    await r.user.click(undo);
    await r.user.click(screen.getByRole('button', { name: 'Remove the secret of webhook 1' }));
    await r.user.click(within(webhook(2)).getByRole('button', { name: 'Remove webhook 2' }));
    expect(screen.queryByRole('group', { name: 'Webhook 2' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add webhook' }));
    await r.user.click(screen.getByRole('button', { name: 'Remove the saved Start ping URL' }));
    expect(description(input('Start ping URL'))).toContain('Removed when you save.');
    await r.user.type(input('Failure ping URL'), 'https://hc-ping.com/0f0e/fail');

    expect(await saveChanges(r)).toEqual<AlertsInput>({
      webhooks: [{ id: 'a1', on: ['failure', 'guard'], secret: '' }],
      healthchecks: { start: '', fail: 'https://hc-ping.com/0f0e/fail' },
    });
  });

  test('a typed URL and secret replace the stored ones', async () => {
    const r = renderSaved(stored);
    await r.user.type(input('Webhook 2 URL'), 'https://chat.example.org/new');
    await r.user.type(input('Webhook 2 signing secret'), 'fresh');
    await r.user.type(input('Success ping URL'), 'https://hc-ping.com/new');
    expect(await saveChanges(r)).toEqual<AlertsInput>({
      webhooks: [
        { id: 'a1', on: ['failure', 'guard'] },
        { id: 'b2', url: 'https://chat.example.org/new', on: ['success'], secret: 'fresh' },
      ],
      healthchecks: { success: 'https://hc-ping.com/new' },
    });
  });

  test('everything removed sends no alerts', async () => {
    const r = renderSaved({ webhooks: [stored.webhooks[0]!], healthchecks: { success: { origin: 'https://hc-ping.com' } } });
    await r.user.click(screen.getByRole('button', { name: 'Remove webhook 1' }));
    await r.user.click(screen.getByRole('button', { name: 'Remove the saved Success ping URL' }));
    expect(await saveChanges(r)).toBeUndefined();
  });

  test('a row without a URL is refused at its URL, which gets the keyboard; nothing is sent', async () => {
    const r = renderNew();
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Add webhook' }));
    await r.user.click(eventBox(1, 'failure'));
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    const url = input('Webhook 1 URL');
    await waitFor(() => expect(isInvalid(url)).toBe(true));
    expect(description(url)).toContain('Webhook 1: give the URL the alert is sent to.');
    await waitFor(() => expect(document.activeElement).toBe(url));
    expect(r.client.calls.filter((c) => c.name !== 'buckets.list')).toEqual([]);

    // Fixed URL: the events are the next problem, marked on the row's checkboxes.
    await r.user.type(url, 'https://hooks.example.com/x');
    await r.user.click(eventBox(1, 'guard'));
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(isInvalid(eventBox(1, 'success'))).toBe(true));
    expect(description(eventBox(1, 'success'))).toMatch(/^Webhook 1: choose at least one of/);
    expect(isInvalid(url)).toBe(false);
  });

  test("a server error on a webhook's URL is shown at that URL; what was typed stays", async () => {
    const r = renderSaved(stored, {
      'mappings.update': () => Promise.reject(apiError({ code: 'InvalidConfig', message: 'the stored alerts cannot be read: type this URL again', field: 'alerts.webhooks[0].url' })),
    });
    await r.user.type(input('Webhook 2 URL'), 'https://chat.example.org/typed');
    await r.user.type(input('Webhook 2 signing secret'), 'typed-secret');
    await screen.findByRole('option', { name: 'photos' });
    await r.user.click(screen.getByRole('button', { name: 'Save changes' }));
    const url = input('Webhook 1 URL');
    await waitFor(() => expect(isInvalid(url)).toBe(true));
    expect(description(url)).toContain('type this URL again');
    expect(screen.getByRole('group', { name: 'Alerts' }).textContent).toContain('the stored alerts cannot be read');
    expect(isInvalid(input('Webhook 2 URL'))).toBe(false);
    expect(r.onDone).not.toHaveBeenCalled();
    expect(input('Webhook 2 URL').value).toBe('https://chat.example.org/typed');
    expect(input('Webhook 2 signing secret').value).toBe('typed-secret');
    // A server error on the success ping lands there.
    r.client.handlers['mappings.update'] = () => Promise.reject(apiError({ message: 'must be set: the start and failure pings go with it', field: 'alerts.healthchecks.success' }));
    await r.user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(isInvalid(input('Success ping URL'))).toBe(true));
    expect(description(input('Success ping URL'))).toContain('the start and failure pings go with it');
    // One about the alerts as a whole (a store that cannot encrypt) is shown at the top of the section.
    r.client.handlers['mappings.update'] = () => Promise.reject(apiError({ code: 'InvalidConfig', message: 'alerts cannot be stored without encryption', field: 'alerts' }));
    await r.user.click(screen.getByRole('button', { name: 'Save changes' }));
    const section = screen.getByRole('group', { name: 'Alerts' });
    expect((await within(section).findByRole('alert')).textContent).toBe('alerts cannot be stored without encryption');
    expect(isInvalid(input('Success ping URL'))).toBe(false);
  });
});

describe('alerts for every mapping (Settings)', () => {
  const appStatus = (mode: AppStatus['mode']): AppStatus => ({ version: '0.1.0', paused: false, running: [], mode });

  function renderSettings(settings: AppSettings, handlers: Handlers = {}, mode: AppStatus['mode'] = 'desktop') {
    const r = renderWithStore(<App />, {
      'app.status': () => appStatus(mode),
      'connections.list': () => connections,
      'mappings.list': () => [],
      'settings.get': () => settings,
      'settings.set': (changes) => settingsAfter(settings, changes),
      ...handlers,
    });
    void r.store.getState().initialize();
    r.store.getState().setView('settings');
    return r;
  }

  test('shown in both modes; a round trip: stored ones shown by origin, a new one added, the view after save shown', async () => {
    const settings = appSettings({ alerts: { webhooks: [stored.webhooks[0]!] } });
    const r = renderSettings(settings, {}, 'server');
    const panel = await screen.findByRole('form', { name: 'Alerts for every mapping' });
    expect(description(within(panel).getByLabelText('Webhook 1 URL'))).toContain('https://hooks.example.com/… (saved)');
    expect(description(within(panel).getByLabelText('Webhook 1 signing secret'))).toContain('Secret set.');
    const save = within(panel).getByRole('button', { name: 'Save alerts' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    await r.user.click(within(panel).getByRole('button', { name: 'Add webhook' }));
    await r.user.type(within(panel).getByLabelText('Webhook 2 URL'), 'https://chat.example.org/hook');
    await r.user.type(within(panel).getByLabelText('Webhook 2 signing secret'), 's3cret');
    await r.user.type(within(panel).getByLabelText('Success ping URL'), 'https://hc-ping.com/abc');
    await r.user.click(save);
    await waitFor(() => expect(r.client.argsOf('settings.set')).toHaveLength(1));
    expect(r.client.argsOf('settings.set')[0]).toEqual({
      alerts: {
        webhooks: [
          { id: 'a1', on: ['failure', 'guard'] },
          { url: 'https://chat.example.org/hook', on: ['failure', 'guard'], secret: 's3cret' },
        ],
        healthchecks: { success: 'https://hc-ping.com/abc' },
      },
    });
    // The saved view: the new webhook stored with its id, shown by origin, nothing typed left.
    await screen.findByText('Alerts saved.');
    await waitFor(() => expect(description(within(panel).getByLabelText('Webhook 2 URL'))).toContain('https://chat.example.org/… (saved)'));
    expect((within(panel).getByLabelText('Webhook 2 URL') as HTMLInputElement).value).toBe('');
    expect(description(within(panel).getByLabelText('Webhook 2 signing secret'))).toContain('Secret set.');
    expect(description(within(panel).getByLabelText('Success ping URL'))).toContain('https://hc-ping.com/… (saved)');
    expect(save.disabled).toBe(true);
  });

  test('saving shows progress; a refused save shows the error at the field and keeps what was typed; everything removed sends null', async () => {
    let answer: (value: AppSettings | Promise<AppSettings>) => void = () => {};
    const settings = appSettings({ alerts: { webhooks: [stored.webhooks[1]!] } });
    const r = renderSettings(settings, { 'settings.set': () => new Promise<AppSettings>((resolve) => (answer = resolve)) });
    const panel = await screen.findByRole('form', { name: 'Alerts for every mapping' });
    // Checked before anything is sent: a new row needs its URL.
    await r.user.click(within(panel).getByRole('button', { name: 'Add webhook' }));
    await r.user.click(within(panel).getByRole('button', { name: 'Save alerts' }));
    const newUrl = within(panel).getByLabelText('Webhook 2 URL');
    await waitFor(() => expect(document.activeElement).toBe(newUrl));
    expect(isInvalid(newUrl)).toBe(true);
    expect(description(newUrl)).toContain('Webhook 2: give the URL the alert is sent to.');
    expect(r.client.argsOf('settings.set')).toEqual([]);
    await r.user.click(within(panel).getByRole('button', { name: 'Remove webhook 2' }));

    await r.user.type(within(panel).getByLabelText('Webhook 1 URL'), 'https://hooks.example.com/bad');
    await r.user.click(within(panel).getByRole('button', { name: 'Save alerts' }));
    expect(await within(panel).findByRole('button', { name: 'Saving…' })).toBeTruthy();
    answer(Promise.reject(apiError({ message: 'must not point at a private address', field: 'alerts.webhooks[0].url' })));
    const url = within(panel).getByLabelText('Webhook 1 URL') as HTMLInputElement;
    await waitFor(() => expect(isInvalid(url)).toBe(true));
    expect(description(url)).toContain('must not point at a private address');
    expect(url.value).toBe('https://hooks.example.com/bad');
    expect((within(panel).getByRole('button', { name: 'Save alerts' }) as HTMLButtonElement).disabled).toBe(false);

    r.client.handlers['settings.set'] = (changes) => settingsAfter(settings, changes);
    await r.user.click(within(panel).getByRole('button', { name: 'Remove webhook 1' }));
    await r.user.click(within(panel).getByRole('button', { name: 'Save alerts' }));
    await waitFor(() => expect(r.client.argsOf('settings.set')).toHaveLength(2));
    expect(r.client.argsOf('settings.set')[1]).toEqual({ alerts: null });
    await waitFor(() => expect(within(panel).getByText('No webhook.')).toBeTruthy());
  });
});
