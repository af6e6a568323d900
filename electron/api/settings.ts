// App settings: stored as one JSON object in the store's settings table, merged over the defaults
// (so a setting added in a later version starts at its default), and applied to the running parts
// the moment they are saved. Their accepted ranges are the argument schema's (shared/contract-args.ts).
import type { AppSettings } from '../../shared/contract';
import type { Store } from '../store';
import type { ApiDeps, HandlersFor } from './types';

const SETTINGS_KEY = 'app';

export const DEFAULT_SETTINGS: AppSettings = {
  globalConcurrency: 16,
  maxConcurrentRuns: 2,
  startAtLogin: false,
  closeToTray: true,
  notifications: true,
  bwLimit: null,
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

/** Stores the given settings (validated by the caller) and applies them to the running parts at once. */
export function changeSettings({ store, syncService, scheduler, emit, applyDesktopSetting }: ApiDeps, changes: Partial<AppSettings>): AppSettings {
  const given = Object.entries(changes).filter(([, value]) => value !== undefined);
  const settings: AppSettings = { ...loadAppSettings(store), ...Object.fromEntries(given) };
  store.settings.set(SETTINGS_KEY, settings);
  syncService.globalLimiter.resize(settings.globalConcurrency);
  // Runs under way follow a new limit at once (electron/sync/bandwidth.ts).
  syncService.globalBandwidth.set(settings.bwLimit);
  scheduler.setMaxConcurrentRuns(settings.maxConcurrentRuns);
  applyDesktopSetting?.(settings);
  emit('data.changed', { lists: ['settings'] });
  return settings;
}
