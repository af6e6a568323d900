// Looking up the record a command names, with the NotFound a caller can show.
import type { Connection, Mapping } from '../../shared/model';
import type { Store } from '../store';
import { ApiFailure } from './errors';
import type { ApiDeps } from './types';

export function requireConnection(store: Store, id: string, field = 'id'): Connection {
  const connection = store.connections.get(id);
  if (!connection) throw new ApiFailure('NotFound', `connection "${id}" does not exist`, field);
  return connection;
}

export function requireMapping(store: Store, id: string, field = 'id'): Mapping {
  const mapping = store.mappings.get(id);
  if (!mapping) throw new ApiFailure('NotFound', `mapping "${id}" does not exist`, field);
  return mapping;
}

/** The mappings running right now. */
export function runningMappings({ store, scheduler }: Pick<ApiDeps, 'store' | 'scheduler'>): Mapping[] {
  return scheduler.runningIds().flatMap((id) => store.mappings.get(id) ?? []);
}

/** 'mapping "A" is' / 'mappings "A", "B" are': for messages about one or more mappings. */
export function namesOf(mappings: readonly Mapping[]): string {
  const names = mappings.map((m) => `"${m.name}"`).join(', ');
  return mappings.length === 1 ? `mapping ${names} is` : `mappings ${names} are`;
}
