// Where a connection's bucket really is, as one string, so that two mapping sides touch the same
// objects exactly when one's `area + prefix` starts with the other's. Two connections reach the same
// place by different settings (two local roots that are one folder, "localhost:9000" and
// "http://127.0.0.1:9000/"), so the rules between mappings compare these, never connection ids.
//
// This module is pure (renderer and main): a local root is taken as written. Main resolves local
// folders through the file system (real path, symlinks followed) in electron/api/bucket-locations.ts
// and passes that locator instead.
import { connectionSettings, descriptorOf, type PublicConnectionSettings } from '../providers';

/** What locating needs of a connection: its id and settings (secrets where known: an Azure connection string names the service). */
export type LocatedConnection = { id: string } & PublicConnectionSettings;

export interface BucketLocation {
  /** The bucket's place, ending with "/": "file:///srv/data/photos/", "net://loopback:9000/photos/". */
  area: string;
  /** Keys that differ only in case are one object here (local folders on Windows and macOS). */
  foldCase: boolean;
}

/** The location of `bucket` on connection `connectionId`; undefined for an unknown connection. */
export type LocateBucket = (connectionId: string, bucket: string) => BucketLocation | undefined;

/** Locations from the settings alone: the pure default (local roots as written, not resolved). */
export function locateByConfig(connections: readonly LocatedConnection[]): LocateBucket {
  const byId = new Map(connections.map((c) => [c.id, c]));
  return (connectionId, bucket) => {
    const c = byId.get(connectionId);
    if (!c) return undefined;
    const whereabouts = descriptorOf(c.type).whereabouts;
    if (whereabouts.kind === 'folder') {
      const root = lexicalPath(whereabouts.root(connectionSettings(c)));
      return { area: `file://${joinPath(root, bucket)}/`, foldCase: /^[A-Za-z]:\//.test(root) };
    }
    return { area: `net://${whereabouts.service(connectionSettings(c))}/${bucket}/`, foldCase: false };
  };
}

/** The folder whose subfolders are the connection's buckets; undefined for a network service. */
export function bucketsFolderOf(c: LocatedConnection): string | undefined {
  const whereabouts = descriptorOf(c.type).whereabouts;
  return whereabouts.kind === 'folder' ? whereabouts.root(connectionSettings(c)) : undefined;
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
