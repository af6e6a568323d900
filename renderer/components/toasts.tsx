// The error / message area. Messages fade by themselves, errors after longer, so that none stays over
// the editor's Preview or Save, and a click on what a message covers goes through to it (only the
// close button takes clicks: see .toasts in components.css). While the pointer is on a close button or
// the focus is in the area nothing fades. Run errors are also in History and Logs.
import { useEffect, useState } from 'react';
import { useAppStore } from '../store';
import type { Toast } from '../store/ui-slice';

export const AUTO_DISMISS_MS = { info: 6000, success: 6000, error: 20_000 } as const;

function ToastItem({ toast, onDismiss, held }: { toast: Toast; onDismiss: (id: number) => void; held: boolean }) {
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => onDismiss(toast.id), AUTO_DISMISS_MS[toast.kind]);
    return () => clearTimeout(timer);
  }, [toast, onDismiss, held]);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <div className="toast-text">
        {toast.title && <strong className="toast-title">{toast.title}</strong>}
        <span className="toast-message">{toast.message}</span>
      </div>
      <button type="button" className="button-ghost button-small" onClick={() => onDismiss(toast.id)} aria-label={`Dismiss: ${toast.title ?? toast.message}`}>
        ✕
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  const dismiss = useAppStore((s) => s.dismissToast);
  const [pointer, setPointer] = useState(false);
  const [focus, setFocus] = useState(false);
  return (
    <section
      className="toasts"
      aria-label="Messages"
      onPointerOver={(e) => setPointer((e.target as Element).closest('button') !== null)}
      onPointerOut={() => setPointer(false)}
      onFocus={() => setFocus(true)}
      onBlur={(e) => setFocus(e.currentTarget.contains(e.relatedTarget as Node | null))}
    >
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} onDismiss={dismiss} held={pointer || focus} />
      ))}
    </section>
  );
}
