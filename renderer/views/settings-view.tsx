// Settings: limits, desktop behaviour and the Prometheus listener (only in the desktop app), the
// alerts sent for every mapping, import of the original tool's config.json with a look at what it
// will create first, and export.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { bwLimitProblem } from '../../shared/bandwidth';
import { metricsAddrProblem } from '../../shared/metrics-addr';
import type { AppSettings, AppSettingsChanges, ConfigImportResult } from '../../shared/contract';
import { downloadText } from '../components/download';
import { CheckboxField, Field, FormError } from '../components/field';
import { LoadingBlock } from '../components/empty-state';
import { PROVIDER_LABELS } from '../components/provider-logo';
import { useAppStore } from '../store';
import { alertsFormProblemAt, alertsToForm, formToAlertsInput, type AlertsFormState } from './alerts-form';
import { AlertsEditor } from './alerts-editor';

/** The address offered when the metrics listener is turned on: the CLI's example (--metrics-addr), OpenTelemetry's Prometheus port. */
const DEFAULT_METRICS_ADDR = '127.0.0.1:9464';

interface Draft {
  globalConcurrency: string;
  maxConcurrentRuns: string;
  startAtLogin: boolean;
  closeToTray: boolean;
  notifications: boolean;
  /** The global bandwidth limit's text; '' for none. */
  bwLimit: string;
  /** Whether the desktop's Prometheus listener is on, and its HOST:PORT (kept while off, as a suggestion). */
  metricsOn: boolean;
  metricsAddr: string;
}

const toDraft = (s: AppSettings): Draft => ({
  globalConcurrency: String(s.globalConcurrency),
  maxConcurrentRuns: String(s.maxConcurrentRuns),
  startAtLogin: s.startAtLogin,
  closeToTray: s.closeToTray,
  notifications: s.notifications,
  bwLimit: s.bwLimit ?? '',
  metricsOn: s.metricsAddr !== null,
  metricsAddr: s.metricsAddr ?? DEFAULT_METRICS_ADDR,
});

function wholeAtLeastOne(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) && Number(t) >= 1 ? Number(t) : null;
}

