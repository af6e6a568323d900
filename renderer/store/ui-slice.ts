// Navigation, which editor is open, and the toast area where errors and alerts are shown.
import type { ProviderType } from '../../shared/model';
import { isEngineSwitched } from '../api';
import { toApiError, type SliceCreator } from './types';

export const VIEWS = ['connections', 'mappings', 'activity', 'history', 'logs', 'settings', 'engines'] as const;
export type ViewName = (typeof VIEWS)[number];

export type ToastKind = 'error' | 'info' | 'success';
export interface Toast {
  id: number;
  kind: ToastKind;
  title: string | null;
  message: string;
}

export type ConnectionEditorState = null | { mode: 'create'; type: ProviderType } | { mode: 'edit'; id: string };
export type MappingEditorState = null | { mode: 'create' } | { mode: 'edit'; id: string };

export interface UiSlice {
  view: ViewName;
  /** The mapping History and Logs show (shared so "History" / "Logs" from a card land on it). */
  selectedMappingId: string | null;
  connectionEditor: ConnectionEditorState;
  mappingEditor: MappingEditorState;
  toasts: Toast[];
  setView: (view: ViewName) => void;
  selectMapping: (mappingId: string | null) => void;
  /** Opens a view focused on one mapping (History, Logs, Activity). */
  showMapping: (view: ViewName, mappingId: string) => void;
  openConnectionEditor: (editor: ConnectionEditorState) => void;
  openMappingEditor: (editor: MappingEditorState) => void;
  notify: (kind: ToastKind, message: string, title?: string) => void;
  /** Shows a failed call in the toast area; `context` says what was being done. */
  reportError: (error: unknown, context?: string) => void;
  dismissToast: (id: number) => void;
}

/** More than this and the oldest toasts go: the area must never cover the window. */
const MAX_TOASTS = 4;

export const createUiSlice = (): SliceCreator<UiSlice> => {
  let nextToastId = 1;
  return (set) => ({
    view: 'mappings',
    selectedMappingId: null,
    connectionEditor: null,
    mappingEditor: null,
    toasts: [],
    setView: (view) => set({ view }),
    selectMapping: (selectedMappingId) => set({ selectedMappingId }),
    showMapping: (view, mappingId) => set({ view, selectedMappingId: mappingId }),
    openConnectionEditor: (connectionEditor) => set(connectionEditor ? { connectionEditor, view: 'connections' } : { connectionEditor }),
    openMappingEditor: (mappingEditor) => set(mappingEditor ? { mappingEditor, view: 'mappings' } : { mappingEditor }),
    notify: (kind, message, title) =>
      set((s) => ({ toasts: [...s.toasts, { id: nextToastId++, kind, title: title ?? null, message }].slice(-MAX_TOASTS) })),
    reportError: (error, context) => {
      // Not a failure: the answer belonged to the engine the window showed before.
      if (isEngineSwitched(error)) return;
      const { message } = toApiError(error);
      set((s) => ({ toasts: [...s.toasts, { id: nextToastId++, kind: 'error' as const, title: context ?? null, message }].slice(-MAX_TOASTS) }));
    },
    dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  });
};
