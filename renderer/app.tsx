// The window: sidebar navigation, a top bar with the global Pause/Resume and "Sync all now", the
// current view, the message area and the first-run delete confirmation.
import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EngineView } from '../shared/contract';
import { Toasts } from './components/toasts';
import { useAppStore } from './store';
import { homeEngineName } from './store/engines-slice';
import { ALL_MAPPINGS } from './store/mappings-slice';
import type { ViewName } from './store/ui-slice';
import { ActivityView } from './views/activity-view';
import { ConnectionsView } from './views/connections-view';
import { EngineOffline } from './views/engine-offline';
import { ENGINE_STATE_LABELS, engineHealthText, engineStatusLine, engineTone } from './views/engine-state';
import { EnginesView } from './views/engines-view';
import { HistoryView } from './views/history-view';
import { LogsView } from './views/logs-view';
import { MappingsView } from './views/mappings-view';
import { SettingsView } from './views/settings-view';
import { SyncConfirmDialog } from './views/sync-confirm-dialog';

const NAV: { view: ViewName; label: string; icon: ReactNode }[] = [
  { view: 'connections', label: 'Connections', icon: <path d="M7 7h10v4H7zM5 15h14v4H5zM12 11v4" /> },
  { view: 'mappings', label: 'Mappings', icon: <path d="M4 6h6v5H4zM14 13h6v5h-6zM10 8.5h3a2 2 0 0 1 2 2V13" /> },
  { view: 'activity', label: 'Activity', icon: <path d="M3 12h4l3-7 4 14 3-7h4" /> },
  { view: 'history', label: 'History', icon: <path d="M12 7v5l3 2M4 12a8 8 0 1 0 2.3-5.6M4 4v3h3" /> },
  { view: 'logs', label: 'Logs', icon: <path d="M5 6h14M5 10h14M5 14h10M5 18h12" /> },
  { view: 'settings', label: 'Settings', icon: <path d="M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM12 3v2M12 19v2M4.2 7.5l1.7 1M18.1 15.5l1.7 1M4.2 16.5l1.7-1M18.1 8.5l1.7-1" /> },
  { view: 'engines', label: 'Engines', icon: <path d="M4 5h16v6H4zM4 13h16v6H4zM7 8h.01M7 16h.01" /> },
];

/** The remote engine the window shows, or null when it shows the home. */
function useShownEngine(): EngineView | null {
  return useAppStore((s) => (s.engineId === null ? null : (s.engines.find((e) => e.id === s.engineId) ?? null)));
}

/** The shown engine cannot be reached: what the store holds of it is from before, not to be shown as current. */
function useShownUnreachable(): boolean {
  const shown = useShownEngine();
  return shown !== null && shown.state !== 'online';
}

/** A remote engine in the switcher: its name, state and last-known health. */
function engineOptionLabel(engine: EngineView): string {
  const health = engineHealthText(engine);
  return `${engine.name} — ${ENGINE_STATE_LABELS[engine.state]}${health ? `, ${health}` : ''}`;
}

/**
 * Which engine the views show, always in the sidebar: the home first, then each remote engine with its
 * state and health; below it, the shown engine's state in words.
 */
function EngineSwitcher() {
  const engines = useAppStore((s) => s.engines);
  const engineId = useAppStore((s) => s.engineId);
  const homeMode = useAppStore((s) => s.homeMode);
  const selectEngine = useAppStore((s) => s.selectEngine);
  const shown = useShownEngine();
  const id = useId();
  const home = homeEngineName(homeMode);
  const state = shown?.state ?? 'online';
  return (
    <div className="engine-switcher" data-engine-state={state}>
      <label className="engine-switcher-label" htmlFor={id}>
        Engine
      </label>
      <div className="engine-switcher-row">
        <span className={`engine-dot engine-dot-${engineTone(state)}`} aria-hidden="true" />
        <select id={id} className="input engine-select" value={engineId ?? ''} onChange={(e) => selectEngine(e.target.value === '' ? null : e.target.value)} aria-describedby={`${id}-state`}>
          <option value="">{home}</option>
          {engines.map((e) => (
            <option key={e.id} value={e.id}>
              {engineOptionLabel(e)}
            </option>
          ))}
        </select>
      </div>
      <p id={`${id}-state`} className="engine-switcher-state">
        {shown ? engineStatusLine(shown) : homeMode === 'server' ? 'The server of this page' : 'Runs on this computer'}
      </p>
    </div>
  );
}

