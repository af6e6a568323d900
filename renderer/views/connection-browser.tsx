// Browse a saved connection outside the mapping editor: its buckets, then folders and objects with
// size, date and type. Read-only: nothing here changes what is stored.
import { useEffect, useId, useState } from 'react';
import type { ConnectionView } from '../../shared/contract';
import { descriptorOf } from '../../shared/providers';
import { ObjectBrowser } from '../components/object-browser';
import { useAppStore } from '../store';

export function ConnectionBrowser({ connection, onClose }: { connection: ConnectionView; onClose: () => void }) {
  const list = useAppStore((s) => s.buckets[connection.id]);
  const loadBuckets = useAppStore((s) => s.loadBuckets);
  const [bucket, setBucket] = useState<string | null>(null);
  const headingId = useId();
  const noun = descriptorOf(connection.type).buckets.noun.replace(/ name$/, '');

  useEffect(() => {
    void loadBuckets(connection.id);
  }, [loadBuckets, connection.id]);

  return (
    <section className="panel connection-browser" aria-labelledby={headingId}>
      <header className="panel-header">
        <h2 id={headingId}>Browse {connection.name}</h2>
        <button type="button" className="button-small button-ghost" onClick={onClose} aria-label={`Close the browser of ${connection.name}`}>
          Close
        </button>
      </header>
      <p className="field-help">Read-only: browsing changes nothing in the connection’s storage.</p>
      <div className="browser-buckets">
        <div className="browser-buckets-bar">
          <h3>{noun.charAt(0).toUpperCase() + noun.slice(1)}s</h3>
          <button type="button" className="button-small button-ghost" disabled={list?.status === 'loading'} onClick={() => void loadBuckets(connection.id, true)} aria-label={`Reload list of buckets of ${connection.name}`}>
            Reload list
          </button>
        </div>
        {list?.status === 'error' && (
          <p className="form-error" role="alert">
            {list.error}
          </p>
        )}
        <ul aria-label={`Buckets of ${connection.name}`} aria-busy={list === undefined || list.status === 'loading'}>
          {(list?.names ?? []).map((name) => (
            <li key={name}>
              <button type="button" className="link-button" aria-current={bucket === name ? 'true' : undefined} onClick={() => setBucket(name)} aria-label={`Open bucket ${name}`}>
                {name}
              </button>
            </li>
          ))}
          {list?.status === 'ready' && list.names.length === 0 && <li className="muted">No buckets on this connection.</li>}
          {(list === undefined || list.status === 'loading') && <li className="muted">Loading…</li>}
        </ul>
      </div>
      {bucket !== null && <ObjectBrowser key={bucket} side={connection.name} connectionId={connection.id} bucket={bucket} prefix="" onClose={() => setBucket(null)} />}
    </section>
  );
}
