// What a webhook receives: the JSON body (version 1, documented in README "Alerts"), its headers and
// signature. The body is built once per delivery, so every retry sends the same bytes under the same
// X-CDS-Delivery id and a receiver can drop a repeat.
import { createHmac, randomUUID } from 'node:crypto';
import type { AlertEvent, WebhookAlert } from '../../shared/alerts';
import { placeOf, placeText } from '../../shared/config/mapping-ids';
import type { Mapping, RunSummary } from '../../shared/model';
import type { AlertRequest } from './alerts-delivery';

export const ALERT_PAYLOAD_VERSION = 1;

export interface AlertPayload {
  version: typeof ALERT_PAYLOAD_VERSION;
  event: AlertEvent;
  /** One line for people ("Photos: sync failed — …"): what a chat webhook would show. */
  text: string;
  mapping: {
    id: string;
    name: string;
    /** "<connection id>:<bucket>/<prefix>", as the run log names the sides. */
    source: string;
    target: string;
  };
  run: {
    id: number;
    status: RunSummary['status'];
    dryRun: boolean;
    /** RunSummary.errorCode: 'MaxDeleteGuard', 'ListingFailed', a storage error code…; null without an error. */
    errorCode: string | null;
    firstError: string | null;
    /** ISO 8601, UTC. */
    startedAt: string;
    finishedAt: string | null;
    durationMs: number | null;
    counts: { copied: number; adopted: number; skipped: number; deleted: number; failed: number; bytesCopied: number };
    /** Deletions the run planned but did not make: the maxDelete guard ('maxDelete') or failed transfers ('failedTransfers'); null: none held back. */
    deletesBlocked: { count: number; reason: 'maxDelete' | 'failedTransfers' } | null;
  };
  /** The machine that ran it (os.hostname()). */
  host: string;
  app: { name: 'cloud-data-sync'; version: string };
}

export interface PayloadContext {
  host: string;
  version: string;
  deletesBlocked: AlertPayload['run']['deletesBlocked'];
}

export function alertPayload(event: AlertEvent, mapping: Mapping, run: RunSummary, context: PayloadContext): AlertPayload {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    version: ALERT_PAYLOAD_VERSION,
    event,
    text: alertText(event, mapping, run),
    mapping: { id: mapping.id, name: mapping.name, source: placeText(placeOf(mapping, 'source')), target: placeText(placeOf(mapping, 'target')) },
    run: {
      id: run.id,
      status: run.status,
      dryRun: run.dryRun,
      errorCode: run.errorCode,
      firstError: run.firstError,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: iso(run.finishedAt),
      durationMs: run.durationMs,
      counts: { copied: run.copied, adopted: run.adopted, skipped: run.skipped, deleted: run.deleted, failed: run.failed, bytesCopied: run.bytesCopied },
      deletesBlocked: context.deletesBlocked,
    },
    host: context.host,
    app: { name: 'cloud-data-sync', version: context.version },
  };
}

function alertText(event: AlertEvent, mapping: Mapping, run: RunSummary): string {
  const dry = run.dryRun ? ' (dry run)' : '';
  const why = run.firstError ? ` — ${run.firstError}` : '';
  switch (event) {
    case 'guard':
      return `${mapping.name}: delete guard tripped${dry}${why}`;
    case 'failure':
      return run.status === 'partial'
        ? `${mapping.name}: ${run.failed} object${run.failed === 1 ? '' : 's'} failed to sync${dry}${why}`
        : `${mapping.name}: sync failed${dry}${why}`;
    case 'success':
      return `${mapping.name}: synced${dry} — ${run.copied} copied, ${run.deleted} deleted`;
  }
}

/** The hex HMAC-SHA256 of `body` under `secret`: X-CDS-Signature is "sha256=" and this. */
export function signatureOf(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** The POST of one delivery: a new X-CDS-Delivery id, kept by every retry of it. */
export function webhookRequest(webhook: WebhookAlert, payload: AlertPayload): AlertRequest & { deliveryId: string } {
  const body = JSON.stringify(payload);
  const deliveryId = randomUUID();
  return {
    method: 'POST',
    url: webhook.url,
    deliveryId,
    body,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': `cloud-data-sync/${payload.app.version}`,
      'X-CDS-Event': payload.event,
      'X-CDS-Delivery': deliveryId,
      ...(webhook.secret ? { 'X-CDS-Signature': `sha256=${signatureOf(webhook.secret, body)}` } : {}),
    },
  };
}
