// The one store, built from typed slices; React reaches it through a context so tests (and the
// entry point) decide which contract client it talks to.
import { createContext, createElement, useContext, type ReactNode } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { ContractClient } from '../../shared/contract';
import { createEngineClient } from '../api';
import { createActivitySlice } from './activity-slice';
import { createAppSlice } from './app-slice';
import { createBrowseSlice } from './browse-slice';
import { createConnectionsSlice } from './connections-slice';
import { createEnginesSlice } from './engines-slice';
import { createHistorySlice } from './history-slice';
import { createLogsSlice } from './logs-slice';
import { createMappingsSlice } from './mappings-slice';
import { createSettingsSlice } from './settings-slice';
import type { Store } from './app-state';
import type { StoreDeps } from './types';
import { createUiSlice } from './ui-slice';

export type { Store } from './app-state';
export { connectEvents } from './events';

export type AppStore = StoreApi<Store>;

/**
 * `home` is the client of the process that served this window; the slices get one that speaks to the
 * engine selected in the store (the home, or a remote engine through it).
 */
export function createAppStore(home: ContractClient, options: { now?: () => number } = {}): AppStore {
  // Read per call, after the store exists.
  const api = createEngineClient(home, () => store.getState().engineId);
  const deps: StoreDeps = { api, now: options.now ?? Date.now };
  const slices = {
    ui: createUiSlice(),
    app: createAppSlice(deps),
    connections: createConnectionsSlice(deps),
    browse: createBrowseSlice(deps),
    mappings: createMappingsSlice(deps),
    activity: createActivitySlice(deps),
    history: createHistorySlice(deps),
    logs: createLogsSlice(deps),
    settings: createSettingsSlice(deps),
    engines: createEnginesSlice({ home }),
  };
  const store: AppStore = createStore<Store>()((...a) => ({
    ...slices.ui(...a),
    ...slices.app(...a),
    ...slices.connections(...a),
    ...slices.browse(...a),
    ...slices.mappings(...a),
    ...slices.activity(...a),
    ...slices.history(...a),
    ...slices.logs(...a),
    ...slices.settings(...a),
    ...slices.engines(...a),
  }));
  return store;
}

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return createElement(StoreContext.Provider, { value: store }, children);
}

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore needs a <StoreProvider> above it');
  return store;
}

/** Selects the smallest piece of state a component needs (wrap object results in useShallow). */
export function useAppStore<T>(selector: (state: Store) => T): T {
  return useStore(useAppStoreApi(), selector);
}
