// Mappings: the list with live status, create/update/delete/enable, the editor's preview, and
// "sync now" — which, for a first run that would delete objects, asks before anything happens.
import type { ApiError, CommandArgs, Envelope, MappingInput, MappingStatus, MappingView, PlannedChangeView, PreviewResult } from '../../shared/contract';
import type { RunSummary } from '../../shared/model';
import { attempt, toApiError, type LoadStatus, type SliceCreator, type StoreDeps } from './types';
import type { ActivitySlice } from './activity-slice';
import type { UiSlice } from './ui-slice';

export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; result: PreviewResult }
  | { status: 'error'; error: ApiError };

/** One mapping whose first run would delete objects, as the confirmation lists it. */
export interface FirstRunDeletes {
  mappingId: string;
  name: string;
  deletes: number;
  firstDeletes: PlannedChangeView[];
  /** The preview could not be made: the user decides without numbers. */
  error: string | null;
}

/** A sync-now waiting for the user's yes: `mappingId` null means "sync all". */
export interface SyncConfirmation {
  mappingId: string | null;
  items: FirstRunDeletes[];
}

/** The key of a whole-app sync in `syncPending`. */
export const ALL_MAPPINGS = '*';
/** How many planned deletes a first-run confirmation lists per mapping. */
export const CONFIRM_PREVIEW_LIMIT = 20;

export interface MappingsSlice {
  mappings: MappingView[];
  mappingsLoad: LoadStatus;
  preview: PreviewState;
  syncConfirm: SyncConfirmation | null;
  /** Mapping ids (or ALL_MAPPINGS) whose sync-now is being checked or sent. */
  syncPending: string[];
  loadMappings: () => Promise<void>;
  saveMapping: (input: MappingInput) => Promise<Envelope<MappingView>>;
  deleteMapping: (id: string) => Promise<Envelope<void>>;
  setMappingEnabled: (id: string, enabled: boolean) => Promise<void>;
  runPreview: (args: CommandArgs<'mappings.preview'>) => Promise<void>;
  clearPreview: () => void;
  /** Sync one mapping (or all when no id); a first run that would delete asks first (syncConfirm). */
  requestSyncNow: (mappingId?: string) => Promise<void>;
  confirmSyncNow: () => Promise<void>;
  dismissSyncConfirm: () => void;
  cancelSync: (mappingId: string) => Promise<void>;
  applyMappingStatus: (status: MappingStatus) => void;
  applyRunToMapping: (run: RunSummary) => void;
}

/**
 * `fetched` with each mapping's status replaced by the one already held when that one is newer: a
 * response computed before a run started must not undo the run's status event that overtook it.
 */
function keepNewerStatus(held: readonly MappingView[], fetched: readonly MappingView[]): MappingView[] {
  const byId = new Map(held.map((m) => [m.id, m.status]));
  return fetched.map((m) => {
    const current = byId.get(m.id);
    return current && current.version > m.status.version ? { ...m, status: current } : m;
  });
}

/**
 * A mapping with no real run yet whose run may delete: its first run needs the user's look first.
 * A latest run that was a dry run (a preview of a saved mapping records one) does not count as a
 * first run having happened.
 */
/**
 * Only a mirror can delete on its first real run: "synced" mode deletes only what this mapping copied
 * before, and a mapping that never ran has copied nothing (so no preview, and no dry run in history).
 */
export function needsFirstRunCheck(m: MappingView): boolean {
  const lastRun = m.status.lastRun;
  return (lastRun === null || lastRun.dryRun) && !m.dryRun && m.deleteMode === 'mirror';
}

