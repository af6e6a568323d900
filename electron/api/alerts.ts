// Alerts as the renderer edits them (shared/alerts.ts AlertsInput): it never sees a stored URL or
// secret, so an edit leaves them out to keep them, and they are filled in here from what is stored,
// before shared/config's rules check the whole (the same rules as config.json's). Also the global
// alerts' storage (sealed in the settings) and a config file's alerts on import (placeholders keep
// the stored values).
import { alertsView, hasAlerts, HEALTHCHECK_PINGS, type AlertsConfig, type AlertsInput, type AlertsView, type WebhookAlert } from '../../shared/alerts';
import { ConfigError, PLACEHOLDER_PREFIX } from '../../shared/config';
import { readAlerts } from '../../shared/config/alerts';
import { Fields, Report, type JsonObject } from '../../shared/config/report';
import { StoreError, withWebhookIds, type Store } from '../store';
import { ApiFailure } from './errors';

/**
 * `input` in config.json's form, each left-out URL and secret taken from `stored()` (asked only when
 * one is left out, so alerts that cannot be decrypted matter only then). undefined: none.
 * ApiFailure on an id that names no stored webhook, or on stored alerts that cannot be read.
 */
export function fillAlertsInput(input: AlertsInput | null | undefined, stored: () => AlertsConfig | undefined): JsonObject | undefined {
  if (input == null) return undefined;
  let kept: AlertsConfig | undefined;
  let read = false;
  const keptAlerts = (field: string): AlertsConfig | undefined => {
    if (!read) {
      try {
        kept = stored();
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        throw new ApiFailure('InvalidConfig', `${err.message}: give every URL and secret again`, field);
      }
      read = true;
    }
    return kept;
  };
  const webhooks = (input.webhooks ?? []).map((w, index) => {
    const field = `alerts.webhooks[${index}]`;
    const before = w.id === undefined ? undefined : keptAlerts(`${field}.id`)?.webhooks.find((k) => k.id === w.id);
    if (w.id !== undefined && !before) throw new ApiFailure('InvalidArgument', `${field}.id: no stored webhook has id "${w.id}" (removed meanwhile?); add it again`, `${field}.id`);
    const url = w.url ?? before?.url;
    const secret = w.secret === undefined ? before?.secret : w.secret;
    return { ...(w.id !== undefined ? { id: w.id } : {}), ...(url !== undefined ? { url } : {}), ...(w.on ? { on: w.on } : {}), ...(secret ? { secret } : {}) };
  });
  const h = input.healthchecks;
  const healthchecks: JsonObject | undefined = h
    ? Object.fromEntries(
        HEALTHCHECK_PINGS.flatMap((ping) => {
          const url = h[ping] === undefined ? keptAlerts(`alerts.healthchecks.${ping}`)?.healthchecks?.[ping] : h[ping];
          return url ? [[ping, url]] : [];
        }),
      )
    : undefined;
  return { webhooks, ...(healthchecks ? { healthchecks } : {}) };
}

/** The app's input alerts filled in and checked (shared/config/alerts.ts, app form); throws ConfigError naming "alerts.…". */
export function resolveAlertsInput(input: AlertsInput | null | undefined, stored: () => AlertsConfig | undefined): AlertsConfig | undefined {
  const filled = fillAlertsInput(input, stored);
  if (filled === undefined) return undefined;
  const report = new Report('error');
  const alerts = readAlerts(new Fields(report, '', { alerts: filled }), 'app');
  if (report.issues.length > 0) throw new ConfigError(report.issues);
  return alerts;
}

/** Refuses alerts where they cannot be stored encrypted (a store without a cipher): they would be lost, or worse, kept in plain text. */
export function requireSealing(store: Store, alerts: AlertsConfig | undefined): void {
  if (hasAlerts(alerts) && !store.mappings.keepsAlerts) {
    throw new ApiFailure('InvalidConfig', 'alerts cannot be stored here: this process has no way to encrypt their URLs and secrets', 'alerts');
  }
}

// ---- The global alerts -------------------------------------------------------------------------

const GLOBAL_ALERTS_KEY = 'alerts';
const GLOBAL_ALERTS = 'the global alerts';

/** The global alerts, decrypted; undefined when none. Throws StoreError 'SecretsUnavailable' when they cannot be decrypted here. */
export function globalAlertsOf(store: Store): AlertsConfig | undefined {
  return store.settings.getSealed<AlertsConfig>(GLOBAL_ALERTS_KEY, GLOBAL_ALERTS);
}

/** Stores the global alerts sealed (undefined removes them) and returns what the settings may show of them. */
export function storeGlobalAlerts(store: Store, alerts: AlertsConfig | undefined): AlertsView | null {
  requireSealing(store, alerts);
  const stored = hasAlerts(alerts) ? withWebhookIds(alerts) : undefined;
  store.settings.setSealed(GLOBAL_ALERTS_KEY, stored);
  return stored ? alertsView(stored) : null;
}

// ---- A config file's alerts, imported --------------------------------------------------------

/**
 * The file's alerts to store: a placeholder (a redacted export's) takes the stored value of the same
 * webhook id or ping; what has nothing to take is left out, said in `warnings` under `field`.
 */
export function importedAlerts(file: AlertsConfig | undefined, stored: () => AlertsConfig | undefined, field: string, warnings: string[]): AlertsConfig | undefined {
  if (!file) return undefined;
  const isPlaceholder = (value: string | undefined) => value !== undefined && value.startsWith(PLACEHOLDER_PREFIX);
  const needsStored = file.webhooks.some((w) => isPlaceholder(w.url) || isPlaceholder(w.secret)) || HEALTHCHECK_PINGS.some((p) => isPlaceholder(file.healthchecks?.[p]));
  let kept: AlertsConfig | undefined;
  if (needsStored) {
    try {
      kept = stored();
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      warnings.push(`${field}: ${err.message}`);
    }
  }
  const webhooks: WebhookAlert[] = [];
  file.webhooks.forEach(({ secret: fileSecret, ...w }, index) => {
    const before = w.id === undefined ? undefined : kept?.webhooks.find((k) => k.id === w.id);
    const url = isPlaceholder(w.url) ? before?.url : w.url;
    if (url === undefined) {
      warnings.push(`${field}.webhooks[${index}]: left out: its url is a placeholder and no stored webhook has its id; fill in the URL`);
      return;
    }
    const secret = isPlaceholder(fileSecret) ? before?.secret : fileSecret;
    if (isPlaceholder(fileSecret) && secret === undefined) warnings.push(`${field}.webhooks[${index}].secret: left out (unsigned): it is a placeholder and no stored webhook has its id`);
    webhooks.push({ ...w, url, ...(secret !== undefined ? { secret } : {}) });
  });
  let healthchecks = file.healthchecks;
  if (healthchecks) {
    const pings = Object.fromEntries(
      HEALTHCHECK_PINGS.flatMap((ping) => {
        const url = healthchecks![ping];
        const value = isPlaceholder(url) ? kept?.healthchecks?.[ping] : url;
        if (isPlaceholder(url) && value === undefined) warnings.push(`${field}.healthchecks.${ping}: left out: it is a placeholder and none is stored; fill in the URL`);
        return value === undefined ? [] : [[ping, value]];
      }),
    ) as Partial<NonNullable<AlertsConfig['healthchecks']>>;
    healthchecks = pings.success === undefined ? undefined : { ...pings, success: pings.success };
  }
  const alerts: AlertsConfig = { webhooks, ...(healthchecks ? { healthchecks } : {}) };
  return hasAlerts(alerts) ? alerts : undefined;
}
