// Live progress per mapping from `progress` events: objects and bytes, throughput and ETA, the
// transfers in flight with their own bars, and the throughput of the last minute.
import { limitedNowText } from '../../shared/bandwidth-now';
import type { MappingView } from '../../shared/contract';
import type { ProgressSnapshot } from '../../shared/model';
import { EmptyState, LoadingBlock } from '../components/empty-state';
import { ProgressBar } from '../components/progress-bar';
import { MappingStateBadge, RunStatusBadge } from '../components/status-badge';
import { ThroughputChart } from '../components/throughput-chart';
import { useNow } from '../components/use-debounced';
import { formatBytes, formatCount, formatDuration, formatEta, formatRate, formatRelativeTime } from '../format';
import { useAppStore } from '../store';
import { ALL_MAPPINGS } from '../store/mappings-slice';

const PHASE_LABELS: Record<ProgressSnapshot['phase'], string> = {
  listing: 'Listing source and target',
  transferring: 'Copying',
  deleting: 'Deleting',
  done: 'Finishing',
};

/** In-flight rows shown; the area keeps this height so the card does not jump as transfers come and go. */
const IN_FLIGHT_ROWS = 6;

function LiveProgress({ mapping, progress, now }: { mapping: MappingView; progress: ProgressSnapshot; now: number }) {
  const samples = useAppStore((s) => s.throughput[mapping.id]);
  const growing = !progress.totalsFinal;
  return (
    <div className="live">
      <div className="live-numbers">
        <p className="live-phase">
          {PHASE_LABELS[progress.phase]}
          {growing && <span className="muted"> · still listing, totals may grow</span>}
        </p>
        <div className="live-bar">
          <span className="live-bar-label">
            Objects {formatCount(progress.objectsDone)} of {formatCount(progress.objectsTotal)}
          </span>
          <ProgressBar
            label={`Objects of ${mapping.name}`}
            done={progress.objectsDone}
            total={progress.objectsTotal}
            indeterminate={growing && progress.objectsTotal === 0}
            valueText={`${progress.objectsDone} of ${progress.objectsTotal} objects`}
          />
        </div>
        <div className="live-bar">
          <span className="live-bar-label">
            {formatBytes(progress.bytesDone)} of {formatBytes(progress.bytesTotal)}
          </span>
          <ProgressBar
            label={`Bytes of ${mapping.name}`}
            done={progress.bytesDone}
            total={progress.bytesTotal}
            indeterminate={growing && progress.bytesTotal === 0}
            valueText={`${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`}
          />
        </div>
        <dl className="live-stats">
          <div>
            <dt>Throughput</dt>
            <dd>{formatRate(progress.bytesPerSecond)}</dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd>{growing ? '—' : formatEta(progress.etaSeconds)}</dd>
          </div>
          {progress.bandwidthLimit && (
            <div className="live-bandwidth">
              <dt>Bandwidth</dt>
              <dd>{limitedNowText(progress.bandwidthLimit, new Date(now))}</dd>
            </div>
          )}
        </dl>
      </div>
      <ThroughputChart samples={samples ?? []} now={now} label={`Throughput of ${mapping.name}`} />
      <div className="in-flight" style={{ minHeight: IN_FLIGHT_ROWS * 34 }}>
        <h4 className="in-flight-title">In flight ({progress.inFlight.length})</h4>
        <ul aria-label={`Transfers in flight for ${mapping.name}`}>
          {progress.inFlight.slice(0, IN_FLIGHT_ROWS).map((t) => (
            <li key={t.key} className="in-flight-row">
              <code className="in-flight-key" title={t.key}>
                {t.key}
              </code>
              <ProgressBar label={`Transfer of ${t.key}`} done={t.bytesDone} total={t.size} size="small" valueText={`${formatBytes(t.bytesDone)} of ${formatBytes(t.size)}`} />
              <span className="in-flight-size">{formatBytes(t.size)}</span>
            </li>
          ))}
        </ul>
        {progress.inFlight.length > IN_FLIGHT_ROWS && <p className="muted">…and {progress.inFlight.length - IN_FLIGHT_ROWS} more</p>}
      </div>
    </div>
  );
}