export const createMappingsSlice = ({ api }: StoreDeps): SliceCreator<MappingsSlice, Pick<UiSlice, 'notify' | 'reportError' | 'selectedMappingId'> & Pick<ActivitySlice, 'pruneProgress'>> => (set, get) => {
  let loadSeq = 0;
  let previewSeq = 0;
  const setPending = (key: string, on: boolean) =>
    set((s) => ({ syncPending: on ? [...s.syncPending.filter((k) => k !== key), key] : s.syncPending.filter((k) => k !== key) }));

  const sendSyncNow = async (mappingId: string | null) => {
    const key = mappingId ?? ALL_MAPPINGS;
    setPending(key, true);
    try {
      const { queued, paused } = await (mappingId === null ? api.invoke('sync.now', {}) : api.invoke('sync.now', { mappingId }));
      if (queued.length === 0) get().notify('info', mappingId === null ? 'No enabled mapping to sync.' : 'Nothing was queued.');
      else if (paused) {
        const name = get().mappings.find((m) => m.id === queued[0])?.name ?? queued[0];
        get().notify('info', `Paused: ${queued.length === 1 ? `“${name}” is queued and starts` : `${queued.length} mappings are queued and start`} when you resume.`);
      }
    } catch (error) {
      get().reportError(error, 'Could not start the sync');
    } finally {
      setPending(key, false);
    }
  };

  const firstRunDeletes = async (m: MappingView): Promise<FirstRunDeletes | null> => {
    let result: PreviewResult;
    try {
      result = await api.invoke('mappings.preview', { id: m.id, limit: CONFIRM_PREVIEW_LIMIT });
    } catch (error) {
      return { mappingId: m.id, name: m.name, deletes: 0, firstDeletes: [], error: toApiError(error).message };
    }
    if (result.error !== null) return { mappingId: m.id, name: m.name, deletes: result.deletes, firstDeletes: result.firstDeletes, error: result.error };
    return result.deletes > 0 ? { mappingId: m.id, name: m.name, deletes: result.deletes, firstDeletes: result.firstDeletes, error: null } : null;
  };

  const updateMapping = (id: string, update: (m: MappingView) => MappingView) =>
    set((s) => ({ mappings: s.mappings.map((m) => (m.id === id ? update(m) : m)) }));

  return {
    mappings: [],
    mappingsLoad: 'idle',
    preview: { status: 'idle' },
    syncConfirm: null,
    syncPending: [],
    loadMappings: async () => {
      const seq = ++loadSeq;
      set((s) => ({ mappingsLoad: s.mappingsLoad === 'ready' ? 'ready' : 'loading' }));
      try {
        const mappings = await api.invoke('mappings.list');
        if (seq !== loadSeq) return;
        set((s) => ({ mappings: keepNewerStatus(s.mappings, mappings), mappingsLoad: 'ready' }));
        get().pruneProgress(mappings.filter((m) => m.status.state === 'running').map((m) => m.id));
      } catch (error) {
        if (seq !== loadSeq) return;
        set((s) => ({ mappingsLoad: s.mappingsLoad === 'ready' ? 'ready' : 'error' }));
        get().reportError(error, 'Could not load mappings');
      }
    },
    saveMapping: async (input) => {
      const { id } = input;
      const result = await attempt(() => (id === undefined ? api.invoke('mappings.create', input) : api.invoke('mappings.update', { ...input, id })));
      if (result.ok) {
        const [saved] = keepNewerStatus(get().mappings, [result.value]) as [MappingView];
        set((s) => ({
          mappings: s.mappings.some((m) => m.id === saved.id) ? s.mappings.map((m) => (m.id === saved.id ? saved : m)) : [...s.mappings, saved],
        }));
      }
      return result;
    },
    deleteMapping: async (id) => {
      const result = await attempt(() => api.invoke('mappings.delete', { id }));
      if (result.ok) {
        set((s) => ({ mappings: s.mappings.filter((m) => m.id !== id), selectedMappingId: s.selectedMappingId === id ? null : s.selectedMappingId }));
      }
      return result;
    },
    setMappingEnabled: async (id, enabled) => {
      try {
        const saved = await api.invoke('mappings.setEnabled', { id, enabled });
        updateMapping(id, () => saved);
      } catch (error) {
        get().reportError(error, enabled ? 'Could not enable the mapping' : 'Could not disable the mapping');
      }
    },
    runPreview: async (args) => {
      const seq = ++previewSeq;
      set({ preview: { status: 'loading' } });
      const result = await attempt(() => api.invoke('mappings.preview', args));
      if (seq !== previewSeq) return;
      set({ preview: result.ok ? { status: 'ready', result: result.value } : { status: 'error', error: result.error } });
    },
    clearPreview: () => {
      previewSeq++;
      set({ preview: { status: 'idle' } });
    },
    requestSyncNow: async (mappingId) => {
      const key = mappingId ?? ALL_MAPPINGS;
      if (get().syncPending.includes(key)) return;
      const candidates = get().mappings.filter((m) => (mappingId === undefined ? m.enabled : m.id === mappingId) && needsFirstRunCheck(m));
      if (candidates.length > 0) {
        setPending(key, true);
        const items: FirstRunDeletes[] = [];
        try {
          for (const m of candidates) {
            const item = await firstRunDeletes(m);
            if (item) items.push(item);
          }
        } finally {
          setPending(key, false);
        }
        if (items.length > 0) {
          set({ syncConfirm: { mappingId: mappingId ?? null, items } });
          return;
        }
      }
      await sendSyncNow(mappingId ?? null);
    },
    confirmSyncNow: async () => {
      const pending = get().syncConfirm;
      if (!pending) return;
      set({ syncConfirm: null });
      await sendSyncNow(pending.mappingId);
    },
    dismissSyncConfirm: () => set({ syncConfirm: null }),
    cancelSync: async (mappingId) => {
      try {
        await api.invoke('sync.cancel', { mappingId });
      } catch (error) {
        get().reportError(error, 'Could not cancel the run');
      }
    },
    applyMappingStatus: (status) => updateMapping(status.mappingId, (m) => (status.version < m.status.version ? m : { ...m, status })),
    applyRunToMapping: (run) => updateMapping(run.mappingId, (m) => ({ ...m, status: { ...m.status, lastRun: run } })),
  };
};
