// Alerts that reach people: each run's outcome sent to webhooks (a signed JSON POST) and to
// healthchecks-style ping URLs, from a mapping's own alerts and the global ones (both apply).
// Fire and forget: a run never waits for an alert and never fails because of one; deliveries retry
// in the background (alerts-delivery.ts), and flush() lets a process that is about to exit wait for
// them, bounded. A delivery that fails for good is one warning line, with its URL redacted.
//
// Which event a run is (the most specific that applies, for each webhook the first its `on` lists):
//   guard   — the maxDelete guard tripped (errorCode 'MaxDeleteGuard' / a 'deletes.blocked' maxDelete);
//   failure — the run ended 'failed' or 'partial';
//   success — the run ended 'success'.
// A cancelled run (the user's cancel, a shutdown) sends nothing, nor does it ping.
import { hostname } from 'node:os';
import { hasAlerts, HEALTHCHECK_PINGS, HTTP_URL, redactedUrl, type AlertEvent, type AlertsConfig, type HealthcheckPing, type HealthcheckPings, type WebhookAlert } from '../../shared/alerts';
import type { Mapping, RunSummary } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';
import { DEFAULT_DELIVERY, deliver, type AlertRequest, type DeliveryControl, type DeliveryPolicy } from './alerts-delivery';
import { alertPayload, webhookRequest, type PayloadContext } from './alerts-payload';

/** How long a process that is exiting waits for alerts still on their way (the CLI after --once, a shutdown). */
export const ALERT_FLUSH_MS = 10_000;

export interface AlertDispatcherOptions {
  /** The app's version: the payload's and the User-Agent's. */
  version: string;
  /** A delivery that failed for good, or alerts that cannot be read: one line, never a secret or a whole URL. */
  warn(message: string): void;
  /**
   * The global alerts (config.json's top level, the app's settings), asked at each run event so a
   * change applies from the next one. May throw (stored secrets that cannot be decrypted): warned.
   */
  globalAlerts?(): AlertsConfig | undefined;
  /** A mapping's own alerts (the CLI: the config's; the app's core: the store's). May throw, as above. */
  alertsOf(mapping: Mapping): AlertsConfig | undefined;
  /** The payload's `host`; default os.hostname(). */
  host?: string;
  /** Retries and timeouts (alerts-delivery.ts DEFAULT_DELIVERY); tests shorten the waits. */
  policy?: Partial<DeliveryPolicy>;
}

interface RunState {
  deletesBlocked: PayloadContext['deletesBlocked'];
}

export class AlertDispatcher {
  private readonly policy: DeliveryPolicy;
  private readonly host: string;
  /** The run each mapping is on (a mapping runs once at a time): what its events said so far. */
  private readonly runs = new Map<string, RunState>();
  /** Each mapping's pings, one after the other: a start ping still retrying must not arrive after the run's success ping. */
  private readonly pingChains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private deadline: number | null = null;
  private readonly hurry = new AbortController();
  private readonly abort = new AbortController();
  private readonly control: DeliveryControl;

  constructor(private readonly options: AlertDispatcherOptions) {
    this.policy = { ...DEFAULT_DELIVERY, ...options.policy };
    this.host = options.host ?? hostname();
    this.control = { deadline: () => this.deadline, hurry: this.hurry.signal, abort: this.abort.signal };
  }

  /** A run event (sync/telemetry.ts) of `mapping`'s run; returns at once, never throws. */
  observe(event: RunEvent, mapping: Mapping): void {
    try {
      switch (event.type) {
        case 'run.started':
          this.runs.set(mapping.id, { deletesBlocked: null });
          // Alerts that cannot be read are said once, when the run ends.
          for (const pings of pingsOf(this.configsOf(mapping, false))) if (pings.start) this.ping(mapping, 'start', pings.start, event.runId);
          return;
        case 'deletes.blocked': {
          const run = this.runs.get(mapping.id);
          if (run) run.deletesBlocked = { count: event.count, reason: event.reason };
          return;
        }
        case 'run.finished':
          return this.finished(mapping, event.run);
        default:
          return;
      }
    } catch (err) {
      this.options.warn(`alerts of mapping "${mapping.name}": ${(err as Error).message}`);
    }
  }

  /** Deliveries not settled yet (sending, or waiting to retry). */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Waits up to `timeoutMs` for the deliveries under way; from now on a retry that could not start
   * within that time gives up at once (and says so). Returns how many are still unsettled.
   */
  async flush(timeoutMs: number): Promise<number> {
    const deadline = Math.min(this.deadline ?? Infinity, Date.now() + timeoutMs);
    this.deadline = deadline;
    this.hurry.abort();
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
    return this.inFlight.size;
  }

