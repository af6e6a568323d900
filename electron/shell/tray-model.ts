// What the tray shows, decided without Electron: the icon state, the tooltip and the context menu as
// plain data. tray.ts only turns this model into a Tray and a Menu.
import type { EngineView, MappingStatus } from '../../shared/contract';
import type { Mapping, RunSummary } from '../../shared/model';

export const TRAY_STATES = ['idle', 'syncing', 'error', 'paused'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

export type TrayAction = 'syncAll' | 'pauseAll' | 'resumeAll' | 'open' | 'quit';

export type TrayMenuItem =
  /** A per-mapping status line: informational, not clickable. */
  | { kind: 'status'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean };

/** What the tray needs of a remote engine (core.engines.list()). */
export type TrayEngine = Pick<EngineView, 'name' | 'state' | 'health'>;

export interface TrayInput {
  mappings: readonly Pick<Mapping, 'id' | 'name' | 'enabled'>[];
  statuses: readonly MappingStatus[];
  paused: boolean;
  /** Remote engines this app drives; the icon shows the worst state of all engines, this one included. */
  engines?: readonly TrayEngine[];
}

export interface TrayModel {
  state: TrayState;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** More lines than this make a menu taller than a screen; the rest are summarised in one line. */
export const MAX_STATUS_LINES = 12;

const APP_NAME = 'Cloud Data Sync';

/** A last run that needs the user's attention. */
function needsAttention(run: RunSummary | null): boolean {
  return run !== null && (run.status === 'failed' || run.status === 'partial');
}

/**
 * This engine: syncing beats everything (something is happening now); paused beats error because
 * nothing will retry the failure until the user resumes; error means a last run of an enabled
 * mapping failed. Across engines the worst wins (WORST_FIRST): one engine's failure or an engine
 * that cannot be reached is not hidden by another engine's run.
 */
export function pickTrayState(input: TrayInput): TrayState {
  return worstTrayState([localTrayState(input), ...(input.engines ?? []).map(engineTrayState)]);
}

function localTrayState(input: TrayInput): TrayState {
  if (input.statuses.some((s) => s.state === 'running')) return 'syncing';
  if (input.paused) return 'paused';
  return failingCount(input) > 0 ? 'error' : 'idle';
}

/** The engines' health order (failed > running > paused > ok) in tray states. */
const WORST_FIRST: readonly TrayState[] = ['error', 'syncing', 'paused', 'idle'];

export function worstTrayState(states: readonly TrayState[]): TrayState {
  return WORST_FIRST.find((state) => states.includes(state)) ?? 'idle';
}

/** A remote engine that cannot be reached or refuses us needs the user as a failed run does; one still connecting says nothing yet. */
export function engineTrayState(engine: TrayEngine): TrayState {
  if (engine.state === 'offline' || engine.state === 'refused') return 'error';
  if (engine.state === 'connecting') return 'idle';
  return ({ failed: 'error', running: 'syncing', paused: 'paused', ok: 'idle', unknown: 'idle' } as const)[engine.health];
}

/** One menu line per remote engine. */
function engineLine(engine: TrayEngine): string {
  if (engine.state !== 'online') return `${engine.name} (remote) — ${engine.state}`;
  const words = { failed: 'a mapping needs attention', running: 'syncing', paused: 'paused', ok: 'up to date', unknown: 'online' } as const;
  return `${engine.name} (remote) — ${words[engine.health]}`;
}

/** Enabled mappings whose last run failed: a disabled mapping's old failure is not news. */
function failingCount(input: TrayInput): number {
  const enabled = new Set(input.mappings.filter((m) => m.enabled).map((m) => m.id));
  return input.statuses.filter((s) => enabled.has(s.mappingId) && needsAttention(s.lastRun)).length;
}

function describeLastRun(run: RunSummary | null): string {
  if (run === null) return 'never run';
  switch (run.status) {
    case 'running':
      return 'running';
    case 'success':
      return 'last run OK';
    case 'partial':
      return `last run: ${run.failed} failed`;
    case 'failed':
      return 'last run failed';
    case 'cancelled':
      return 'last run cancelled';
    case 'interrupted':
      return 'last run interrupted';
  }
}

function statusLine(name: string, status: MappingStatus | undefined): string {
  if (!status) return `${name} — idle`;
  const state = status.state === 'running' ? 'syncing' : status.state;
  // While running, the previous result is stale news.
  return status.state === 'running' ? `${name} — ${state}` : `${name} — ${state}, ${describeLastRun(status.lastRun)}`;
}

function tooltipFor(state: TrayState, input: TrayInput): string {
  // The state comes from a remote engine: name the engines in that state.
  if (state !== localTrayState(input)) {
    const names = (input.engines ?? []).filter((e) => engineTrayState(e) === state).map((e) => e.name);
    const what = { error: 'needs attention', syncing: 'syncing', paused: 'paused', idle: 'up to date' }[state];
    return `${APP_NAME} — remote engine${names.length === 1 ? '' : 's'} ${names.join(', ')}: ${what}`;
  }
  const total = input.mappings.length;
  const running = input.statuses.filter((s) => s.state === 'running').length;
  switch (state) {
    case 'syncing':
      return `${APP_NAME} — syncing ${running} of ${total} mapping${total === 1 ? '' : 's'}`;
    case 'paused':
      return `${APP_NAME} — paused`;
    case 'error': {
      const failing = failingCount(input);
      return `${APP_NAME} — ${failing} mapping${failing === 1 ? '' : 's'} need${failing === 1 ? 's' : ''} attention`;
    }
    case 'idle':
      return total === 0 ? `${APP_NAME} — no mappings yet` : `${APP_NAME} — up to date`;
  }
}

/** Pausing also stops the runs in progress (in-flight objects finish): the words say so when there are any. */
export function pauseLabel(anyRunning: boolean): string {
  return anyRunning ? 'Pause and stop running syncs' : 'Pause all';
}

export function buildTrayModel(input: TrayInput): TrayModel {
  const state = pickTrayState(input);
  const byId = new Map(input.statuses.map((s) => [s.mappingId, s]));
  const menu: TrayMenuItem[] = [];
  const shown = input.mappings.slice(0, MAX_STATUS_LINES);
  for (const m of shown) menu.push({ kind: 'status', label: statusLine(m.name, byId.get(m.id)) });
  const hidden = input.mappings.length - shown.length;
  if (hidden > 0) menu.push({ kind: 'status', label: `… and ${hidden} more (open the window to see all)` });
  if (input.mappings.length === 0) menu.push({ kind: 'status', label: 'No mappings yet' });
  for (const engine of input.engines ?? []) menu.push({ kind: 'status', label: engineLine(engine) });
  menu.push({ kind: 'separator' });
  const anyEnabled = input.mappings.some((m) => m.enabled);
  menu.push({ kind: 'action', action: 'syncAll', label: 'Sync all now', enabled: anyEnabled && !input.paused });
  menu.push(
    input.paused
      ? { kind: 'action', action: 'resumeAll', label: 'Resume all', enabled: true }
      : { kind: 'action', action: 'pauseAll', label: pauseLabel(input.statuses.some((s) => s.state === 'running')), enabled: true },
  );
  menu.push({ kind: 'separator' });
  menu.push({ kind: 'action', action: 'open', label: `Open ${APP_NAME}`, enabled: true });
  menu.push({ kind: 'action', action: 'quit', label: 'Quit', enabled: true });
  return { state, tooltip: tooltipFor(state, input), menu };
}

/** The icon file of a state, relative to the assets folder (Electron picks @2x by itself). */
export function trayIconFile(state: TrayState): string {
  return `tray-${state}.png`;
}
