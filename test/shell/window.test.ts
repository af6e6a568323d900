import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  contentSecurityPolicy,
  externalLinkTarget,
  isAppUrl,
  isPermissionAllowed,
  rendererEntry,
  withCsp,
} from '../../electron/shell/window-policy';

// Fakes of BrowserWindow, shell and a Session: they record what window.ts registers.
const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void;
  class FakeWebContents {
    listeners = new Map<string, Listener>();
    openHandler: ((details: { url: string }) => { action: string }) | undefined;
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
      return this;
    }
    setWindowOpenHandler(handler: FakeWebContents['openHandler']) {
      this.openHandler = handler;
    }
  }
  class FakeBrowserWindow {
    static last: FakeBrowserWindow | undefined;
    webContents = new FakeWebContents();
    loaded: { url?: string; file?: string } = {};
    shown = false;
    onceListeners = new Map<string, Listener>();
    constructor(readonly options: Record<string, unknown>) {
      FakeBrowserWindow.last = this;
    }
    once(event: string, listener: Listener) {
      this.onceListeners.set(event, listener);
    }
    show() {
      this.shown = true;
    }
    loadURL(url: string) {
      this.loaded = { url };
      return Promise.resolve();
    }
    loadFile(file: string) {
      this.loaded = { file };
      return Promise.resolve();
    }
  }
  return { FakeBrowserWindow, openExternal: vi.fn(async () => {}) };
});
vi.mock('electron', () => ({ BrowserWindow: fake.FakeBrowserWindow, shell: { openExternal: fake.openExternal } }));

const { createMainWindow, secureSession, windowOptions } = await import('../../electron/shell/window');

const paths = { preload: '/app/out/preload/preload.cjs', icon: '/app/assets/icon.png' };
const built = rendererEntry(undefined, '/app/out/renderer/index.html');
const dev = rendererEntry('http://localhost:5173/', '/app/out/renderer/index.html');

/** Fires a webContents event the way Electron does, and says whether the listener prevented it. */
function fire(event: string, url: string): boolean {
  let prevented = false;
  fake.FakeBrowserWindow.last!.webContents.listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('windowOptions', () => {
  it('isolates the page: contextIsolation, sandbox, no Node, web security, the CommonJS preload', () => {
    const { webPreferences } = windowOptions(paths);
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/out/preload/preload.cjs',
    });
  });
});

describe('createMainWindow (electron mocked)', () => {
  afterEach(() => fake.openExternal.mockClear());

  it('creates the window with those options, loads the built page and shows it when ready', () => {
    createMainWindow(paths, built);
    const win = fake.FakeBrowserWindow.last!;
    expect(win.options).toEqual(windowOptions(paths));
    expect(win.loaded).toEqual({ file: '/app/out/renderer/index.html' });
    expect(win.shown).toBe(false);
    win.onceListeners.get('ready-to-show')!();
    expect(win.shown).toBe(true);
  });

  it('loads the dev server URL under electron-vite dev', () => {
    createMainWindow(paths, dev);
    expect(fake.FakeBrowserWindow.last!.loaded).toEqual({ url: 'http://localhost:5173/' });
  });

  it('blocks navigation and redirects away from the app page', () => {
    createMainWindow(paths, built);
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-navigate', 'file:///app/out/renderer/other.html')).toBe(true);
    expect(fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', 'file:///app/out/renderer/index.html#/mappings')).toBe(false);
  });

  it('allows navigation within the dev server origin only', () => {
    createMainWindow(paths, dev);
    expect(fire('will-navigate', 'http://localhost:5173/index.html')).toBe(false);
    expect(fire('will-navigate', 'http://localhost:5174/')).toBe(true);
  });

  it('denies window.open, opening https links in the OS browser and nothing else', () => {
    createMainWindow(paths, built);
    const open = fake.FakeBrowserWindow.last!.webContents.openHandler!;
    expect(open({ url: 'https://docs.example.com/help' })).toEqual({ action: 'deny' });
    expect(fake.openExternal).toHaveBeenCalledWith('https://docs.example.com/help');
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url']) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.openExternal).toHaveBeenCalledTimes(1);
  });

  it('refuses <webview> attachment', () => {
    createMainWindow(paths, built);
    expect(fire('will-attach-webview', '')).toBe(true);
  });
});

describe('secureSession (electron mocked)', () => {
  type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, callback: (response: unknown) => void) => void;
  type RequestHandler = (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void;
  type CheckHandler = (webContents: unknown, permission: string) => boolean;

  function fakeSession() {
    const registered: { headers?: HeadersListener; request?: RequestHandler; check?: CheckHandler } = {};
    const session = {
      webRequest: { onHeadersReceived: (listener: HeadersListener) => (registered.headers = listener) },
      setPermissionRequestHandler: (handler: RequestHandler) => (registered.request = handler),
      setPermissionCheckHandler: (handler: CheckHandler) => (registered.check = handler),
    };
    return { session, registered };
  }

  it('sets the strict CSP on responses, replacing one the response had', () => {
    const { session, registered } = fakeSession();
    secureSession(session as never, built);
    let result: unknown;
    registered.headers!({ responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] } }, (r) => (result = r));
    expect(result).toEqual({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()] },
    });
  });

  it('denies permission requests and checks', () => {
    const { session, registered } = fakeSession();
    secureSession(session as never, built);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'fullscreen']) {
      const callback = vi.fn();
      registered.request!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(registered.check!({}, permission)).toBe(false);
    }
  });
});

describe('window policy', () => {
  it('the CSP allows only the app itself', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  it('in development the CSP admits the Vite dev server (React Refresh preamble and HMR socket)', () => {
    const csp = contentSecurityPolicy('http://localhost:5173/');
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self' ws://localhost:5173");
    expect(csp).not.toContain('*');
  });

  it('withCsp keeps other headers and tolerates none', () => {
    expect(withCsp(undefined, 'x')).toEqual({ 'Content-Security-Policy': ['x'] });
    expect(withCsp({ A: 'b' }, 'x')).toEqual({ A: ['b'], 'Content-Security-Policy': ['x'] });
  });

  it('recognises the app page exactly', () => {
    expect(isAppUrl('file:///app/out/renderer/index.html?x=1#y', built)).toBe(true);
    expect(isAppUrl('file:///app/out/renderer/index.html/../secret.html', built)).toBe(false);
    expect(isAppUrl('file://otherhost/app/out/renderer/index.html', built)).toBe(false);
    expect(isAppUrl('http://localhost:5173/deep/link', dev)).toBe(true);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppUrl('garbage', dev)).toBe(false);
  });

  it('opens only plain https links externally', () => {
    expect(externalLinkTarget('https://example.com/a?b#c')).toBe('https://example.com/a?b#c');
    expect(externalLinkTarget('https://user:pw@example.com/')).toBeNull();
    expect(externalLinkTarget('http://example.com/')).toBeNull();
    expect(externalLinkTarget('file:///x')).toBeNull();
  });

  it('allows only writing to the clipboard among permissions', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
    expect(isPermissionAllowed('clipboard-read')).toBe(false);
    expect(isPermissionAllowed('media')).toBe(false);
  });
});
