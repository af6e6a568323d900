// Runs per mapping, newest first, paged with beforeId; one run opened with its log lines.
import type { LogLineView } from '../../shared/contract';
import type { RunSummary } from '../../shared/model';
import { toApiError, type SliceCreator, type StoreDeps } from './types';

export const RUNS_PAGE_SIZE = 50;
export const RUN_LINES_PAGE_SIZE = 500;

export interface RunList {
  /** Newest first. */
  items: RunSummary[];
  status: 'loading' | 'ready' | 'error';
  loadingMore: boolean;
  hasMore: boolean;
  error: string | null;
}

export interface RunDetail {
  id: number;
  run: RunSummary | null;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  /** Oldest first. */
  lines: LogLineView[];
  linesStatus: 'loading' | 'ready' | 'error';
  hasOlderLines: boolean;
}

export interface HistorySlice {
  runs: Record<string, RunList>;
  runDetail: RunDetail | null;
  /** First page (or, with `more`, the next older page) of a mapping's runs. */
  loadRuns: (mappingId: string, options?: { more?: boolean }) => Promise<void>;
  /** Refetches the newest page of every mapping whose runs were loaded (after data.changed). */
  refreshLoadedRuns: () => Promise<void>;
  openRun: (id: number) => Promise<void>;
  loadOlderRunLines: () => Promise<void>;
  closeRun: () => void;
  upsertRun: (run: RunSummary) => void;
}

/** Newest page merged over what is known: new runs on top, updated ones replaced, older kept. */
export function mergeNewestRuns(known: readonly RunSummary[], page: readonly RunSummary[]): RunSummary[] {
  if (page.length === 0) return [...known];
  const oldestInPage = page[page.length - 1]!.id;
  return [...page, ...known.filter((r) => r.id < oldestInPage)];
}

export const createHistorySlice = ({ api }: StoreDeps): SliceCreator<HistorySlice> => (set, get) => {
  const patchList = (mappingId: string, patch: Partial<RunList>) =>
    set((s) => {
      const current = s.runs[mappingId] ?? { items: [], status: 'loading', loadingMore: false, hasMore: false, error: null };
      return { runs: { ...s.runs, [mappingId]: { ...current, ...patch } } };
    });
  const patchDetail = (id: number, patch: Partial<RunDetail>) =>
    set((s) => (s.runDetail?.id === id ? { runDetail: { ...s.runDetail, ...patch } } : s));

  const fetchLines = async (detail: RunDetail, beforeId: number | undefined) => {
    const mappingId = detail.run?.mappingId;
    if (mappingId === undefined) return;
    patchDetail(detail.id, { linesStatus: 'loading' });
    try {
      const page = await api.invoke('logs.query', { mappingId, runId: detail.id, limit: RUN_LINES_PAGE_SIZE, ...(beforeId === undefined ? {} : { beforeId }) });
      const current = get().runDetail;
      if (current?.id !== detail.id) return;
      const older = [...page].reverse();
      patchDetail(detail.id, {
        lines: beforeId === undefined ? older : [...older, ...current.lines],
        linesStatus: 'ready',
        hasOlderLines: page.length === RUN_LINES_PAGE_SIZE,
      });
    } catch (error) {
      patchDetail(detail.id, { linesStatus: 'error', error: toApiError(error).message });
    }
  };

  return {
    runs: {},
    runDetail: null,
    loadRuns: async (mappingId, options) => {
      const current = get().runs[mappingId];
      const more = options?.more === true && current !== undefined;
      if (more) {
        if (current.loadingMore || !current.hasMore) return;
        patchList(mappingId, { loadingMore: true });
      } else {
        patchList(mappingId, { status: current?.status === 'ready' ? 'ready' : 'loading', error: null });
      }
      const beforeId = more ? current.items[current.items.length - 1]?.id : undefined;
      try {
        const page = await api.invoke('runs.list', { mappingId, limit: RUNS_PAGE_SIZE, ...(beforeId === undefined ? {} : { beforeId }) });
        const known = get().runs[mappingId]?.items ?? [];
        patchList(mappingId, {
          items: more ? [...known, ...page] : mergeNewestRuns(known, page),
          status: 'ready',
          loadingMore: false,
          // A refresh of the newest page says nothing about pages older than what is already known.
          hasMore: more || known.length === 0 ? page.length === RUNS_PAGE_SIZE : (current?.hasMore ?? false),
          error: null,
        });
      } catch (error) {
        const message = toApiError(error).message;
        patchList(mappingId, more ? { loadingMore: false, error: message } : { status: current?.status === 'ready' ? 'ready' : 'error', error: message });
      }
    },
    refreshLoadedRuns: async () => {
      await Promise.all(Object.keys(get().runs).map((mappingId) => get().loadRuns(mappingId)));
      const detail = get().runDetail;
      if (detail?.run?.status === 'running') {
        try {
          const run = await api.invoke('runs.get', { id: detail.id });
          patchDetail(detail.id, { run });
        } catch {
          // The list refresh above already reports connection trouble; the detail keeps what it had.
        }
      }
    },
    openRun: async (id) => {
      const known = Object.values(get().runs)
        .flatMap((list) => list.items)
        .find((r) => r.id === id);
      const detail: RunDetail = { id, run: known ?? null, status: 'loading', error: null, lines: [], linesStatus: 'loading', hasOlderLines: false };
      set({ runDetail: detail });
      try {
        const run = await api.invoke('runs.get', { id });
        if (get().runDetail?.id !== id) return;
        patchDetail(id, { run, status: 'ready' });
        await fetchLines({ ...detail, run }, undefined);
      } catch (error) {
        patchDetail(id, { status: 'error', error: toApiError(error).message, linesStatus: 'error' });
      }
    },
    loadOlderRunLines: async () => {
      const detail = get().runDetail;
      if (!detail || detail.linesStatus === 'loading' || !detail.hasOlderLines) return;
      await fetchLines(detail, detail.lines[0]?.id);
    },
    closeRun: () => set({ runDetail: null }),
    upsertRun: (run) =>
      set((s) => {
        const list = s.runs[run.mappingId];
        const runs = list
          ? {
              ...s.runs,
              [run.mappingId]: {
                ...list,
                items: list.items.some((r) => r.id === run.id)
                  ? list.items.map((r) => (r.id === run.id ? run : r))
                  : run.id > (list.items[0]?.id ?? 0)
                    ? [run, ...list.items]
                    : list.items,
              },
            }
          : s.runs;
        const runDetail = s.runDetail?.id === run.id ? { ...s.runDetail, run } : s.runDetail;
        return { runs, runDetail };
      }),
  };
};