function GeneralSettings({ settings, desktop }: { settings: AppSettings; desktop: boolean }) {
  const saveSettings = useAppStore((s) => s.saveSettings);
  const notify = useAppStore((s) => s.notify);
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  const [errors, setErrors] = useState<Partial<Record<keyof Draft | 'form', string>>>({});
  const [saving, setSaving] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(settings));

  // Settings changed elsewhere (tray, another window) while nothing is being edited: show them.
  const [base, setBase] = useState(settings);
  if (base !== settings) {
    setBase(settings);
    if (!dirty) setDraft(toDraft(settings));
  }

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const globalConcurrency = wholeAtLeastOne(draft.globalConcurrency);
    const maxConcurrentRuns = wholeAtLeastOne(draft.maxConcurrentRuns);
    const found: typeof errors = {};
    if (globalConcurrency === null) found.globalConcurrency = 'Give a whole number, at least 1.';
    if (maxConcurrentRuns === null) found.maxConcurrentRuns = 'Give a whole number, at least 1.';
    const bwLimit = draft.bwLimit.trim() === '' ? null : draft.bwLimit.trim();
    const bwProblem = bwLimit === null ? null : bwLimitProblem(bwLimit);
    if (bwProblem !== null) found.bwLimit = `Bandwidth limit ${bwProblem}.`;
    const metricsAddr = desktop && draft.metricsOn ? draft.metricsAddr.trim() : null;
    const metricsProblem = metricsAddr === null ? null : metricsAddrProblem(metricsAddr);
    if (metricsProblem !== null) found.metricsAddr = `The metrics address ${metricsProblem}.`;
    setErrors(found);
    if (globalConcurrency === null || maxConcurrentRuns === null || bwProblem !== null || metricsProblem !== null) return;
    setSaving(true);
    const patch: AppSettingsChanges = {
      globalConcurrency,
      maxConcurrentRuns,
      // Sent only when changed here, so a limit set meanwhile elsewhere (another window) is not undone.
      ...(bwLimit !== settings.bwLimit ? { bwLimit } : {}),
      ...(desktop ? { startAtLogin: draft.startAtLogin, closeToTray: draft.closeToTray, notifications: draft.notifications } : {}),
      // Only the desktop app listens; sent only when changed, as the bandwidth limit.
      ...(desktop && metricsAddr !== settings.metricsAddr ? { metricsAddr } : {}),
    };
    const result = await saveSettings(patch);
    setSaving(false);
    if (result.ok) {
      setDraft(toDraft(result.value));
      notify('success', 'Settings saved.');
    } else {
      const field = result.error.field as keyof Draft | undefined;
      setErrors(field && field in draft ? { [field]: result.error.message } : { form: result.error.message });
    }
  };

  return (
    <form className="panel" aria-labelledby="settings-general" onSubmit={onSubmit} noValidate>
      <h2 id="settings-general">General</h2>
      <Field label="Parallel transfers across all mappings" error={errors.globalConcurrency} help="The most objects copied at once by the whole app. Each mapping also has its own limit.">
        {(control) => (
          <input {...control} className="input input-narrow" inputMode="numeric" value={draft.globalConcurrency} onChange={(e) => setDraft((d) => ({ ...d, globalConcurrency: e.target.value }))} />
        )}
      </Field>
      <Field label="Mappings running at once" error={errors.maxConcurrentRuns} help="Other mappings due to run wait in a queue.">
        {(control) => (
          <input {...control} className="input input-narrow" inputMode="numeric" value={draft.maxConcurrentRuns} onChange={(e) => setDraft((d) => ({ ...d, maxConcurrentRuns: e.target.value }))} />
        )}
      </Field>
      <Field
        label="Bandwidth limit for all mappings"
        error={errors.bwLimit}
        help='Bytes per second shared by every running mapping, e.g. "2M" (K, M, G: KiB, MiB, GiB), or a weekly timetable such as "Mon-08:00,2M 19:00,off". Empty: no limit. Each mapping may also have its own; server-side copies are not limited.'
      >
        {(control) => (
          <input {...control} className="input input-code" value={draft.bwLimit} placeholder="e.g. 2M" autoComplete="off" spellCheck={false} onChange={(e) => setDraft((d) => ({ ...d, bwLimit: e.target.value }))} />
        )}
      </Field>
      {desktop && (
        <fieldset className="fieldset">
          <legend>Desktop</legend>
          <CheckboxField label="Start at login" help="Open in the tray when you log in, so scheduled mappings keep running." checked={draft.startAtLogin} onChange={(v) => setDraft((d) => ({ ...d, startAtLogin: v }))} />
          <CheckboxField label="Keep running in the tray when the window is closed" help="Quit from the tray menu to stop syncing." checked={draft.closeToTray} onChange={(v) => setDraft((d) => ({ ...d, closeToTray: v }))} />
          <CheckboxField label="Notifications" help="A desktop notification when a run fails or a delete guard stops a run." checked={draft.notifications} onChange={(v) => setDraft((d) => ({ ...d, notifications: v }))} />
        </fieldset>
      )}
      {desktop && (
        <fieldset className="fieldset">
          <legend>Prometheus metrics</legend>
          <CheckboxField
            label="Serve Prometheus metrics"
            help="While the app runs, http://HOST:PORT/metrics shows every mapping's run counters (objects and bytes copied, failures, last success) to a Prometheus scraper; it has no token, so it listens on this computer's loopback address only."
            checked={draft.metricsOn}
            onChange={(v) => {
              setDraft((d) => ({ ...d, metricsOn: v }));
              setErrors(({ metricsAddr: _fixed, ...rest }) => rest);
            }}
          />
          <Field label="Metrics address" error={errors.metricsAddr} help='HOST:PORT on a loopback address, e.g. "127.0.0.1:9464" or "[::1]:9464".'>
            {(control) => (
              <input
                {...control}
                className="input input-code"
                value={draft.metricsAddr}
                disabled={!draft.metricsOn}
                placeholder={DEFAULT_METRICS_ADDR}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => setDraft((d) => ({ ...d, metricsAddr: e.target.value }))}
              />
            )}
          </Field>
        </fieldset>
      )}
      <FormError message={errors.form} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving || !dirty}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <button type="button" disabled={!dirty} onClick={() => { setDraft(toDraft(settings)); setErrors({}); }}>
          Undo changes
        </button>
      </div>
    </form>
  );
}

