// Asked before a first run (no earlier run) that would delete objects from its target.
import { formatCount } from '../format';
import { Dialog } from '../components/dialog';
import { useAppStore } from '../store';

export function SyncConfirmDialog() {
  const confirm = useAppStore((s) => s.syncConfirm);
  const confirmSyncNow = useAppStore((s) => s.confirmSyncNow);
  const dismiss = useAppStore((s) => s.dismissSyncConfirm);
  if (!confirm) return null;
  const total = confirm.items.reduce((n, i) => n + i.deletes, 0);
  const anyError = confirm.items.some((i) => i.error !== null);
  const title = total > 0 ? `The first run would delete ${formatCount(total)} object${total === 1 ? '' : 's'}` : 'The first run could not be previewed';
  return (
    <Dialog
      title={title}
      role="alertdialog"
      wide
      onClose={dismiss}
      actions={
        <>
          <button type="button" onClick={dismiss} data-autofocus>
            Cancel
          </button>
          <button type="button" className="button-danger" onClick={() => void confirmSyncNow()}>
            {total > 0 ? 'Sync and delete' : 'Sync anyway'}
          </button>
        </>
      }
    >
      <p>
        {confirm.items.length === 1 ? 'This mapping has' : 'These mappings have'} never run. Check that the target is the one you mean: deleted objects cannot be
        restored by this app.
        {anyError ? ' Where the preview failed, the run may fail the same way.' : ''}
      </p>
      {confirm.items.map((item) => (
        <section key={item.mappingId} className="confirm-item" aria-label={item.name}>
          <h3>{item.name}</h3>
          {item.error !== null ? (
            <p className="form-error">Preview failed: {item.error}</p>
          ) : (
            <p>
              {formatCount(item.deletes)} object{item.deletes === 1 ? '' : 's'} would be deleted from the target.
            </p>
          )}
          {item.firstDeletes.length > 0 && (
            <ul className="name-list">
              {item.firstDeletes.map((d) => (
                <li key={d.key}>
                  <code>{d.key}</code> <span className="muted">{d.reason}</span>
                </li>
              ))}
              {item.deletes > item.firstDeletes.length && <li className="muted">…and {formatCount(item.deletes - item.firstDeletes.length)} more</li>}
            </ul>
          )}
        </section>
      ))}
    </Dialog>
  );
}
