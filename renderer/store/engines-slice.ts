// The engines this window drives: its home (the process that served it, always first) and the remote
// `serve` instances the home connects to, with their last-reported states; which one the views show;
// and adding, editing and removing remote ones. Every call here goes to the home, whatever is selected.
import type { AppStatus, CommandArgs, ContractClient, EngineProbe, EngineView, Envelope } from '../../shared/contract';
import { attempt, type LoadStatus, type SliceCreator } from './types';
import type { UiSlice } from './ui-slice';

export interface EnginesSlice {
  /** The remote engines, in the home's order; the home itself is not one of them. */
  engines: EngineView[];
  enginesLoad: LoadStatus;
  /** The engine the views show: null is the home. */
  engineId: string | null;
  /** The home's kind, for its name ("This computer" / "This server"); null until its status came. */
  homeMode: AppStatus['mode'] | null;
  loadEngines: () => Promise<void>;
  /** An engines.status event: the engine's new state and last-known mappings. */
  applyEngineStatus: (engine: EngineView) => void;
  /**
   * Shows another engine: everything the views hold of the previous one is dropped (reset to the
   * store's initial state) and its lists are fetched again from the new one.
   */
  selectEngine: (engineId: string | null) => void;
  /**
   * Drops what the shown engine reported and asks it again: after it was unreachable it may have
   * restarted, and a restarted engine's statuses start over (their versions too).
   */
  reloadEngine: () => void;
  probeEngine: (url: string) => Promise<Envelope<EngineProbe>>;
  addEngine: (input: CommandArgs<'engines.add'>) => Promise<Envelope<EngineView>>;
  updateEngine: (input: CommandArgs<'engines.update'>) => Promise<Envelope<EngineView>>;
  /** Removes it; the window goes back to the home when it was showing it. */
  removeEngine: (id: string) => Promise<Envelope<void>>;
}

/** The home engine's name in the window. */
export function homeEngineName(mode: AppStatus['mode'] | null): string {
  return mode === 'server' ? 'This server' : 'This computer';
}

/** State that is not the shown engine's data: kept across a switch. Everything else is reset. */
const KEPT_ACROSS_SWITCH = new Set<string>(['view', 'toasts', 'engines', 'enginesLoad', 'engineId', 'homeMode']);

/** The store's initial values of every engine's own data (functions and KEPT_ACROSS_SWITCH left out). */
export function engineDataReset<S extends object>(initial: S): Partial<S> {
  return Object.fromEntries(Object.entries(initial).filter(([key, value]) => typeof value !== 'function' && !KEPT_ACROSS_SWITCH.has(key))) as Partial<S>;
}

interface EngineDeps {
  /** The home's client: engines.* are its commands, never relayed. */
  home: ContractClient;
}

/** What a switch calls to load the new engine's lists. */
interface Loads {
  initialize: () => Promise<void>;
}

export const createEnginesSlice = ({ home }: EngineDeps): SliceCreator<EnginesSlice, Pick<UiSlice, 'reportError'> & Loads> => (set, get, store) => {
  const upsert = (engine: EngineView) => set((s) => ({ engines: s.engines.some((e) => e.id === engine.id) ? s.engines.map((e) => (e.id === engine.id ? engine : e)) : [...s.engines, engine] }));
  const show = (engineId: string | null) => {
    set({ ...engineDataReset(store.getInitialState()), engineId });
    // One that cannot be reached is asked when it is back (engines.status), not now: no errors for
    // what the offline banner already says.
    if (engineId === null || get().engines.find((e) => e.id === engineId)?.state === 'online') void get().initialize();
  };
  const select = (engineId: string | null) => {
    if (get().engineId !== engineId) show(engineId);
  };
  let loadSeq = 0;
  return {
    engines: [],
    enginesLoad: 'idle',
    engineId: null,
    homeMode: null,
    loadEngines: async () => {
      const seq = ++loadSeq;
      set((s) => ({ enginesLoad: s.enginesLoad === 'ready' ? 'ready' : 'loading' }));
      try {
        const engines = await home.invoke('engines.list');
        if (seq !== loadSeq) return;
        set({ engines, enginesLoad: 'ready' });
        // The shown engine was removed elsewhere: show the home rather than a name that is gone.
        const shown = get().engineId;
        if (shown !== null && !engines.some((e) => e.id === shown)) select(null);
      } catch (error) {
        if (seq !== loadSeq) return;
        set((s) => ({ enginesLoad: s.enginesLoad === 'ready' ? 'ready' : 'error' }));
        get().reportError(error, 'Could not load the engines');
      }
    },
    applyEngineStatus: upsert,
    selectEngine: select,
    reloadEngine: () => show(get().engineId),
    probeEngine: (url) => attempt(() => home.invoke('engines.probe', { url })),
    addEngine: async (input) => {
      const result = await attempt(() => home.invoke('engines.add', input));
      if (result.ok) upsert(result.value);
      return result;
    },
    updateEngine: async (input) => {
      const result = await attempt(() => home.invoke('engines.update', input));
      if (result.ok) upsert(result.value);
      return result;
    },
    removeEngine: async (id) => {
      const result = await attempt(() => home.invoke('engines.remove', { id }));
      if (result.ok) {
        if (get().engineId === id) select(null);
        set((s) => ({ engines: s.engines.filter((e) => e.id !== id) }));
      }
      return result;
    },
  };
};
