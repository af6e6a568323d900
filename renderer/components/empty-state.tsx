import type { ReactNode } from 'react';

export function EmptyState({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2 className="empty-title">{title}</h2>
      {children && <div className="empty-text">{children}</div>}
      {actions && <div className="empty-actions">{actions}</div>}
    </div>
  );
}

/** A fixed-height placeholder while something loads: the layout does not jump when it arrives. */
export function LoadingBlock({ label, height = 120 }: { label: string; height?: number }) {
  return (
    <div className="loading-block" style={{ minHeight: height }} role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
