// The alerts editor: webhook rows (URL, events, signing secret) and the healthcheck pings, for a
// mapping's own alerts (mapping editor) and the global ones (Settings). A stored URL or secret never
// reaches the renderer: a stored URL shows as its origin ("https://hooks.example.com/… (saved)"), a
// secret as "Secret set"; an empty field keeps the stored value, typing replaces it, Remove clears it.
import { useId, useRef, type ReactNode } from 'react';
import { ALERT_EVENTS, HEALTHCHECK_PINGS, MAX_WEBHOOKS, type AlertEvent, type HealthcheckPing } from '../../shared/alerts';
import {
  ALERT_EVENT_LABELS,
  alertsControlOf,
  newWebhookRow,
  PING_LABELS,
  type AlertsControl,
  type AlertsFormState,
  type PingFormField,
  type WebhookFormRow,
} from './alerts-form';

const PING_PLACEHOLDERS: Record<HealthcheckPing, string> = {
  start: 'https://hc-ping.com/<uuid>/start',
  success: 'https://hc-ping.com/<uuid>',
  fail: 'https://hc-ping.com/<uuid>/fail',
};

const PING_HELP: Record<HealthcheckPing, string> = {
  start: 'Pinged when a run starts, so the service also measures how long runs take.',
  success: 'Pinged when a run succeeds. Needed for the other two.',
  fail: 'Pinged when a run fails or ends partial.',
};

/** How a stored URL is shown: its origin only, since the whole URL is a credential. */
export function savedOriginText(origin: string): string {
  return `${origin}/… (saved)`;
}

export interface AlertsEditorProps {
  value: AlertsFormState;
  onChange: (next: AlertsFormState) => void;
  /** The section's error: a form check's or the server's. */
  error?: string | null;
  /**
   * The contract field the error is about ("alerts.webhooks[0].url"): the error is shown at that
   * control, which is marked invalid; naming none, it is shown at the top of the section.
   */
  errorField?: string | null;
  /** What these alerts are for, shown under the section's title. */
  help: ReactNode;
}

/** The section's contents; the caller gives its frame (a fieldset with its legend, a panel with its heading). */
export function AlertsEditor({ value, onChange, error, errorField, help }: AlertsEditorProps) {
  const base = useId();
  const addButton = useRef<HTMLButtonElement>(null);
  const named = error ? alertsControlOf(errorField) : null;
  // A row that is gone since (removed after the error came) shows nothing: the error goes to the top.
  const at = named && 'webhook' in named && named.webhook >= value.webhooks.length ? null : named;
  const rowError = (index: number) => (error && at && 'webhook' in at && at.webhook === index ? { part: at.part, message: error } : null);
  const pingError = (ping: HealthcheckPing) => (error && at && 'ping' in at && at.ping === ping ? error : null);

  const setRow = (index: number, patch: Partial<WebhookFormRow>) => onChange({ ...value, webhooks: value.webhooks.map((w, i) => (i === index ? { ...w, ...patch } : w)) });
  const setPing = (ping: HealthcheckPing, patch: Partial<PingFormField>) => onChange({ ...value, healthchecks: { ...value.healthchecks, [ping]: { ...value.healthchecks[ping], ...patch } } });

  const addRow = () => {
    const index = value.webhooks.length;
    onChange({ ...value, webhooks: [...value.webhooks, newWebhookRow()] });
    // The row appears on the next render: take the keyboard to its URL then.
    requestAnimationFrame(() => document.getElementById(`${base}-w${index}-url`)?.focus());
  };
  const removeRow = (index: number) => {
    onChange({ ...value, webhooks: value.webhooks.filter((_, i) => i !== index) });
    // The row's button goes away with it: keep the keyboard in the section.
    addButton.current?.focus();
  };

  return (
    <div className="alerts-editor">
      <p className="field-help">{help}</p>
      {error && !at && (
        <p className="field-error alerts-error" role="alert">
          {error}
        </p>
      )}
      {value.webhooks.length === 0 ? (
        <p className="muted alerts-none">No webhook.</p>
      ) : (
        <ol className="alert-webhooks" aria-label="Webhooks">
          {value.webhooks.map((row, index) => (
            <li key={index}>
              <WebhookRow
                idBase={`${base}-w${index}`}
                index={index}
                row={row}
                error={rowError(index)}
                onChange={(patch) => setRow(index, patch)}
                onRemove={() => removeRow(index)}
              />
            </li>
          ))}
        </ol>
      )}
      <div className="alerts-add">
        <button ref={addButton} type="button" className="button-small" onClick={addRow} disabled={value.webhooks.length >= MAX_WEBHOOKS} aria-describedby={value.webhooks.length >= MAX_WEBHOOKS ? `${base}-max` : undefined}>
          Add webhook
        </button>
        {value.webhooks.length >= MAX_WEBHOOKS && (
          <span id={`${base}-max`} className="field-help">
            At most {MAX_WEBHOOKS} webhooks.
          </span>
        )}
      </div>
      <fieldset className="fieldset alert-pings">
        <legend>Healthcheck pings</legend>
        <p className="field-help">
          A dead man&apos;s switch such as healthchecks.io: the service alerts you when the pings stop, so a scheduler that stopped running is noticed too.
        </p>
        {HEALTHCHECK_PINGS.map((ping) => (
          <PingField
            key={ping}
            id={`${base}-ping-${ping}`}
            ping={ping}
            field={value.healthchecks[ping]}
            error={pingError(ping)}
            onChange={(patch) => setPing(ping, patch)}
          />
        ))}
      </fieldset>
    </div>
  );
}