function Sidebar() {
  const view = useAppStore((s) => s.view);
  const setView = useAppStore((s) => s.setView);
  const unreachable = useShownUnreachable();
  const running = useAppStore((s) => s.mappings.filter((m) => m.status.state === 'running').length);
  const status = useAppStore(useShallow((s) => ({ version: s.status?.version, mode: s.status?.mode })));
  return (
    <aside className="sidebar">
      <div className="brand">
        <svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M7 18a5 5 0 0 1-.6-9.96A6 6 0 0 1 17.7 9 4.5 4.5 0 0 1 17.5 18z" fill="var(--accent)" />
          <path d="M9.5 13.5h5M12.5 11.5l2 2-2 2" stroke="#fff" strokeWidth="1.6" fill="none" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span>Cloud Data Sync</span>
      </div>
      <EngineSwitcher />
      <nav aria-label="Main">
        <ul className="nav">
          {NAV.map((item) => (
            <li key={item.view}>
              <button type="button" className="nav-item" aria-current={view === item.view ? 'page' : undefined} onClick={() => setView(item.view)}>
                <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
                  {item.icon}
                </svg>
                <span className="nav-label">{item.label}</span>
                {item.view === 'activity' && running > 0 && !unreachable && (
                  <span className="nav-count" aria-label={`${running} running`}>
                    {running}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <p className="sidebar-footer muted">
        {status.version ? `v${status.version}` : '\u00a0'}
        {status.mode === 'server' ? ' · server' : ''}
      </p>
    </aside>
  );
}

function TopBar() {
  const paused = useAppStore((s) => s.status?.paused ?? false);
  const pauseBusy = useAppStore((s) => s.pauseBusy);
  const pauseAll = useAppStore((s) => s.pauseAll);
  const resumeAll = useAppStore((s) => s.resumeAll);
  const requestSyncNow = useAppStore((s) => s.requestSyncNow);
  const syncAllPending = useAppStore((s) => s.syncPending.includes(ALL_MAPPINGS));
  const counts = useAppStore(
    useShallow((s) => ({
      running: s.mappings.filter((m) => m.status.state === 'running').length,
      queued: s.mappings.filter((m) => m.status.state === 'queued').length,
      enabled: s.mappings.filter((m) => m.enabled).length,
    })),
  );
  const shown = useShownEngine();
  const unreachable = useShownUnreachable();
  const summary = shown !== null && unreachable
    ? `${shown.name}: ${ENGINE_STATE_LABELS[shown.state].toLowerCase()}`
    : paused
    ? counts.queued > 0
      ? `Paused: ${counts.queued} queued mapping${counts.queued === 1 ? '' : 's'} start${counts.queued === 1 ? 's' : ''} when you resume`
      : 'Paused: no run starts until you resume'
    : counts.running > 0
      ? `Syncing ${counts.running} mapping${counts.running === 1 ? '' : 's'}${counts.queued ? `, ${counts.queued} queued` : ''}`
      : counts.queued > 0
        ? `${counts.queued} queued`
        : 'Idle';
  return (
    <header className="topbar">
      <p className={`topbar-status ${paused || unreachable ? 'status-warn' : ''}`} role="status" aria-live="polite">
        {summary}
      </p>
      <div className="topbar-actions">
        <button type="button" onClick={() => void (paused ? resumeAll() : pauseAll())} disabled={pauseBusy || unreachable} aria-pressed={paused}>
          {unreachable ? 'Pause all' : paused ? 'Resume all' : counts.running > 0 ? 'Pause and stop running syncs' : 'Pause all'}
        </button>
        <button type="button" className="button-primary" onClick={() => void requestSyncNow()} disabled={syncAllPending || counts.enabled === 0 || unreachable}>
          {syncAllPending ? 'Starting…' : 'Sync all now'}
        </button>
      </div>
    </header>
  );
}

function CurrentView() {
  const view = useAppStore((s) => s.view);
  const shown = useShownEngine();
  // A remote engine that cannot be reached: what it last reported, said to be that (Engines still works).
  if (shown !== null && shown.state !== 'online' && view !== 'engines') return <EngineOffline engine={shown} title={NAV.find((n) => n.view === view)?.label ?? ''} />;
  switch (view) {
    case 'connections':
      return <ConnectionsView />;
    case 'mappings':
      return <MappingsView />;
    case 'activity':
      return <ActivityView />;
    case 'history':
      return <HistoryView />;
    case 'logs':
      return <LogsView />;
    case 'settings':
      return <SettingsView />;
    case 'engines':
      return <EnginesView />;
  }
}

export function App() {
  const view = useAppStore((s) => s.view);
  const engineId = useAppStore((s) => s.engineId);
  const content = useRef<HTMLElement>(null);
  // Each view starts at its top, not at the scroll position the previous one had.
  useLayoutEffect(() => {
    if (content.current) content.current.scrollTop = 0;
  }, [view, engineId]);
  return (
    <div className="app">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Sidebar />
      <div className="main">
        <TopBar />
        <main id="content" className="content" tabIndex={-1} ref={content}>
          {/* Keyed by engine: a view's own state (a form, a filter) never outlives a switch. */}
          <CurrentView key={engineId ?? ''} />
        </main>
      </div>
      <Toasts />
      <SyncConfirmDialog />
    </div>
  );
}
