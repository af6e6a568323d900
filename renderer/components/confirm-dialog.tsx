// The confirmation of something destructive (delete a mapping or a connection, remove an engine):
// Cancel first and focused, the danger button busy while the command runs, its error shown in place,
// a toast and close on success.
import { useState, type ReactNode } from 'react';
import type { Envelope } from '../../shared/contract';
import { useAppStore } from '../store';
import { Dialog } from './dialog';
import { FormError } from './field';

export interface ConfirmDialogProps {
  title: string;
  /** The danger button: its label, and its label while the command runs. */
  action: string;
  busyAction: string;
  /** Runs the command; its error is shown in the dialog. */
  run: () => Promise<Envelope<unknown>>;
  /** The toast after it succeeded. */
  done: string;
  onClose: () => void;
  /** The action cannot be taken (the dialog then only explains why): Close instead of Cancel. */
  blocked?: boolean;
  children: ReactNode;
}

export function ConfirmDialog({ title, action, busyAction, run, done, onClose, blocked = false, children }: ConfirmDialogProps) {
  const notify = useAppStore((s) => s.notify);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    const result = await run();
    setBusy(false);
    if (result.ok) {
      notify('success', done);
      onClose();
    } else {
      setError(result.error.message);
    }
  };
  return (
    <Dialog
      title={title}
      role="alertdialog"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose} data-autofocus>
            {blocked ? 'Close' : 'Cancel'}
          </button>
          <button type="button" className="button-danger" onClick={() => void confirm()} disabled={busy || blocked}>
            {busy ? busyAction : action}
          </button>
        </>
      }
    >
      {children}
      <FormError message={error} />
    </Dialog>
  );
}