  /** Abandons what is still under way (each such delivery says so in its warning line) and waits for those lines. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private finished(mapping: Mapping, run: RunSummary): void {
    const state = this.runs.get(mapping.id);
    this.runs.delete(mapping.id);
    if (run.status === 'cancelled' || run.status === 'running' || run.status === 'interrupted') return;
    const deletesBlocked = state?.deletesBlocked ?? null;
    const configs = this.configsOf(mapping, true);
    const ping: HealthcheckPing = run.status === 'success' ? 'success' : 'fail';
    for (const pings of pingsOf(configs)) {
      const url = pings[ping];
      if (url) this.ping(mapping, ping, url, run.id);
    }
    const candidates = eventsOf(run, deletesBlocked);
    if (candidates.length === 0) return;
    const context: PayloadContext = { host: this.host, version: this.options.version, deletesBlocked };
    for (const webhook of webhooksOf(configs)) {
      const event = candidates.find((e) => webhook.on.includes(e));
      if (event) this.post(mapping, webhook, event, run, context);
    }
  }

  /** The mapping's own alerts, then the global ones; `warn`: say which cannot be read. */
  private configsOf(mapping: Mapping, warn: boolean): AlertsConfig[] {
    const read = (what: string, get: () => AlertsConfig | undefined): AlertsConfig[] => {
      try {
        const config = get();
        return hasAlerts(config) ? [config] : [];
      } catch (err) {
        if (warn) this.options.warn(`${what} cannot be read, so they were not sent: ${(err as Error).message}`);
        return [];
      }
    };
    return [
      ...read(`the alerts of mapping "${mapping.name}"`, () => this.options.alertsOf(mapping)),
      ...read('the global alerts', () => this.options.globalAlerts?.()),
    ];
  }

  private post(mapping: Mapping, webhook: WebhookAlert, event: AlertEvent, run: RunSummary, context: PayloadContext): void {
    const request = webhookRequest(webhook, alertPayload(event, mapping, run, context));
    this.track(this.send(request, `alert webhook ${redactedUrl(webhook.url)} (${event} of mapping "${mapping.name}", run ${run.id}, delivery ${request.deliveryId})`));
  }

  private ping(mapping: Mapping, ping: HealthcheckPing, url: string, runId: number): void {
    const request: AlertRequest = { method: 'GET', url, headers: { 'User-Agent': `cloud-data-sync/${this.options.version}` } };
    const previous = this.pingChains.get(mapping.id) ?? Promise.resolve();
    const next = previous.then(() => this.send(request, `healthcheck ${ping} ping ${redactedUrl(url)} (mapping "${mapping.name}", run ${runId})`));
    this.pingChains.set(mapping.id, next);
    void next.then(() => {
      if (this.pingChains.get(mapping.id) === next) this.pingChains.delete(mapping.id);
    });
    this.track(next);
  }

  private async send(request: AlertRequest, what: string): Promise<void> {
    const outcome = await deliver(request, this.policy, this.control);
    if (!outcome.delivered) this.options.warn(`${what} not delivered after ${outcome.attempts} attempt(s): ${outcome.reason}`);
  }

  private track(delivery: Promise<void>): void {
    const tracked = delivery.catch((err: unknown) => this.options.warn(`alert delivery failed: ${(err as Error).message}`));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

/**
 * The webhooks of `configs`, in order; a URL listed twice (a mapping's own and a global one) is sent
 * once, as listed first. A URL that is no http(s) URL (a config file's placeholder, warned about when
 * the file was read) is skipped.
 */
function webhooksOf(configs: readonly AlertsConfig[]): WebhookAlert[] {
  const seen = new Set<string>();
  return configs.flatMap((c) => c.webhooks).filter((w) => HTTP_URL.test(w.url) && !seen.has(w.url) && seen.add(w.url));
}

/** The healthcheck pings of `configs`, in order; a ping URL listed twice is pinged once. */
function pingsOf(configs: readonly AlertsConfig[]): Partial<HealthcheckPings>[] {
  const seen = new Set<string>();
  return configs.flatMap((c) => {
    if (!c.healthchecks) return [];
    const fresh: Partial<HealthcheckPings> = {};
    for (const ping of HEALTHCHECK_PINGS) {
      const url = c.healthchecks[ping];
      if (url !== undefined && HTTP_URL.test(url) && !seen.has(url)) {
        seen.add(url);
        fresh[ping] = url;
      }
    }
    return [fresh];
  });
}

/** The events a finished run may be, most specific first (see the head of this file). */
export function eventsOf(run: RunSummary, deletesBlocked: PayloadContext['deletesBlocked']): AlertEvent[] {
  const events: AlertEvent[] = [];
  if (run.errorCode === 'MaxDeleteGuard' || deletesBlocked?.reason === 'maxDelete') events.push('guard');
  if (run.status === 'failed' || run.status === 'partial') events.push('failure');
  if (run.status === 'success') events.push('success');
  return events;
}
