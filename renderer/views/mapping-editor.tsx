// Draw or change a mapping: source and target (connection → bucket → prefix, with bucket lists and
// an object browser), schedule, filters, delete behaviour with its guard, transfers, dry run, hooks,
// alerts; Preview shows what a run would do before anything is saved or synced.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ConnectionView, MappingView } from '../../shared/contract';
import { DELETE_MODES, type DeleteMode } from '../../shared/model';
import { MAX_TRANSFERS } from '../../shared/config';
import { descriptorOf } from '../../shared/providers';
import { BucketPicker } from '../components/bucket-picker';
import { CheckboxField, Field, FormError } from '../components/field';
import { ObjectBrowser } from '../components/object-browser';
import { PROVIDER_LABELS } from '../components/provider-logo';
import { useAppStore } from '../store';
import { CONFIRM_PREVIEW_LIMIT } from '../store/mappings-slice';
import {
  DELETE_MODE_TEXT,
  emptyMappingForm,
  ENCRYPTION_MODES_OF,
  fitTargetSettings,
  FILTER_LABELS,
  HOOK_LABELS,
  TARGET_LABELS,
  formToMappingInput,
  mappingFormFieldOf,
  mappingToForm,
  suggestedMappingName,
  validateMappingForm,
  type IntervalUnit,
  type MappingFormErrors,
  type MappingFormState,
} from './mapping-form';
import { PREVIEW_LIST_MAX, PreviewPanel } from './preview-panel';
import { alertsFormProblemAt } from './alerts-form';
import { AlertsEditor } from './alerts-editor';

type Side = 'source' | 'target';
type SetField = <K extends keyof MappingFormState>(key: K, value: MappingFormState[K]) => void;

function EndpointFields({ side, form, setField, errors, connections }: { side: Side; form: MappingFormState; setField: SetField; errors: MappingFormErrors; connections: ConnectionView[] }) {
  const Side = side === 'source' ? 'Source' : 'Target';
  const connectionId = form[`${side}ConnectionId`];
  const bucket = form[`${side}Bucket`];
  const [browsing, setBrowsing] = useState(false);
  return (
    <fieldset className={`fieldset endpoint endpoint-${side}`}>
      <legend>{Side}</legend>
      <Field label={`${Side} connection`} error={errors[`${side}ConnectionId`]} required>
        {(control) => (
          <select
            {...control}
            className="input"
            value={connectionId}
            onChange={(e) => {
              setField(`${side}ConnectionId`, e.target.value);
              setField(`${side}Bucket`, '');
              setField(`${side}Prefix`, '');
              setBrowsing(false);
            }}
          >
            <option value="" disabled>
              Choose a connection
            </option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({PROVIDER_LABELS[c.type]})
              </option>
            ))}
          </select>
        )}
      </Field>
      <BucketPicker
        side={Side}
        connectionId={connectionId}
        value={bucket}
        onChange={(b) => {
          setField(`${side}Bucket`, b);
          setBrowsing(false);
        }}
        error={errors[`${side}Bucket`]}
      />
      <Field
        label={`${Side} prefix`}
        error={errors[`${side}Prefix`]}
        help={side === 'source' ? 'Only keys under this prefix are synced. Empty = the whole bucket. Usually ends with "/".' : 'Synced keys are written under this prefix. Empty = the bucket root.'}
      >
        {(control) => (
          <div className="input-with-button">
            <input
              {...control}
              className="input"
              value={form[`${side}Prefix`]}
              placeholder="folder/"
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setField(`${side}Prefix`, e.target.value)}
            />
            <button type="button" className="button-small" disabled={!connectionId || bucket.trim() === ''} onClick={() => setBrowsing((b) => !b)} aria-expanded={browsing} aria-label={`Browse ${side} bucket`}>
              Browse…
            </button>
          </div>
        )}
      </Field>
      {browsing && (
        <ObjectBrowser
          side={Side}
          connectionId={connectionId}
          bucket={bucket.trim()}
          prefix={form[`${side}Prefix`]}
          onChoosePrefix={(prefix) => {
            setField(`${side}Prefix`, prefix);
            setBrowsing(false);
          }}
          onClose={() => setBrowsing(false)}
        />
      )}
    </fieldset>
  );
}

