// What the views show while the selected remote engine cannot be reached: the banner says so in words,
// and its mappings as it last reported them stand in for the view (never an empty or spinning page,
// never data presented as current).
import type { EngineView } from '../../shared/contract';
import { MappingStateBadge, RunStatusBadge } from '../components/status-badge';
import { formatDateTime } from '../format';
import { useAppStore } from '../store';
import { formatClock } from './engine-state';

/** The banner's sentence for an engine that is not online. */
export function engineBannerText(engine: EngineView): string {
  switch (engine.state) {
    case 'offline':
      return engine.lastSeenAt === null
        ? `${engine.name} is offline: it has not answered yet; reconnecting…`
        : `${engine.name} is offline since ${formatClock(engine.lastSeenAt)} — showing what it last reported; reconnecting…`;
    case 'connecting':
      return engine.lastSeenAt === null ? `Connecting to ${engine.name}…` : `Reconnecting to ${engine.name} — showing what it last reported…`;
    case 'refused':
      return `${engine.name} refused this window: fix its token or pinned fingerprint in Engines (retrying will not help until then).`;
    case 'online':
      return `${engine.name} is online.`;
  }
}

export function EngineOffline({ engine, title }: { engine: EngineView; title: string }) {
  const setView = useAppStore((s) => s.setView);
  return (
    <div className="view">
      <header className="view-header">
        <h1>{title}</h1>
      </header>
      <div className={`engine-banner engine-banner-${engine.state}`} role="status" data-engine-state={engine.state}>
        <p className="engine-banner-text">{engineBannerText(engine)}</p>
        {engine.error !== null && <p className="engine-banner-error">{engine.error}</p>}
        {engine.state === 'refused' && (
          <button type="button" className="button-small" onClick={() => setView('engines')}>
            Open Engines
          </button>
        )}
      </div>
      {engine.mappings.length === 0 ? (
        <p className="muted">{engine.lastSeenAt === null ? `${engine.name} has not reported any mapping yet.` : `${engine.name} had no mappings when it last reported.`}</p>
      ) : (
        <div className="table-wrap">
        <table className="runs-table" aria-label={`Mappings of ${engine.name} as last reported`}>
          <thead>
            <tr>
              <th scope="col">Mapping</th>
              <th scope="col">State then</th>
              <th scope="col">Last run</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {engine.mappings.map((m) => (
              <tr key={m.id} data-mapping-id={m.id}>
                <td className="engine-mapping-name">{m.name}</td>
                <td>
                  <MappingStateBadge state={m.state} />
                </td>
                <td>{m.lastRunStatus === null ? <span className="muted">Never ran</span> : <RunStatusBadge status={m.lastRunStatus} />}</td>
                <td>{m.lastRunAt === null ? '—' : formatDateTime(m.lastRunAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </div>
  );
}
