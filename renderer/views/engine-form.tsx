// Add or edit a remote engine: its address and token as `serve` printed them, then "Check", which
// reads the engine's certificate without sending the token, so the user compares its fingerprint with
// the one serve printed before pinning it. Nothing is pinned that the user did not look at.
import { useId, useState, type FormEvent } from 'react';
import type { EngineProbe, EngineView } from '../../shared/contract';
import { Field, CheckboxField, FormError } from '../components/field';
import { useAppStore } from '../store';

export interface EngineFormProps {
  /** The engine to edit, or null to add one. */
  engine: EngineView | null;
  onDone: () => void;
}

/**
 * Splits the address serve prints (`https://host:port/?token=…`) into the address and its token: a
 * pasted URL puts its token into the token field, never into the address that is shown and stored.
 */
export function splitServeUrl(text: string): { url: string; token: string | null } {
  const trimmed = text.trim();
  const match = /^(https?:\/\/[^/?#\s]+)\/?\?(?:.*&)?token=([^&#\s]+)/i.exec(trimmed);
  if (!match) return { url: trimmed, token: null };
  return { url: `${match[1]}/`, token: decodeURIComponent(match[2]!) };
}

type Errors = Partial<Record<'name' | 'url' | 'token' | 'pin', string>>;

export function EngineForm({ engine, onDone }: EngineFormProps) {
  const editing = engine !== null;
  const [name, setName] = useState(engine?.name ?? '');
  const [url, setUrl] = useState(engine?.url ?? '');
  const [token, setToken] = useState('');
  /** The last check, of the address it was made for. */
  const [probe, setProbe] = useState<EngineProbe | null>(null);
  const [checking, setChecking] = useState(false);
  const [compared, setCompared] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const probeEngine = useAppStore((s) => s.probeEngine);
  const addEngine = useAppStore((s) => s.addEngine);
  const updateEngine = useAppStore((s) => s.updateEngine);
  const notify = useAppStore((s) => s.notify);
  const headingId = useId();

  // The address field may hold a pasted `…/?token=…` until it loses focus: its token is never sent as the address.
  const pasted = splitServeUrl(url);
  const address = pasted.url;
  const tokenToSend = token === '' && pasted.token !== null ? pasted.token : token;
  const addressChanged = !editing || address !== engine.url;
  const checked = probe !== null && probe.url === address && probe.error === null;
  /** A certificate no authority vouches for: the user compares and pins its fingerprint. */
  const needsPin = checked && probe.fingerprint !== null && !probe.trusted;

  /** Moves a pasted address's token into the token field, out of sight. */
  const tidyAddress = () => {
    if (pasted.token === null) return;
    setUrl(pasted.url);
    setToken(pasted.token);
  };

  const onCheck = async () => {
    if (address === '') return setErrors({ url: 'Enter the address serve printed.' });
    setChecking(true);
    setErrors({});
    const result = await probeEngine(address);
    setChecking(false);
    setCompared(false);
    if (result.ok) setProbe(result.value);
    else setErrors({ url: result.error.message });
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const next: Errors = {};
    if (name.trim() === '') next.name = 'Enter a name.';
    if (address === '') next.url = 'Enter the address serve printed.';
    if (!editing && tokenToSend === '') next.token = 'Enter the token serve was started with.';
    if (addressChanged && !checked) next.url = next.url ?? 'Check the address first: the window must see its certificate before it is saved.';
    if (needsPin && !compared) next.pin = 'Compare the fingerprint with the one serve printed, then tick the box.';
    setErrors(next);
    setFormError(null);
    if (Object.keys(next).length > 0) return;
    setSaving(true);
    const fingerprint = addressChanged ? (needsPin ? probe.fingerprint : null) : engine!.fingerprint;
    const result = editing
      ? await updateEngine({ id: engine.id, name: name.trim(), url: address, fingerprint, ...(tokenToSend === '' ? {} : { token: tokenToSend }) })
      : await addEngine({ name: name.trim(), url: address, token: tokenToSend, fingerprint });
    setSaving(false);
    if (!result.ok) {
      const field = result.error.field;
      if (field === 'name' || field === 'url' || field === 'token') setErrors({ [field]: result.error.message });
      else setFormError(result.error.message);
      return;
    }
    notify('success', editing ? `Engine "${result.value.name}" saved.` : `Engine "${result.value.name}" added.`);
    onDone();
  };

  return (
    <form className="panel engine-form" aria-labelledby={headingId} onSubmit={onSubmit} noValidate>
      <header className="panel-header">
        <h2 id={headingId}>{editing ? `Edit ${engine.name}` : 'Add engine'}</h2>
      </header>
      <p className="field-help">
        An engine is <code>cloud-data-sync serve</code> running on another machine, e.g. a VM next to the data. Its mappings run there; this window shows and
        drives them.
      </p>
      <Field label="Name" required error={errors.name} help="How the engine is shown in the window, e.g. the VM's name.">
        {(control) => <input {...control} className="input" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />}
      </Field>
      <Field label="Address" required error={errors.url} help="The address serve printed at start, e.g. https://10.0.0.5:8384/ (pasting it with its ?token= fills the token too).">
        {(control) => <input {...control} className="input input-code" value={url} onChange={(e) => setUrl(e.target.value)} onBlur={tidyAddress} autoComplete="off" spellCheck={false} />}
      </Field>
      <Field
        label="Token"
        required={!editing}
        error={errors.token}
        help={editing ? 'Leave empty to keep the stored token.' : 'The token serve was started with (CDS_SERVER_TOKEN). It is kept encrypted by this app and sent only to that engine.'}
      >
        {(control) => <input {...control} type="password" className="input" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />}
      </Field>

      <div className="engine-check">
        <button type="button" onClick={() => void onCheck()} disabled={checking}>
          {checking ? 'Checking…' : 'Check'}
        </button>
        {!addressChanged && !checked && <span className="field-help">{engine?.fingerprint ? `Pinned: ${engine.fingerprint}` : 'Address unchanged.'}</span>}
      </div>
      {probe !== null && probe.url === address && (
        <div className="engine-probe" role="status" aria-label="Certificate check">
          {probe.error !== null ? (
            <p className="status-bad">Could not check {probe.url}: {probe.error}</p>
          ) : probe.fingerprint === null ? (
            <p className="status-warn">Plain http: there is no certificate to pin, and the token and data travel unencrypted. Use it only on this machine or a trusted network.</p>
          ) : probe.trusted ? (
            <p className="status-ok">A certificate authority this computer trusts vouches for this certificate: no pin needed.</p>
          ) : (
            <>
              <p>The engine's certificate has this SHA-256 fingerprint:</p>
              <p className="engine-fingerprint" data-fingerprint={probe.fingerprint}>
                {probe.fingerprint}
              </p>
              <CheckboxField
                label="It is the fingerprint serve printed at start"
                help="serve prints “SHA-256 fingerprint: …” under its address. If they differ, do not pin: someone may be between you and the engine."
                checked={compared}
                onChange={setCompared}
              />
              <p className="field-error" role={errors.pin ? 'alert' : undefined}>
                {errors.pin ?? ''}
              </p>
            </>
          )}
        </div>
      )}

      <FormError message={formError} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? 'Saving…' : needsPin ? 'Pin and save' : editing ? 'Save changes' : 'Save engine'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
