// A modal dialog: labelled by its title, focus moved in and kept in, Escape closes, focus goes back
// to where it was on close. Rendered into document.body so no ancestor's overflow clips it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  children: ReactNode;
  /** The buttons row. */
  actions: ReactNode;
  onClose: () => void;
  /** 'alert' for confirmations of something destructive. */
  role?: 'dialog' | 'alertdialog';
  wide?: boolean;
}

export function Dialog({ title, children, actions, onClose, role = 'dialog', wide = false }: DialogProps) {
  const titleId = useId();
  const bodyId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    // The window behind the dialog leaves the tab order and the accessibility tree while it is open.
    const app = document.getElementById('root');
    const madeInert = app !== null && !app.hasAttribute('inert');
    if (madeInert) app.setAttribute('inert', '');
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = panel.current;
    // Start on the least destructive action: the first button in the actions row is "Cancel".
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();

    // On the document, not the panel: focus may have left the panel (a button that became
    // disabled drops it on <body>), and Escape and Tab must still work.
    const onKeyDown = (e: KeyboardEvent) => {
      const current = panel.current;
      if (!current) return;
      if (e.key === 'Escape') {
        e.stopPropagation();
        onCloseRef.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = [...current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      if (items.length === 0) return;
      const firstItem = items[0]!;
      const lastItem = items[items.length - 1]!;
      const inside = current.contains(document.activeElement);
      if (!inside) {
        e.preventDefault();
        (e.shiftKey ? lastItem : firstItem).focus();
      } else if (e.shiftKey && document.activeElement === firstItem) {
        e.preventDefault();
        lastItem.focus();
      } else if (!e.shiftKey && document.activeElement === lastItem) {
        e.preventDefault();
        firstItem.focus();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      if (madeInert) app.removeAttribute('inert');
      previous?.focus();
    };
  }, []);

  return createPortal(
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onCloseRef.current()}>
      <div
        ref={panel}
        className={`dialog ${wide ? 'dialog-wide' : ''}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
      >
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <div id={bodyId} className="dialog-body">
          {children}
        </div>
        <div className="dialog-actions">{actions}</div>
      </div>
    </div>,
    document.body,
  );
}
