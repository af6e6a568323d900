// Where buckets really are, with the file system's help: a local bucket is the real path of its
// folder (symlinks followed), so two local connections whose roots are one folder, or one inside the
// other, are seen as such. Network connections keep shared/config/locations.ts's reading of their
// settings. Used wherever mappings are checked against each other: the CLI's config load, the API's
// mapping save and preview.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { bucketsFolderOf, findMappingConflicts, lexicalPath, locateByConfig, placeHolds, placeKey, placeOf, type LocateBucket, type MappingConflict } from '../../shared/config';
import type { Connection, Mapping } from '../../shared/model';
import type { Store } from '../store';

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
    const folder = c && bucketsFolderOf(c);
    if (folder === undefined) return bySettings(connectionId, bucket);
    return { area: `file://${lexicalPath(realPathOf(path.resolve(folder, bucket)))}/`, foldCase: FOLDS_CASE };
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

/**
 * Errors of shared/config/overlaps.ts's rules among the saved mappings, by real path: for a start-up
 * check (mappings saved before the rule, or made to overlap by a connection edit) and for a
 * connection edit, which moves every mapping that uses it.
 */
export function storedMappingConflicts(
  store: Store,
  connections: readonly Connection[] = store.connections.list(),
): (MappingConflict & { mappingIds: string[] })[] {
  const mappings = store.mappings.list();
  const named = mappings.map((mapping) => ({ mapping, label: `mapping "${mapping.name}"` }));
  return findMappingConflicts(named, locateOnDisk(connections))
    .filter((c) => c.level === 'error')
    .map((c) => ({ ...c, mappingIds: c.involves.map((i) => mappings[i]!.id) }));
}

/**
 * The mapping sides that hold `file` (the database): a local mapping whose source or target folder
 * contains it would copy or overwrite the live database files, and reading a file that SQLite holds
 * a lock on, through another descriptor, silently drops that lock (POSIX) — the one-process lock with it.
 * Messages name the mapping (`label(index)`) and the side.
 */
export function sidesHoldingFile(
  mappings: readonly Mapping[],
  connections: readonly Connection[],
  file: string,
  label: (index: number) => string,
): { side: 'source' | 'target'; message: string }[] {
  const locate = locateOnDisk(connections);
  const fileKey = `file://${lexicalPath(realPathOf(path.resolve(file)))}`;
  const found: { side: 'source' | 'target'; message: string }[] = [];
  mappings.forEach((m, index) => {
    for (const side of ['source', 'target'] as const) {
      const { connectionId, bucket, prefix } = placeOf(m, side);
      const location = locate(connectionId, bucket);
      if (!location?.area.startsWith('file://')) continue;
      // The file as a place on the same file system, so case is folded alike.
      if (placeHolds(placeKey(location, prefix), placeKey({ area: fileKey, foldCase: location.foldCase }, ''))) {
        found.push({ side, message: `${label(index)}: the ${side} (${location.area}${prefix}) holds the database ${fileKey.slice('file://'.length)}; move the database out of synced folders` });
      }
    }
  });
  return found;
}
