// The alerts editor's state (a mapping's alerts in the mapping form, the global ones in Settings), its
// checks and its conversion to the AlertsInput the contract takes. The renderer never sees a stored URL
// or secret (AlertsView: each URL's origin, whether a secret is set), so a stored one is shown by its
// origin and kept unless the user types a new value: an empty field means "keep". Pure functions.
import {
  ALERT_EVENTS,
  DEFAULT_WEBHOOK_EVENTS,
  HEALTHCHECK_PINGS,
  type AlertEvent,
  type AlertsInput,
  type AlertsView,
  type HealthcheckPing,
  type WebhookAlertInput,
} from '../../shared/alerts';
import { alertUrlProblem } from '../../shared/config';

/** One webhook row. A stored one (id set) shows `storedOrigin` and keeps its URL and secret while the fields stay empty. */
export interface WebhookFormRow {
  /** The stored webhook's id; null for a row added in this form. */
  id: string | null;
  /** The stored URL's origin ("https://hooks.example.com"); null for a new row. */
  storedOrigin: string | null;
  /** A URL as typed: '' keeps the stored one (a new row needs one). */
  url: string;
  on: AlertEvent[];
  /** Whether the stored webhook has a secret. */
  secretSet: boolean;
  /** A secret as typed: '' keeps the stored one (or none, for a new row). */
  secret: string;
  /** Remove the stored secret: deliveries go unsigned from now on. */
  clearSecret: boolean;
}

/** One healthcheck ping URL. */
export interface PingFormField {
  /** The stored URL's origin; null when none is stored. */
  storedOrigin: string | null;
  /** A URL as typed: '' keeps the stored one. */
  url: string;
  /** Remove the stored URL (this ping is not sent any more). */
  clear: boolean;
}

export interface AlertsFormState {
  webhooks: WebhookFormRow[];
  healthchecks: Record<HealthcheckPing, PingFormField>;
}

export const ALERT_EVENT_LABELS: Record<AlertEvent, string> = {
  failure: 'A run fails (failed or partial)',
  guard: 'The delete guard trips',
  success: 'A run succeeds',
};

export const PING_LABELS: Record<HealthcheckPing, string> = {
  start: 'Start ping URL',
  success: 'Success ping URL',
  fail: 'Failure ping URL',
};

/** The form of `view` (a mapping's or the global alerts); no view: an empty form. */
export function alertsToForm(view: AlertsView | null | undefined): AlertsFormState {
  return {
    webhooks: (view?.webhooks ?? []).map((w) => ({ id: w.id, storedOrigin: w.url.origin, url: '', on: [...w.on], secretSet: w.secretSet, secret: '', clearSecret: false })),
    healthchecks: Object.fromEntries(
      HEALTHCHECK_PINGS.map((ping) => [ping, { storedOrigin: view?.healthchecks?.[ping]?.origin ?? null, url: '', clear: false }]),
    ) as Record<HealthcheckPing, PingFormField>,
  };
}

/** A new, empty webhook row (failure and guard, as config.json's default). */
export function newWebhookRow(): WebhookFormRow {
  return { id: null, storedOrigin: null, url: '', on: [...DEFAULT_WEBHOOK_EVENTS], secretSet: false, secret: '', clearSecret: false };
}

/** Whether the form sends anything (stored or typed). */
export function hasAlertsInForm(form: AlertsFormState): boolean {
  return form.webhooks.length > 0 || HEALTHCHECK_PINGS.some((ping) => pingWillBeSet(form.healthchecks[ping]));
}

function pingWillBeSet(p: PingFormField): boolean {
  return p.url.trim() !== '' || (p.storedOrigin !== null && !p.clear);
}

/** A problem of the form: its sentence, and the contract field it is about ("alerts.webhooks[1].url"). */
export interface AlertsFormProblem {
  message: string;
  field: string;
}

/**
 * The first problem of the form, as a sentence naming the row or field; null when none. The server
 * checks again with the stored values filled in (shared/config/alerts.ts).
 */
