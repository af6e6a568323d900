// An engine's state and health in words, the same everywhere the window shows them (the switcher,
// the Engines view, the offline banner).
import type { EngineHealth, EngineState, EngineView } from '../../shared/contract';

export const ENGINE_STATE_LABELS: Record<EngineState, string> = {
  online: 'Online',
  connecting: 'Connecting…',
  offline: 'Offline',
  refused: 'Refused',
};

const HEALTH_LABELS: Record<EngineHealth, string | null> = {
  failed: 'a run failed',
  running: 'syncing',
  paused: 'paused',
  ok: 'all runs ok',
  unknown: null,
};

/** The tone of the state's badge (components.css .badge-*). */
export function engineTone(state: EngineState): string {
  return state === 'online' ? 'ok' : state === 'connecting' ? 'busy' : state === 'offline' ? 'warn' : 'bad';
}

/** "17:05": when it was last heard from, in the user's clock. */
export function formatClock(ts: number): string {
  return new Date(ts).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Health as last reported; null when it never reported any. Only an online engine's health is current. */
export function engineHealthText(engine: EngineView): string | null {
  const health = HEALTH_LABELS[engine.health];
  if (health === null) return null;
  return engine.state === 'online' ? health : `last known: ${health}`;
}

/** One line: "Offline since 17:05 · last known: syncing". */
export function engineStatusLine(engine: EngineView): string {
  const since = engine.state === 'offline' && engine.lastSeenAt !== null ? ` since ${formatClock(engine.lastSeenAt)}` : '';
  const health = engineHealthText(engine);
  return `${ENGINE_STATE_LABELS[engine.state]}${since}${health ? ` · ${health}` : ''}`;
}
