// One mapping on the board: source (connection → bucket → prefix) → target, its state and last
// run, and what can be done with it.
import { limitedNowText, limitedToText, type ConfiguredBwLimit } from '../../shared/bandwidth-now';
import { placeOf, type RouteSide } from '../../shared/config';
import type { MappingView } from '../../shared/contract';
import { ProviderLogo } from '../components/provider-logo';
import { MappingStateBadge, RunStatusBadge } from '../components/status-badge';
import { formatInterval, formatRelativeTime } from '../format';
import { useAppStore } from '../store';
import { ALL_MAPPINGS } from '../store/mappings-slice';
import { DELETE_MODE_TEXT, filterSummary } from './mapping-form';

/**
 * "Limited to 2 MiB/s until 19:00" while a bandwidth limit holds the mapping: a running run's own
 * account (its mapping's and the global limit), else what the mapping's limit and the global one
 * (once the settings were loaded) say for now. Null while none applies.
 */
export function useBandwidthNote(m: MappingView, now: number): string | null {
  const running = useAppStore((s) => s.progress[m.id]?.bandwidthLimit);
  const global = useAppStore((s) => s.settings?.bwLimit ?? null);
  if (running !== undefined) return running === null ? null : limitedNowText(running, new Date(now));
  const limits: ConfiguredBwLimit[] = [];
  if (m.bwLimit) limits.push({ whose: "this mapping's", text: m.bwLimit });
  if (global) limits.push({ whose: 'the global', text: global });
  return limitedToText(limits, new Date(now));
}

function Endpoint({ mapping, side }: { mapping: MappingView; side: RouteSide }) {
  const { connectionId, bucket, prefix } = placeOf(mapping, side);
  const connection = useAppStore((s) => s.connections.find((c) => c.id === connectionId));
  const label = side === 'source' ? 'From' : 'To';
  return (
    <div className="endpoint-card" aria-label={`${label}: ${connection?.name ?? 'missing connection'} → ${bucket}${prefix ? ` → ${prefix}` : ''}`} role="group">
      <span className="endpoint-label">{label}</span>
      <span className="endpoint-conn">
        {connection ? <ProviderLogo type={connection.type} size={18} /> : null}
        <span>{connection?.name ?? 'Missing connection'}</span>
      </span>
      <span className="endpoint-path">
        <span className="endpoint-bucket">{bucket}</span>
        {prefix && <span className="endpoint-prefix">/{prefix}</span>}
      </span>
    </div>
  );
}

export function MappingCard({ mapping: m, now, onDelete }: { mapping: MappingView; now: number; onDelete: (m: MappingView) => void }) {
  const pending = useAppStore((s) => s.syncPending.includes(m.id) || s.syncPending.includes(ALL_MAPPINGS));
  const requestSyncNow = useAppStore((s) => s.requestSyncNow);
  const cancelSync = useAppStore((s) => s.cancelSync);
  const setEnabled = useAppStore((s) => s.setMappingEnabled);
  const openEditor = useAppStore((s) => s.openMappingEditor);
  const showMapping = useAppStore((s) => s.showMapping);
  const { state, lastRun, nextRunAt, followUpQueued } = m.status;
  const running = state === 'running' || state === 'queued';
  const filters = filterSummary(m);
  const bandwidth = useBandwidthNote(m, now);

  return (
    <article className={`mapping-card mapping-${state}`} aria-label={m.name} data-mapping-id={m.id}>
      <header className="mapping-card-header">
        <h3 className="mapping-name">{m.name}</h3>
        <MappingStateBadge state={state} />
      </header>
      <div className="route">
        <Endpoint mapping={m} side="source" />
        <svg className="route-arrow-svg" width="40" height="24" viewBox="0 0 40 24" aria-hidden="true">
          <path d="M2 12h32M27 5l8 7-8 7" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <Endpoint mapping={m} side="target" />
      </div>
      <p className="mapping-meta">
        <span>{formatInterval(m.intervalSeconds)}</span>
        <span>{DELETE_MODE_TEXT[m.deleteMode].label}</span>
        {filters && <span className="mapping-filters">Filters: {filters}</span>}
        {bandwidth && <span className="mapping-bandwidth">{bandwidth}</span>}
        {m.dryRun && <span className="badge badge-muted">Dry run</span>}
      </p>
      <p className="mapping-last">
        {lastRun ? (
          <>
            Last run <RunStatusBadge status={lastRun.status} dryRun={lastRun.dryRun} /> {formatRelativeTime(lastRun.finishedAt ?? lastRun.startedAt, now, 'past')}
          </>
        ) : (
          <span className="muted">Never run</span>
        )}
        {nextRunAt !== null && state !== 'running' && <span className="muted"> · next {formatRelativeTime(nextRunAt, now, 'future')}</span>}
        {followUpQueued && <span className="muted"> · another run queued</span>}
      </p>
      <footer className="mapping-actions">
        {running ? (
          <button type="button" className="button-small" onClick={() => void cancelSync(m.id)} aria-label={`Cancel ${m.name}`}>
            Cancel
          </button>
        ) : (
          <button type="button" className="button-small button-primary" onClick={() => void requestSyncNow(m.id)} disabled={pending} aria-label={`Sync now: ${m.name}`}>
            {pending ? 'Checking…' : 'Sync now'}
          </button>
        )}
        <button type="button" className="button-small" onClick={() => openEditor({ mode: 'edit', id: m.id })} aria-label={`Edit ${m.name}`}>
          Edit
        </button>
        <button type="button" className="button-small button-ghost" onClick={() => showMapping('history', m.id)} aria-label={`History of ${m.name}`}>
          History
        </button>
        <button type="button" className="button-small button-ghost" onClick={() => showMapping('logs', m.id)} aria-label={`Logs of ${m.name}`}>
          Logs
        </button>
        <label className="switch">
          <input type="checkbox" checked={m.enabled} onChange={(e) => void setEnabled(m.id, e.target.checked)} aria-label={`${m.name} enabled`} />
          <span>Enabled</span>
        </label>
        <button type="button" className="button-small button-ghost" onClick={() => onDelete(m)} aria-label={`Delete ${m.name}`}>
          Delete
        </button>
      </footer>
    </article>
  );
}
