// electron/shell/main.ts under Node with a fake `electron`: the whole start-up, IPC, close-to-tray,
// notifications and the quit sequence, against a real store. The native binding is the Node build of
// better-sqlite3, placed where electronNativeBindingPath looks for the Electron one.
import { mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../electron/store';
import { makeSandbox, type Sandbox } from './helpers';
import { startReceiver } from '../ops/alerts-receiver';

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const { pathToFileURL } = require('node:url') as typeof import('node:url');
  const listeners = new Map<string, Listener[]>();
  const emit = (event: string, ...args: unknown[]) => (listeners.get(event) ?? []).forEach((l) => l(...args));

  let nextId = 1;
  class FakeWindow {
    static all: FakeWindow[] = [];
    listeners = new Map<string, Listener>();
    visible = false;
    destroyed = false;
    webContents = {
      id: nextId++,
      mainFrame: { url: '' },
      sent: [] as unknown[][],
      on: () => undefined,
      setWindowOpenHandler: () => undefined,
      send: (...args: unknown[]) => this.webContents.sent.push(args),
      isDestroyed: () => this.destroyed,
    };
    constructor(readonly options: unknown) {
      FakeWindow.all.push(this);
    }
    static getAllWindows() {
      return FakeWindow.all.filter((w) => !w.destroyed);
    }
    on(event: string, l: Listener) {
      this.listeners.set(event, l);
    }
    once(event: string, l: Listener) {
      this.listeners.set(event, l);
    }
    loadFile(file: string) {
      this.webContents.mainFrame.url = pathToFileURL(file).href;
      this.listeners.get('ready-to-show')?.();
      return Promise.resolve();
    }
    loadURL(url: string) {
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    show() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {}
    isMinimized() {
      return false;
    }
    restore() {}
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
    /** What the user's click on the close button does. */
    close() {
      let prevented = false;
      this.listeners.get('close')?.({ preventDefault: () => (prevented = true) });
      if (!prevented) {
        this.destroyed = true;
        if (FakeWindow.getAllWindows().length === 0) emit('window-all-closed');
      }
    }
  }

  class FakeNotification {
    static shown: FakeNotification[] = [];
    static isSupported = () => true;
    constructor(readonly options: { title: string; body: string }) {}
    on() {}
    show() {
      FakeNotification.shown.push(this);
    }
  }

  class FakeTray {
    static last: FakeTray | undefined;
    destroyed = false;
    menu: Array<{ label?: string; click?: () => void }> = [];
    constructor() {
      FakeTray.last = this;
    }
    setImage() {}
    setToolTip() {}
    setContextMenu(menu: { items: FakeTray['menu'] }) {
      this.menu = menu.items;
    }
    on() {}
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
  }

  const state = { lock: true, appPath: '', userData: '' };
  const ipcHandlers = new Map<string, Listener>();
  const app = {
    requestSingleInstanceLock: vi.fn(() => state.lock),
    on: vi.fn((event: string, l: Listener) => listeners.set(event, [...(listeners.get(event) ?? []), l])),
    whenReady: vi.fn(() => Promise.resolve()),
    getAppPath: () => state.appPath,
    getPath: () => state.userData,
    getVersion: () => '1.2.3',
    isPackaged: false,
    getLoginItemSettings: () => ({ wasOpenedAtLogin: false }),
    setLoginItemSettings: vi.fn(),
    // Electron's app.quit(): emits before-quit; a listener may prevent the quit.
    quit: vi.fn(() => {
      let prevented = false;
      emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) app.exit(0);
    }),
    exit: vi.fn(),
  };
  const reset = () => {
    listeners.clear();
    ipcHandlers.clear();
    FakeWindow.all = [];
    FakeNotification.shown = [];
    FakeTray.last = undefined;
    state.lock = true;
    app.quit.mockClear();
    app.exit.mockClear();
    app.whenReady.mockClear();
  };
  const module = {
    app,
    BrowserWindow: FakeWindow,
    Notification: FakeNotification,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    dialog: { showErrorBox: vi.fn() },
    shell: { openExternal: vi.fn() },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s).reverse(),
      decryptString: (b: Buffer) => Buffer.from(b).reverse().toString(),
    },
    session: {
      defaultSession: { webRequest: { onHeadersReceived: vi.fn() }, setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
    },
    ipcMain: { handle: (channel: string, l: Listener) => ipcHandlers.set(channel, l), removeHandler: (c: string) => ipcHandlers.delete(c) },
  };
  return { module, state, emit, reset, ipcHandlers, FakeWindow, FakeNotification, FakeTray };
});
vi.mock('electron', () => fake.module);

let sandbox: Sandbox;
let signalListeners: Map<string, Function[]>;

