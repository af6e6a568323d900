// An engine's health from its mappings as last known: what the tray and the engine list show.
import type { EngineHealth, EngineMappingSummary, MappingStatus } from '../../shared/contract';
import type { RunStatus } from '../../shared/model';

/** Worst first: a failure needs the user; a run is under way; nothing runs until resumed; all well. */
export const HEALTH_ORDER: readonly EngineHealth[] = ['failed', 'running', 'paused', 'ok', 'unknown'];

/** A last run that needs attention (the tray's rule for the local engine too). */
const FAILING: ReadonlySet<RunStatus> = new Set(['failed', 'partial']);

/** null: the engine was never reached, so nothing is known. A disabled mapping's old failure is not news. */
export function engineHealth(mappings: readonly EngineMappingSummary[] | null): EngineHealth {
  if (mappings === null) return 'unknown';
  if (mappings.some((m) => m.state !== 'disabled' && m.lastRunStatus !== null && FAILING.has(m.lastRunStatus))) return 'failed';
  if (mappings.some((m) => m.state === 'running')) return 'running';
  if (mappings.some((m) => m.state === 'paused')) return 'paused';
  return 'ok';
}

/** The summary of a mapping from its status as the remote engine reports it. */
export function summaryOf(id: string, name: string, status: MappingStatus): EngineMappingSummary {
  return { id, name, state: status.state, lastRunStatus: status.lastRun?.status ?? null, lastRunAt: status.lastRun ? (status.lastRun.finishedAt ?? status.lastRun.startedAt) : null };
}
