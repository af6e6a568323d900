// The window's security decisions as plain functions, so they are tested under Node: which page the
// window loads, where it may navigate, which links may open in the OS browser, the CSP, which
// permissions a page may have, and which IPC senders are the app's own.
import { pathToFileURL } from 'node:url';

/** What the window loads: the electron-vite dev server in development, else the built file. */
export type RendererEntry = { kind: 'url'; url: string } | { kind: 'file'; path: string; url: string };

/** `devServerUrl` is process.env.ELECTRON_RENDERER_URL (set by `electron-vite dev`); `builtFile` the absolute out/renderer/index.html. */
export function rendererEntry(devServerUrl: string | undefined, builtFile: string): RendererEntry {
  if (devServerUrl) return { kind: 'url', url: devServerUrl };
  return { kind: 'file', path: builtFile, url: pathToFileURL(builtFile).href };
}

/**
 * Whether `url` is the app's own page: the same origin as the dev server, or exactly the built
 * index.html (any query or hash). Other file:// URLs are not ours: a file page could read the disk.
 */
export function isAppUrl(url: string, entry: RendererEntry): boolean {
  let target: URL;
  let own: URL;
  try {
    target = new URL(url);
    own = new URL(entry.url);
  } catch {
    return false;
  }
  if (entry.kind === 'url') return target.origin === own.origin;
  return target.protocol === 'file:' && target.host === own.host && target.pathname === own.pathname;
}

/**
 * A link the user clicked that may open in the OS browser: https only. http would leak what the
 * user looks at; file:, javascript:, custom schemes could start programs.
 */
export function externalLinkTarget(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * The page's Content-Security-Policy. No remote code, no remote connections: the renderer talks to
 * main only through the preload. In development the Vite dev server needs two holes: React Refresh
 * injects an inline script, and HMR connects over a WebSocket to the dev server.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? new URL(devServerUrl) : undefined;
  const ws = dev ? ` ${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export type ResponseHeaders = Record<string, string[] | string>;

/** The response headers with our CSP in place of any the response had (whatever its casing). */
export function withCsp(headers: ResponseHeaders | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

/**
 * Permissions a page may use. The UI needs none of camera, location, notifications (main shows
 * those) and so on; writing text to the clipboard ("copy log line") is the one exception.
 */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

/** What ipc.ts knows about the sender of a message. */
export interface SenderInfo {
  webContentsId: number;
  /** Null when the frame is gone (navigated or destroyed) by the time the message is handled. */
  frame: { url: string; isMainFrame: boolean } | null;
}

/** A sender is trusted only as the main frame of one of the app's windows, showing the app's page. */
export function isTrustedSender(sender: SenderInfo, windowIds: ReadonlySet<number>, entry: RendererEntry): boolean {
  return (
    windowIds.has(sender.webContentsId) &&
    sender.frame !== null &&
    sender.frame.isMainFrame &&
    isAppUrl(sender.frame.url, entry)
  );
}
