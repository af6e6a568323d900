// Endpoint URLs and host:port in provider settings: their checks, and the service they name.
import { describe } from './report';

export const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Checks "http(s)://host[:port][/path]" or, when the scheme is optional, "host[:port]". */
export function endpointProblem(text: string, scheme: 'optional' | 'required'): string | null {
  const match = SCHEME.exec(text);
  const name = match?.[1]?.toLowerCase();
  if (match && name !== 'http' && name !== 'https') return `must use http:// or https:// (got "${match[0]}")`;
  if (!match && scheme === 'required') return `must be a URL such as "https://host:port" (got ${describe(text)})`;
  const rest = match ? text.slice(match[0].length) : text;
  // Not repeated in the message: a query may hold a token (a SAS pasted with its URL).
  if (/[?#]/.test(rest)) return 'must not have a query or fragment (nothing from "?" or "#" on)';
  const slash = rest.indexOf('/');
  if (!match && slash >= 0) return `must be a URL (with http:// or https://) or host[:port] without a path (got ${describe(text)})`;
  return hostPortProblem(slash >= 0 ? rest.slice(0, slash) : rest);
}

export function hostPortProblem(authority: string): string | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return `must be host[:port], e.g. "localhost:9000" or "s3.example.com" (got ${describe(authority)})`;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return `port must be from 1 to 65535 (got ${port})`;
  return null;
}

/** The service AWS's S3 hosts, regional or global, come down to. */
export const AWS_S3_SERVICE = 's3.amazonaws.com:443';

/**
 * "host:port/path" of an endpoint URL (or host[:port] with `defaultScheme`): host lowercased, its
 * trailing dot dropped, loopback names as one ("localhost", 127.x.y.z, ::1), the scheme's default
 * port written out, AWS's regional S3 hosts as the global one, trailing slashes dropped. Every
 * protocol shares one namespace: an S3 and a GCS connection to the same host and port (GCS's
 * S3-compatible API, or one emulator) are one service. Known differences left alone: DNS aliases
 * of one host, and an endpoint that names the bucket in its host name (virtual-host style).
 */
export function endpointIdentity(raw: string, defaultScheme: 'http' | 'https'): string {
  // A regular expression rather than URL: shared/ is typed without DOM or Node globals.
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)/.exec(raw.trim());
  const scheme = (m?.[1] ?? defaultScheme).toLowerCase();
  let host = (m?.[2] ?? '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]') host = 'loopback';
  const port = m?.[3] ? String(Number(m[3])) : scheme === 'http' ? '80' : '443';
  const hostPort = `${host}:${port}`;
  if (/^s3([.-][a-z0-9-]+)*\.amazonaws\.com:443$/.test(hostPort) && !host.startsWith('s3-website')) return AWS_S3_SERVICE;
  return hostPort + (m?.[4] ?? '').replace(/\/+$/, '');
}