/** The alerts sent for every mapping's runs (settings `alerts`), saved on their own. */
function GlobalAlerts({ settings }: { settings: AppSettings }) {
  const saveSettings = useAppStore((s) => s.saveSettings);
  const notify = useAppStore((s) => s.notify);
  const [form, setForm] = useState<AlertsFormState>(() => alertsToForm(settings.alerts));
  const [error, setError] = useState<{ message: string; field: string | null; atSection: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const dirty = JSON.stringify(form) !== JSON.stringify(alertsToForm(settings.alerts));

  // Changed elsewhere (another window, an import) while nothing is being edited: show them.
  const [base, setBase] = useState(settings);
  if (base !== settings) {
    setBase(settings);
    if (!dirty) setForm(alertsToForm(settings.alerts));
  }

  const focusInvalid = () => requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = alertsFormProblemAt(form);
    if (problem) {
      setError({ ...problem, atSection: true });
      focusInvalid();
      return;
    }
    setSaving(true);
    const result = await saveSettings({ alerts: formToAlertsInput(form) });
    setSaving(false);
    if (result.ok) {
      setForm(alertsToForm(result.value.alerts));
      setError(null);
      notify('success', 'Alerts saved.');
    } else {
      // What was typed stays, so the user can fix it and save again.
      const field = result.error.field ?? null;
      setError({ message: result.error.message, field, atSection: field?.startsWith('alerts') ?? false });
      focusInvalid();
    }
  };

  return (
    <form ref={formRef} className="panel settings-alerts" aria-labelledby="settings-alerts" onSubmit={onSubmit} noValidate>
      <h2 id="settings-alerts">Alerts for every mapping</h2>
      <AlertsEditor
        value={form}
        onChange={(next) => {
          setForm(next);
          setError(null);
        }}
        error={error?.atSection ? error.message : null}
        errorField={error?.atSection ? error.field : null}
        help="Sent for every mapping's runs, besides each mapping's own alerts (a URL in both is sent once). A cancelled run sends nothing. Saved URLs and secrets are kept encrypted and never shown again: a URL shows only its site."
      />
      <FormError message={error && !error.atSection ? error.message : null} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving || !dirty}>
          {saving ? 'Saving…' : 'Save alerts'}
        </button>
        <button
          type="button"
          disabled={saving || !dirty}
          onClick={() => {
            setForm(alertsToForm(settings.alerts));
            setError(null);
          }}
        >
          Undo changes
        </button>
      </div>
    </form>
  );
}

