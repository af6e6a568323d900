// The main window and its session's guards. Thin: every decision is in window-policy.ts.
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type Session } from 'electron';
import {
  contentSecurityPolicy,
  externalLinkTarget,
  isAppUrl,
  isPermissionAllowed,
  withCsp,
  type RendererEntry,
} from './window-policy';

export interface WindowPaths {
  /** out/preload/preload.cjs: a sandboxed preload must be CommonJS. */
  preload: string;
  /** The window icon (Linux and Windows; macOS uses the bundle's icon). */
  icon: string;
}

export function windowOptions(paths: WindowPaths): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 740,
    minWidth: 720,
    minHeight: 480,
    title: 'Cloud Data Sync',
    icon: paths.icon,
    // Shown on ready-to-show, so the user never sees an empty white frame.
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * Guards for the window's session, installed once: the CSP on every response (only the app's own
 * pages load in this session: navigation elsewhere is blocked) and no permissions.
 */
export function secureSession(session: Session, entry: RendererEntry): void {
  const csp = contentSecurityPolicy(entry.kind === 'url' ? entry.url : undefined);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_webContents, permission, callback) => callback(isPermissionAllowed(permission)));
  session.setPermissionCheckHandler((_webContents, permission) => isPermissionAllowed(permission));
}

export function createMainWindow(paths: WindowPaths, entry: RendererEntry): BrowserWindow {
  const win = new BrowserWindow(windowOptions(paths));
  const contents = win.webContents;

  // The page may only ever be the app itself: a link or a script cannot navigate it elsewhere.
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, entry)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, entry)) event.preventDefault();
  });
  // No new windows; an https link opens in the user's browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkTarget(url);
    if (external !== null) void shell.openExternal(external);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());

  win.once('ready-to-show', () => win.show());
  if (entry.kind === 'url') void win.loadURL(entry.url);
  else void win.loadFile(entry.path);
  return win;
}
