// Engines: the home (the process that served this window) and the remote `serve` instances it drives,
// each with its state, health and when it was last heard from; add, edit, remove, and "Show" to make
// the window show one. This view is the home's: it works whichever engine is shown, online or not.
import { useState } from 'react';
import type { EngineView } from '../../shared/contract';
import { ConfirmDialog } from '../components/confirm-dialog';
import { formatDateTime } from '../format';
import { useAppStore } from '../store';
import { homeEngineName } from '../store/engines-slice';
import { EngineForm } from './engine-form';
import { engineStatusLine, engineTone, ENGINE_STATE_LABELS } from './engine-state';

type Editor = null | { mode: 'create' } | { mode: 'edit'; id: string };

function RemoveEngineDialog({ engine, onClose }: { engine: EngineView; onClose: () => void }) {
  const removeEngine = useAppStore((s) => s.removeEngine);
  return (
    <ConfirmDialog
      title={`Remove engine "${engine.name}"?`}
      action="Remove engine"
      busyAction="Removing…"
      run={() => removeEngine(engine.id)}
      done={`Engine "${engine.name}" removed.`}
      onClose={onClose}
    >
      <p>This window stops driving it and forgets its token. The engine itself keeps running, with its connections, mappings and history.</p>
    </ConfirmDialog>
  );
}

/** "Show" for an engine the window does not show; a plain "Shown" for the one it does. */
function ShowButton({ name, shown, onShow }: { name: string; shown: boolean; onShow: () => void }) {
  if (shown) return <span className="badge badge-neutral">Shown</span>;
  return (
    <button type="button" className="button-small" onClick={onShow} aria-label={`Show ${name}`}>
      Show
    </button>
  );
}

function EngineItem({ engine, shown, onEdit, onRemove }: { engine: EngineView; shown: boolean; onEdit: () => void; onRemove: () => void }) {
  const selectEngine = useAppStore((s) => s.selectEngine);
  return (
    <li className="conn-item engine-item" aria-label={engine.name} data-engine-id={engine.id} data-state={engine.state}>
      <div className="conn-text">
        <span className="conn-name">
          {engine.name} <span className={`badge badge-${engineTone(engine.state)}`}>{ENGINE_STATE_LABELS[engine.state]}</span>
        </span>
        <span className="conn-detail">
          {engine.url}
          {engine.version ? ` · v${engine.version}` : ''} · {engine.mappings.length} mapping{engine.mappings.length === 1 ? '' : 's'}
        </span>
        <span className="conn-status">{engineStatusLine(engine)}{engine.lastSeenAt !== null && engine.state !== 'online' ? ` · last heard from ${formatDateTime(engine.lastSeenAt)}` : ''}</span>
        {engine.error !== null && <span className="conn-status status-bad">{engine.error}</span>}
        {engine.fingerprint !== null && <span className="conn-detail engine-pin">Pinned: {engine.fingerprint}</span>}
      </div>
      <div className="conn-actions">
        <ShowButton name={engine.name} shown={shown} onShow={() => selectEngine(engine.id)} />
        <button type="button" className="button-small" onClick={onEdit} aria-label={`Edit ${engine.name}`}>
          Edit
        </button>
        <button type="button" className="button-small button-ghost" onClick={onRemove} aria-label={`Remove ${engine.name}`}>
          Remove
        </button>
      </div>
    </li>
  );
}

export function EnginesView() {
  const engines = useAppStore((s) => s.engines);
  const load = useAppStore((s) => s.enginesLoad);
  const engineId = useAppStore((s) => s.engineId);
  const homeMode = useAppStore((s) => s.homeMode);
  const selectEngine = useAppStore((s) => s.selectEngine);
  const [editor, setEditor] = useState<Editor>(null);
  const [removing, setRemoving] = useState<EngineView | null>(null);
  const editing = editor?.mode === 'edit' ? (engines.find((e) => e.id === editor.id) ?? null) : null;
  const showForm = editor !== null && (editor.mode === 'create' || editing !== null);
  const home = homeEngineName(homeMode);

  return (
    <div className="view">
      <header className="view-header">
        <h1>Engines</h1>
        <button type="button" className="button-primary" onClick={() => setEditor({ mode: 'create' })} disabled={editor?.mode === 'create'}>
          Add engine
        </button>
      </header>
      <p className="muted">
        The window shows one engine at a time: choose it in the sidebar or with “Show”. Mappings run on their engine, even while this window is closed.
      </p>
      <div className={`split ${showForm ? 'split-open' : ''}`}>
        <div className="split-main">
          <ul className="conn-list" aria-label="Engines">
            <li className="conn-item engine-item" aria-label={home} data-state="online">
              <div className="conn-text">
                <span className="conn-name">{home}</span>
                <span className="conn-detail">{homeMode === 'server' ? 'The server that served this page.' : 'The engine inside this app.'}</span>
              </div>
              <div className="conn-actions">
                <ShowButton name={home} shown={engineId === null} onShow={() => selectEngine(null)} />
              </div>
            </li>
            {engines.map((e) => (
              <EngineItem key={e.id} engine={e} shown={e.id === engineId} onEdit={() => setEditor({ mode: 'edit', id: e.id })} onRemove={() => setRemoving(e)} />
            ))}
          </ul>
          {load === 'error' && <p className="form-error">The engines could not be loaded.</p>}
          {load === 'ready' && engines.length === 0 && !showForm && (
            <p className="muted">No remote engine yet. Start <code>cloud-data-sync serve --tls-self-signed</code> on the machine next to your data, then add it here with the address, token and fingerprint it prints.</p>
          )}
        </div>
        {showForm && (
          <div className="split-side">
            <EngineForm key={editor.mode === 'edit' ? editor.id : 'new'} engine={editing} onDone={() => setEditor(null)} />
          </div>
        )}
      </div>
      {removing && <RemoveEngineDialog engine={removing} onClose={() => setRemoving(null)} />}
    </div>
  );
}
