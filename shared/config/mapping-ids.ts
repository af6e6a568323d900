// A mapping's route (from where to where), in one place: its fields, its sides, how it is written
// in names, ids and messages, and how two routes are compared.
import type { Mapping } from '../model';

export const ROUTE_FIELDS = ['sourceConnectionId', 'sourceBucket', 'sourcePrefix', 'targetConnectionId', 'targetBucket', 'targetPrefix'] as const satisfies readonly (keyof Mapping)[];

/** What a mapping syncs: from where to where. */
export type MappingRoute = Pick<Mapping, (typeof ROUTE_FIELDS)[number]>;

export type RouteSide = 'source' | 'target';

/** One side of a route. */
export interface RoutePlace {
  connectionId: string;
  bucket: string;
  prefix: string;
}

export function placeOf(m: MappingRoute, side: RouteSide): RoutePlace {
  return side === 'source'
    ? { connectionId: m.sourceConnectionId, bucket: m.sourceBucket, prefix: m.sourcePrefix }
    : { connectionId: m.targetConnectionId, bucket: m.targetBucket, prefix: m.targetPrefix };
}

/** "disk:photos/2024/": one side as messages and derived ids write it. */
export function placeText(p: RoutePlace): string {
  return `${p.connectionId}:${p.bucket}/${p.prefix}`;
}

/** "disk:photos/2024/ → s3:backup/": the route as messages write it. */
export function routeText(m: MappingRoute): string {
  return `${placeText(placeOf(m, 'source'))} → ${placeText(placeOf(m, 'target'))}`;
}

/**
 * The id a mapping gets when the config gives none. Derived only from what the mapping syncs, so
 * it is the same on every run and the sync state recorded under it is found again.
 */
export function deriveMappingId(m: MappingRoute): string {
  return `${placeText(placeOf(m, 'source'))}->${placeText(placeOf(m, 'target'))}`;
}

/**
 * The name a mapping gets when none is given: "disk:photos/2024 → s3:backup" (the slash that ends
 * a side dropped). Without connections, as the app's editor suggests it: "photos/2024 → backup",
 * with "…" for a bucket not chosen yet.
 */
export function defaultMappingName(m: MappingRoute, { connections = true }: { connections?: boolean } = {}): string {
  if (connections) return routeText(m).replace(/\/(?= →|$)/g, '');
  const side = ({ bucket, prefix }: RoutePlace) => (bucket ? `${bucket}${prefix ? `/${prefix.replace(/\/+$/, '')}` : ''}` : '…');
  return `${side(placeOf(m, 'source'))} → ${side(placeOf(m, 'target'))}`;
}

/** An exact comparable key of a route (the derived id could collide on odd names). */
export function routeKey(m: MappingRoute): string {
  return JSON.stringify(ROUTE_FIELDS.map((field) => m[field]));
}

/** Same source and target: the sync state recorded for one is valid for the other. */
export function sameRoute(a: MappingRoute, b: MappingRoute): boolean {
  return ROUTE_FIELDS.every((field) => a[field] === b[field]);
}
