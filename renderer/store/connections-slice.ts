// Connections: the list, create/update/delete, and connection tests (kept per connection for the
// session, so the list can show each one's last result).
import type { ApiError, CommandArgs, ConnectionInput, ConnectionTestResult, ConnectionView, Envelope } from '../../shared/contract';
import { attempt, toApiError, type LoadStatus, type SliceCreator, type StoreDeps } from './types';
import type { BrowseSlice } from './browse-slice';
import type { UiSlice } from './ui-slice';

export interface ConnectionTestState {
  running: boolean;
  result: ConnectionTestResult | null;
  /** The test call itself failed (not a failed check: those are in `result`). */
  error: ApiError | null;
  /** When the last result arrived (ms since epoch). */
  at: number | null;
}

/** The key a form's test of unsaved input is kept under. */
export const DRAFT_TEST_KEY = '(draft)';

/**
 * Where a connection form keeps its tests: apart from the saved connection's (its id), since a form
 * tests edits that may never be saved, and the list shows the result of what is saved.
 */
export function formTestKey(connectionId: string | null): string {
  return connectionId === null ? DRAFT_TEST_KEY : `(editing) ${connectionId}`;
}

export interface ConnectionsSlice {
  connections: ConnectionView[];
  connectionsLoad: LoadStatus;
  connectionTests: Record<string, ConnectionTestState>;
  loadConnections: () => Promise<void>;
  /** Creates (no id) or updates (id) a connection; the error carries `field` for the form. */
  saveConnection: (input: ConnectionInput) => Promise<Envelope<ConnectionView>>;
  deleteConnection: (id: string) => Promise<Envelope<void>>;
  /** Tests a saved connection or a form's input; the result lands in connectionTests[key]. */
  testConnection: (key: string, args: CommandArgs<'connections.test'>) => Promise<void>;
  clearConnectionTest: (key: string) => void;
  /** Files the test kept under `from` as the result of `to`: a form's test of exactly what was then saved. */
  adoptConnectionTest: (from: string, to: string) => void;
}

export const createConnectionsSlice = ({ api, now }: StoreDeps): SliceCreator<ConnectionsSlice, Pick<UiSlice, 'reportError'> & Pick<BrowseSlice, 'forgetBuckets'>> => (set, get) => {
  let loadSeq = 0;
  return {
    connections: [],
    connectionsLoad: 'idle',
    connectionTests: {},
    loadConnections: async () => {
      const seq = ++loadSeq;
      set((s) => ({ connectionsLoad: s.connectionsLoad === 'ready' ? 'ready' : 'loading' }));
      try {
        const connections = await api.invoke('connections.list');
        if (seq === loadSeq) set({ connections, connectionsLoad: 'ready' });
      } catch (error) {
        if (seq !== loadSeq) return;
        set((s) => ({ connectionsLoad: s.connectionsLoad === 'ready' ? 'ready' : 'error' }));
        get().reportError(error, 'Could not load connections');
      }
    },
    saveConnection: async (input) => {
      const { id } = input;
      const result = await attempt(() => (id === undefined ? api.invoke('connections.create', input) : api.invoke('connections.update', { ...input, id })));
      if (result.ok) {
        const saved = result.value;
        set((s) => ({
          connections: s.connections.some((c) => c.id === saved.id)
            ? s.connections.map((c) => (c.id === saved.id ? saved : c))
            : [...s.connections, saved],
        }));
        get().forgetBuckets(saved.id);
      }
      return result;
    },
    deleteConnection: async (id) => {
      const result = await attempt(() => api.invoke('connections.delete', { id }));
      if (result.ok) {
        set((s) => {
          const { [id]: _dropped, ...connectionTests } = s.connectionTests;
          return { connections: s.connections.filter((c) => c.id !== id), connectionTests };
        });
        get().forgetBuckets(id);
      }
      return result;
    },
    testConnection: async (key, args) => {
      const previous = get().connectionTests[key];
      set((s) => ({
        connectionTests: { ...s.connectionTests, [key]: { running: true, result: previous?.result ?? null, error: null, at: previous?.at ?? null } },
      }));
      let next: ConnectionTestState;
      try {
        next = { running: false, result: await api.invoke('connections.test', args), error: null, at: now() };
      } catch (error) {
        next = { running: false, result: null, error: toApiError(error), at: now() };
      }
      set((s) => ({ connectionTests: { ...s.connectionTests, [key]: next } }));
    },
    adoptConnectionTest: (from, to) =>
      set((s) => {
        const { [from]: test, ...rest } = s.connectionTests;
        return test && !test.running ? { connectionTests: { ...rest, [to]: test } } : {};
      }),
    clearConnectionTest: (key) =>
      set((s) => {
        const { [key]: _dropped, ...connectionTests } = s.connectionTests;
        return { connectionTests };
      }),
  };
};
