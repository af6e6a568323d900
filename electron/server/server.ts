// The headless server: the built renderer over HTTP and the contract over a WebSocket at /ws, on
// loopback by default; over HTTPS and WSS when given a certificate (tls.ts). Every request needs the token (see security.ts); the first page load trades
// `?token=` for an HttpOnly cookie and a redirect, so the token does not stay in the address bar,
// the history or a Referer.
import { realpath } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Envelope } from '../../shared/contract';
import { MAX_FRAME_BYTES } from './protocol';
import {
  authenticate,
  createHostCheck,
  hostPort,
  isLoopbackHost,
  isWildcardHost,
  MIN_TOKEN_LENGTH,
  originAllowed,
  sessionCookie,
} from './security';
import { SocketHub } from './socket-hub';
import { resolveStatic, sendFile } from './static-files';

export const WS_PATH = '/ws';

export interface ServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  token: string;
  /** The built renderer (out/renderer); null serves only the API, and a page saying how to build. */
  staticDir: string | null;
  /** Runs one command; must never throw (errors come back as envelopes). */
  dispatch: (name: unknown, args: unknown) => Promise<Envelope<unknown>>;
  /** Registers the event sink; returns its removal. */
  subscribe: (send: (event: string, payload: unknown) => void) => () => void;
  /** Binding anything but loopback exposes the app to the network: only on explicit request. */
  allowNonLoopback?: boolean;
  /**
   * Paths answered by a handler of their own instead of the UI (GET and HEAD only): /metrics, /healthz.
   * `open`: answered without the token (still only to the server's own Host).
   */
  routes?: Record<string, ServerRoute>;
  /** PEM certificate (chain) and private key: HTTPS and WSS instead of HTTP and WS. */
  tls?: { cert: string; key: string } | null;
}

export interface ServerRoute {
  open: boolean;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface RunningServer {
  /** http://host:port/ (https:// over TLS) without the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (!isLoopbackHost(options.host) && !options.allowNonLoopback) {
    throw new ServerConfigError(`refusing to listen on ${options.host}: it is not a loopback address (pass --allow-remote to expose the server to the network)`);
  }
  if (options.token.length < MIN_TOKEN_LENGTH) throw new ServerConfigError(`the server token must have at least ${MIN_TOKEN_LENGTH} characters`);
  const staticRoot = options.staticDir === null ? null : await realpath(options.staticDir);

  const scheme = options.tls ? 'https' : 'http';
  // The same request and upgrade handlers either way: TLS only changes the transport underneath.
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const isOurHost = createHostCheck(options.host, port);
  const ctx: RequestContext = { token: options.token, port, scheme, isOurHost, staticRoot, routes: options.routes ?? {} };
  const hub = new SocketHub(options.dispatch);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(ctx, req, res).catch(() => {
      if (!res.headersSent) respond(res, 500, 'Internal error', ctx, req);
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = checkUpgrade(ctx, req);
    if (refusal) return refuseUpgrade(socket, refusal);
    wss.handleUpgrade(req, socket, head, (ws) => hub.add(ws));
  });
  const unsubscribe = options.subscribe((event, payload) => hub.broadcast(event, payload));

  const shownHost = isWildcardHost(options.host) ? '127.0.0.1' : options.host;
  return {
    url: `${scheme}://${hostPort(shownHost, port)}/`,
    port,
    async close() {
      unsubscribe();
      hub.closeAll();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

interface RequestContext {
  token: string;
  port: number;
  scheme: 'http' | 'https';
  isOurHost: (host: string | undefined) => boolean;
  staticRoot: string | null;
  routes: Record<string, ServerRoute>;
}

async function handleRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  if (!ctx.isOurHost(req.headers.host)) return respond(res, 403, 'Forbidden: this server answers only to its own address', ctx, req);
  const route = Object.hasOwn(ctx.routes, url.pathname) ? ctx.routes[url.pathname]! : undefined;
  if (route?.open && (req.method === 'GET' || req.method === 'HEAD')) return route.handle(req, res);
  const auth = authenticate(req, url, ctx.token, ctx.port);
  if (auth === null) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return respond(res, 401, 'Unauthorized: open the URL printed by `cloud-data-sync serve` (it carries the token)', ctx, req);
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return respond(res, 405, 'Method not allowed', ctx, req);
  }
  if (auth === 'query') {
    // Trade the token in the URL for a cookie, then drop it from the URL.
    url.searchParams.delete('token');
    res.setHeader('Set-Cookie', sessionCookie(ctx.port, ctx.token, ctx.scheme === 'https'));
    // One leading slash: "//evil.example" would be a redirect to another site.
    res.setHeader('Location', `/${url.pathname.replace(/^\/+/, '')}${url.search}`);
    return respond(res, 303, 'See other', ctx, req);
  }
  if (url.pathname === WS_PATH) return respond(res, 426, 'This address takes WebSocket connections only', ctx, req);
  if (route) return route.handle(req, res);
  if (ctx.staticRoot === null) {
    return respond(res, 503, 'The web UI is not built: run `npm run build`, then restart `cloud-data-sync serve`. The API (WebSocket at /ws) works meanwhile.', ctx, req);
  }
  const found = await resolveStatic(ctx.staticRoot, url.pathname);
  if (!found) return respond(res, 404, 'Not found', ctx, req);
  setSecurityHeaders(res, ctx, req);
  sendFile(req, res, found);
}

/**
 * The page may load only its own scripts and styles and talk only to its own server; inline
 * styles stay allowed because React sets style attributes. No framing (clickjacking).
 */
function setSecurityHeaders(res: ServerResponse, ctx: RequestContext, req: IncomingMessage): void {
  // Only ever called with a Host header that passed the check, so it is safe to echo.
  const self = ctx.isOurHost(req.headers.host) ? req.headers.host! : `127.0.0.1:${ctx.port}`;
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'self'; connect-src 'self' ${ctx.scheme === 'https' ? 'wss' : 'ws'}://${self}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function respond(res: ServerResponse, status: number, text: string, ctx: RequestContext, req: IncomingMessage): void {
  setSecurityHeaders(res, ctx, req);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
}

interface Refusal {
  status: number;
  reason: string;
}

function checkUpgrade(ctx: RequestContext, req: IncomingMessage): Refusal | null {
  const url = requestUrl(req);
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'Not Found' };
  if (!ctx.isOurHost(req.headers.host)) return { status: 403, reason: 'Forbidden' };
  const auth = authenticate(req, url, ctx.token, ctx.port);
  if (auth === null) return { status: 401, reason: 'Unauthorized' };
  if (!originAllowed(req.headers.origin, req.headers.host!, auth, ctx.scheme)) return { status: 403, reason: 'Forbidden' };
  return null;
}

function refuseUpgrade(socket: Duplex, { status, reason }: Refusal): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The request target as a URL. Only origin-form targets ("/path?query") are read; anything else is
 * taken as "/". Parsing against a fixed base keeps "//host/x" a path, never another host.
 */
function requestUrl(req: IncomingMessage): URL {
  const target = req.url?.startsWith('/') ? req.url : '/';
  return new URL(`http://placeholder${target}`);
}
