// mappings.*: what syncs where. Every write is followed by scheduler.refresh() (timers follow the
// new intervals and enabled flags) and a data.changed event. A mapping's alerts reach the renderer only
// as their view (no URL, no secret); an edit's left-out URLs and secrets keep the stored ones (api/alerts.ts).
import { sameRoute, validateMappingInput } from '../../shared/config';
import type { MappingInput, MappingStatus, MappingView } from '../../shared/contract';
import type { Connection, Mapping } from '../../shared/model';
import { StoreError } from '../store';
import { SchedulerError } from '../sync/scheduler';
import { locateOnDisk, sidesHoldingFile } from './bucket-locations';
import { fillAlertsInput, requireSealing } from './alerts';
import { ApiFailure } from './errors';
import { requireMapping, runningMappings } from './lookup';
import { previewSaved, previewUnsaved } from './preview';
import type { ApiDeps, HandlersFor } from './types';
import { PAGE_LIMITS } from './validate';

type MappingCommands = 'mappings.list' | 'mappings.create' | 'mappings.update' | 'mappings.delete' | 'mappings.setEnabled' | 'mappings.preview';

export function mappingHandlers(deps: ApiDeps): HandlersFor<MappingCommands> {
  const { store, scheduler, emit } = deps;
  const view = ({ alerts: _secret, ...mapping }: Mapping): MappingView => {
    const alerts = store.mappings.alertsView(mapping.id);
    return { ...mapping, ...(alerts ? { alerts } : {}), status: statusOf(deps, mapping) };
  };
  const saved = (mapping: Mapping): MappingView => {
    scheduler.refresh();
    emit('data.changed', { lists: ['mappings'] });
    return view(requireMapping(store, mapping.id));
  };

  return {
    'mappings.list': async () => store.mappings.list().map(view),

    'mappings.create': async (input) => {
      const mapping = validated(deps, input);
      if (store.mappings.get(mapping.id)) {
        const why = input.id === undefined ? ' (the id is derived from the source and target, so this route already has a mapping)' : '';
        throw new ApiFailure('Conflict', `a mapping with id "${mapping.id}" already exists${why}`, 'id');
      }
      requireSealing(store, mapping.alerts);
      store.mappings.upsert(mapping);
      return saved(mapping);
    },

    'mappings.update': async (input) => {
      const before = requireMapping(store, input.id);
      const mapping = validated(deps, input);
      // A changed route drops the sync state, which a running run would go on writing for the old one.
      if (!sameRoute(before, mapping) && scheduler.runningIds().includes(mapping.id)) {
        throw new ApiFailure('Conflict', `mapping "${before.name}" is running: its source or target cannot change until the run ends; wait for it or cancel it`);
      }
      requireSealing(store, mapping.alerts);
      store.mappings.upsert(mapping);
      return saved(mapping);
    },

    'mappings.delete': async ({ id }) => {
      const mapping = requireMapping(store, id);
      // Deleting takes the run's history with it, under a run that is still writing to it.
      if (runningMappings(deps).some((m) => m.id === id)) {
        throw new ApiFailure('Conflict', `mapping "${mapping.name}" is running; cancel it (or wait for it to finish) before deleting it`);
      }
      store.mappings.remove(id);
      scheduler.refresh();
      emit('data.changed', { lists: ['mappings', 'runs'] });
    },

    'mappings.setEnabled': async ({ id, enabled }) => {
      const mapping = requireMapping(store, id);
      store.mappings.setEnabled(id, enabled);
      return saved(mapping);
    },

    'mappings.preview': async ({ id, input, limit = PAGE_LIMITS.preview.default }) => {
      if (input) return previewUnsaved(deps, validated(deps, input), limit);
      return previewSaved(deps, requireMapping(store, id ?? ''), limit);
    },
  };
}

/**
 * The input checked by shared/config's rules against the stored connections and the other mappings;
 * overlaps by where the buckets really are (local folders resolved on disk). Its alerts' left-out
 * URLs and secrets are the stored mapping's (same id).
 */
function validated({ store }: Pick<ApiDeps, 'store'>, input: MappingInput): Mapping {
  const connections = store.connections.list();
  const { alerts: alertsInput, ...rest } = input;
  const alerts = fillAlertsInput(alertsInput, () => (input.id === undefined ? undefined : store.mappings.alertsOf(input.id)));
  const mapping = validateMappingInput({ ...rest, ...(alerts ? { alerts } : {}) }, connections, store.mappings.list(), locateOnDisk(connections.map((c) => withSecrets(store, c))));
  const database = store.lock?.databasePath;
  const holding = database === undefined ? [] : sidesHoldingFile([mapping], connections, database, () => `mapping "${mapping.name}"`);
  if (holding[0]) throw new ApiFailure('InvalidArgument', holding[0].message, `${holding[0].side}Bucket`);
  return mapping;
}

/** An Azure connection string (a secret) holds the endpoint; without a cipher here, the settings must do. */
function withSecrets(store: ApiDeps['store'], connection: Connection): Connection {
  try {
    return store.connections.getWithSecrets(connection.id) ?? connection;
  } catch (err) {
    if (err instanceof StoreError && err.code === 'SecretsUnavailable') return connection;
    throw err;
  }
}

/** The scheduler's status; a mapping it has not picked up yet (no refresh since) counts as idle. */
function statusOf({ store, scheduler }: ApiDeps, mapping: Mapping): MappingStatus {
  try {
    return scheduler.status(mapping.id);
  } catch (err) {
    if (!(err instanceof SchedulerError)) throw err;
    return {
      mappingId: mapping.id,
      state: mapping.enabled ? 'idle' : 'disabled',
      followUpQueued: false,
      nextRunAt: null,
      lastRun: store.runs.latest(mapping.id) ?? null,
      version: 0,
    };
  }
}
