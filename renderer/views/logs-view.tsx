// The log viewer of one mapping: level, run and text filters (text debounced), follow mode,
// older pages, export.
import { useEffect, useState } from 'react';
import { LOG_LEVELS, type LogLevel } from '../../shared/model';
import { downloadText } from '../components/download';
import { EmptyState } from '../components/empty-state';
import { LogLines } from '../components/log-lines';
import { MappingSelect } from '../components/mapping-select';
import { runStatusLabel } from '../components/status-badge';
import { useDebounced } from '../components/use-debounced';
import { formatCount, formatDateTime } from '../format';
import { useAppStore } from '../store';

export const SEARCH_DEBOUNCE_MS = 300;

const LEVEL_LABELS: Record<LogLevel, string> = {
  debug: 'All levels',
  info: 'Info and above',
  warn: 'Warnings and errors',
  error: 'Errors only',
};

export function LogsView() {
  const mappings = useAppStore((s) => s.mappings);
  const selected = useAppStore((s) => s.selectedMappingId);
  const selectMapping = useAppStore((s) => s.selectMapping);
  const logs = useAppStore((s) => s.logs);
  const openLogs = useAppStore((s) => s.openLogs);
  const setLogFilter = useAppStore((s) => s.setLogFilter);
  const loadOlderLogs = useAppStore((s) => s.loadOlderLogs);
  const setLogFollow = useAppStore((s) => s.setLogFollow);
  const exportLogs = useAppStore((s) => s.exportLogs);
  const reportError = useAppStore((s) => s.reportError);
  const runs = useAppStore((s) => (selected ? s.runs[selected] : undefined));
  const loadRuns = useAppStore((s) => s.loadRuns);
  const [search, setSearch] = useState(logs.filter.text);
  const debouncedSearch = useDebounced(search, SEARCH_DEBOUNCE_MS);
  const [exporting, setExporting] = useState(false);

  const mappingId = selected !== null && mappings.some((m) => m.id === selected) ? selected : (mappings[0]?.id ?? null);

  useEffect(() => {
    if (mappingId === null) return;
    if (mappingId !== selected) selectMapping(mappingId);
    void openLogs(mappingId);
  }, [mappingId, selected, selectMapping, openLogs]);

  const runsLoaded = runs !== undefined;
  useEffect(() => {
    if (mappingId !== null && !runsLoaded) void loadRuns(mappingId);
  }, [mappingId, runsLoaded, loadRuns]);

  // Another mapping's filter starts empty: the search box follows it.
  const [searchFor, setSearchFor] = useState(logs.mappingId);
  if (searchFor !== logs.mappingId) {
    setSearchFor(logs.mappingId);
    setSearch(logs.filter.text);
  }

  // Only a settled box applies: a stale debounced value never lands on another mapping.
  useEffect(() => {
    if (logs.mappingId !== null && debouncedSearch === search && debouncedSearch !== logs.filter.text) void setLogFilter({ text: debouncedSearch });
  }, [debouncedSearch, search, logs.mappingId, logs.filter.text, setLogFilter]);

  const onExport = async () => {
    setExporting(true);
    const result = await exportLogs();
    setExporting(false);
    if (result.ok) downloadText(result.value.fileName, result.value.text);
    else reportError(result.error, 'Could not export the log');
  };

  if (mappings.length === 0) {
    return (
      <div className="view">
        <header className="view-header">
          <h1>Logs</h1>
        </header>
        <EmptyState title="No mappings yet">
          <p>Each mapping keeps the log of its runs. Create a mapping and run it to see its log here.</p>
        </EmptyState>
      </div>
    );
  }

  return (
    <div className="view view-fill">
      <header className="view-header">
        <h1>Logs</h1>
        <MappingSelect value={mappingId} onChange={selectMapping} />
      </header>
      <div className="toolbar" role="toolbar" aria-label="Log filters">
        <label className="inline-field">
          <span>Level</span>
          <select className="input" value={logs.filter.minLevel} onChange={(e) => void setLogFilter({ minLevel: e.target.value as LogLevel })}>
            {LOG_LEVELS.map((level) => (
              <option key={level} value={level}>
                {LEVEL_LABELS[level]}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Run</span>
          <select className="input" value={logs.filter.runId ?? ''} onChange={(e) => void setLogFilter({ runId: e.target.value === '' ? null : Number(e.target.value) })}>
            <option value="">All runs</option>
            {runs?.items.map((r) => (
              <option key={r.id} value={r.id}>
                #{r.id} · {runStatusLabel(r.status)} · {formatDateTime(r.startedAt)}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field inline-field-grow">
          <span>Search</span>
          <input className="input" type="search" value={search} placeholder="Text or object key" onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="switch">
          <input type="checkbox" checked={logs.follow} onChange={(e) => setLogFollow(e.target.checked)} />
          <span>Follow</span>
        </label>
        <button type="button" onClick={() => void onExport()} disabled={exporting || logs.mappingId === null}>
          {exporting ? 'Exporting…' : 'Export'}
        </button>
      </div>
      <p className="log-status" aria-live="polite">
        {logs.status === 'loading' ? 'Loading…' : logs.status === 'error' ? <span className="status-bad">Could not load the log: {logs.error}</span> : `${formatCount(logs.lines.length)} lines${logs.hasOlder ? ' (older lines available)' : ''}`}
      </p>
      {logs.status === 'ready' && logs.lines.length === 0 ? (
        <div className="log-empty">
          <p className="muted">{logs.filter.text || logs.filter.runId !== null || logs.filter.minLevel !== 'debug' ? 'No line matches these filters.' : 'No log lines yet: run the mapping to fill its log.'}</p>
        </div>
      ) : (
        <LogLines
          lines={logs.lines}
          label="Log lines"
          follow={logs.follow}
          onFollowChange={setLogFollow}
          hasOlder={logs.hasOlder}
          loadingOlder={logs.loadingOlder}
          onLoadOlder={() => void loadOlderLogs()}
        />
      )}
    </div>
  );
}