const PATTERN_HELP = {
  include: 'One glob a line, e.g. **/*.jpg. When any include (glob or expression) is given, only keys matching one are synced.',
  exclude: 'One glob a line, e.g. *.tmp or cache/**. * and ? stop at "/", ** crosses it, {a,b} is either; a leading "/" anchors at the prefix.',
  includeRegex: 'One JavaScript regular expression a line, searched anywhere in the key: anchor with ^ and $.',
  excludeRegex: 'One JavaScript regular expression a line; a key matching any is left out.',
} as const;

const AMOUNT_HELP = {
  minSize: 'Smaller objects are left out. Bytes, or K, M, G, T (base 1024): 10M.',
  maxSize: 'Larger objects are left out. Bytes, or K, M, G, T (base 1024): 10M.',
  minAge: 'Objects modified more recently are left out: 90s, 30m, 12h, 7d.',
  maxAge: 'Objects modified longer ago are left out: 7d keeps the last week.',
} as const;

/** What "Delete excluded objects" deletes: the delete mode decides which target objects it may touch. */
const DELETE_EXCLUDED_HELP: Record<DeleteMode, string> = {
  synced: 'Careful: objects this mapping copied that these filters leave out are deleted from the target (within the max deletions per run). A new exclude then deletes what it matches there.',
  mirror: 'Careful: objects at the target prefix that these filters leave out are deleted there, even ones this app never copied (within the max deletions per run). A new exclude then deletes what it matches there.',
  never: 'Has no effect while the mapping never deletes.',
};

function FilterFields({ form, setField, errors }: { form: MappingFormState; setField: SetField; errors: MappingFormErrors }) {
  return (
    <fieldset className="fieldset filters">
      <legend>Filters</legend>
      <p className="field-help">
        Decided on each key relative to the source prefix. Objects a filter leaves out are never copied, and never deleted at the target unless you ask for it below.
      </p>
      <div className="filter-grid">
        {(['include', 'exclude', 'includeRegex', 'excludeRegex'] as const).map((key) => (
          <Field key={key} label={FILTER_LABELS[key]} error={errors[key]} help={PATTERN_HELP[key]}>
            {(control) => (
              <textarea {...control} className="input input-code" rows={2} value={form[key]} autoComplete="off" spellCheck={false} onChange={(e) => setField(key, e.target.value)} />
            )}
          </Field>
        ))}
      </div>
      <div className="filter-grid">
        {(['minSize', 'maxSize', 'minAge', 'maxAge'] as const).map((key) => (
          <Field key={key} label={FILTER_LABELS[key]} error={errors[key]} help={AMOUNT_HELP[key]}>
            {(control) => (
              <input {...control} className="input input-narrow" value={form[key]} placeholder={key.endsWith('Size') ? 'e.g. 10M' : 'e.g. 7d'} autoComplete="off" spellCheck={false} onChange={(e) => setField(key, e.target.value)} />
            )}
          </Field>
        ))}
      </div>
      <CheckboxField
        label="Delete excluded objects at the target"
        help={DELETE_EXCLUDED_HELP[form.deleteMode]}
        checked={form.deleteExcluded}
        disabled={form.deleteMode === 'never'}
        onChange={(v) => setField('deleteExcluded', v)}
      />
    </fieldset>
  );
}

const HOOK_HELP = {
  hooksBefore: 'Runs before anything is listed; if it fails, times out or cannot start, the run fails and nothing is copied or deleted. A JSON array: the command and its arguments, run without a shell, e.g. ["/usr/local/bin/mount-check", "--quiet"].',
  hooksAfter: 'Runs once the run has ended, also after a failure (CDS_STATUS says how it went); if it fails, a warning is logged and the run keeps its status. Same form as the before hook.',
  hooksTimeout: 'Seconds each hook may take before it is killed (1–86400; empty: 60).',
} as const;