/** What a control gets while the section's error is about it: marked invalid, described by the error. */
function invalidProps(helpId: string | null, errorId: string, invalid: boolean) {
  return {
    'aria-invalid': invalid ? true : undefined,
    'aria-describedby': [helpId, invalid ? errorId : null].filter(Boolean).join(' ') || undefined,
  };
}

function ControlError({ id, message }: { id: string; message: string | null }) {
  return message === null ? null : (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  );
}

type WebhookPart = Extract<AlertsControl, { webhook: number }>['part'];

interface WebhookRowProps {
  idBase: string;
  index: number;
  row: WebhookFormRow;
  /** The section's error, when it is about a part of this row. */
  error: { part: WebhookPart; message: string } | null;
  onChange: (patch: Partial<WebhookFormRow>) => void;
  onRemove: () => void;
}

function WebhookRow({ idBase, index, row, error, onChange, onRemove }: WebhookRowProps) {
  const n = index + 1;
  const urlId = `${idBase}-url`;
  const secretId = `${idBase}-secret`;
  const stored = row.storedOrigin !== null;
  const secretKept = row.secretSet && !row.clearSecret;
  const errorOf = (part: WebhookPart) => (error?.part === part ? error.message : null);
  const toggleEvent = (event: AlertEvent, on: boolean) => onChange({ on: ALERT_EVENTS.filter((e) => (e === event ? on : row.on.includes(e))) });
  return (
    <fieldset className="fieldset alert-webhook">
      <legend>Webhook {n}</legend>
      <div className="field">
        <label className="field-label" htmlFor={urlId}>
          Webhook {n} URL
        </label>
        <input
          id={urlId}
          className="input input-code"
          type="url"
          value={row.url}
          placeholder={stored ? 'Leave empty to keep' : 'https://hooks.example.com/…'}
          autoComplete="off"
          spellCheck={false}
          {...invalidProps(`${urlId}-help`, `${urlId}-error`, error?.part === 'url')}
          onChange={(e) => onChange({ url: e.target.value })}
        />
        <p id={`${urlId}-help`} className="field-help">
          {stored ? (
            <>
              <span className="alert-saved">{savedOriginText(row.storedOrigin!)}</span> Type a URL to replace it.
            </>
          ) : (
            'The run’s outcome is POSTed here as JSON.'
          )}
        </p>
        <ControlError id={`${urlId}-error`} message={errorOf('url')} />
      </div>
      <fieldset className="alert-events">
        <legend className="field-label">Send when</legend>
        {ALERT_EVENTS.map((event) => {
          const id = `${idBase}-on-${event}`;
          return (
            <div key={event} className="alert-event">
              <input
                id={id}
                type="checkbox"
                checked={row.on.includes(event)}
                {...invalidProps(null, `${idBase}-on-error`, error?.part === 'on')}
                onChange={(e) => toggleEvent(event, e.target.checked)}
              />
              <label htmlFor={id}>{ALERT_EVENT_LABELS[event]}</label>
            </div>
          );
        })}
        <ControlError id={`${idBase}-on-error`} message={errorOf('on')} />
      </fieldset>
      <div className="field">
        <label className="field-label" htmlFor={secretId}>
          Webhook {n} signing secret
        </label>
        <div className="input-with-button">
          <input
            id={secretId}
            className="input"
            type="password"
            value={row.secret}
            placeholder={secretKept ? 'Leave empty to keep' : 'Optional'}
            // Never filled from the password manager: this is a key shared with the receiver, not a login.
            autoComplete="new-password"
            spellCheck={false}
            {...invalidProps(`${secretId}-help`, `${secretId}-error`, error?.part === 'secret')}
            onChange={(e) => onChange({ secret: e.target.value, clearSecret: false })}
          />
          {row.secretSet && (
            <button
              type="button"
              className="button-small"
              aria-label={row.clearSecret ? `Keep the secret of webhook ${n}` : `Remove the secret of webhook ${n}`}
              onClick={() => onChange(row.clearSecret ? { clearSecret: false } : { clearSecret: true, secret: '' })}
            >
              {row.clearSecret ? 'Undo remove' : 'Remove'}
            </button>
          )}
        </div>
        <p id={`${secretId}-help`} className="field-help">
          {row.secretSet && <span className={`secret-state ${row.clearSecret ? 'secret-state-cleared' : ''}`}>{row.clearSecret ? 'Secret removed when you save.' : 'Secret set.'}</span>}{' '}
          Signs each delivery: its X-CDS-Signature header is sha256= and the HMAC-SHA256 of the body with this key. None: unsigned.
        </p>
        <ControlError id={`${secretId}-error`} message={errorOf('secret')} />
      </div>
      <button type="button" className="button-small button-ghost alert-remove" onClick={onRemove}>
        Remove webhook {n}
      </button>
    </fieldset>
  );
}