function ImportPlan({ plan }: { plan: ConfigImportResult }) {
  const word = (exists: boolean) => (exists ? (plan.applied ? 'updated' : 'will be updated') : plan.applied ? 'created' : 'will be created');
  return (
    <section className="import-plan" aria-label={plan.applied ? 'Imported' : 'What the import will do'}>
      <h3>{plan.applied ? 'Imported' : 'What the import will do'}</h3>
      <h4>Connections ({plan.connections.length})</h4>
      <ul className="name-list">
        {plan.connections.map((c) => (
          <li key={c.id}>
            <strong>{c.name}</strong> <span className="muted">({PROVIDER_LABELS[c.type]})</span> — {word(c.exists)}
          </li>
        ))}
      </ul>
      <h4>Mappings ({plan.mappings.length})</h4>
      <ul className="name-list">
        {plan.mappings.map((m) => (
          <li key={m.id}>
            <strong>{m.name}</strong> — {word(m.exists)}
          </li>
        ))}
      </ul>
      {plan.warnings.length > 0 && (
        <>
          <h4>Warnings</h4>
          <ul className="name-list warnings">
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ImportExport() {
  const importConfig = useAppStore((s) => s.importConfig);
  const exportConfig = useAppStore((s) => s.exportConfig);
  const reportError = useAppStore((s) => s.reportError);
  const notify = useAppStore((s) => s.notify);
  const [json, setJson] = useState('');
  const [plan, setPlan] = useState<ConfigImportResult | null>(null);
  const [planFor, setPlanFor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'check' | 'apply' | 'export' | null>(null);
  const fileId = useId();

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      setJson(await file.text());
      setPlan(null);
      setError(null);
    } catch (e) {
      setError(`Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const run = async (apply: boolean) => {
    setBusy(apply ? 'apply' : 'check');
    setError(null);
    const result = await importConfig(json, apply);
    setBusy(null);
    if (result.ok) {
      setPlan(result.value);
      setPlanFor(json);
      if (apply) notify('success', `Imported ${result.value.connections.length} connections and ${result.value.mappings.length} mappings.`);
    } else {
      setPlan(null);
      setError(result.error.message);
    }
  };

  const onExport = async () => {
    setBusy('export');
    const result = await exportConfig();
    setBusy(null);
    if (result.ok) downloadText('config.json', result.value.json, 'application/json');
    else reportError(result.error, 'Could not export the configuration');
  };

  const checked = plan !== null && !plan.applied && planFor === json;

  return (
    <section className="panel" aria-labelledby="settings-import">
      <h2 id="settings-import">Import and export</h2>
      <p>
        Bring in the <code>config.json</code> of the original command-line tool: its providers become connections and its mappings become mappings. You see what will be
        created before anything is.
      </p>
      <div className="file-row">
        <label htmlFor={fileId} className="field-label">
          Config file
        </label>
        <input id={fileId} type="file" accept=".json,application/json" onChange={(e) => void onFile(e.target.files?.[0])} />
      </div>
      <Field label="Or paste its contents" help="Secrets in the file are stored encrypted, like those typed into a connection.">
        {(control) => (
          <textarea
            {...control}
            className="input input-mono"
            rows={8}
            spellCheck={false}
            value={json}
            placeholder='{ "providers": [ … ], "mappings": [ … ] }'
            onChange={(e) => {
              setJson(e.target.value);
              setError(null);
            }}
          />
        )}
      </Field>
      {error && (
        <pre className="form-error import-error" role="alert">
          {error}
        </pre>
      )}
      {plan && <ImportPlan plan={plan} />}
      <div className="form-actions">
        <button type="button" onClick={() => void run(false)} disabled={json.trim() === '' || busy !== null}>
          {busy === 'check' ? 'Checking…' : 'Check import'}
        </button>
        <button type="button" className="button-primary" onClick={() => void run(true)} disabled={!checked || busy !== null}>
          {busy === 'apply' ? 'Importing…' : 'Import'}
        </button>
      </div>
      <hr />
      <p>Export all connections and mappings as a config.json. Secrets are replaced by placeholders, so the file can be shared.</p>
      <button type="button" onClick={() => void onExport()} disabled={busy !== null}>
        {busy === 'export' ? 'Exporting…' : 'Export config.json'}
      </button>
    </section>
  );
}

export function SettingsView() {
  const settings = useAppStore((s) => s.settings);
  const load = useAppStore((s) => s.settingsLoad);
  const loadSettings = useAppStore((s) => s.loadSettings);
  const mode = useAppStore((s) => s.status?.mode);
  const version = useAppStore((s) => s.status?.version);

  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  return (
    <div className="view">
      <header className="view-header">
        <h1>Settings</h1>
        {version && <span className="muted">Version {version}</span>}
      </header>
      <div className="settings-grid">
        {settings ? (
          <>
            <GeneralSettings settings={settings} desktop={mode !== 'server'} />
            <GlobalAlerts settings={settings} />
          </>
        ) : load === 'error' ? (
          <p className="form-error">Settings could not be loaded.</p>
        ) : (
          <LoadingBlock label="Loading settings…" height={240} />
        )}
        <ImportExport />
      </div>
    </div>
  );
}
