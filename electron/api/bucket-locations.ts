// Where buckets really are, with the file system's help: a local bucket is the real path of its
// folder (symlinks followed), so two local connections whose roots are one folder, or one inside the
// other, are seen as such. Network connections keep shared/config/locations.ts's reading of their
// settings. Used wherever mappings are checked against each other: the CLI's config load, the API's
// mapping save and preview.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { lexicalPath, locateByConfig, type LocateBucket } from '../../shared/config';
import type { Connection } from '../../shared/model';

/**
 * Case rules of the usual file systems: NTFS and APFS/HFS+ are case-insensitive by default, Linux
 * file systems are not. (A case-sensitive APFS volume or a case-insensitive mount on Linux is
 * taken for the default; the real answer would need a probe of each folder.)
 */
const FOLDS_CASE = process.platform === 'win32' || process.platform === 'darwin';

export function locateOnDisk(connections: readonly Connection[]): LocateBucket {
  const bySettings = locateByConfig(connections);
  const byId = new Map(connections.map((c) => [c.id, c]));
  return (connectionId, bucket) => {
    const c = byId.get(connectionId);
    if (c?.type !== 'local') return bySettings(connectionId, bucket);
    return { area: `file://${lexicalPath(realPathOf(path.resolve(c.local.root, bucket)))}/`, foldCase: FOLDS_CASE };
  };
}

/**
 * The real path of `target`; when it does not exist yet (a target folder made by the first run),
 * the real path of its nearest existing ancestor joined with the rest. Bounded by the path's depth.
 */
function realPathOf(target: string): string {
  const rest: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...rest);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return target; // nothing exists, not even the root: as written
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}
