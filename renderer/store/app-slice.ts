// App-wide status (version, paused, desktop or server) and the global Pause / Resume.
import type { AppStatus } from '../../shared/contract';
import type { LoadStatus, SliceCreator, StoreDeps } from './types';
import type { MappingsSlice } from './mappings-slice';
import type { ConnectionsSlice } from './connections-slice';
import type { UiSlice } from './ui-slice';
import type { EnginesSlice } from './engines-slice';

export interface AppSlice {
  status: AppStatus | null;
  statusLoad: LoadStatus;
  /** A pause or resume call is on its way (the button shows it and ignores repeats). */
  pauseBusy: boolean;
  loadStatus: () => Promise<void>;
  pauseAll: () => Promise<void>;
  resumeAll: () => Promise<void>;
  /** First loads: status, connections, mappings. */
  initialize: () => Promise<void>;
}

export const createAppSlice = ({ api }: StoreDeps): SliceCreator<AppSlice, Pick<UiSlice, 'reportError'> & Pick<ConnectionsSlice, 'loadConnections'> & Pick<MappingsSlice, 'loadMappings'> & Pick<EnginesSlice, 'engineId' | 'homeMode'>> => (set, get) => {
  const setPaused = async (paused: boolean) => {
    if (get().pauseBusy) return;
    set({ pauseBusy: true });
    try {
      await (paused ? api.invoke('sync.pauseAll') : api.invoke('sync.resumeAll'));
      set((s) => ({ status: s.status ? { ...s.status, paused } : s.status }));
      await get().loadStatus();
    } catch (error) {
      get().reportError(error, paused ? 'Could not pause' : 'Could not resume');
    } finally {
      set({ pauseBusy: false });
    }
  };
  return {
    status: null,
    statusLoad: 'idle',
    pauseBusy: false,
    loadStatus: async () => {
      set((s) => ({ statusLoad: s.status ? s.statusLoad : 'loading' }));
      try {
        const home = get().engineId === null;
        const status = await api.invoke('app.status');
        // The api refuses an answer from an engine no longer shown, so `home` still holds here.
        set(home ? { status, statusLoad: 'ready', homeMode: status.mode } : { status, statusLoad: 'ready' });
      } catch (error) {
        set({ statusLoad: 'error' });
        get().reportError(error, 'Could not read the app status');
      }
    },
    pauseAll: () => setPaused(true),
    resumeAll: () => setPaused(false),
    initialize: async () => {
      const s = get();
      await Promise.all([s.loadStatus(), s.loadConnections(), s.loadMappings()]);
    },
  };
};