interface PingFieldProps {
  id: string;
  ping: HealthcheckPing;
  field: PingFormField;
  /** The section's error, when it is about this ping. */
  error: string | null;
  onChange: (patch: Partial<PingFormField>) => void;
}

function PingField({ id, ping, field, error, onChange }: PingFieldProps) {
  const label = PING_LABELS[ping];
  const stored = field.storedOrigin !== null;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="input-with-button">
        <input
          id={id}
          className="input input-code"
          type="url"
          value={field.url}
          placeholder={stored && !field.clear ? 'Leave empty to keep' : PING_PLACEHOLDERS[ping]}
          autoComplete="off"
          spellCheck={false}
          {...invalidProps(`${id}-help`, `${id}-error`, error !== null)}
          onChange={(e) => onChange({ url: e.target.value, clear: false })}
        />
        {stored && (
          <button
            type="button"
            className="button-small"
            aria-label={field.clear ? `Keep the saved ${label}` : `Remove the saved ${label}`}
            onClick={() => onChange(field.clear ? { clear: false } : { clear: true, url: '' })}
          >
            {field.clear ? 'Undo remove' : 'Remove'}
          </button>
        )}
      </div>
      <p id={`${id}-help`} className="field-help">
        {stored && (
          <>
            <span className={field.clear ? 'secret-state secret-state-cleared' : 'alert-saved'}>{field.clear ? 'Removed when you save.' : savedOriginText(field.storedOrigin!)}</span>{' '}
          </>
        )}
        {PING_HELP[ping]}
      </p>
      <ControlError id={`${id}-error`} message={error} />
    </div>
  );
}
