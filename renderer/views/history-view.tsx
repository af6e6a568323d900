// Runs of a mapping, newest first, paged; one run opened with its details and its log lines.
import { useEffect } from 'react';
import type { RunSummary } from '../../shared/model';
import { EmptyState, LoadingBlock } from '../components/empty-state';
import { LogLines } from '../components/log-lines';
import { MappingSelect } from '../components/mapping-select';
import { RunStatusBadge } from '../components/status-badge';
import { formatBytes, formatCount, formatDateTime, formatDuration } from '../format';
import { useAppStore } from '../store';
import type { RunDetail } from '../store/history-slice';

function RunRow({ run, open, onOpen }: { run: RunSummary; open: boolean; onOpen: (id: number) => void }) {
  return (
    <tr className={open ? 'row-selected' : undefined} aria-current={open ? true : undefined} data-run-id={run.id}>
      <td>
        <button type="button" className="link-button" onClick={() => onOpen(run.id)} aria-label={`Run ${run.id} details`}>
          #{run.id}
        </button>
      </td>
      <td>
        <RunStatusBadge status={run.status} dryRun={run.dryRun} />
      </td>
      <td>{formatDateTime(run.startedAt)}</td>
      <td className="num">{run.status === 'running' ? '…' : formatDuration(run.durationMs)}</td>
      <td className="num">{formatCount(run.copied)}</td>
      <td className="num">{formatCount(run.skipped + run.adopted)}</td>
      <td className="num">{formatCount(run.deleted)}</td>
      <td className={`num ${run.failed > 0 ? 'status-bad' : ''}`}>{formatCount(run.failed)}</td>
      <td className="num">{formatBytes(run.bytesCopied)}</td>
    </tr>
  );
}

function RunDetailPanel({ detail }: { detail: RunDetail }) {
  const closeRun = useAppStore((s) => s.closeRun);
  const loadOlderRunLines = useAppStore((s) => s.loadOlderRunLines);
  const run = detail.run;
  return (
    <section className="panel run-detail" aria-label={`Run ${detail.id}`}>
      <header className="panel-header">
        <h2>Run #{detail.id}</h2>
        {run && <RunStatusBadge status={run.status} dryRun={run.dryRun} />}
        <button type="button" className="button-small button-ghost push-right" onClick={closeRun} aria-label="Close run details">
          Close
        </button>
      </header>
      {detail.status === 'error' && (
        <p className="form-error" role="alert">
          {detail.error}
        </p>
      )}
      {run ? (
        <dl className="run-facts">
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(run.startedAt)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatDateTime(run.finishedAt)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(run.durationMs)}</dd>
          </div>
          <div>
            <dt>Copied</dt>
            <dd>
              {formatCount(run.copied)} ({formatBytes(run.bytesCopied)})
            </dd>
          </div>
          <div>
            <dt>Already equal</dt>
            <dd>{formatCount(run.adopted)}</dd>
          </div>
          <div>
            <dt>Unchanged</dt>
            <dd>{formatCount(run.skipped)}</dd>
          </div>
          <div>
            <dt>Deleted</dt>
            <dd>{formatCount(run.deleted)}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>{formatCount(run.failed)}</dd>
          </div>
          {run.firstError && (
            <div className="run-error">
              <dt>First error</dt>
              <dd>{run.firstError}</dd>
            </div>
          )}
        </dl>
      ) : (
        <LoadingBlock label="Loading the run…" height={96} />
      )}
      <h3>Log of this run</h3>
      {detail.linesStatus === 'ready' && detail.lines.length === 0 ? (
        <p className="muted">This run wrote no log lines.</p>
      ) : (
        <LogLines
          lines={detail.lines}
          label={`Log lines of run ${detail.id}`}
          follow={false}
          hasOlder={detail.hasOlderLines}
          loadingOlder={detail.linesStatus === 'loading'}
          onLoadOlder={() => void loadOlderRunLines()}
          showRun={false}
          fallbackHeight={320}
        />
      )}
    </section>
  );
}

export function HistoryView() {
  const mappings = useAppStore((s) => s.mappings);
  const selected = useAppStore((s) => s.selectedMappingId);
  const selectMapping = useAppStore((s) => s.selectMapping);
  const loadRuns = useAppStore((s) => s.loadRuns);
  const openRun = useAppStore((s) => s.openRun);
  const detail = useAppStore((s) => s.runDetail);
  const mappingId = selected !== null && mappings.some((m) => m.id === selected) ? selected : (mappings[0]?.id ?? null);
  const list = useAppStore((s) => (mappingId ? s.runs[mappingId] : undefined));

  useEffect(() => {
    if (mappingId === null) return;
    if (mappingId !== selected) selectMapping(mappingId);
    void loadRuns(mappingId);
  }, [mappingId, selected, selectMapping, loadRuns]);

  if (mappings.length === 0) {
    return (
      <div className="view">
        <header className="view-header">
          <h1>History</h1>
        </header>
        <EmptyState title="No mappings yet">
          <p>Every run of a mapping is listed here with what it copied, deleted and what failed.</p>
        </EmptyState>
      </div>
    );
  }

  const shownDetail = detail && detail.run?.mappingId !== undefined && detail.run.mappingId !== mappingId ? null : detail;

  return (
    <div className="view">
      <header className="view-header">
        <h1>History</h1>
        <MappingSelect value={mappingId} onChange={selectMapping} />
      </header>
      <div className="history">
        <div className="history-runs">
          {!list || (list.status !== 'ready' && list.items.length === 0) ? (
            list?.status === 'error' ? (
              <p className="form-error">Runs could not be loaded: {list.error}</p>
            ) : (
              <LoadingBlock label="Loading runs…" height={200} />
            )
          ) : list.items.length === 0 ? (
            <EmptyState title="No runs yet">
              <p>Runs appear here as soon as the mapping syncs.</p>
            </EmptyState>
          ) : (
            <>
              <div className="table-wrap">
                <table className="runs-table" aria-label="Runs">
                  <thead>
                    <tr>
                      <th scope="col">Run</th>
                      <th scope="col">Status</th>
                      <th scope="col">Started</th>
                      <th scope="col" className="num">
                        Duration
                      </th>
                      <th scope="col" className="num">
                        Copied
                      </th>
                      <th scope="col" className="num">
                        Skipped
                      </th>
                      <th scope="col" className="num">
                        Deleted
                      </th>
                      <th scope="col" className="num">
                        Failed
                      </th>
                      <th scope="col" className="num">
                        Bytes
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.items.map((run) => (
                      <RunRow key={run.id} run={run} open={shownDetail?.id === run.id} onOpen={(id) => void openRun(id)} />
                    ))}
                  </tbody>
                </table>
              </div>
              {list.error && <p className="form-error">{list.error}</p>}
              {list.hasMore && (
                <button type="button" onClick={() => mappingId && void loadRuns(mappingId, { more: true })} disabled={list.loadingMore}>
                  {list.loadingMore ? 'Loading…' : 'Load older runs'}
                </button>
              )}
            </>
          )}
        </div>
        {shownDetail && <RunDetailPanel detail={shownDetail} />}
      </div>
    </div>
  );
}
