// A mapping's route, the id and name derived from it, and a key to compare routes.
import type { Mapping } from '../model';

/**
 * The id a mapping gets when the config gives none. Derived only from what the mapping syncs, so
 * it is the same on every run and the sync state recorded under it is found again.
 */
export function deriveMappingId(m: MappingRoute): string {
  return `${m.sourceConnectionId}:${m.sourceBucket}/${m.sourcePrefix}->${m.targetConnectionId}:${m.targetBucket}/${m.targetPrefix}`;
}

/** What a mapping syncs: from where to where. */
export type MappingRoute = Pick<Mapping, 'sourceConnectionId' | 'sourceBucket' | 'sourcePrefix' | 'targetConnectionId' | 'targetBucket' | 'targetPrefix'>;

export function defaultMappingName(m: MappingRoute): string {
  return `${m.sourceConnectionId}:${m.sourceBucket}/${m.sourcePrefix} → ${m.targetConnectionId}:${m.targetBucket}/${m.targetPrefix}`.replace(/\/(?= →|$)/g, '');
}

/** An exact comparable key of a route (the derived id could collide on odd names). */
export function routeKey(m: MappingRoute): string {
  return JSON.stringify([m.sourceConnectionId, m.sourceBucket, m.sourcePrefix, m.targetConnectionId, m.targetBucket, m.targetPrefix]);
}
