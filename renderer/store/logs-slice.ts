// The log viewer of one mapping: lines (oldest first) under a filter, older pages with beforeId,
// newer lines merged in while a run writes them, follow mode, export.
import type { CommandArgs, Envelope, LogLineView } from '../../shared/contract';
import type { LogLevel } from '../../shared/model';
import { attempt, toApiError, type SliceCreator, type StoreDeps } from './types';
import type { UiSlice } from './ui-slice';

export const LOG_PAGE_SIZE = 1000;
/** While a run writes lines, the viewer asks for new ones at most this often. */
export const LOG_REFRESH_MS = 1000;

export interface LogFilter {
  runId: number | null;
  /** Lines at this level or above; 'debug' = all. */
  minLevel: LogLevel;
  text: string;
}

export const DEFAULT_LOG_FILTER: LogFilter = { runId: null, minLevel: 'debug', text: '' };

export interface LogsState {
  mappingId: string | null;
  filter: LogFilter;
  /** Oldest first. */
  lines: LogLineView[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Keep the newest line in view; turned off when the user scrolls up. */
  follow: boolean;
}

export interface LogsSlice {
  logs: LogsState;
  /** Shows a mapping's logs (keeps the filter when it is the same mapping). */
  openLogs: (mappingId: string | null) => Promise<void>;
  setLogFilter: (patch: Partial<LogFilter>) => Promise<void>;
  loadOlderLogs: () => Promise<void>;
  /** Fetches lines newer than the newest shown and appends them. */
  refreshLogs: () => Promise<void>;
  /** A progress or finish event of `mappingId`: refresh (throttled) when it is the one shown. */
  noteLogActivity: (mappingId: string, final: boolean) => void;
  setLogFollow: (follow: boolean) => void;
  exportLogs: () => Promise<Envelope<{ fileName: string; text: string }>>;
}

/** The logs.query / logs.export filter arguments: absent fields for "no filter". */
export function logFilterArgs(mappingId: string, filter: LogFilter): CommandArgs<'logs.export'> {
  const text = filter.text.trim();
  return {
    mappingId,
    ...(filter.runId === null ? {} : { runId: filter.runId }),
    ...(filter.minLevel === 'debug' ? {} : { minLevel: filter.minLevel }),
    ...(text === '' ? {} : { text }),
  };
}

const EMPTY: LogsState = { mappingId: null, filter: DEFAULT_LOG_FILTER, lines: [], status: 'idle', error: null, hasOlder: false, loadingOlder: false, follow: true };

export const createLogsSlice = ({ api, now }: StoreDeps): SliceCreator<LogsSlice, Pick<UiSlice, 'reportError'>> => (set, get) => {
  // Bumped whenever the mapping or filter changes: answers to older requests are dropped.
  let generation = 0;
  let lastRefresh = 0;
  let refreshing = false;
  let refreshAgain = false;
  const patch = (p: Partial<LogsState>) => set((s) => ({ logs: { ...s.logs, ...p } }));

  const query = (mappingId: string, filter: LogFilter, beforeId?: number) =>
    api.invoke('logs.query', { ...logFilterArgs(mappingId, filter), limit: LOG_PAGE_SIZE, ...(beforeId === undefined ? {} : { beforeId }) });

  const reload = async () => {
    const { mappingId, filter } = get().logs;
    const gen = ++generation;
    if (mappingId === null) {
      patch({ lines: [], status: 'idle', error: null, hasOlder: false, loadingOlder: false });
      return;
    }
    patch({ status: 'loading', error: null, loadingOlder: false });
    try {
      const page = await query(mappingId, filter);
      if (gen !== generation) return;
      patch({ lines: [...page].reverse(), status: 'ready', hasOlder: page.length === LOG_PAGE_SIZE, follow: true });
    } catch (error) {
      if (gen !== generation) return;
      patch({ lines: [], status: 'error', error: toApiError(error).message, hasOlder: false });
    }
  };

  return {
    logs: EMPTY,
    openLogs: async (mappingId) => {
      const current = get().logs;
      if (current.mappingId === mappingId && (current.status === 'ready' || current.status === 'loading')) return;
      set({ logs: { ...EMPTY, mappingId } });
      await reload();
    },
    setLogFilter: async (p) => {
      const filter = { ...get().logs.filter, ...p };
      patch({ filter });
      await reload();
    },
    loadOlderLogs: async () => {
      const { mappingId, filter, lines, hasOlder, loadingOlder, status } = get().logs;
      if (mappingId === null || !hasOlder || loadingOlder || status !== 'ready') return;
      const gen = generation;
      patch({ loadingOlder: true });
      try {
        const page = await query(mappingId, filter, lines[0]?.id);
        if (gen !== generation) return;
        patch({ lines: [...[...page].reverse(), ...get().logs.lines], hasOlder: page.length === LOG_PAGE_SIZE, loadingOlder: false });
      } catch (error) {
        if (gen !== generation) return;
        patch({ loadingOlder: false });
        get().reportError(error, 'Could not load older log lines');
      }
    },
    refreshLogs: async () => {
      const { mappingId, filter, status } = get().logs;
      if (mappingId === null || status !== 'ready') return;
      if (refreshing) {
        refreshAgain = true;
        return;
      }
      const gen = generation;
      refreshing = true;
      lastRefresh = now();
      try {
        const page = await query(mappingId, filter);
        const lines = get().logs.lines;
        const newest = lines[lines.length - 1]?.id ?? 0;
        const fresh = page.filter((l) => l.id > newest).reverse();
        if (gen === generation && fresh.length > 0) {
          // More new lines than one page: the gap cannot be filled from this end, so start over there.
          const gap = page.length === LOG_PAGE_SIZE && fresh.length === page.length;
          patch(gap ? { lines: fresh, hasOlder: true } : { lines: [...lines, ...fresh] });
        }
      } catch {
        // Quietly keep what is shown: this runs in the background about every second during a run.
      } finally {
        refreshing = false;
      }
      // A request that arrived meanwhile (e.g. the run finished) may see lines this one did not.
      if (refreshAgain) {
        refreshAgain = false;
        await get().refreshLogs();
      }
    },
    noteLogActivity: (mappingId, final) => {
      if (get().logs.mappingId !== mappingId) return;
      if (final || now() - lastRefresh >= LOG_REFRESH_MS) void get().refreshLogs();
    },
    setLogFollow: (follow) => {
      if (get().logs.follow !== follow) patch({ follow });
    },
    exportLogs: async () => {
      const { mappingId, filter } = get().logs;
      if (mappingId === null) return { ok: false, error: { code: 'InvalidArgument', message: 'Choose a mapping first', retryable: false } };
      return attempt(() => api.invoke('logs.export', logFilterArgs(mappingId, filter)));
    },
  };
};