/** Hooks get the run's details as CDS_ variables and JSON on stdin, never the connections' secrets. */
function HookFields({ form, setField, errors }: { form: MappingFormState; setField: SetField; errors: MappingFormErrors }) {
  return (
    <fieldset className="fieldset hooks">
      <legend>Hooks</legend>
      <p className="field-help">
        Commands run before and after each run (not on dry runs or previews, since a hook may change things). They get the run&apos;s details in CDS_ environment variables and as JSON on stdin, never the connections&apos; secrets; their output goes to the run log.
      </p>
      {(['hooksBefore', 'hooksAfter'] as const).map((key) => (
        <Field key={key} label={HOOK_LABELS[key]} error={errors[key]} help={HOOK_HELP[key]}>
          {(control) => (
            <input {...control} className="input input-code" value={form[key]} placeholder='["/path/to/command", "argument"]' autoComplete="off" spellCheck={false} onChange={(e) => setField(key, e.target.value)} />
          )}
        </Field>
      ))}
      <Field label={HOOK_LABELS.hooksTimeout} error={errors.hooksTimeout} help={HOOK_HELP.hooksTimeout}>
        {(control) => <input {...control} className="input input-narrow" inputMode="numeric" value={form.hooksTimeout} placeholder="60" onChange={(e) => setField('hooksTimeout', e.target.value)} />}
      </Field>
    </fieldset>
  );
}

/** Each encryption mode's name in the select; which modes a service offers is mapping-form's ENCRYPTION_MODES_OF. */
const ENCRYPTION_MODE_LABELS: Record<Exclude<MappingFormState['targetEncryptionMode'], ''>, string> = {
  AES256: 'SSE-S3 (AES-256, keys managed by the service)',
  'aws:kms': 'SSE-KMS (a KMS key)',
  kmsKeyName: 'Cloud KMS key',
  encryptionScope: 'Encryption scope',
};

const ENCRYPTION_KEY_HELP: Record<'AES256' | 'aws:kms' | 'kmsKeyName' | 'encryptionScope', { help: string; placeholder: string }> = {
  AES256: { help: '', placeholder: '' },
  'aws:kms': { help: 'The KMS key id or ARN; empty: the account’s default key for S3 (aws/s3).', placeholder: 'arn:aws:kms:…:key/…' },
  kmsKeyName: { help: 'The full name of the Cloud KMS key.', placeholder: 'projects/…/locations/…/keyRings/…/cryptoKeys/…' },
  encryptionScope: { help: 'The name of an encryption scope of the storage account.', placeholder: 'my-scope' },
};

