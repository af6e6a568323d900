// The app state written back as config.json text.
import type { AlertsConfig } from '../alerts';
import { connectionSettings, SECRET_FIELDS, type Connection, type Mapping } from '../model';
import { filtersOf, formatAge, formatSize, type MappingFilters } from '../filters';
import { DEFAULT_DATABASE_PATH, PLACEHOLDER_PREFIX } from './defaults';
import { defaultMappingName, deriveMappingId } from './mapping-ids';
import { formatMaxDelete } from './max-delete';
import type { JsonObject } from './report';

const REDACTED_SECRET = `${PLACEHOLDER_PREFIX}SECRET`;

export interface ExportOptions {
  /** Replace every secret with a placeholder: for a file that leaves the machine. It still loads. */
  redactSecrets?: boolean;
  /** The top-level bwLimit (the app's global bandwidth limit); absent or null: none is written. */
  bwLimit?: string | null;
  /** The top-level alerts (the app's global ones); absent or null: none is written. Redacted with the secrets. */
  alerts?: AlertsConfig | null;
}

/**
 * The app state as config.json text. parseConfig reads it back to the same connections and
 * mappings. Mapping ids and names are written only when they differ from the derived ones, so
 * editing a bucket or prefix in the file yields a new mapping (with fresh sync state).
 */
export function toConfigJson(
  connections: readonly Connection[],
  mappings: readonly Mapping[],
  databasePath: string = DEFAULT_DATABASE_PATH,
  options: ExportOptions = {},
): string {
  const providers = connections.map((c) => {
    const settings: JsonObject = { ...connectionSettings(c) };
    if (options.redactSecrets) {
      for (const key of SECRET_FIELDS[c.type]) {
        if (settings[key] !== undefined) settings[key] = REDACTED_SECRET;
      }
    }
    return { id: c.id, ...(c.name !== c.id ? { name: c.name } : {}), type: c.type, [c.type]: settings };
  });
  const mappingJson = mappings.map((m) => ({
    ...(m.id !== deriveMappingId(m) ? { id: m.id } : {}),
    ...(m.name !== defaultMappingName(m) ? { name: m.name } : {}),
    sourceProviderId: m.sourceConnectionId,
    sourceBucket: m.sourceBucket,
    sourcePrefix: m.sourcePrefix,
    targetProviderId: m.targetConnectionId,
    targetBucket: m.targetBucket,
    targetPrefix: m.targetPrefix,
    transfers: m.transfers,
    deleteMode: m.deleteMode,
    ...(m.maxDelete ? { maxDelete: formatMaxDelete(m.maxDelete) } : {}),
    dryRun: m.dryRun,
    enabled: m.enabled,
    ...(m.intervalSeconds !== null ? { intervalSeconds: m.intervalSeconds } : {}),
    ...(m.createTargetBucket === true ? { createTargetBucket: true } : {}),
    ...filtersJson(filtersOf(m)),
    ...(m.hooks ? { hooks: m.hooks } : {}),
    ...(m.bwLimit ? { bwLimit: m.bwLimit } : {}),
    ...(m.targetStorageClass ? { targetStorageClass: m.targetStorageClass } : {}),
    ...(m.targetEncryption ? { targetEncryption: m.targetEncryption } : {}),
    ...(m.keepVersions === true ? { keepVersions: true } : {}),
    ...(m.alerts ? { alerts: alertsJson(m.alerts, options.redactSecrets === true) } : {}),
  }));
  const alerts = options.alerts ? { alerts: alertsJson(options.alerts, options.redactSecrets === true) } : {};
  return `${JSON.stringify({ databasePath, ...(options.bwLimit ? { bwLimit: options.bwLimit } : {}), ...alerts, providers, mappings: mappingJson }, null, 2)}\n`;
}

/**
 * Alerts as the file writes them. Redacted, every URL and secret becomes a placeholder (a URL is a
 * credential too); the webhooks' ids stay, so importing the file back keeps the stored values.
 */
function alertsJson(alerts: AlertsConfig, redact: boolean): JsonObject {
  const hide = (value: string) => (redact ? REDACTED_SECRET : value);
  const h = alerts.healthchecks;
  return {
    ...(alerts.webhooks.length > 0
      ? {
          webhooks: alerts.webhooks.map((w) => ({
            ...(w.id !== undefined ? { id: w.id } : {}),
            url: hide(w.url),
            on: w.on,
            ...(w.secret !== undefined ? { secret: hide(w.secret) } : {}),
          })),
        }
      : {}),
    ...(h
      ? { healthchecks: { ...(h.start !== undefined ? { start: hide(h.start) } : {}), success: hide(h.success), ...(h.fail !== undefined ? { fail: hide(h.fail) } : {}) } }
      : {}),
  };
}

/** The filters that do something, sizes and ages in the file's units ("10M", "7d"). */
function filtersJson(f: MappingFilters): JsonObject {
  const { minSize, maxSize, minAge, maxAge, ...rest } = f;
  return {
    ...rest,
    ...(minSize != null ? { minSize: formatSize(minSize) } : {}),
    ...(maxSize != null ? { maxSize: formatSize(maxSize) } : {}),
    ...(minAge != null ? { minAge: formatAge(minAge) } : {}),
    ...(maxAge != null ? { maxAge: formatAge(maxAge) } : {}),
  };
}
