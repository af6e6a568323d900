// Add or edit a connection: the provider's fields (from its descriptor) with help, client checks,
// server errors next to their field, secrets as "set / Replace / Clear", and a test of the form's
// values before saving.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ConnectionView } from '../../shared/contract';
import { descriptorOf, DESCRIPTORS, fieldsOf, type ProviderType } from '../../shared/providers';
import { Field, CheckboxField, FormError } from '../components/field';
import { ProviderLogo } from '../components/provider-logo';
import { SecretField } from '../components/secret-field';
import { useNow } from '../components/use-debounced';
import { useAppStore } from '../store';
import { formTestKey } from '../store/connections-slice';
import {
  connectionToForm,
  emptyConnectionForm,
  formFieldOf,
  formToConnectionInput,
  validateConnectionForm,
  type ConnectionFormState,
  type FormErrors,
} from './connection-fields';
import { ConnectionTestResult } from './connection-test-result';

export interface ConnectionFormProps {
  /** The connection to edit, or null to create one of `initialType`. */
  connection: ConnectionView | null;
  initialType: ProviderType;
  onDone: (saved: ConnectionView | null) => void;
}

export function ConnectionForm({ connection, initialType, onDone }: ConnectionFormProps) {
  const [form, setForm] = useState<ConnectionFormState>(() => (connection ? connectionToForm(connection) : emptyConnectionForm(initialType)));
  const [errors, setErrors] = useState<FormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [testBucket, setTestBucket] = useState('');
  const saveConnection = useAppStore((s) => s.saveConnection);
  const testConnection = useAppStore((s) => s.testConnection);
  const notify = useAppStore((s) => s.notify);
  const testKey = formTestKey(connection?.id ?? null);
  // The form as it was tested: a result describes the saved connection only if it was saved unchanged.
  const [testedForm, setTestedForm] = useState<ConnectionFormState | null>(null);
  const test = useAppStore((s) => s.connectionTests[testKey]);
  const now = useNow(15_000);
  const formRef = useRef<HTMLFormElement>(null);
  const headingId = useId();
  const fields = useMemo(() => fieldsOf(form.type), [form.type]);
  const label = descriptorOf(form.type).label;
  const editing = connection !== null;
  const clearConnectionTest = useAppStore((s) => s.clearConnectionTest);
  const adoptConnectionTest = useAppStore((s) => s.adoptConnectionTest);

  // A form starts without the result of an earlier form's test, and leaves none behind.
  useEffect(() => {
    clearConnectionTest(testKey);
    return () => clearConnectionTest(testKey);
  }, [testKey, clearConnectionTest]);

  const setValue = (key: string, value: string | boolean) => {
    setForm((f) => ({ ...f, values: { ...f.values, [key]: value } }));
    setErrors(({ [key]: _fixed, ...rest }) => rest);
  };

  const focusFirstError = (found: FormErrors) => {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    return found;
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const found = validateConnectionForm(form);
    setErrors(found);
    setFormError(found[''] ?? null);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    setSaving(true);
    const result = await saveConnection(formToConnectionInput(form));
    setSaving(false);
    if (result.ok) {
      if (testedForm === form) adoptConnectionTest(testKey, result.value.id);
      notify('success', `Connection "${result.value.name}" saved.`);
      onDone(result.value);
      return;
    }
    const key = formFieldOf(result.error.field, form.type);
    if (key === 'name' || fields.some((f) => f.key === key)) {
      setErrors({ [key]: result.error.message });
      focusFirstError({});
    } else {
      setFormError(result.error.message);
    }
  };

  const onTest = () => {
    const bucket = testBucket.trim();
    setTestedForm(form);
    void testConnection(testKey, {
      ...(connection ? { id: connection.id } : {}),
      input: formToConnectionInput(form),
      ...(bucket ? { bucket } : {}),
    });
  };


  return (
    <form ref={formRef} className="panel connection-form" aria-labelledby={headingId} onSubmit={onSubmit} noValidate>
      <header className="panel-header">
        <ProviderLogo type={form.type} size={28} decorative />
        <h2 id={headingId}>{editing ? `Edit ${connection.name}` : `Add ${label} connection`}</h2>
      </header>

      {!editing && (
        <Field label="Type" help="Where the buckets are. A local folder needs no cloud account: a good way to try the app.">
          {(control) => (
            <select
              {...control}
              className="input"
              value={form.type}
              onChange={(e) => {
                const type = e.target.value as ProviderType;
                setForm((f) => ({ ...emptyConnectionForm(type), name: f.name }));
                setErrors({});
              }}
            >
              {DESCRIPTORS.map((d) => (
                <option key={d.type} value={d.type}>
                  {d.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}

      <Field label="Name" required error={errors.name} help="How this connection is shown in mappings and logs.">
        {(control) => (
          <input
            {...control}
            className="input"
            value={form.name}
            autoComplete="off"
            onChange={(e) => {
              const name = e.target.value;
              setForm((f) => ({ ...f, name }));
              setErrors(({ name: _fixed, ...rest }) => rest);
            }}
          />
        )}
      </Field>

      <fieldset className="fieldset">
        <legend>{label} settings</legend>
        {fields.map((f) => {
          if (f.secret) {
            return (
              <SecretField
                key={f.key}
                label={f.label}
                help={f.help}
                error={errors[f.key]}
                required={f.required !== undefined}
                placeholder={f.placeholder}
                multiline={f.kind === 'multiline'}
                storedSet={form.storedSecrets[f.key] === true}
                value={form.secrets[f.key] ?? { kind: 'keep' }}
                onChange={(value) => {
                  setForm((s) => ({ ...s, secrets: { ...s.secrets, [f.key]: value } }));
                  setErrors(({ [f.key]: _fixed, ...rest }) => rest);
                }}
              />
            );
          }
          if (f.kind === 'checkbox') {
            return <CheckboxField key={f.key} label={f.label} help={f.help} checked={form.values[f.key] === true} onChange={(v) => setValue(f.key, v)} />;
          }
          if (f.kind === 'select') {
            return (
              <Field key={f.key} label={f.label} help={f.help} error={errors[f.key]}>
                {(control) => (
                  <select {...control} className="input" value={String(form.values[f.key] ?? '')} onChange={(e) => setValue(f.key, e.target.value)}>
                    {f.options?.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            );
          }
          return (
            <Field key={f.key} label={f.label} help={f.help} error={errors[f.key]} required={f.required !== undefined}>
              {(control) =>
                f.kind === 'multiline' ? (
                  <textarea
                    {...control}
                    className="input"
                    value={String(form.values[f.key] ?? '')}
                    placeholder={f.placeholder}
                    spellCheck={false}
                    onChange={(e) => setValue(f.key, e.target.value)}
                  />
                ) : (
                  <input
                    {...control}
                    className="input"
                    value={String(form.values[f.key] ?? '')}
                    placeholder={f.placeholder}
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(e) => setValue(f.key, e.target.value)}
                  />
                )
              }
            </Field>
          );
        })}
      </fieldset>

      <fieldset className="fieldset">
        <legend>Test</legend>
        <div className="test-row">
          <Field label="Bucket for the read and write checks" help="Optional. Without it, only sign-in and bucket listing are checked. The write check writes and removes a small test object.">
            {(control) => <input {...control} className="input" value={testBucket} onChange={(e) => setTestBucket(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
          <button type="button" onClick={onTest} disabled={test?.running === true}>
            {test?.running ? 'Testing…' : 'Test connection'}
          </button>
        </div>
        <ConnectionTestResult test={test} now={now} />
      </fieldset>

      <FormError message={formError} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Save connection'}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
