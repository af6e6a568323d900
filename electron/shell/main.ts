// The Electron main process: one instance, the app core, IPC, the tray and the window; quit runs the
// graceful shutdown. Only glue lives here — the logic is in app/ and tested under Node.
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Notification, safeStorage, session, type WebContents } from 'electron';
import type { AppSettings } from '../../shared/contract';
import { createAppCore, type AppCore } from '../core/core';
import { startDesktopOperations, type DesktopOperations } from '../core/desktop-operations';
import { applyStartAtLogin, HIDDEN_FLAG } from './login-item';
import { createNotificationPolicy } from '../core/notifications';
import { createQuitSequence } from '../core/quit';
import { createSafeStorageCipher } from './safe-storage-cipher';
import type { TrayAction } from './tray-model';
import { rendererEntry } from './window-policy';
import { forwardEvent, registerIpc } from './ipc';
import { electronNativeBindingPath } from './native-binding';
import { createTray, type AppTray } from './tray';
import { createMainWindow, secureSession } from './window';

// out/main/main.js → out/preload/preload.cjs and out/renderer/index.html (electron.vite.config.ts).
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '../preload/preload.cjs');
/** The dev server under `electron-vite dev`, else the built page. */
const entry = rendererEntry(process.env.ELECTRON_RENDERER_URL, join(here, '../renderer/index.html'));

let core: AppCore | undefined;
let win: BrowserWindow | undefined;
let tray: AppTray | undefined;
/** Settings the shell acts on; kept current by applyDesktopSetting. */
let desktop: AppSettings | undefined;
/** Metrics (settings.metricsAddr) and traces (OTEL_EXPORTER_OTLP_*) of the core's runs; started once the core is. */
let operations: Promise<DesktopOperations | undefined> = Promise.resolve(undefined);
let quitting = false;

const quit = createQuitSequence({
  beforeShutdown() {
    tray?.destroy();
    for (const w of BrowserWindow.getAllWindows()) w.destroy();
  },
  async shutdown(graceMs) {
    // The runs end first (their last events are still observed), then the listener closes and spans are sent.
    await core?.shutdown(graceMs);
    await (await operations)?.close();
  },
  exit: (code) => app.exit(code),
  onError: (err) => console.error('Cloud Data Sync: shutdown:', err),
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => fail('Cloud Data Sync could not start', err));
}

function fail(title: string, err: unknown): void {
  dialog.showErrorBox(title, err instanceof Error ? err.message : String(err));
  app.exit(1);
}

function windows(): WebContents[] {
  return win && !win.isDestroyed() ? [win.webContents] : [];
}

function applyDesktopSetting(settings: AppSettings): void {
  desktop = settings;
  void operations.then((o) => o?.setMetricsAddr(settings.metricsAddr));
  // A development build would register the bare Electron binary: only a packaged app does this.
  if (!app.isPackaged) return;
  try {
    applyStartAtLogin(settings.startAtLogin, {
      platform: process.platform,
      setLoginItemSettings: (s) => app.setLoginItemSettings(s),
      executable: process.env.APPIMAGE ?? process.execPath,
      configHome: process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'),
    });
  } catch (err) {
    console.error('Cloud Data Sync: could not change the start-at-login setting:', err);
  }
}

function start(): void {
  const nativeBinding = electronNativeBindingPath(app.getAppPath());
  if (nativeBinding === undefined) {
    dialog.showErrorBox(
      'Cloud Data Sync cannot open its database',
      'The SQLite driver built for Electron (native/electron/better_sqlite3.node) is missing.\n\n' +
        'In the project folder, run:\n\n    npm run rebuild:electron\n\nthen start the app again.',
    );
    app.exit(1);
    return;
  }
  secureSession(session.defaultSession, entry);

  try {
    core = createAppCore({
      dbPath: join(app.getPath('userData'), 'data.db'),
      nativeBinding,
      cipher: createSafeStorageCipher(safeStorage),
      version: app.getVersion(),
      mode: 'desktop',
      applyDesktopSetting,
    });
  } catch (err) {
    fail('Cloud Data Sync cannot open its database', err);
    return;
  }
  const appCore = core;
  const warn = (message: string) => console.error(`Cloud Data Sync: ${message}`);
  operations = startDesktopOperations(appCore, { version: app.getVersion(), env: process.env, warn }).catch((err: unknown) => {
    warn(`metrics and traces are off: ${(err as Error).message}`);
    return undefined;
  });
  applyDesktopSetting(appCore.settings());

  registerIpc({ dispatch: appCore.dispatch, windows, entry });
  const notifications = createNotificationPolicy();
  appCore.events.subscribe((name, payload) => {
    forwardEvent(windows(), name, payload);
    // A remote's relayed events change the tray only through engines.status.
    if (name !== 'progress' && name !== 'engine.event') tray?.refresh();
  });
  appCore.events.on('run.finished', (run) => notifications.runFinished(run));
  appCore.events.on('alert', (alert) => {
    if (notifications.decide(alert, desktop?.notifications ?? true)) notify(alert.title, alert.message);
  });

  tray = createTray({
    assetsDir: join(app.getAppPath(), 'assets'),
    input: () => ({ mappings: appCore.store.mappings.list(), statuses: appCore.scheduler.statuses(), paused: appCore.scheduler.paused, engines: appCore.engines.list() }),
    onAction: (action) => void trayAction(appCore, action),
  });

  app.on('window-all-closed', () => {
    // With close-to-tray the window only hides; without it, closing the window ends the app.
    if (!desktop?.closeToTray) app.quit();
  });
  app.on('activate', () => showWindow());
  app.on('before-quit', (event) => {
    // app.exit() at the end of the sequence does not come back here.
    quitting = true;
    event.preventDefault();
    void quit.run();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => app.quit());

  appCore.start();
  const atLogin = process.argv.includes(HIDDEN_FLAG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  if (!atLogin) showWindow();
}

/** Shown notifications, referenced until closed: a collected Notification loses its click handler. */
const shownNotifications = new Set<Notification>();

function notify(title: string, body: string): void {
  if (!Notification.isSupported()) return;
  const note = new Notification({ title, body });
  note.on('click', () => showWindow());
  note.on('close', () => shownNotifications.delete(note));
  shownNotifications.add(note);
  note.show();
}

async function trayAction(appCore: AppCore, action: TrayAction): Promise<void> {
  const command = { syncAll: 'sync.now', pauseAll: 'sync.pauseAll', resumeAll: 'sync.resumeAll' } as const;
  switch (action) {
    case 'open':
      return showWindow();
    case 'quit':
      return app.quit();
    default: {
      const result = await appCore.dispatch(command[action], undefined);
      if (!result.ok) console.error(`Cloud Data Sync: ${command[action]} failed: ${result.error.message}`);
      tray?.refresh();
    }
  }
}

function showWindow(): void {
  if (!core || quitting) return;
  if (!win || win.isDestroyed()) {
    win = createMainWindow({ preload: PRELOAD, icon: join(app.getAppPath(), 'assets', 'icon.png') }, entry);
    win.on('close', (event) => {
      if (!quitting && desktop?.closeToTray) {
        event.preventDefault();
        win?.hide();
      }
    });
    return; // shown on ready-to-show
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
