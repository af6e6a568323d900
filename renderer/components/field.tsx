// A labelled form field with help text and an error, wired for assistive technology: the control is
// named by the label and described by the help and the error.
import { useId, type ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean | undefined;
}

export interface FieldProps {
  label: string;
  help?: ReactNode;
  error?: string | null;
  required?: boolean;
  children: (control: FieldControlProps) => ReactNode;
  className?: string;
}

export function Field({ label, help, error, required = false, children, className }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [help ? helpId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
        {required && <span className="field-required" aria-hidden="true"> *</span>}
      </label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {help && (
        <p id={helpId} className="field-help">
          {help}
        </p>
      )}
      {/* Reserved line: an error appearing does not push the form down. */}
      <p id={errorId} className="field-error" role={error ? 'alert' : undefined}>
        {error ?? ''}
      </p>
    </div>
  );
}

export interface CheckboxFieldProps {
  label: string;
  help?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

export function CheckboxField({ label, help, checked, onChange, disabled = false }: CheckboxFieldProps) {
  const id = useId();
  return (
    <div className="field field-checkbox">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={help ? `${id}-help` : undefined} />
      <div>
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        {help && (
          <p id={`${id}-help`} className="field-help">
            {help}
          </p>
        )}
      </div>
    </div>
  );
}

/**
 * The form's own error (not a field's): always in the page, so screen readers that watch it hear a
 * message as it appears; empty and silent while there is none.
 */
export function FormError({ message }: { message: string | null | undefined }) {
  return (
    <p className="form-error" role={message ? 'alert' : undefined}>
      {message ?? ''}
    </p>
  );
}
