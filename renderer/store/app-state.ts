// The whole store's state: every slice together. Only the store's assembly (index.ts) and the event
// wiring use it; a slice names just the other slices it reads.
import type { ActivitySlice } from './activity-slice';
import type { AppSlice } from './app-slice';
import type { BrowseSlice } from './browse-slice';
import type { ConnectionsSlice } from './connections-slice';
import type { EnginesSlice } from './engines-slice';
import type { HistorySlice } from './history-slice';
import type { LogsSlice } from './logs-slice';
import type { MappingsSlice } from './mappings-slice';
import type { SettingsSlice } from './settings-slice';
import type { UiSlice } from './ui-slice';

export type Store = UiSlice &
  AppSlice &
  ConnectionsSlice &
  BrowseSlice &
  MappingsSlice &
  ActivitySlice &
  HistorySlice &
  LogsSlice &
  SettingsSlice &
  EnginesSlice;
