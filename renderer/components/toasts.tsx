// The error / message area: errors stay until dismissed, other messages fade after a while.
import { useEffect } from 'react';
import { useAppStore } from '../store';
import type { Toast } from '../store/ui-slice';

const AUTO_DISMISS_MS = 6000;

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  useEffect(() => {
    if (toast.kind === 'error') return;
    const timer = setTimeout(() => onDismiss(toast.id), AUTO_DISMISS_MS);
    return () => clearTimeout(timer);
  }, [toast, onDismiss]);
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
  return (
    <section className="toasts" aria-label="Messages">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
      ))}
    </section>
  );
}
