// A secret (key, password, connection string). A stored secret is never shown or sent back: the
// field says "set" and offers Replace (type a new one; left empty it keeps the old) and Clear.
import { useRef, type ReactNode } from 'react';
import { Field } from './field';

export type SecretValue = { kind: 'keep' } | { kind: 'replace'; value: string } | { kind: 'clear' };

/** What a secret contributes to ConnectionInput: a string sets, '' clears, undefined keeps. */
export function secretInputValue(secret: SecretValue): string | undefined {
  if (secret.kind === 'clear') return '';
  if (secret.kind === 'replace' && secret.value !== '') return secret.value;
  return undefined;
}

/** Whether the secret will hold a value after saving. */
export function secretWillBeSet(secret: SecretValue, storedSet: boolean): boolean {
  if (secret.kind === 'clear') return false;
  if (secret.kind === 'replace' && secret.value !== '') return true;
  return storedSet;
}

export interface SecretFieldProps {
  label: string;
  help?: ReactNode;
  error?: string | null;
  required?: boolean;
  /** The stored connection has this secret. */
  storedSet: boolean;
  value: SecretValue;
  onChange: (value: SecretValue) => void;
  multiline?: boolean;
  placeholder?: string;
}

export function SecretField({ label, help, error, required, storedSet, value, onChange, multiline = false, placeholder }: SecretFieldProps) {
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const editing = !storedSet || value.kind === 'replace';
  return (
    <Field label={label} help={help} error={error} required={required && !storedSet}>
      {(control) =>
        editing ? (
          <div className="secret-edit">
            {multiline ? (
              <textarea
                {...control}
                ref={input}
                className="input input-mono"
                rows={5}
                spellCheck={false}
                autoComplete="off"
                placeholder={storedSet ? 'Leave empty to keep the current value' : placeholder}
                value={value.kind === 'replace' ? value.value : ''}
                onChange={(e) => onChange({ kind: 'replace', value: e.target.value })}
              />
            ) : (
              <input
                {...control}
                ref={input}
                className="input"
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                placeholder={storedSet ? 'Leave empty to keep the current value' : placeholder}
                value={value.kind === 'replace' ? value.value : ''}
                onChange={(e) => onChange({ kind: 'replace', value: e.target.value })}
              />
            )}
            {storedSet && (
              <button type="button" className="button-ghost button-small" onClick={() => onChange({ kind: 'keep' })}>
                Keep current
              </button>
            )}
          </div>
        ) : (
          <div className="secret-set" id={control.id} aria-describedby={control['aria-describedby']} tabIndex={-1}>
            <span className={`secret-state ${value.kind === 'clear' ? 'secret-state-cleared' : ''}`} data-testid="secret-state">
              {value.kind === 'clear' ? 'Will be cleared when saved' : 'Set'}
            </span>
            {value.kind === 'clear' ? (
              <button type="button" className="button-small" onClick={() => onChange({ kind: 'keep' })} aria-label={`Undo clear ${label}`}>
                Undo
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="button-small"
                  aria-label={`Replace ${label}`}
                  onClick={() => {
                    onChange({ kind: 'replace', value: '' });
                    // The input appears on the next render: focus it then.
                    requestAnimationFrame(() => input.current?.focus());
                  }}
                >
                  Replace
                </button>
                <button type="button" className="button-small button-ghost" aria-label={`Clear ${label}`} onClick={() => onChange({ kind: 'clear' })}>
                  Clear
                </button>
              </>
            )}
          </div>
        )
      }
    </Field>
  );
}