function ActivityCard({ mapping: m, now }: { mapping: MappingView; now: number }) {
  const progress = useAppStore((s) => s.progress[m.id]);
  const pending = useAppStore((s) => s.syncPending.includes(m.id) || s.syncPending.includes(ALL_MAPPINGS));
  const requestSyncNow = useAppStore((s) => s.requestSyncNow);
  const cancelSync = useAppStore((s) => s.cancelSync);
  const showMapping = useAppStore((s) => s.showMapping);
  const { state, lastRun, nextRunAt } = m.status;
  const active = state === 'running' || state === 'queued' || progress !== undefined;
  const next = nextRunAt !== null && !active ? <span className="muted"> · next run {formatRelativeTime(nextRunAt, now, 'future')}</span> : null;
  return (
    <article className={`activity-card ${active ? 'activity-active' : ''}`} aria-label={m.name} data-mapping-id={m.id}>
      <header className="activity-header">
        <h3>{m.name}</h3>
        <MappingStateBadge state={state} />
        <div className="activity-actions">
          {active ? (
            <button type="button" className="button-small" onClick={() => void cancelSync(m.id)} aria-label={`Cancel ${m.name}`}>
              Cancel
            </button>
          ) : (
            <button type="button" className="button-small button-primary" onClick={() => void requestSyncNow(m.id)} disabled={pending || state === 'disabled'} aria-label={`Sync now: ${m.name}`}>
              {pending ? 'Checking…' : 'Sync now'}
            </button>
          )}
          <button type="button" className="button-small button-ghost" onClick={() => showMapping('logs', m.id)} aria-label={`Logs of ${m.name}`}>
            Logs
          </button>
        </div>
      </header>
      {progress ? (
        <LiveProgress mapping={m} progress={progress} now={now} />
      ) : state === 'running' || state === 'queued' ? (
        <LoadingBlock label={state === 'queued' ? 'Waiting for a free run slot…' : 'Starting…'} height={72} />
      ) : lastRun ? (
        <p className="activity-last">
          Last run <RunStatusBadge status={lastRun.status} dryRun={lastRun.dryRun} /> {formatRelativeTime(lastRun.finishedAt ?? lastRun.startedAt, now, 'past')} · {formatDuration(lastRun.durationMs)} ·{' '}
          {formatCount(lastRun.copied)} copied, {formatCount(lastRun.deleted)} deleted, {formatCount(lastRun.failed)} failed · {formatBytes(lastRun.bytesCopied)}
          {lastRun.firstError && <span className="status-bad"> · {lastRun.firstError}</span>}
          {next}
        </p>
      ) : (
        <p className="activity-last muted">
          Never run.
          {next}
        </p>
      )}
    </article>
  );
}

/** Running first, then waiting for a slot, then the rest; each group in the board's order. */
function activityOrder(mappings: readonly MappingView[], progress: Readonly<Record<string, ProgressSnapshot>>): MappingView[] {
  const rank = (m: MappingView) => (m.status.state === 'running' || progress[m.id] !== undefined ? 0 : m.status.state === 'queued' ? 1 : 2);
  return mappings.map((m, index) => ({ m, index, rank: rank(m) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map(({ m }) => m);
}

export function ActivityView() {
  const unordered = useAppStore((s) => s.mappings);
  const progress = useAppStore((s) => s.progress);
  const mappings = activityOrder(unordered, progress);
  const load = useAppStore((s) => s.mappingsLoad);
  const setView = useAppStore((s) => s.setView);
  const now = useNow(1000);
  return (
    <div className="view">
      <header className="view-header">
        <h1>Activity</h1>
      </header>
      {load !== 'ready' && mappings.length === 0 ? (
        <LoadingBlock label="Loading mappings…" />
      ) : mappings.length === 0 ? (
        <EmptyState
          title="Nothing to sync yet"
          actions={
            <button type="button" className="button-primary" onClick={() => setView('mappings')}>
              Go to Mappings
            </button>
          }
        >
          <p>Runs show their progress here once a mapping exists.</p>
        </EmptyState>
      ) : (
        <div className="activity-list">
          {mappings.map((m) => (
            <ActivityCard key={m.id} mapping={m} now={now} />
          ))}
        </div>
      )}
    </div>
  );
}
