// `alerts` (shared/alerts.ts), at config.json's top level and in a mapping entry: webhooks and
// healthcheck ping URLs. The app's input takes the same form once its kept URLs and secrets are filled
// in (electron/api/alerts.ts). A URL is a credential, so no message here repeats one.
import { ALERT_EVENTS, DEFAULT_WEBHOOK_EVENTS, HEALTHCHECK_PINGS, HTTP_URL, type AlertEvent, type AlertsConfig, type HealthcheckPings, type WebhookAlert } from '../alerts';
import { asFields, describe, isPlaceholder, quoteList, type Fields } from './report';

/** 'file': config.json (a placeholder is a warning); 'app': the app's input, where it is an error. */
export type AlertsForm = 'file' | 'app';

/**
 * Reads `alerts` of `parent` (the root or a mapping entry); undefined when absent or when it sends
 * nothing. Every problem names its field ("alerts.webhooks[0].url"); unknown keys are errors, since a
 * misspelt "webhook" would silently send nothing.
 */
export function readAlerts(parent: Fields, form: AlertsForm = 'file'): AlertsConfig | undefined {
  const value = parent.get('alerts');
  if (value === undefined) return undefined;
  const f = asFields(parent.report, value, parent.at('alerts'));
  if (f === undefined) return undefined;
  const webhooks = readWebhooks(f, form);
  const healthchecks = readHealthchecks(f, form);
  f.finish('error');
  if (webhooks.length === 0 && healthchecks === undefined) return undefined;
  return { webhooks, ...(healthchecks ? { healthchecks } : {}) };
}

function readWebhooks(f: Fields, form: AlertsForm): WebhookAlert[] {
  const value = f.get('webhooks');
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    f.error('webhooks', `must be an array of webhook objects such as { "url": "https://…", "on": ["failure", "guard"] } (got ${describe(value)})`);
    return [];
  }
  const webhooks: WebhookAlert[] = [];
  const ids = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const w = asFields(f.report, entry, `${f.at('webhooks')}[${index}]`);
    if (!w) return;
    const id = w.string('id');
    if (id !== undefined) {
      const same = ids.get(id);
      if (same !== undefined) w.error('id', `duplicate webhook id "${id}": already used by webhooks[${same}]`);
      else ids.set(id, index);
    }
    const url = readUrl(w, 'url', form, 'is required: the http(s) URL the alert is POSTed to');
    const on = readEvents(w);
    const secret = w.get('secret');
    if (secret !== undefined && typeof secret !== 'string') w.error('secret', 'must be a string: the key of the HMAC-SHA256 signature (X-CDS-Signature)');
    else if (typeof secret === 'string' && isPlaceholder(secret)) placeholder(w, 'secret', form);
    w.finish('error');
    if (url === undefined || on === undefined) return;
    webhooks.push({ ...(id !== undefined ? { id } : {}), url, on, ...(typeof secret === 'string' && secret !== '' ? { secret } : {}) });
  });
  return webhooks;
}

function readEvents(w: Fields): AlertEvent[] | undefined {
  const value = w.get('on');
  if (value === undefined) return [...DEFAULT_WEBHOOK_EVENTS];
  const what = `a non-empty array of ${quoteList(ALERT_EVENTS)}`;
  if (!Array.isArray(value) || value.length === 0) {
    w.error('on', `must be ${what} (got ${describe(value)})`);
    return undefined;
  }
  const events: AlertEvent[] = [];
  let valid = true;
  value.forEach((event: unknown, index) => {
    const known = ALERT_EVENTS.find((e) => e === event);
    if (known === undefined) {
      valid = false;
      w.report.error(`${w.at('on')}[${index}]`, `must be one of ${quoteList(ALERT_EVENTS)} (got ${describe(event)})`);
    } else if (!events.includes(known)) events.push(known);
  });
  return valid ? events : undefined;
}

function readHealthchecks(f: Fields, form: AlertsForm): HealthcheckPings | undefined {
  const value = f.get('healthchecks');
  if (value === undefined) return undefined;
  const h = asFields(f.report, value, f.at('healthchecks'));
  if (!h) return undefined;
  const urls: Partial<HealthcheckPings> = {};
  for (const ping of HEALTHCHECK_PINGS) {
    const required = ping === 'success' ? 'is required: the URL pinged when a run succeeds (healthchecks.io: https://hc-ping.com/<uuid>)' : undefined;
    const url = readUrl(h, ping, form, required);
    if (url !== undefined) urls[ping] = url;
  }
  h.finish('error');
  return urls.success === undefined ? undefined : { success: urls.success, ...(urls.start ? { start: urls.start } : {}), ...(urls.fail ? { fail: urls.fail } : {}) };
}

/** An http(s) URL; `required` is the message when it is absent. A placeholder is kept with a warning in a file (its alert is not sent). */
function readUrl(w: Fields, key: string, form: AlertsForm, required?: string): string | undefined {
  const url = w.string(key, required);
  if (url === undefined) return undefined;
  if (isPlaceholder(url)) {
    placeholder(w, key, form);
    return form === 'file' ? url : undefined;
  }
  const problem = alertUrlProblem(url);
  if (problem) w.error(key, problem);
  return problem ? undefined : url.trim();
}

function placeholder(w: Fields, key: string, form: AlertsForm): void {
  if (form === 'app') w.error(key, 'still holds a placeholder: give the real value');
  else w.warn(key, `still holds a placeholder; fill in the real value (until then ${key === 'secret' ? 'its deliveries carry a wrong signature' : 'nothing is sent there'})`);
}

/** What is wrong with an alert URL, or null. Never quotes it: the URL itself may be the credential. */
export function alertUrlProblem(url: string): string | null {
  const m = HTTP_URL.exec(url.trim());
  if (!m) return 'must be an http:// or https:// URL such as "https://hooks.example.com/cds" (the value is not repeated here: it may hold a token)';
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return 'has a port outside 1 to 65535';
  return null;
}
