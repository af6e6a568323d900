import type { MappingState } from '../../shared/contract';
import type { RunStatus } from '../../shared/model';

const STATE_LABELS: Record<MappingState, string> = {
  idle: 'Idle',
  queued: 'Queued',
  running: 'Syncing',
  paused: 'Paused',
  disabled: 'Disabled',
};

const RUN_LABELS: Record<RunStatus, string> = {
  running: 'Running',
  success: 'Success',
  partial: 'Partial',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

const RUN_TONES: Record<RunStatus, string> = {
  running: 'busy',
  success: 'ok',
  partial: 'warn',
  failed: 'bad',
  cancelled: 'muted',
  interrupted: 'warn',
};

export function runStatusLabel(status: RunStatus): string {
  return RUN_LABELS[status];
}

export function MappingStateBadge({ state }: { state: MappingState }) {
  const tone = state === 'running' || state === 'queued' ? 'busy' : state === 'idle' ? 'neutral' : 'muted';
  return <span className={`badge badge-${tone}`} data-state={state}>{STATE_LABELS[state]}</span>;
}

export function RunStatusBadge({ status, dryRun = false }: { status: RunStatus; dryRun?: boolean }) {
  return (
    <span className={`badge badge-${RUN_TONES[status]}`} data-status={status}>
      {RUN_LABELS[status]}
      {dryRun ? ' (dry run)' : ''}
    </span>
  );
}