beforeEach(() => {
  fake.reset();
  vi.resetModules();
  sandbox = makeSandbox();
  fake.state.appPath = join(sandbox.dir, 'app');
  fake.state.userData = join(sandbox.dir, 'user-data');
  mkdirSync(fake.state.userData, { recursive: true });
  signalListeners = new Map(['SIGTERM', 'SIGINT'].map((s) => [s, process.listeners(s as NodeJS.Signals)]));
});

afterEach(() => {
  // main.ts registers SIGTERM/SIGINT handlers: remove them, or they would outlive the test.
  for (const [signal, before] of signalListeners) {
    for (const l of process.listeners(signal as NodeJS.Signals)) if (!before.includes(l)) process.off(signal, l as () => void);
  }
  sandbox.cleanup();
});

/** Puts the Node build of better-sqlite3 where main.ts looks for the Electron one. */
function provideNativeBinding(): void {
  const nodeBuild = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  const target = join(fake.state.appPath, 'native', 'electron', 'better_sqlite3.node');
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(nodeBuild, target);
}

async function startMain(): Promise<void> {
  await import('../../electron/shell/main');
  // whenReady().then(start): let it run.
  await new Promise((resolve) => setImmediate(resolve));
}

/** Invokes a command the way the app window's preload does. */
async function invoke(name: string, args?: unknown): Promise<{ ok: boolean; value?: any; error?: any }> {
  const win = fake.FakeWindow.all[0]!;
  const handler = fake.ipcHandlers.get('cds:invoke')!;
  return (await handler({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, name, args)) as never;
}

describe('main.ts (electron mocked)', () => {
  it('a second instance quits at once and leaves the first one alone', async () => {
    fake.state.lock = false;
    await startMain();
    expect(fake.module.app.quit).toHaveBeenCalled();
    expect(fake.module.app.whenReady).not.toHaveBeenCalled();
    expect(fake.FakeWindow.all).toHaveLength(0);
  });

  it('without the Electron build of better-sqlite3, explains `npm run rebuild:electron` and exits', async () => {
    await startMain();
    expect(fake.module.dialog.showErrorBox).toHaveBeenCalledWith(expect.any(String), expect.stringContaining('npm run rebuild:electron'));
    expect(fake.module.app.exit).toHaveBeenCalledWith(1);
    expect(fake.FakeWindow.all).toHaveLength(0);
  });

  it('starts the app: window, tray and IPC answering the app window', async () => {
    provideNativeBinding();
    await startMain();
    const win = fake.FakeWindow.all[0]!;
    expect(win.visible).toBe(true);
    expect((win.options as { webPreferences: { preload: string } }).webPreferences.preload).toMatch(/preload[\\/]preload\.cjs$/);
    expect(fake.FakeTray.last!.menu.map((i) => i.label).filter(Boolean)).toContain('Sync all now');
    expect(await invoke('app.status')).toEqual({ ok: true, value: { version: '1.2.3', mode: 'desktop', paused: false, running: [] } });
    // The second instance's launch focuses this window.
    win.hide();
    fake.emit('second-instance');
    expect(win.visible).toBe(true);
    fake.module.app.quit();
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalled());
  });

  it('closing the window hides it to the tray when close-to-tray is on, and quits when it is off', async () => {
    provideNativeBinding();
    await startMain();
    const win = fake.FakeWindow.all[0]!;
    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);
    expect(fake.module.app.quit).not.toHaveBeenCalled();

    fake.FakeTray.last!.menu.find((i) => i.label === 'Open Cloud Data Sync')!.click!();
    expect(win.visible).toBe(true);

    expect((await invoke('settings.set', { closeToTray: false })).ok).toBe(true);
    win.close();
    expect(win.destroyed).toBe(true);
    expect(fake.module.app.quit).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0));
  });

  it('forwards events to the window and shows one notification for a failing mapping', async () => {
    provideNativeBinding();
    await startMain();
    const win = fake.FakeWindow.all[0]!;
    const create = async (name: string, args: unknown) => expect((await invoke(name, args)).ok).toBe(true);
    await create('connections.create', { id: 'src', name: 'Source', type: 'local', local: { root: sandbox.srcRoot } });
    await create('mappings.create', {
      name: 'Photos', sourceConnectionId: 'src', sourceBucket: 'missing', sourcePrefix: '', targetConnectionId: 'src', targetBucket: 'bucket',
      targetPrefix: 'copy/', transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    });
    for (let i = 0; i < 2; i++) {
      const finishedBefore = win.webContents.sent.filter(([, name]) => name === 'run.finished').length;
      await create('sync.now', {});
      await vi.waitFor(() => expect(win.webContents.sent.filter(([, name]) => name === 'run.finished').length).toBe(finishedBefore + 1));
    }
    expect(win.webContents.sent.every(([channel]) => channel === 'cds:event')).toBe(true);
    expect(win.webContents.sent.map(([, name]) => name)).toEqual(expect.arrayContaining(['data.changed', 'run.started', 'run.finished', 'alert', 'mapping.status']));
    // Two failed runs in a row: one notification, not one per run.
    expect(fake.FakeNotification.shown.map((n) => n.options.title)).toEqual(['Photos: sync failed']);
    fake.module.app.quit();
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalled());
  });

  it('quit from the tray: prevents the quit once, shuts down, removes tray and window, then exits with 0', async () => {
    provideNativeBinding();
    await startMain();
    fake.FakeTray.last!.menu.find((i) => i.label === 'Quit')!.click!();
    expect(fake.module.app.exit).not.toHaveBeenCalled(); // the default quit was prevented
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0));
    expect(fake.FakeTray.last!.destroyed).toBe(true);
    expect(fake.FakeWindow.all.every((w) => w.destroyed)).toBe(true);
    // The database was closed cleanly: another connection opens it and finds no run left running.
    const store = openStore(join(fake.state.userData, 'data.db'));
    expect(store.runs.markInterrupted()).toBe(0);
    store.close();
  });
});

