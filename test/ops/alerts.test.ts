// The alert dispatcher against a real HTTP receiver on 127.0.0.1: which runs become which webhook
// event, the signed payload, retries (503 then 200: one delivery id), healthcheck pings in order, a
// receiver that is down (one warning, never a throw, flush bounded), and secrets kept out of warnings.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertsConfig } from '../../shared/alerts';
import type { Mapping, RunSummary } from '../../shared/model';
import { AlertDispatcher, eventsOf, type AlertDispatcherOptions } from '../../electron/ops/alerts';
import type { AlertPayload } from '../../electron/ops/alerts-payload';
import type { RunEvent } from '../../electron/sync/telemetry';
import { downUrl, startReceiver, type Receiver } from './alerts-receiver';

const SECRET = 'whsec-test-4f1c9a';
const FAST = { firstDelayMs: 20, maxDelayMs: 100, timeoutMs: 2_000 };

const mapping: Mapping = {
  id: 'm1', name: 'Photos',
  sourceConnectionId: 'disk', sourceBucket: 'src', sourcePrefix: 'a/',
  targetConnectionId: 'cloud', targetBucket: 'dst', targetPrefix: '',
  transfers: 4, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
};

function summary(extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 7, mappingId: 'm1', status: 'success', dryRun: false, startedAt: 1_700_000_000_000, finishedAt: 1_700_000_002_500, durationMs: 2_500,
    firstError: null, errorCode: null, copied: 3, adopted: 1, skipped: 10, deleted: 0, failed: 0, bytesCopied: 300, ...extra,
  };
}

const started: RunEvent = {
  type: 'run.started', mappingId: 'm1', runId: 7, dryRun: false, startedAt: 1_700_000_000_000,
  source: { provider: 'local', bucket: 'src', prefix: 'a/' }, target: { provider: 'local', bucket: 'dst', prefix: '' },
};

const receivers: Receiver[] = [];
const dispatchers: AlertDispatcher[] = [];
afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

function dispatcher(own: AlertsConfig | undefined, extra: Partial<AlertDispatcherOptions> = {}): { d: AlertDispatcher; warnings: string[] } {
  const warnings: string[] = [];
  const d = new AlertDispatcher({ version: '9.8.7', host: 'test-host', warn: (m) => warnings.push(m), alertsOf: () => own, policy: FAST, ...extra });
  dispatchers.push(d);
  return { d, warnings };
}

/** One run: started, the given middle events, finished with `run`; then waits for every delivery. */
async function run(d: AlertDispatcher, run: RunSummary, middle: RunEvent[] = []): Promise<void> {
  d.observe(started, mapping);
  for (const e of middle) d.observe(e, mapping);
  d.observe({ type: 'run.finished', run }, mapping);
  await vi.waitFor(() => expect(d.pending).toBe(0), { timeout: 10_000 });
}

describe('which event a run is', () => {
  it('guard before failure, failure for failed and partial, success, nothing for cancelled', () => {
    expect(eventsOf(summary({ status: 'failed', errorCode: 'MaxDeleteGuard' }), null)).toEqual(['guard', 'failure']);
    expect(eventsOf(summary({ status: 'partial' }), { count: 5, reason: 'maxDelete' })).toEqual(['guard', 'failure']);
    expect(eventsOf(summary({ status: 'partial' }), { count: 5, reason: 'failedTransfers' })).toEqual(['failure']);
    expect(eventsOf(summary({ status: 'failed' }), null)).toEqual(['failure']);
    expect(eventsOf(summary(), null)).toEqual(['success']);
    expect(eventsOf(summary({ status: 'cancelled' }), null)).toEqual([]);
  });
});

