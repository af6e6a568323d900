// Contract events → store. One event can concern several slices; this is the only place that knows
// which, so each slice keeps small, separately testable handlers.
import type { StoreApi } from 'zustand';
import type { ContractClient, DataList } from '../../shared/contract';
import { createEngineClient } from '../api';
import type { Store } from './app-state';

export function refetchLists(store: StoreApi<Store>, lists: readonly DataList[]): void {
  const s = store.getState();
  for (const list of new Set(lists)) {
    switch (list) {
      case 'connections':
        void s.loadConnections();
        break;
      case 'mappings':
        void s.loadMappings();
        // Pause/resume are not a list; a mappings refresh (also sent after a reconnect) re-reads them.
        void s.loadStatus();
        break;
      case 'runs':
        void s.refreshLoadedRuns();
        break;
      case 'engines':
        // The home's list, whichever engine is shown: connectEvents takes it from the home itself.
        break;
      case 'settings':
        // Only a settings view that was opened holds settings worth refreshing.
        if (s.settingsLoad !== 'idle') void s.loadSettings();
        break;
    }
  }
}

/**
 * Subscribes the store to every contract event; returns the unsubscribe. `home` is the client of the
 * process that served the window: the data events are taken from the engine the store shows (home's
 * own, or a remote engine's relayed by home), the engines' statuses from home.
 */
export function connectEvents(store: StoreApi<Store>, home: ContractClient): () => void {
  const s = () => store.getState();
  const client = createEngineClient(home, () => s().engineId);
  const offs = [
    home.on('engines.status', (engine) => {
      const before = s().engines.find((e) => e.id === engine.id)?.state;
      s().applyEngineStatus(engine);
      // The shown engine is back: what it did meanwhile (an interrupted run, runs since) is fetched afresh.
      if (engine.id === s().engineId && engine.state === 'online' && before !== undefined && before !== 'online') s().reloadEngine();
    }),
    client.on('progress', (snapshot) => {
      s().recordProgress(snapshot);
      s().noteLogActivity(snapshot.mappingId, false);
    }),
    client.on('run.started', (event) => {
      s().recordRunStarted(event);
      if (event.mappingId in s().runs) void s().loadRuns(event.mappingId);
    }),
    client.on('run.finished', (run) => {
      s().recordRunFinished(run.mappingId);
      s().upsertRun(run);
      s().applyRunToMapping(run);
      s().noteLogActivity(run.mappingId, true);
    }),
    client.on('mapping.status', (status) => {
      s().applyMappingStatus(status);
      // Pause and resume may come from the tray: a mapping's state tells when the app's flag is stale.
      const paused = s().status?.paused;
      if (paused !== undefined && status.state !== 'disabled' && (status.state === 'paused') !== paused) void s().loadStatus();
    }),
    client.on('data.changed', ({ lists }) => refetchLists(store, lists)),
    // Engines added, changed or removed in another window (or missed while the home was away).
    home.on('data.changed', ({ lists }) => {
      if (lists.includes('engines')) void s().loadEngines();
    }),
    client.on('alert', ({ title, message }) => s().notify('error', message, title)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
