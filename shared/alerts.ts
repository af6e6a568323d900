// Alerts that reach people (electron/ops/alerts.ts sends them): config.json's top-level `alerts` and a
// mapping's own, the app's settings and mapping form. Pure types and constants.

/** What a webhook is told about: a failed run (failed or partial), a tripped delete guard, a success. */
export const ALERT_EVENTS = ['failure', 'guard', 'success'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export interface WebhookAlert {
  /** http(s) URL the JSON payload is POSTed to. */
  url: string;
  /** Which outcomes are sent (default: failure and guard). */
  on: AlertEvent[];
  /**
   * Key of the HMAC-SHA256 signature of the body, sent as `X-CDS-Signature: sha256=<hex>`; absent: unsigned.
   * A secret: encrypted at rest, never logged or sent back to the renderer.
   */
  secret?: string;
}

/**
 * A healthchecks-style dead man's switch: `start` is pinged when a run starts, `success` or `fail` when
 * it ends (healthchecks.io: <url>/start, <url>, <url>/fail), so a scheduler that stopped running is noticed.
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
