// Where a connection's bucket really is, as one string, so that two mapping sides touch the same
// objects exactly when one's `area + prefix` starts with the other's. Two connections reach the same
// place by different settings (two local roots that are one folder, "localhost:9000" and
// "http://127.0.0.1:9000/"), so the rules between mappings compare these, never connection ids.
//
// This module is pure (renderer and main): a local root is taken as written. Main resolves local
// folders through the file system (real path, symlinks followed) in electron/api/bucket-locations.ts
// and passes that locator instead.
import type { AzureSettings, Connection } from '../model';

export interface BucketLocation {
  /** The bucket's place, ending with "/": "file:///srv/data/photos/", "net://loopback:9000/photos/". */
  area: string;
  /** Keys that differ only in case are one object here (local folders on Windows and macOS). */
  foldCase: boolean;
}

/** The location of `bucket` on connection `connectionId`; undefined for an unknown connection. */
export type LocateBucket = (connectionId: string, bucket: string) => BucketLocation | undefined;

/** Locations from the settings alone: the pure default (local roots as written, not resolved). */
export function locateByConfig(connections: readonly Connection[]): LocateBucket {
  const byId = new Map(connections.map((c) => [c.id, c]));
  return (connectionId, bucket) => {
    const c = byId.get(connectionId);
    if (!c) return undefined;
    if (c.type === 'local') {
      const root = lexicalPath(c.local.root);
      return { area: `file://${joinPath(root, bucket)}/`, foldCase: /^[A-Za-z]:\//.test(root) };
    }
    return { area: `net://${serviceOf(c)}/${bucket}/`, foldCase: false };
  };
}

/**
 * The service a network connection talks to, as "host:port[/path]". Every protocol shares one
 * namespace: an S3 and a GCS connection to the same host and port (GCS's S3-compatible API, or one
 * emulator) are one service. Known differences left alone: DNS aliases of one host, and an endpoint
 * that names the bucket in its host name (virtual-host style written into the endpoint).
 */
function serviceOf(c: Exclude<Connection, { type: 'local' }>): string {
  switch (c.type) {
    case 'aws':
      return c.aws.endpoint?.trim() ? endpointIdentity(c.aws.endpoint, c.aws.disableSSL ? 'http' : 'https') : AWS_S3;
    case 'minio':
      return endpointIdentity(c.minio.endpoint, c.minio.useSSL ? 'https' : 'http');
    case 'gcs':
      return c.gcs.apiEndpoint?.trim() ? endpointIdentity(c.gcs.apiEndpoint, 'https') : GOOGLE_STORAGE;
    case 'azure':
      return azureService(c.azure);
  }
}

const AWS_S3 = 's3.amazonaws.com:443';
const GOOGLE_STORAGE = 'storage.googleapis.com:443';

/**
 * "host:port/path" of an endpoint URL (or host[:port] with `defaultScheme`): host lowercased, its
 * trailing dot dropped, loopback names as one ("localhost", 127.x.y.z, ::1), the scheme's default
 * port written out, AWS's regional S3 hosts as the global one, trailing slashes dropped.
 */
export function endpointIdentity(raw: string, defaultScheme: 'http' | 'https'): string {
  // A regular expression rather than URL: shared/ is typed without DOM or Node globals.
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)/.exec(raw.trim());
  const scheme = (m?.[1] ?? defaultScheme).toLowerCase();
  let host = (m?.[2] ?? '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]') host = 'loopback';
  const port = m?.[3] ? String(Number(m[3])) : scheme === 'http' ? '80' : '443';
  const hostPort = `${host}:${port}`;
  if (/^s3([.-][a-z0-9-]+)*\.amazonaws\.com:443$/.test(hostPort) && !host.startsWith('s3-website')) return AWS_S3;
  return hostPort + (m?.[4] ?? '').replace(/\/+$/, '');
}

/** The blob service of an Azure connection: endpointUrl, the connection string's endpoint, or the account's public one. */
function azureService(s: AzureSettings): string {
  if (s.endpointUrl?.trim()) return endpointIdentity(s.endpointUrl, 'https');
  const parts = new Map<string, string>();
  for (const part of (s.connectionString ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (parts.get('usedevelopmentstorage') === 'true') return endpointIdentity('http://127.0.0.1:10000/devstoreaccount1', 'http');
  const blobEndpoint = parts.get('blobendpoint');
  if (blobEndpoint) return endpointIdentity(blobEndpoint, 'https');
  const account = (parts.get('accountname') ?? s.accountName ?? '').toLowerCase();
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  return endpointIdentity(`${account}.blob.${suffix}`, 'https');
}

/** An absolute path with "/" separators, "." and ".." segments and doubled or trailing slashes removed. */
export function lexicalPath(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:/.exec(slashed)?.[0] ?? '';
  const segments: string[] = [];
  for (const seg of slashed.slice(drive.length).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  return `${drive}/${segments.join('/')}`;
}

function joinPath(root: string, name: string): string {
  return root.endsWith('/') ? `${root}${name}` : `${root}/${name}`;
}