/** A loopback port free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The status of GET http://127.0.0.1:port/metrics, or 'refused'. */
async function scrape(port: number): Promise<number | 'refused'> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/metrics`)).status;
  } catch {
    return 'refused';
  }
}

describe('main.ts: operations of the desktop app (electron mocked)', () => {
  it('the metricsAddr setting starts a Prometheus listener, moves it when it changes and stops it when cleared', async () => {
    provideNativeBinding();
    await startMain();
    const [first, second] = [await freePort(), await freePort()];
    expect(await invoke('settings.set', { metricsAddr: `127.0.0.1:${first}` })).toMatchObject({ ok: true });
    await vi.waitFor(async () => expect(await scrape(first)).toBe(200));
    const text = await (await fetch(`http://127.0.0.1:${first}/metrics`)).text();
    expect(text).toContain('cds_');

    expect(await invoke('settings.set', { metricsAddr: `127.0.0.1:${second}` })).toMatchObject({ ok: true });
    await vi.waitFor(async () => expect(await scrape(second)).toBe(200));
    expect(await scrape(first)).toBe('refused');

    expect(await invoke('settings.set', { metricsAddr: null })).toMatchObject({ ok: true });
    await vi.waitFor(async () => expect(await scrape(second)).toBe('refused'));
    fake.module.app.quit();
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0));
  });

  it('a metricsAddr saved earlier is listened on at start, and the quit closes it', async () => {
    provideNativeBinding();
    const port = await freePort();
    const store = openStore(join(fake.state.userData, 'data.db'));
    store.settings.set('app', { metricsAddr: `127.0.0.1:${port}` });
    store.close();
    await startMain();
    await vi.waitFor(async () => expect(await scrape(port)).toBe(200));
    fake.module.app.quit();
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0));
    expect(await scrape(port)).toBe('refused');
  });

  it("a failing run's alert reaches the mapping's webhook, signed; the window never sees its URL or secret", async () => {
    const receiver = await startReceiver();
    try {
      provideNativeBinding();
      await startMain();
      const win = fake.FakeWindow.all[0]!;
      expect((await invoke('connections.create', { id: 'src', name: 'Source', type: 'local', local: { root: sandbox.srcRoot } })).ok).toBe(true);
      const created = await invoke('mappings.create', {
        name: 'Photos', sourceConnectionId: 'src', sourceBucket: 'missing', sourcePrefix: '', targetConnectionId: 'src', targetBucket: 'bucket',
        targetPrefix: 'copy/', transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
        alerts: { webhooks: [{ url: `${receiver.url}/desk-hook-path`, secret: 'desk-secret-123' }] },
      });
      expect(created.ok).toBe(true);
      expect((await invoke('sync.now', {})).ok).toBe(true);
      await vi.waitFor(() => expect(receiver.requests).toHaveLength(1), { timeout: 10_000 });
      const [req] = receiver.requests;
      expect(req!.headers['x-cds-event']).toBe('failure');
      const { createHmac } = await import('node:crypto');
      expect(req!.headers['x-cds-signature']).toBe(`sha256=${createHmac('sha256', 'desk-secret-123').update(req!.body).digest('hex')}`);
      const sent = JSON.stringify([win.webContents.sent, created, await invoke('mappings.list')]);
      expect(sent).not.toContain('desk-hook-path');
      expect(sent).not.toContain('desk-secret-123');
      fake.module.app.quit();
      await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0));
    } finally {
      await receiver.close();
    }
  });
});