/** Storage class, encryption and kept versions, as the target's service offers them (its descriptor). */
function TargetObjectFields({ form, setField, errors, connections }: { form: MappingFormState; setField: SetField; errors: MappingFormErrors; connections: ConnectionView[] }) {
  const type = connections.find((c) => c.id === form.targetConnectionId)?.type;
  const options = type ? descriptorOf(type).target : undefined;
  const keyHelp = form.targetEncryptionMode === '' ? undefined : ENCRYPTION_KEY_HELP[form.targetEncryptionMode];
  return (
    <fieldset className="fieldset target-objects">
      <legend>Objects written to the target</legend>
      {options ? (
        <>
          <Field label={TARGET_LABELS.targetStorageClass} error={errors.targetStorageClass} help="The storage class (tier) of every object this mapping writes. Archive classes cannot be read back without a restore.">
            {(control) => (
              <select {...control} className="input" value={form.targetStorageClass} onChange={(e) => setField('targetStorageClass', e.target.value)}>
                <option value="">Bucket default</option>
                {options.storageClasses.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={TARGET_LABELS.targetEncryptionMode} error={errors.targetEncryptionMode} help="Server-side encryption of every object this mapping writes.">
            {(control) => (
              <select {...control} className="input" value={form.targetEncryptionMode} onChange={(e) => setField('targetEncryptionMode', e.target.value as MappingFormState['targetEncryptionMode'])}>
                <option value="">{options.encryption === 'encryptionScope' ? 'Container default' : 'Bucket default'}</option>
                {ENCRYPTION_MODES_OF[options.encryption].map((mode) => (
                  <option key={mode} value={mode}>
                    {ENCRYPTION_MODE_LABELS[mode]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {keyHelp && form.targetEncryptionMode !== 'AES256' && (
            <Field label={TARGET_LABELS.targetEncryptionKey} error={errors.targetEncryptionKey} help={keyHelp.help}>
              {(control) => (
                <input {...control} className="input input-code" value={form.targetEncryptionKey} placeholder={keyHelp.placeholder} autoComplete="off" spellCheck={false} onChange={(e) => setField('targetEncryptionKey', e.target.value)} />
              )}
            </Field>
          )}
        </>
      ) : (
        <p className="field-help">{type ? 'A local folder has no storage classes or server-side encryption.' : 'Choose the target connection to see its storage classes and encryption.'}</p>
      )}
      <CheckboxField
        label="Keep previous versions"
        help="An overwrite or delete at the target keeps the object’s previous version, so a bad change at the source can be undone: S3, MinIO and GCS buckets must have versioning on; local folders and Azure keep copies under .cds-versions/."
        checked={form.keepVersions}
        onChange={(v) => setField('keepVersions', v)}
      />
    </fieldset>
  );
}

export interface MappingEditorProps {
  mapping: MappingView | null;
  onDone: () => void;
}

export function MappingEditor({ mapping, onDone }: MappingEditorProps) {
  const connections = useAppStore((s) => s.connections);
  const saveMapping = useAppStore((s) => s.saveMapping);
  const runPreview = useAppStore((s) => s.runPreview);
  const clearPreview = useAppStore((s) => s.clearPreview);
  const requestSyncNow = useAppStore((s) => s.requestSyncNow);
  const notify = useAppStore((s) => s.notify);
  const preview = useAppStore((s) => s.preview);
  const [form, setForm] = useState<MappingFormState>(() => (mapping ? mappingToForm(mapping) : emptyMappingForm(connections)));
  const [errors, setErrors] = useState<MappingFormErrors>({});
  const [saving, setSaving] = useState(false);
  /** The field errors.alerts is about ("alerts.webhooks[0].url"), so the alerts section marks that control. */
  const [alertsErrorField, setAlertsErrorField] = useState<string | null>(null);
  const [previewedInput, setPreviewedInput] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const headingId = useId();
  const deleteHelpId = useId();

  useEffect(() => {
    clearPreview();
    return clearPreview;
  }, [clearPreview]);

  const setField: SetField = (key, value) => {
    setForm((f) => fitTargetSettings({ ...f, [key]: value }, connections));
    setErrors((e) => {
      const { [key]: _fixed, form: _general, ...rest } = e;
      return rest;
    });
  };

  const currentInput = useMemo(() => JSON.stringify(formToMappingInput(form)), [form]);
  const previewStale = preview.status !== 'idle' && previewedInput !== null && previewedInput !== currentInput;

  const check = (): boolean => {
    const found = validateMappingForm(form, connections);
    setErrors(found);
    setAlertsErrorField(found.alerts ? (alertsFormProblemAt(form.alerts)?.field ?? null) : null);
    if (Object.keys(found).length === 0) return true;
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    return false;
  };

  // An unchanged saved mapping is previewed by id: only then does the plan use its sync state
  // (what it copied before). Unsaved input is planned as a first run.
  const savedInput = useMemo(() => (mapping ? JSON.stringify(formToMappingInput(mappingToForm(mapping))) : null), [mapping]);
  const unchanged = savedInput !== null && savedInput === currentInput;

  const onPreview = (limit: number = CONFIRM_PREVIEW_LIMIT) => {
    if (!check()) return;
    setPreviewedInput(currentInput);
    void runPreview(mapping && unchanged ? { id: mapping.id, limit } : { input: formToMappingInput(form), limit });
  };

  const save = async (thenSync: boolean) => {
    if (!check()) return;
    setSaving(true);
    const result = await saveMapping(formToMappingInput(form));
    setSaving(false);
    if (!result.ok) {
      const field = mappingFormFieldOf(result.error.field);
      setErrors({ [field]: result.error.message });
      setAlertsErrorField(field === 'alerts' ? (result.error.field ?? null) : null);
      if (field !== 'form') requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    notify('success', `Mapping "${result.value.name}" saved.`);
    onDone();
    if (thenSync) await requestSyncNow(result.value.id);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save(false);
  };

  return (
    <form ref={formRef} className="panel mapping-editor" aria-labelledby={headingId} onSubmit={onSubmit} noValidate>
      <header className="panel-header">
        <h2 id={headingId}>{mapping ? `Edit ${mapping.name}` : 'New mapping'}</h2>
      </header>

      <Field label="Name" error={errors.name} help="Left empty, the mapping is named after its buckets.">
        {(control) => <input {...control} className="input" value={form.name} placeholder={suggestedMappingName(form)} autoComplete="off" onChange={(e) => setField('name', e.target.value)} />}
      </Field>

      <div className="route-editor">
        <EndpointFields side="source" form={form} setField={setField} errors={errors} connections={connections} />
        <div className="route-arrow" aria-hidden="true">
          <svg width="32" height="24" viewBox="0 0 32 24">
            <path d="M2 12h24M19 5l8 7-8 7" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </div>
        <EndpointFields side="target" form={form} setField={setField} errors={errors} connections={connections} />
      </div>
      <CheckboxField
        label="Create the target bucket if it does not exist"
        help="A run that finds the target bucket missing creates it (private, in the connection’s region) and then syncs; a dry run only says it would. Unticked, such a run fails and creates nothing."
        checked={form.createTargetBucket}
        onChange={(v) => setField('createTargetBucket', v)}
      />

      <fieldset className="fieldset">
        <legend>Schedule</legend>
        <div className="radio-row" role="radiogroup" aria-label="When to sync">
          <label className="radio">
            <input type="radio" name="schedule" checked={form.schedule === 'manual'} onChange={() => setField('schedule', 'manual')} /> On demand only
          </label>
          <label className="radio">
            <input type="radio" name="schedule" checked={form.schedule === 'interval'} onChange={() => setField('schedule', 'interval')} /> Every
          </label>
          <input
            className="input input-narrow"
            aria-label="Interval"
            inputMode="numeric"
            value={form.interval}
            disabled={form.schedule !== 'interval'}
            aria-invalid={errors.interval ? true : undefined}
            onChange={(e) => setField('interval', e.target.value)}
          />
          <select className="input input-narrow" aria-label="Interval unit" value={form.intervalUnit} disabled={form.schedule !== 'interval'} onChange={(e) => setField('intervalUnit', e.target.value as IntervalUnit)}>
            <option value="seconds">seconds</option>
            <option value="minutes">minutes</option>
            <option value="hours">hours</option>
          </select>
        </div>
        <p className="field-error" role={errors.interval ? 'alert' : undefined}>
          {errors.interval ?? ''}
        </p>
        <CheckboxField label="Enabled" help="Disabled mappings never run on their schedule, nor with “Sync all now”." checked={form.enabled} onChange={(v) => setField('enabled', v)} />
      </fieldset>

      <FilterFields form={form} setField={setField} errors={errors} />

      <fieldset className="fieldset">
        <legend>Deleting from the target</legend>
        <div role="radiogroup" aria-label="Delete mode" className="radio-stack">
          {DELETE_MODES.map((mode) => (
            <label key={mode} className="radio radio-block">
              <input type="radio" name="deleteMode" value={mode} checked={form.deleteMode === mode} onChange={() => setField('deleteMode', mode)} aria-describedby={`${deleteHelpId}-${mode}`} />
              <span>
                <span className="radio-label">{DELETE_MODE_TEXT[mode].label}</span>
                <span id={`${deleteHelpId}-${mode}`} className="field-help">
                  {DELETE_MODE_TEXT[mode].help}
                </span>
              </span>
            </label>
          ))}
        </div>
        <Field
          label="Max deletions per run"
          error={errors.maxDelete}
          help="A guard: a run that would delete more stops before deleting anything. A number of objects (100) or a share of the target’s objects (10%). Empty = no limit."
        >
          {(control) => (
            <input {...control} className="input input-narrow" value={form.maxDelete} placeholder="e.g. 100 or 10%" disabled={form.deleteMode === 'never'} onChange={(e) => setField('maxDelete', e.target.value)} />
          )}
        </Field>
      </fieldset>

      <fieldset className="fieldset">
        <legend>Transfers and safety</legend>
        <Field label="Parallel transfers" error={errors.transfers} help={`Objects copied at once for this mapping (1–${MAX_TRANSFERS}); the app-wide limit in Settings still applies.`}>
          {(control) => <input {...control} className="input input-narrow" inputMode="numeric" value={form.transfers} onChange={(e) => setField('transfers', e.target.value)} />}
        </Field>
        <Field
          label={TARGET_LABELS.bwLimit}
          error={errors.bwLimit}
          help="Bytes per second for this mapping’s transfers: 512K, 2M (base 1024) or off, or a weekly timetable such as “Mon-08:00,2M 19:00,off”. Empty: only the app-wide limit in Settings applies."
        >
          {(control) => <input {...control} className="input input-code" value={form.bwLimit} placeholder="e.g. 2M" autoComplete="off" spellCheck={false} onChange={(e) => setField('bwLimit', e.target.value)} />}
        </Field>
        <CheckboxField
          label="Dry run"
          help="Runs only plan and log what they would copy and delete; nothing is changed. Handy for the first runs: untick it once the log looks right."
          checked={form.dryRun}
          onChange={(v) => setField('dryRun', v)}
        />
      </fieldset>

      <TargetObjectFields form={form} setField={setField} errors={errors} connections={connections} />

      <HookFields form={form} setField={setField} errors={errors} />

      <fieldset className="fieldset alerts">
        <legend>Alerts</legend>
        <AlertsEditor
          value={form.alerts}
          onChange={(alerts) => setField('alerts', alerts)}
          error={errors.alerts}
          errorField={alertsErrorField}
          help="Tell a webhook or a healthcheck service how this mapping's runs end, besides the alerts for every mapping in Settings. A cancelled run sends nothing. Saved URLs and secrets are kept encrypted and never shown again: a URL shows only its site."
        />
      </fieldset>

      <PreviewPanel preview={preview} onShowMore={previewStale ? undefined : () => onPreview(PREVIEW_LIST_MAX)} />
      {previewStale && <p className="muted">The settings changed since this preview: preview again to see their effect.</p>}
      {mapping && !unchanged && preview.status === 'ready' && !previewStale && (
        <p className="muted">Previewed with your unsaved changes, as a first run: objects this mapping synced before are not known to this plan.</p>
      )}

      <FormError message={errors.form} />
      <div className="form-actions">
        <button type="button" onClick={() => onPreview()} disabled={preview.status === 'loading'}>
          {preview.status === 'loading' ? 'Previewing…' : 'Preview'}
        </button>
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? 'Saving…' : mapping ? 'Save changes' : 'Save mapping'}
        </button>
        <button type="button" onClick={() => void save(true)} disabled={saving}>
          Save and sync now
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