export function alertsFormProblem(form: AlertsFormState): string | null {
  return alertsFormProblemAt(form)?.message ?? null;
}

/** alertsFormProblem with the field it is about, named as the server names its errors' fields. */
export function alertsFormProblemAt(form: AlertsFormState): AlertsFormProblem | null {
  for (const [index, w] of form.webhooks.entries()) {
    const row = `Webhook ${index + 1}`;
    const at = (part: string, message: string) => ({ message, field: `alerts.webhooks[${index}].${part}` });
    const url = w.url.trim();
    if (url === '' && w.id === null) return at('url', `${row}: give the URL the alert is sent to.`);
    const problem = url === '' ? null : alertUrlProblem(url);
    if (problem) return at('url', `${row}: the URL ${problem}.`);
    if (w.on.length === 0) return at('on', `${row}: choose at least one of ${ALERT_EVENTS.map((e) => ALERT_EVENT_LABELS[e].toLowerCase()).join(', ')}.`);
  }
  for (const ping of HEALTHCHECK_PINGS) {
    const url = form.healthchecks[ping].url.trim();
    const problem = url === '' ? null : alertUrlProblem(url);
    if (problem) return { message: `${PING_LABELS[ping]} ${problem}.`, field: `alerts.healthchecks.${ping}` };
  }
  const anyPing = HEALTHCHECK_PINGS.some((ping) => pingWillBeSet(form.healthchecks[ping]));
  if (anyPing && !pingWillBeSet(form.healthchecks.success)) return { message: `${PING_LABELS.success}: give one; the start and failure pings go with it.`, field: 'alerts.healthchecks.success' };
  return null;
}

/** The control an error's field names: a webhook row's URL, events or secret, or a ping's URL. */
export type AlertsControl = { webhook: number; part: 'url' | 'on' | 'secret' } | { ping: HealthcheckPing };

/**
 * The control of a field as the server or alertsFormProblemAt names it ("alerts.webhooks[0].on[1]",
 * "alerts.healthchecks.success"); null for the alerts as a whole or a field no control shows.
 */
export function alertsControlOf(field: string | null | undefined): AlertsControl | null {
  const webhook = /^alerts\.webhooks\[(\d+)\]\.(url|on|secret)\b/.exec(field ?? '');
  if (webhook) return { webhook: Number(webhook[1]), part: webhook[2] as 'url' | 'on' | 'secret' };
  const ping = /^alerts\.healthchecks\.(\w+)$/.exec(field ?? '')?.[1];
  return ping !== undefined && (HEALTHCHECK_PINGS as readonly string[]).includes(ping) ? { ping: ping as HealthcheckPing } : null;
}

/** The AlertsInput of the form (call when alertsFormProblem found nothing); null when it sends nothing. */
export function formToAlertsInput(form: AlertsFormState): AlertsInput | null {
  if (!hasAlertsInForm(form)) return null;
  const webhooks = form.webhooks.map((w): WebhookAlertInput => {
    const url = w.url.trim();
    const secret = w.secret.trim();
    return {
      ...(w.id !== null ? { id: w.id } : {}),
      // Left out: the stored URL is kept.
      ...(url !== '' || w.id === null ? { url } : {}),
      on: [...w.on],
      // A typed secret replaces; "remove" sends ''; nothing typed keeps the stored one (left out).
      ...(secret !== '' ? { secret } : w.clearSecret ? { secret: '' } : {}),
    };
  });
  const pings = HEALTHCHECK_PINGS.flatMap((ping): [HealthcheckPing, string][] => {
    const p = form.healthchecks[ping];
    const url = p.url.trim();
    if (url !== '') return [[ping, url]];
    // Left out keeps the stored URL; '' removes it.
    return p.storedOrigin !== null && p.clear ? [[ping, '']] : [];
  });
  const anyPing = HEALTHCHECK_PINGS.some((ping) => pingWillBeSet(form.healthchecks[ping]));
  return { webhooks, healthchecks: anyPing ? Object.fromEntries(pings) : null };
}
