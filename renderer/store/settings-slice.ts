// App settings, and import/export of the original tool's config.json.
import type { AppSettings, AppSettingsChanges, ConfigImportResult, Envelope } from '../../shared/contract';
import { attempt, type LoadStatus, type SliceCreator, type StoreDeps } from './types';
import type { MappingsSlice } from './mappings-slice';
import type { ConnectionsSlice } from './connections-slice';
import type { UiSlice } from './ui-slice';

export interface SettingsSlice {
  settings: AppSettings | null;
  settingsLoad: LoadStatus;
  /** `quiet`: a failure is not reported and leaves the settings unloaded (for views that only glance at them). */
  loadSettings: (options?: { quiet?: boolean }) => Promise<void>;
  saveSettings: (patch: AppSettingsChanges) => Promise<Envelope<AppSettings>>;
  /** `apply: false` reports what would be created; `apply: true` creates it and refetches the lists. */
  importConfig: (json: string, apply: boolean) => Promise<Envelope<ConfigImportResult>>;
  exportConfig: () => Promise<Envelope<{ json: string }>>;
}

export const createSettingsSlice = ({ api }: StoreDeps): SliceCreator<SettingsSlice, Pick<UiSlice, 'reportError'> & Pick<ConnectionsSlice, 'loadConnections'> & Pick<MappingsSlice, 'loadMappings'>> => (set, get) => ({
  settings: null,
  settingsLoad: 'idle',
  loadSettings: async ({ quiet = false } = {}) => {
    set((s) => ({ settingsLoad: s.settings ? 'ready' : 'loading' }));
    try {
      set({ settings: await api.invoke('settings.get'), settingsLoad: 'ready' });
    } catch (error) {
      set((s) => ({ settingsLoad: s.settings ? 'ready' : quiet ? 'idle' : 'error' }));
      if (!quiet) get().reportError(error, 'Could not load settings');
    }
  },
  saveSettings: async (patch) => {
    const result = await attempt(() => api.invoke('settings.set', patch));
    if (result.ok) set({ settings: result.value, settingsLoad: 'ready' });
    return result;
  },
  importConfig: async (json, apply) => {
    const result = await attempt(() => api.invoke('config.import', { json, apply }));
    if (result.ok && apply) await Promise.all([get().loadConnections(), get().loadMappings()]);
    return result;
  },
  exportConfig: () => attempt(() => api.invoke('config.export')),
});
