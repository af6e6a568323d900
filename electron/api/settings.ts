// App settings: stored as one JSON object in the store's settings table, merged over the defaults
// (so a setting added in a later version starts at its default), and applied to the running parts
// the moment they are saved. Their accepted ranges are the argument schema's (shared/contract-args.ts).
// The global alerts are the exception: their URLs and secrets are sealed apart (api/alerts.ts), and
// the settings object keeps only what the renderer may see of them (AlertsView).
import type { AlertsConfig } from '../../shared/alerts';
import type { AppSettings, AppSettingsChanges } from '../../shared/contract';
import type { Store } from '../store';
import { globalAlertsOf, resolveAlertsInput, storeGlobalAlerts } from './alerts';
import type { ApiDeps, HandlersFor } from './types';

const SETTINGS_KEY = 'app';

export const DEFAULT_SETTINGS: AppSettings = {
  globalConcurrency: 16,
  maxConcurrentRuns: 2,
  startAtLogin: false,
  closeToTray: true,
  notifications: true,
  bwLimit: null,
  alerts: null,
  metricsAddr: null,
};

/** The current settings. Main reads them at start-up to size SyncService's global limiter and the scheduler. */
export function loadAppSettings(store: Store): AppSettings {
  return { ...DEFAULT_SETTINGS, ...store.settings.get<Partial<AppSettings>>(SETTINGS_KEY, {}) };
}

export function settingsHandlers(deps: ApiDeps): HandlersFor<'settings.get' | 'settings.set'> {
  return {
    'settings.get': async () => loadAppSettings(deps.store),
    'settings.set': async (changes) => changeSettings(deps, changes),
  };
}

/**
 * Stores the given settings (their shape validated by the caller; the alerts' contents are checked
 * here, with their left-out URLs and secrets taken from the stored ones) and applies them to the
 * running parts at once.
 */
export function changeSettings(deps: ApiDeps, changes: AppSettingsChanges): AppSettings {
  const { alerts, ...rest } = changes;
  return saveSettings(deps, rest, alerts === undefined ? undefined : () => resolveAlertsInput(alerts, () => globalAlertsOf(deps.store)));
}

/**
 * Stores `changes` and, when `alerts` is given, the global alerts it returns (called inside the
 * transaction: a throw changes nothing); then applies the settings to the running parts.
 */
export function saveSettings(
  { store, syncService, scheduler, emit, applyDesktopSetting }: ApiDeps,
  changes: Omit<AppSettingsChanges, 'alerts'>,
  alerts?: () => AlertsConfig | undefined,
): AppSettings {
  const given = Object.entries(changes).filter(([, value]) => value !== undefined);
  const settings: AppSettings = store.transaction(() => {
    const current = loadAppSettings(store);
    const view = alerts === undefined ? current.alerts : storeGlobalAlerts(store, alerts());
    const next: AppSettings = { ...current, ...Object.fromEntries(given), alerts: view };
    store.settings.set(SETTINGS_KEY, next);
    return next;
  });
  syncService.globalLimiter.resize(settings.globalConcurrency);
  // Runs under way follow a new limit at once (electron/sync/bandwidth.ts).
  syncService.globalBandwidth.set(settings.bwLimit);
  scheduler.setMaxConcurrentRuns(settings.maxConcurrentRuns);
  applyDesktopSetting?.(settings);
  emit('data.changed', { lists: ['settings'] });
  return settings;
}
