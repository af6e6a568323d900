// Connections: the list (logo, summary, last test) with Test / Edit / Delete, the add/edit form,
// and a delete confirmation that names the mappings using the connection.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ConnectionView } from '../../shared/contract';
import { connectionSummary } from '../../shared/providers';
import { ConfirmDialog } from '../components/confirm-dialog';
import { LoadingBlock } from '../components/empty-state';
import { PROVIDER_LABELS, ProviderLogo } from '../components/provider-logo';
import { useNow } from '../components/use-debounced';
import { formatRelativeTime } from '../format';
import { useAppStore } from '../store';
import { ConnectionForm } from './connection-form';
import { ConnectionBrowser } from './connection-browser';
import { FirstRun } from './first-run';

/** This session's test of the connection, else the last one the server kept for its saved settings. */
function TestStatus({ id, now, kept }: { id: string; now: number; kept: ConnectionView['lastTest'] }) {
  const test = useAppStore((s) => s.connectionTests[id]) ?? (kept ? { running: false, result: kept.result, error: null, at: kept.at } : undefined);
  if (!test) return <span className="conn-status muted">Not tested</span>;
  if (test.running) return <span className="conn-status muted">Testing…</span>;
  if (test.error) return <span className="conn-status status-bad">Test failed: {test.error.message}</span>;
  if (!test.result) return <span className="conn-status muted">Not tested</span>;
  const failed = test.result.checks.find((c) => !c.ok && !c.skipped);
  const when = test.at === null ? '' : ` · ${formatRelativeTime(test.at, now, 'past')}`;
  return test.result.ok ? (
    <span className="conn-status status-ok">Works{when}</span>
  ) : (
    <span className="conn-status status-bad" title={failed?.message}>
      Failed{failed ? `: ${failed.message}` : ''}
      {when}
    </span>
  );
}

function DeleteConnectionDialog({ connection, onClose }: { connection: ConnectionView; onClose: () => void }) {
  const users = useAppStore(useShallow((s) => s.mappings.filter((m) => m.sourceConnectionId === connection.id || m.targetConnectionId === connection.id).map((m) => m.name)));
  const deleteConnection = useAppStore((s) => s.deleteConnection);
  const inUse = users.length > 0;
  return (
    <ConfirmDialog
      title={inUse ? `“${connection.name}” is in use` : `Delete connection "${connection.name}"?`}
      action="Delete connection"
      busyAction="Deleting…"
      run={() => deleteConnection(connection.id)}
      done={`Connection "${connection.name}" deleted.`}
      onClose={onClose}
      blocked={inUse}
    >
      {inUse ? (
        <>
          <p>{users.length === 1 ? 'This mapping uses it:' : `These ${users.length} mappings use it:`}</p>
          <ul className="name-list" aria-label="Mappings using this connection">
            {users.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
          <p>A connection in use cannot be deleted: delete those mappings, or change their connections, first.</p>
        </>
      ) : (
        <p>No mapping uses this connection. Its settings and stored secrets are removed; the data in its buckets is not touched.</p>
      )}
    </ConfirmDialog>
  );
}

export function ConnectionsView() {
  const connections = useAppStore((s) => s.connections);
  const load = useAppStore((s) => s.connectionsLoad);
  const editor = useAppStore((s) => s.connectionEditor);
  const openEditor = useAppStore((s) => s.openConnectionEditor);
  const testConnection = useAppStore((s) => s.testConnection);
  const [deleting, setDeleting] = useState<ConnectionView | null>(null);
  const [browsingId, setBrowsingId] = useState<string | null>(null);
  const now = useNow(15_000);

  const editing = editor?.mode === 'edit' ? (connections.find((c) => c.id === editor.id) ?? null) : null;
  const showForm = editor !== null && (editor.mode === 'create' || editing !== null);
  // The very first connection: the form alone, not beside an empty list.
  const alone = showForm && connections.length === 0;
  // The side panel holds the form or a connection's browser; the form wins.
  const browsing = showForm ? null : (connections.find((c) => c.id === browsingId) ?? null);
  const sideOpen = (showForm && !alone) || browsing !== null;

  return (
    <div className="view">
      <header className="view-header">
        <h1>Connections</h1>
        <button type="button" className="button-primary" onClick={() => openEditor({ mode: 'create', type: 'local' })} disabled={editor?.mode === 'create'}>
          Add connection
        </button>
      </header>
      <div className={`split ${sideOpen ? 'split-open' : ''} ${alone ? 'split-alone' : ''}`}>
        {!alone && (
          <div className="split-main">
            {load !== 'ready' && connections.length === 0 ? (
              load === 'error' ? (
                <p className="form-error">Connections could not be loaded.</p>
              ) : (
                <LoadingBlock label="Loading connections…" />
              )
            ) : connections.length === 0 ? (
              <FirstRun />
            ) : (
              <ul className="conn-list" aria-label="Connections">
                {connections.map((c) => (
                  <li key={c.id} className="conn-item" aria-label={c.name} data-connection-id={c.id}>
                    <ProviderLogo type={c.type} size={32} />
                    <div className="conn-text">
                      <span className="conn-name">{c.name}</span>
                      <span className="conn-detail">
                        {PROVIDER_LABELS[c.type]} · {connectionSummary(c)}
                      </span>
                      <TestStatus id={c.id} now={now} kept={c.lastTest} />
                    </div>
                    <div className="conn-actions">
                      <button type="button" className="button-small" onClick={() => void testConnection(c.id, { id: c.id })} aria-label={`Test ${c.name}`}>
                        Test
                      </button>
                      <button type="button" className="button-small" onClick={() => openEditor({ mode: 'edit', id: c.id })} aria-label={`Edit ${c.name}`}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button-small"
                        onClick={() => {
                          openEditor(null);
                          setBrowsingId(c.id);
                        }}
                        aria-label={`Browse ${c.name}`}
                      >
                        Browse
                      </button>
                      <button type="button" className="button-small button-ghost" onClick={() => setDeleting(c)} aria-label={`Delete ${c.name}`}>
                        Delete
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {showForm && (
          <div className="split-side">
            <ConnectionForm
              key={editor.mode === 'edit' ? editor.id : `new-${editor.type}`}
              connection={editing}
              initialType={editor.mode === 'create' ? editor.type : (editing?.type ?? 'local')}
              onDone={() => openEditor(null)}
            />
          </div>
        )}
        {browsing && (
          <div className="split-side">
            <ConnectionBrowser key={browsing.id} connection={browsing} onClose={() => setBrowsingId(null)} />
          </div>
        )}
      </div>
      {deleting && <DeleteConnectionDialog connection={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}
