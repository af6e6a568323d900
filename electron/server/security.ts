// Who may talk to the headless server. Every request must carry the token (cookie, `?token=` or
// `Authorization: Bearer`); the Host header must name this server (DNS-rebinding defence); a
// WebSocket upgrade must come from this server's own page (Origin), or be a non-browser client that
// authenticates with a Bearer header.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isLoopbackName } from '../../shared/metrics-addr';

/** Minimum token length: a guessable token would undo every other check. */
export const MIN_TOKEN_LENGTH = 16;

export type AuthMethod = 'bearer' | 'cookie' | 'query';

/** localhost, ::1 (bracketed or not) and the whole 127/8 block: shared/metrics-addr.ts's rule. */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(stripBrackets(host));
}

/** 0.0.0.0 and :: accept connections on every interface. */
export function isWildcardHost(host: string): boolean {
  const h = stripBrackets(host);
  return h === '0.0.0.0' || h === '::';
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `host:port` as it appears in a Host header or a URL (IPv6 literals in brackets). */
export function hostPort(host: string, port: number): string {
  const h = stripBrackets(host);
  return `${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

/**
 * Decides whether a Host header names this server. A DNS-rebinding attack needs a domain name the
 * attacker controls, so besides the loopback names and the bound host we accept any IP literal when
 * the server listens on every interface (the address a LAN client typed), but never another name.
 */
export function createHostCheck(boundHost: string, port: number): (hostHeader: string | undefined) => boolean {
  const allowed = new Set(['127.0.0.1', 'localhost', '::1', boundHost].map((h) => hostPort(h, port).toLowerCase()));
  const wildcard = isWildcardHost(boundHost);
  return (hostHeader) => {
    if (hostHeader === undefined) return false;
    const value = hostHeader.toLowerCase();
    if (allowed.has(value)) return true;
    if (!wildcard) return false;
    const match = /^(\[[0-9a-f:.]+\]|[0-9.]+):(\d+)$/.exec(value);
    return match !== null && Number(match[2]) === port && isIP(stripBrackets(match[1]!)) !== 0;
  };
}

/** Compares in constant time; hashing first hides the length of the expected token too. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Cookies are not separated by port, so the name carries it: two servers on one machine (or a
 * restarted one with a new token) do not overwrite each other's cookie.
 */
export function cookieName(port: number): string {
  return `cds_token_${port}`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * HttpOnly: page scripts cannot read it; SameSite=Strict: other sites' pages never send it; Secure
 * (over TLS): the browser never sends it over plain HTTP, where anyone on the path could read it.
 */
export function sessionCookie(port: number, token: string, secure = false): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** How the request proves it knows the token, or null. A wrong credential is never "partly" valid. */
export function authenticate(req: IncomingMessage, url: URL, token: string, port: number): AuthMethod | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match && tokensEqual(match[1]!, token) ? 'bearer' : null;
  }
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null) return tokensEqual(queryToken, token) ? 'query' : null;
  const cookie = parseCookies(req.headers.cookie).get(cookieName(port));
  if (cookie !== undefined) return tokensEqual(cookie, token) ? 'cookie' : null;
  return null;
}

/**
 * A browser always sends Origin on a WebSocket handshake, and a page of this server has the origin
 * `http://` (`https://` over TLS) + the Host it was loaded from. No Origin means a non-browser
 * client, which must then have used a Bearer header (a browser cannot set one on a WebSocket).
 */
export function originAllowed(origin: string | undefined, hostHeader: string, auth: AuthMethod, scheme: 'http' | 'https' = 'http'): boolean {
  if (origin === undefined) return auth === 'bearer';
  return origin.toLowerCase() === `${scheme}://${hostHeader.toLowerCase()}`;
}
