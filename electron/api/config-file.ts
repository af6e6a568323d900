// config.import and config.export: the original tool's config.json, in and out.
import type { AlertsConfig, AlertsView } from '../../shared/alerts';
import { parseConfig, PLACEHOLDER_PREFIX, toConfigJson, type ValidatedConfig } from '../../shared/config';
import type { ConfigImportResult } from '../../shared/contract';
import type { Connection, Mapping } from '../../shared/model';
import { connectionSettings, SECRET_FIELDS } from '../../shared/providers';
import type { Store } from '../store';
import { locateOnDisk, sidesHoldingFile, storedMappingConflicts } from './bucket-locations';
import { connectionsForLocating, refuseNewMappingConflicts } from './connections';
import { ApiFailure } from './errors';
import { namesOf, runningMappings } from './lookup';
import { globalAlertsOf, importedAlerts, requireSealing } from './alerts';
import { loadAppSettings, saveSettings } from './settings';
import type { ApiDeps, HandlersFor } from './types';

export function configFileHandlers(deps: ApiDeps): HandlersFor<'config.import' | 'config.export'> {
  const { store, syncService, scheduler, emit } = deps;
  return {
    'config.import': async ({ json, apply }) => {
      // ConfigError → InvalidArgument, with the path in the file. The file's mappings are checked
      // against each other by where their buckets really are (real paths on disk), as the CLI does.
      const config = parseConfig(json, { locate: locateOnDisk });
      const database = store.lock?.databasePath;
      const holding = database === undefined ? [] : sidesHoldingFile(config.mappings, config.connections, database, (i) => `mappings[${i}]`);
      if (holding.length > 0) throw new ApiFailure('InvalidArgument', holding.map((h) => h.message).join('\n'));
      const result: ConfigImportResult = {
        connections: config.connections.map((c) => ({ id: c.id, name: c.name, type: c.type, exists: store.connections.get(c.id) !== undefined })),
        mappings: config.mappings.map((m) => ({ id: m.id, name: m.name, exists: store.mappings.get(m.id) !== undefined })),
        warnings: [...config.warnings],
        applied: false,
      };
      // The file's global alerts as they would be stored (placeholders take the stored values), said in the warnings.
      const globalAlerts = config.alerts && importedAlerts(config.alerts, () => globalAlertsOf(store), 'alerts', result.warnings);
      requireSealing(store, globalAlerts);
      if (!apply) {
        // The same writes and checks as an apply, rolled back: a preview refuses what the apply would.
        try {
          store.transaction(() => {
            saveConfig(store, config, result.warnings);
            throw PREVIEW_ONLY;
          });
        } catch (err) {
          if (err !== PREVIEW_ONLY) throw err;
        }
        return result;
      }

      const connectionIds = new Set(config.connections.map((c) => c.id));
      const mappingIds = new Set(config.mappings.map((m) => m.id));
      const affected = runningMappings(deps).filter(
        (m) => mappingIds.has(m.id) || connectionIds.has(m.sourceConnectionId) || connectionIds.has(m.targetConnectionId),
      );
      if (affected.length > 0) throw new ApiFailure('Conflict', `the import changes what ${namesOf(affected)} running with; wait for the runs to end or cancel them`);

      // One transaction: a file that fails halfway (e.g. a mapping the store refuses) changes nothing.
      store.transaction(() => saveConfig(store, config, result.warnings));
      // The file's top-level bwLimit and alerts are the app's global ones (a file without them leaves the settings).
      if (config.bwLimit !== undefined || config.alerts !== undefined) {
        saveSettings(deps, config.bwLimit !== undefined ? { bwLimit: config.bwLimit } : {}, config.alerts !== undefined ? () => globalAlerts : undefined);
      }
      await Promise.all([...connectionIds].map((id) => syncService.forget(id)));
      scheduler.refresh();
      emit('data.changed', { lists: ['connections', 'mappings'] });
      return { ...result, applied: true };
    },

    'config.export': async () => ({
      json: toConfigJson(
        store.connections.list().map((c) => withSetSecretsMarked(store, c)),
        store.mappings.list().map((m) => withAlertsMarked(m, store.mappings.alertsView(m.id))),
        'data.db',
        { redactSecrets: true, bwLimit: loadAppSettings(store).bwLimit, alerts: markedAlerts(loadAppSettings(store).alerts) },
      ),
    }),
  };
}

const PREVIEW_ONLY = Symbol('preview only');

/**
 * Writes the file's connections and mappings; call inside a transaction, since it throws (after
 * writing) when they make saved mappings overlap: the file's mappings beside the saved ones, or
 * saved mappings moved by a changed connection.
 */
function saveConfig(store: Store, config: ValidatedConfig, warnings: string[]): void {
  const before = storedMappingConflicts(store, connectionsForLocating(store));
  // Secrets the file leaves out or holds as placeholders (a redacted export) keep the stored values.
  for (const c of config.connections) store.connections.upsert(withoutPlaceholderSecrets(c), { keepExistingSecrets: true });
  config.mappings.forEach((m, index) => {
    // A redacted export's alerts hold placeholders: they keep the stored URLs and secrets.
    const alerts = importedAlerts(m.alerts, () => store.mappings.alertsOf(m.id), `mappings[${index}].alerts`, warnings);
    requireSealing(store, alerts);
    const { alerts: _file, ...rest } = m;
    store.mappings.upsert({ ...rest, ...(alerts ? { alerts } : {}) });
  });
  refuseNewMappingConflicts(store, before, storedMappingConflicts(store, connectionsForLocating(store)));
}

function withoutPlaceholderSecrets(connection: Connection): Connection {
  const settings = { ...connectionSettings(connection) };
  for (const field of SECRET_FIELDS[connection.type]) {
    if (typeof settings[field] === 'string' && settings[field].startsWith(PLACEHOLDER_PREFIX)) delete settings[field];
  }
  return { ...connection, [connection.type]: settings } as Connection;
}

/**
 * The mapping (which comes without its alerts) with alerts in the shape of `view`, '' in each URL and
 * set secret: toConfigJson's redaction writes placeholders there, and the ids, so the file imports back.
 */
function withAlertsMarked(mapping: Mapping, view: AlertsView | undefined): Mapping {
  const alerts = markedAlerts(view ?? null);
  return alerts ? { ...mapping, alerts } : mapping;
}

function markedAlerts(view: AlertsView | null): AlertsConfig | null {
  if (!view) return null;
  const h = view.healthchecks;
  return {
    webhooks: view.webhooks.map((w) => ({ id: w.id, url: '', on: w.on, ...(w.secretSet ? { secret: '' } : {}) })),
    ...(h ? { healthchecks: { ...(h.start ? { start: '' } : {}), success: '', ...(h.fail ? { fail: '' } : {}) } } : {}),
  };
}

/**
 * The connection (which comes without secret values) with '' in each secret that is set: toConfigJson's
 * redaction then writes a placeholder there, so the file still loads and says which secrets to fill in.
 */
function withSetSecretsMarked(store: Store, connection: Connection): Connection {
  const set = store.connections.secretsSet(connection.id) ?? {};
  const marked = Object.fromEntries(SECRET_FIELDS[connection.type].filter((field) => set[field]).map((field) => [field, '']));
  return { ...connection, [connection.type]: { ...connectionSettings(connection), ...marked } } as Connection;
}
