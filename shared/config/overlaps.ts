// The rules between mapping sides, on what the sides resolve to (locations.ts), never on connection
// ids: two connections may reach one folder or one service.
//  1. A mapping whose target overlaps its own source syncs into itself, one level deeper per run.
//  2. Two mappings whose targets overlap overwrite each other; with "mirror" one deletes the other's.
//  3. Mappings that write into each other's sources in a cycle (A → B and B → A, or longer) send
//     objects back where they came from; when one of them deletes ("mirror" or "synced"), what a user
//     adds or removes at one end is undone from the other.
// Pure: the caller supplies the locator and turns each conflict into a report entry.
import type { Mapping } from '../model';
import type { BucketLocation, LocateBucket } from './locations';
import { placeOf, placeText, routeKey, type RouteSide } from './mapping-ids';

export interface MappingConflict {
  level: 'error' | 'warn';
  /** The rule that found it. */
  kind: 'self' | 'targets' | 'cycle';
  /** Index (in the list given) of the mapping the message is about: the later one of a pair or cycle. */
  at: number;
  /** Indexes of every mapping involved. */
  involves: number[];
  message: string;
}

/** A mapping and how messages name it: "mappings[2]" for a file, `mapping "Photos"` for the app. */
export interface NamedMapping {
  mapping: Mapping;
  label: string;
}

/** Every conflict among `mappings` (each pair once, each cycle once), in a stable order. */
export function findMappingConflicts(mappings: readonly NamedMapping[], locate: LocateBucket): MappingConflict[] {
  const sides = mappings.map(({ mapping: m }) => ({ source: place(locate, m, 'source'), target: place(locate, m, 'target') }));
  const conflicts: MappingConflict[] = [];

  sides.forEach(({ source, target }, i) => {
    if (overlap(source, target)) conflicts.push({ level: 'error', kind: 'self', at: i, involves: [i], message: selfMessage(mappings[i]!.mapping, source, target) });
  });

  for (let j = 0; j < mappings.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = mappings[i]!;
      const b = mappings[j]!;
      if (routeKey(a.mapping) === routeKey(b.mapping) || !overlap(sides[i]!.target, sides[j]!.target)) continue; // duplicates are reported on their own
      const where = `${describePlace(b.mapping, 'target', sides[j]!.target)} and ${describePlace(a.mapping, 'target', sides[i]!.target)}`;
      const mirror = a.mapping.deleteMode === 'mirror' || b.mapping.deleteMode === 'mirror';
      conflicts.push({
        level: mirror ? 'error' : 'warn',
        kind: 'targets',
        at: j,
        involves: [i, j],
        message: mirror
          ? `writes into the same area as ${a.label}, ${where}, and "mirror" mode would delete the other mapping's objects; use separate target prefixes or deleteMode "synced"`
          : `writes into the same area as ${a.label}, ${where}; objects with the same key overwrite each other`,
      });
    }
  }

  // i → j when i writes where j reads.
  const feeds = sides.map((s, i) => sides.flatMap((t, j) => (i !== j && overlap(s.target, t.source) ? [j] : [])));
  for (const cycle of elementaryCycles(feeds)) {
    const deleting = cycle.filter((i) => mappings[i]!.mapping.deleteMode !== 'never');
    const at = Math.max(...cycle);
    const path = [...cycle, cycle[0]!].map((i) => mappings[i]!.label).join(' → ');
    const fields = cycle.map((i, n) => {
      const next = cycle[(n + 1) % cycle.length]!;
      return `${mappings[i]!.label} writes to ${describePlace(mappings[i]!.mapping, 'target', sides[i]!.target)}, which ${mappings[next]!.label} reads as ${describePlace(mappings[next]!.mapping, 'source', sides[next]!.source)}`;
    });
    conflicts.push({
      level: deleting.length > 0 ? 'error' : 'warn',
      kind: 'cycle',
      at,
      involves: [...cycle],
      message: deleting.length > 0
        ? `forms a loop ${path}: ${fields.join('; ')}. With deleteMode ${deleting.map((i) => `"${mappings[i]!.mapping.deleteMode}" (${mappings[i]!.label})`).join(', ')} a run deletes ` +
          `at one end what was added at the other; sync one way only, or use separate prefixes`
        : `forms a loop ${path}: ${fields.join('; ')}; objects are copied back where they came from`,
    });
  }
  return conflicts;
}

/** One side, resolved: the full location of its objects. */
interface Place {
  key: string;
  location: BucketLocation | undefined;
}

function place(locate: LocateBucket, m: Mapping, side: RouteSide): Place {
  const { connectionId, bucket, prefix } = placeOf(m, side);
  const location = locate(connectionId, bucket);
  // An unknown connection (reported elsewhere) still collides with itself by id.
  return { key: placeKey(location ?? { area: `connection:${connectionId}/${bucket}/`, foldCase: false }, prefix), location };
}

/** The comparable key of what lies under `prefix` at `location`: case folded where the place folds case. */
export function placeKey(location: BucketLocation, prefix: string): string {
  const key = location.area + prefix;
  return location.foldCase ? key.toLowerCase() : key;
}

/** Whether the place with key `outer` holds the one with key `inner` (or is it). */
export function placeHolds(outer: string, inner: string): boolean {
  return inner.startsWith(outer);
}

function overlap(a: Place, b: Place): boolean {
  return placeHolds(a.key, b.key) || placeHolds(b.key, a.key);
}

function selfMessage(m: Mapping, source: Place, target: Place): string {
  const fix = 'the mapping would sync into itself; use another bucket or non-overlapping prefixes';
  if (m.sourceConnectionId === m.targetConnectionId && m.sourceBucket === m.targetBucket) {
    return `source and target are the same bucket (${m.sourceConnectionId}:${m.sourceBucket}) with overlapping prefixes "${m.sourcePrefix}" and "${m.targetPrefix}": ${fix}`;
  }
  return `source ${describePlace(m, 'source', source)} and target ${describePlace(m, 'target', target)} are the same place or one inside the other: ${fix}, one level deeper on every run`;
}

/** "disk:photos/2024/ (file:///srv/photos/2024/)": what the user wrote, and where it leads when that differs. */
function describePlace(m: Mapping, side: RouteSide, p: Place): string {
  const written = placeOf(m, side);
  return p.location ? `${placeText(written)} (${p.location.area}${written.prefix})` : placeText(written);
}

/**
 * Cycles of a small directed graph (one node per mapping), each once, as node lists: the shortest one
 * through each node. Bounded: a config has tens of mappings, and at most MAX_CYCLES are reported.
 */
function elementaryCycles(edges: readonly number[][]): number[][] {
  const cycles: number[][] = [];
  const seen = new Set<string>();
  for (let start = 0; start < edges.length && cycles.length < MAX_CYCLES; start++) {
    // The shortest cycle through `start`: every mapping that is on some cycle gets one reported with
    // it, so a deleting mapping's loop is never hidden behind a non-deleting one.
    const previous = new Map<number, number>();
    const queue = [start];
    let closing: number | undefined;
    for (let q = 0; q < queue.length && closing === undefined; q++) {
      const node = queue[q]!;
      for (const next of edges[node]!) {
        if (next === start) {
          closing = node;
          break;
        }
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    if (closing === undefined) continue;
    const cycle = [closing];
    while (cycle[0] !== start) cycle.unshift(previous.get(cycle[0]!)!);
    const key = [...cycle].sort((x, y) => x - y).join(',');
    if (!seen.has(key)) {
      seen.add(key);
      cycles.push(cycle);
    }
  }
  return cycles;
}

const MAX_CYCLES = 20;
