// Endpoint URL and host:port checks for provider settings.
import { describe } from './report';

export const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Checks "http(s)://host[:port][/path]" or, when the scheme is optional, "host[:port]". */
export function endpointProblem(text: string, scheme: 'optional' | 'required'): string | null {
  const match = SCHEME.exec(text);
  const name = match?.[1]?.toLowerCase();
  if (match && name !== 'http' && name !== 'https') return `must use http:// or https:// (got "${match[0]}")`;
  if (!match && scheme === 'required') return `must be a URL such as "https://host:port" (got ${describe(text)})`;
  const rest = match ? text.slice(match[0].length) : text;
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
