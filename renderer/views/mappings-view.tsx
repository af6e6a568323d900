// The board: every mapping as a card (source → target), the editor beside it, and the empty states
// that lead a new user from "add a connection" to "draw a mapping".
import { useEffect, useRef, useState } from 'react';
import type { MappingView } from '../../shared/contract';
import { ConfirmDialog } from '../components/confirm-dialog';
import { EmptyState, LoadingBlock } from '../components/empty-state';
import { useNow } from '../components/use-debounced';
import { useAppStore } from '../store';
import { FirstRun } from './first-run';
import { MappingCard } from './mapping-card';
import { MappingEditor } from './mapping-editor';

function DeleteMappingDialog({ mapping, onClose }: { mapping: MappingView; onClose: () => void }) {
  const deleteMapping = useAppStore((s) => s.deleteMapping);
  return (
    <ConfirmDialog
      title={`Delete mapping "${mapping.name}"?`}
      action="Delete mapping"
      busyAction="Deleting…"
      run={() => deleteMapping(mapping.id)}
      done={`Mapping "${mapping.name}" deleted.`}
      onClose={onClose}
    >
      <p>The mapping, its history and its logs are removed. Objects in the source and target buckets stay as they are.</p>
    </ConfirmDialog>
  );
}

export function MappingsView() {
  const mappings = useAppStore((s) => s.mappings);
  const mappingsLoad = useAppStore((s) => s.mappingsLoad);
  const connectionCount = useAppStore((s) => s.connections.length);
  const connectionsLoad = useAppStore((s) => s.connectionsLoad);
  const editor = useAppStore((s) => s.mappingEditor);
  const openEditor = useAppStore((s) => s.openMappingEditor);
  const [deleting, setDeleting] = useState<MappingView | null>(null);
  const now = useNow(15_000);
  // The cards say when the global bandwidth limit holds them, so they need the settings.
  // (Asked once per visit: a quiet failure leaves them unloaded, and must not ask again at once.)
  const loadSettings = useAppStore((s) => s.loadSettings);
  const settingsLoad = useAppStore((s) => s.settingsLoad);
  const askedForSettings = useRef(false);
  useEffect(() => {
    if (settingsLoad !== 'idle' || askedForSettings.current) return;
    askedForSettings.current = true;
    void loadSettings({ quiet: true });
  }, [settingsLoad, loadSettings]);

  const editing = editor?.mode === 'edit' ? (mappings.find((m) => m.id === editor.id) ?? null) : null;
  const showEditor = editor !== null && (editor.mode === 'create' || editing !== null);
  // The very first mapping: the editor alone, not beside an empty board.
  const alone = showEditor && mappings.length === 0;
  const loading = (mappingsLoad !== 'ready' && mappings.length === 0) || (connectionsLoad !== 'ready' && connectionCount === 0);

  let board;
  if (loading) {
    board = mappingsLoad === 'error' || connectionsLoad === 'error' ? <p className="form-error">Mappings could not be loaded.</p> : <LoadingBlock label="Loading mappings…" height={200} />;
  } else if (connectionCount === 0) {
    board = <FirstRun />;
  } else if (mappings.length === 0) {
    board = showEditor ? null : (
      <EmptyState
        title="No mappings yet"
        actions={
          <button type="button" className="button-primary" onClick={() => openEditor({ mode: 'create' })}>
            Draw your first mapping
          </button>
        }
      >
        <p>A mapping copies a source bucket (or a folder in it) to a target bucket, on demand or on a schedule.</p>
      </EmptyState>
    );
  } else {
    board = (
      <div className="board" role="list" aria-label="Mappings">
        {mappings.map((m) => (
          <div role="listitem" key={m.id}>
            <MappingCard mapping={m} now={now} onDelete={setDeleting} />
          </div>
        ))}
      </div>
    );
  }

  return (
    <div className="view">
      <header className="view-header">
        <h1>Mappings</h1>
        <button type="button" className="button-primary" onClick={() => openEditor({ mode: 'create' })} disabled={connectionCount === 0 || editor?.mode === 'create'}>
          New mapping
        </button>
      </header>
      <div className={`split ${showEditor && !alone ? 'split-open split-wide' : ''} ${alone ? 'split-alone' : ''}`}>
        {!alone && <div className="split-main">{board}</div>}
        {showEditor && (
          <div className="split-side">
            <MappingEditor key={editor.mode === 'edit' ? editor.id : 'new'} mapping={editing} onDone={() => openEditor(null)} />
          </div>
        )}
      </div>
      {deleting && <DeleteMappingDialog mapping={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}