describe('AlertDispatcher against a local receiver', () => {
  it('a failed run POSTs the version-1 payload, signed with the secret, with event, delivery id and user agent headers', async () => {
    const r = await receiver();
    const { d, warnings } = dispatcher({ webhooks: [{ url: `${r.url}/hook?token=abc`, on: ['failure'], secret: SECRET }] });
    await run(d, summary({ status: 'failed', errorCode: 'ListingFailed', firstError: 'listing src failed', copied: 0 }));
    expect(r.requests).toHaveLength(1);
    const [req] = r.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hook?token=abc');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('cloud-data-sync/9.8.7');
    expect(req!.headers['x-cds-event']).toBe('failure');
    expect(req!.headers['x-cds-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const expected = createHmac('sha256', SECRET).update(req!.body).digest('hex');
    expect(req!.headers['x-cds-signature']).toBe(`sha256=${expected}`);
    const payload = JSON.parse(req!.body) as AlertPayload;
    expect(payload).toEqual({
      version: 1,
      event: 'failure',
      text: 'Photos: sync failed — listing src failed',
      mapping: { id: 'm1', name: 'Photos', source: 'disk:src/a/', target: 'cloud:dst/' },
      run: {
        id: 7, status: 'failed', dryRun: false, errorCode: 'ListingFailed', firstError: 'listing src failed',
        startedAt: '2023-11-14T22:13:20.000Z', finishedAt: '2023-11-14T22:13:22.500Z', durationMs: 2500,
        counts: { copied: 0, adopted: 1, skipped: 10, deleted: 0, failed: 0, bytesCopied: 300 },
        deletesBlocked: null,
      },
      host: 'test-host',
      app: { name: 'cloud-data-sync', version: '9.8.7' },
    });
    expect(warnings).toEqual([]);
  });

  it('an unsigned webhook has no signature header; a success is sent only to webhooks that ask for it', async () => {
    const r = await receiver();
    const { d } = dispatcher({ webhooks: [{ url: `${r.url}/default`, on: ['failure', 'guard'] }, { url: `${r.url}/all`, on: ['failure', 'guard', 'success'] }] });
    await run(d, summary());
    expect(r.requests.map((q) => q.path)).toEqual(['/all']);
    expect(r.requests[0]!.headers['x-cds-signature']).toBeUndefined();
    expect(JSON.parse(r.requests[0]!.body)).toMatchObject({ event: 'success', text: 'Photos: synced — 3 copied, 0 deleted', run: { status: 'success' } });
  });

  it('a tripped guard is "guard" to a webhook that lists it and "failure" to one that lists only failure, with the blocked deletions', async () => {
    const r = await receiver();
    const { d } = dispatcher({ webhooks: [{ url: `${r.url}/guard`, on: ['guard', 'failure'] }, { url: `${r.url}/failure`, on: ['failure'] }, { url: `${r.url}/success`, on: ['success'] }] });
    await run(d, summary({ status: 'failed', errorCode: 'MaxDeleteGuard', firstError: 'maxDelete guard tripped' }), [{ type: 'deletes.blocked', count: 120, reason: 'maxDelete' }]);
    expect(r.requests.map((q) => [q.path, q.headers['x-cds-event']])).toEqual(expect.arrayContaining([['/guard', 'guard'], ['/failure', 'failure']]));
    expect(r.requests).toHaveLength(2);
    expect(JSON.parse(r.to('/guard')[0]!.body)).toMatchObject({ event: 'guard', run: { errorCode: 'MaxDeleteGuard', deletesBlocked: { count: 120, reason: 'maxDelete' } } });
  });

  it('a cancelled run sends nothing and pings nothing after its start', async () => {
    const r = await receiver();
    const { d } = dispatcher({ webhooks: [{ url: `${r.url}/hook`, on: ['failure', 'guard', 'success'] }], healthchecks: { start: `${r.url}/hc/start`, success: `${r.url}/hc`, fail: `${r.url}/hc/fail` } });
    await run(d, summary({ status: 'cancelled', errorCode: 'Cancelled' }));
    expect(r.requests.map((q) => q.path)).toEqual(['/hc/start']);
  });

  it('healthchecks: start when the run starts, then success or fail, in that order even when the start ping had to be retried', async () => {
    const r = await receiver((req, nth) => (req.path === '/hc/start' && nth === 0 ? 503 : 200));
    const { d } = dispatcher({ webhooks: [], healthchecks: { start: `${r.url}/hc/start`, success: `${r.url}/hc`, fail: `${r.url}/hc/fail` } });
    await run(d, summary());
    await run(d, summary({ id: 8, status: 'partial', failed: 2 }));
    expect(r.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /hc/start', 'GET /hc/start', 'GET /hc', 'GET /hc/start', 'GET /hc/fail']);
  });

  it('a receiver answering 503 then 200 gets the payload twice under one delivery id, and no warning is given', async () => {
    const r = await receiver((_req, nth) => (nth === 0 ? 503 : 200));
    const { d, warnings } = dispatcher({ webhooks: [{ url: `${r.url}/hook`, on: ['failure'], secret: SECRET }] });
    await run(d, summary({ status: 'failed' }));
    expect(r.requests).toHaveLength(2);
    const [first, second] = r.requests;
    expect(second!.headers['x-cds-delivery']).toBe(first!.headers['x-cds-delivery']);
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['x-cds-signature']).toBe(first!.headers['x-cds-signature']);
    expect(warnings).toEqual([]);
  });

  it('a 4xx other than 408/429 is not retried: one attempt, one warning line without the URL path, query or secret', async () => {
    const r = await receiver(() => 404);
    const { d, warnings } = dispatcher({ webhooks: [{ url: `${r.url}/secret-path-123?token=tok-456`, on: ['failure'], secret: SECRET }] });
    await run(d, summary({ status: 'failed' }));
    expect(r.requests).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`alert webhook ${r.url}/… (failure of mapping "Photos", run 7`);
    expect(warnings[0]).toMatch(/not delivered after 1 attempt\(s\): HTTP 404$/);
    for (const hidden of ['secret-path-123', 'tok-456', SECRET]) expect(warnings.join('\n')).not.toContain(hidden);
  });

  it('429 and 5xx are retried up to the attempts; then one warning', async () => {
    const r = await receiver(() => 429);
    const { d, warnings } = dispatcher({ webhooks: [{ url: `${r.url}/hook`, on: ['failure'] }] }, { policy: { ...FAST, attempts: 3 } });
    await run(d, summary({ status: 'failed' }));
    expect(r.requests).toHaveLength(3);
    expect(new Set(r.requests.map((q) => q.headers['x-cds-delivery'])).size).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/not delivered after 3 attempt\(s\): HTTP 429$/)]);
  });

  it('a receiver that is down: observe returns at once, one warning per delivery, and flush returns within its bound', async () => {
    const down = await downUrl();
    const { d, warnings } = dispatcher({ webhooks: [{ url: `${down}/hook`, on: ['failure'] }] }, { policy: { attempts: 5, firstDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 2_000 } });
    const before = Date.now();
    d.observe(started, mapping);
    d.observe({ type: 'run.finished', run: summary({ status: 'failed' }) }, mapping);
    expect(Date.now() - before).toBeLessThan(1_000);
    // The first attempt is refused; its retry would start a minute later, past the flush's bound: it gives up at once.
    const left = await d.flush(5_000);
    expect(left).toBe(0);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(warnings).toEqual([expect.stringMatching(/^alert webhook http:\/\/127\.0\.0\.1:\d+\/… \(failure of mapping "Photos", run 7, delivery [0-9a-f-]+\) not delivered after 1 attempt\(s\): connection refused \(ECONNREFUSED\); gave up at shutdown$/)]);
  });

  it("a mapping's own alerts and the global ones both apply; a URL in both is sent once", async () => {
    const r = await receiver();
    const shared = { url: `${r.url}/both`, on: ['failure' as const] };
    const { d } = dispatcher(
      { webhooks: [{ url: `${r.url}/own`, on: ['failure'] }, shared], healthchecks: { success: `${r.url}/hc-own`, fail: `${r.url}/hc-own/fail` } },
      { globalAlerts: () => ({ webhooks: [shared, { url: `${r.url}/global`, on: ['failure'] }], healthchecks: { success: `${r.url}/hc-global`, fail: `${r.url}/hc-own/fail` } }) },
    );
    await run(d, summary({ status: 'failed' }));
    expect(r.requests.map((q) => q.path).sort()).toEqual(['/both', '/global', '/hc-own/fail', '/own']);
  });

  it('alerts that cannot be read are one warning, and the rest is still sent', async () => {
    const r = await receiver();
    const { d, warnings } = dispatcher(undefined, {
      alertsOf: () => {
        throw new Error('cannot be decrypted; enter them again');
      },
      globalAlerts: () => ({ webhooks: [{ url: `${r.url}/global`, on: ['failure'] }] }),
    });
    await run(d, summary({ status: 'failed' }));
    expect(r.requests.map((q) => q.path)).toEqual(['/global']);
    expect(warnings).toEqual(['the alerts of mapping "Photos" cannot be read, so they were not sent: cannot be decrypted; enter them again']);
  });

  it("a config file's placeholder URL is skipped without a warning (the file's reading warned about it)", async () => {
    const r = await receiver();
    const { d, warnings } = dispatcher({ webhooks: [{ url: 'REPLACE_WITH_SECRET', on: ['failure'] }, { url: `${r.url}/real`, on: ['failure'] }], healthchecks: { start: 'REPLACE_WITH_SECRET', success: `${r.url}/hc` } });
    await run(d, summary({ status: 'failed' }));
    expect(r.requests.map((q) => q.path)).toEqual(['/real']);
    expect(warnings).toEqual([]);
  });

  it('user info in a URL is sent as basic authentication and never shown in a warning', async () => {
    const r = await receiver(() => 400);
    const url = r.url.replace('http://', 'http://alert-user:alert-pass@');
    const { d, warnings } = dispatcher({ webhooks: [{ url: `${url}/hook`, on: ['failure'] }] });
    await run(d, summary({ status: 'failed' }));
    expect(r.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alert-user:alert-pass').toString('base64')}`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/alert-user|alert-pass/);
  });
});
