// Alerts that reach people (electron/ops/alerts.ts sends them): config.json's top-level `alerts` and a
// mapping's own, the app's settings and mapping form. Pure types and small pure functions.
//
// Every alert URL counts as a credential: a healthchecks ping URL holds the check's key, a chat
// webhook URL is its own token. So URLs, like a webhook's HMAC key, are encrypted at rest, never
// logged whole and never sent to the renderer: it sees a StoredUrl (scheme, host and port) instead.

/** What a webhook is told about: a failed run (failed or partial), a tripped delete guard, a success. */
export const ALERT_EVENTS = ['failure', 'guard', 'success'] as const;

/** Webhooks one alerts object may list (the contract refuses more; the editor stops adding rows there). */
export const MAX_WEBHOOKS = 20;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/** A webhook's `on` when it gives none. */
export const DEFAULT_WEBHOOK_EVENTS: readonly AlertEvent[] = ['failure', 'guard'];

export interface WebhookAlert {
  /**
   * Names the webhook among its list's, so an edit can keep its stored URL and secret without seeing
   * them. The app assigns one to each webhook it stores; in config.json it is optional.
   */
  id?: string;
  /** http(s) URL the JSON payload is POSTed to. A credential: see the head of this file. */
  url: string;
  /** Which outcomes are sent (default DEFAULT_WEBHOOK_EVENTS). */
  on: AlertEvent[];
  /**
   * Key of the HMAC-SHA256 signature of the body, sent as `X-CDS-Signature: sha256=<hex>`; absent: unsigned.
   * A secret: encrypted at rest, never logged or sent back to the renderer.
   */
  secret?: string;
}

/** The pings of HealthcheckPings, in the order a run sends them. */
export const HEALTHCHECK_PINGS = ['start', 'success', 'fail'] as const;
export type HealthcheckPing = (typeof HEALTHCHECK_PINGS)[number];

/**
 * A healthchecks-style dead man's switch: `start` is pinged (GET) when a run starts, `success` or
 * `fail` when it ends (healthchecks.io: <url>/start, <url>, <url>/fail), so a scheduler that stopped
 * running is noticed by the service. A cancelled run pings neither.
 */
export interface HealthcheckPings {
  start?: string;
  success: string;
  fail?: string;
}

export interface AlertsConfig {
  webhooks: WebhookAlert[];
  healthchecks?: HealthcheckPings;
}

/** Whether `config` sends anything at all. */
export function hasAlerts(config: AlertsConfig | null | undefined): config is AlertsConfig {
  return config != null && (config.webhooks.length > 0 || config.healthchecks !== undefined);
}

// ---- What the renderer sees -------------------------------------------------------------------

/** A stored URL as the renderer sees it: where it goes ("https://hc-ping.com"), never its path or query. */
export interface StoredUrl {
  origin: string;
}

export interface WebhookAlertView {
  id: string;
  url: StoredUrl;
  on: AlertEvent[];
  /** Whether a signing secret is stored (its value never leaves main). */
  secretSet: boolean;
}

export interface HealthcheckPingsView {
  start?: StoredUrl;
  success: StoredUrl;
  fail?: StoredUrl;
}

export interface AlertsView {
  webhooks: WebhookAlertView[];
  healthchecks?: HealthcheckPingsView;
}

/**
 * What the renderer sends (mappings.create/update `alerts`, settings.set `alerts`). The structure is
 * always sent whole: a webhook or ping left out is removed. Only the credentials may be left out:
 * - a webhook with the `id` of a stored one keeps that one's URL when `url` is absent, and its secret
 *   when `secret` is absent ('' removes the secret); a webhook without `id` is new and needs `url`;
 * - a healthcheck ping absent keeps the stored URL of that ping, '' removes it, a string sets it.
 */
export interface WebhookAlertInput {
  id?: string;
  url?: string;
  on?: AlertEvent[];
  secret?: string;
}
export interface HealthcheckPingsInput {
  start?: string;
  success?: string;
  fail?: string;
}
export interface AlertsInput {
  webhooks?: WebhookAlertInput[];
  /** null or absent: no healthcheck pings. */
  healthchecks?: HealthcheckPingsInput | null;
}

/**
 * "scheme://host[:port]" of an http(s) URL, and what follows it. A regular expression rather than URL:
 * shared/ is typed without DOM or Node globals. User info ("user:pass@") is matched, never kept.
 */
export const HTTP_URL = /^(https?):\/\/(?:[^@/?#\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/?#@[\]\s]+)(?::(\d{1,5}))?([/?#][^\s]*)?$/i;

/** "https://hc-ping.com": scheme, host and port of an http(s) URL; "(not an http URL)" for anything else. */
export function urlOrigin(url: string): string {
  const m = HTTP_URL.exec(url.trim());
  if (!m) return '(not an http URL)';
  return `${m[1]!.toLowerCase()}://${m[2]!.toLowerCase()}${m[3] === undefined ? '' : `:${m[3]}`}`;
}

/** The URL as a log line may show it: "https://hc-ping.com/…" (path, query and user info left out). */
export function redactedUrl(url: string): string {
  return `${urlOrigin(url)}/…`;
}

/** The renderer's view of `config`; webhooks without an id get their position as one (the app's always have one). */
export function alertsView(config: AlertsConfig): AlertsView {
  const stored = (url: string): StoredUrl => ({ origin: urlOrigin(url) });
  const h = config.healthchecks;
  return {
    webhooks: config.webhooks.map((w, index) => ({ id: w.id ?? String(index), url: stored(w.url), on: [...w.on], secretSet: w.secret !== undefined && w.secret !== '' })),
    ...(h
      ? {
          healthchecks: {
            ...(h.start !== undefined ? { start: stored(h.start) } : {}),
            success: stored(h.success),
            ...(h.fail !== undefined ? { fail: stored(h.fail) } : {}),
          },
        }
      : {}),
  };
}
