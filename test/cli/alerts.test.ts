// Alerts through the CLI (--once), against a real HTTP receiver on 127.0.0.1: a failing mapping's
// signed failure payload, a tripped delete guard, a success, healthcheck pings in order, a receiver
// that answers 503 then 200, and one that is down (the run's outcome and exit code unchanged, the CLI
// exits within the flush bound, one warning). Also: a hook never sees the alerts, errors name fields.
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { runCli } from '../../electron/headless/run-cli';
import type { SyncEnvironment } from '../../electron/headless/sync-command';
import type { DeliveryPolicy } from '../../electron/ops/alerts-delivery';
import { ALERT_FLUSH_MS } from '../../electron/ops/alerts';
import type { AlertPayload } from '../../electron/ops/alerts-payload';
import { downUrl, startReceiver, type Receiver } from '../ops/alerts-receiver';

const SECRET = 'whsec-cli-81c2d7';
const FAST: Partial<DeliveryPolicy> = { firstDelayMs: 20, maxDelayMs: 100, timeoutMs: 5_000 };

/** The CLI in this process, as test/cli/in-process.ts runs it, with the alerts' retry waits given. */
async function cli(args: string[], alertDelivery: Partial<DeliveryPolicy> = FAST) {
  let stdout = '';
  let stderr = '';
  const env: SyncEnvironment = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    version: '0.0.0-test',
    onShutdownRequest: () => () => undefined,
    alertDelivery,
  };
  const code = await runCli(args, env);
  return { code, stdout, stderr };
}

const alertLines = (stderr: string) => stderr.split('\n').filter((l) => l.includes('[alerts]'));

describe('cli: alerts', () => {
  let dir: string;
  let root: string;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-alerts-'));
    root = path.join(dir, 'root');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'a');
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  }

  /** A config with one mapping `name` (src → a folder of its own), `mapping` fields and top-level `top` fields. */
  async function runConfig(name: string, mapping: Record<string, unknown>, top: Record<string, unknown> = {}, alertDelivery?: Partial<DeliveryPolicy>) {
    await mkdir(path.join(root, name), { recursive: true });
    const file = path.join(dir, `${name}.json`);
    const config = {
      databasePath: path.join(dir, `${name}.db`),
      ...top,
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [{ name, sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: name, ...mapping }],
    };
    await writeFile(file, JSON.stringify(config));
    return cli(['--config', file, '--once'], alertDelivery);
  }

  it('a failing mapping: the receiver gets the failure payload, signed with the secret; exit code 1', async () => {
    const r = await receiver();
    const res = await runConfig('failing', { sourceBucket: 'missing', alerts: { webhooks: [{ url: `${r.url}/hook`, secret: SECRET }] } });
    expect(res.code).toBe(EXIT.failed);
    expect(r.requests).toHaveLength(1);
    const [req] = r.requests;
    expect(req!.headers['x-cds-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(req!.body).digest('hex')}`);
    expect(req!.headers['x-cds-event']).toBe('failure');
    expect(req!.headers['user-agent']).toBe('cloud-data-sync/0.0.0-test');
    const payload = JSON.parse(req!.body) as AlertPayload;
    expect(payload).toMatchObject({ version: 1, event: 'failure', mapping: { name: 'failing', source: 'disk:missing/', target: 'disk:failing/' }, run: { status: 'failed', dryRun: false }, app: { version: '0.0.0-test' } });
    expect(payload.run.errorCode).toBeTruthy();
    expect(payload.run.firstError).toContain('missing');
    expect(alertLines(res.stderr)).toEqual([]);
  });

  it('a tripped delete guard is a "guard" event with the deletions it held back', async () => {
    const r = await receiver();
    await mkdir(path.join(root, 'guarded'), { recursive: true });
    for (const name of ['x.txt', 'y.txt', 'z.txt']) await writeFile(path.join(root, 'guarded', name), name);
    const res = await runConfig('guarded', { deleteMode: 'mirror', maxDelete: 1, alerts: { webhooks: [{ url: `${r.url}/hook`, on: ['guard', 'failure'] }] } });
    expect(res.code).toBe(EXIT.failed);
    expect(r.requests.map((q) => q.headers['x-cds-event'])).toEqual(['guard']);
    expect(JSON.parse(r.requests[0]!.body)).toMatchObject({ event: 'guard', run: { status: 'failed', errorCode: 'MaxDeleteGuard', deletesBlocked: { count: 3, reason: 'maxDelete' } } });
  });

  it('a success is sent to a webhook with on: ["success"]; healthchecks get start then success; the global alerts apply too', async () => {
    const r = await receiver();
    const res = await runConfig(
      'succeeding',
      { alerts: { webhooks: [{ url: `${r.url}/own`, on: ['success'] }], healthchecks: { start: `${r.url}/hc/start`, success: `${r.url}/hc`, fail: `${r.url}/hc/fail` } } },
      { alerts: { webhooks: [{ url: `${r.url}/global`, on: ['failure', 'success'] }] } },
    );
    expect(res.code, res.stderr).toBe(EXIT.ok);
    expect(r.to('/own').map((q) => JSON.parse(q.body).event)).toEqual(['success']);
    expect(r.to('/global').map((q) => JSON.parse(q.body).event)).toEqual(['success']);
    expect(r.requests.filter((q) => q.path.startsWith('/hc')).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /hc/start', 'GET /hc']);
  });

  it('a failed run pings start then fail, and the failure webhook is not sent to a success-only webhook', async () => {
    const r = await receiver();
    const res = await runConfig('pinged', { sourceBucket: 'missing', alerts: { webhooks: [{ url: `${r.url}/success-only`, on: ['success'] }], healthchecks: { start: `${r.url}/hc/start`, success: `${r.url}/hc`, fail: `${r.url}/hc/fail` } } });
    expect(res.code).toBe(EXIT.failed);
    expect(r.requests.map((q) => q.path)).toEqual(['/hc/start', '/hc/fail']);
  });

  it('a receiver answering 503 then 200: delivered, the retry under the same X-CDS-Delivery id, no warning', async () => {
    const r = await receiver((_req, nth) => (nth === 0 ? 503 : 200));
    const res = await runConfig('retried', { sourceBucket: 'missing', alerts: { webhooks: [{ url: `${r.url}/hook`, secret: SECRET }] } });
    expect(res.code).toBe(EXIT.failed);
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1]!.headers['x-cds-delivery']).toBe(r.requests[0]!.headers['x-cds-delivery']);
    expect(r.requests[1]!.body).toBe(r.requests[0]!.body);
    expect(alertLines(res.stderr)).toEqual([]);
  });

  it('a receiver that is down: status and exit code unchanged, the CLI exits within the flush bound, one warning without the URL path or secret', async () => {
    const down = await downUrl();
    // A retry a minute away cannot start before the exit's deadline: the delivery gives up at once.
    const started = Date.now();
    const res = await runConfig(
      'unheard',
      { alerts: { webhooks: [{ url: `${down}/private-path?token=t0k3n`, on: ['success'], secret: SECRET }] } },
      {},
      { attempts: 5, firstDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 5_000 },
    );
    expect(Date.now() - started).toBeLessThan(ALERT_FLUSH_MS);
    expect(res.code, res.stderr).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/unheard: success/);
    const lines = alertLines(res.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN +\[alerts\] alert webhook http:\/\/127\.0\.0\.1:\d+\/… \(success of mapping "unheard", run \d+, delivery [0-9a-f-]+\) not delivered after 1 attempt\(s\): connection refused \(ECONNREFUSED\); gave up at shutdown$/);
    for (const hidden of ['private-path', 't0k3n', SECRET]) expect(res.stderr + res.stdout).not.toContain(hidden);
  });

  it("a before hook's stdin (the mapping as JSON) holds no alert URL or secret", async () => {
    const r = await receiver();
    const out = path.join(dir, 'hook-stdin.json');
    const recorder = path.join(dir, 'stdin-recorder.cjs');
    await writeFile(recorder, "let s='';process.stdin.on('data',(c)=>(s+=c));process.stdin.on('end',()=>{require('node:fs').writeFileSync(process.argv[2],s)});");
    const res = await runConfig('hooked', { hooks: { before: [process.execPath, recorder, out] }, alerts: { webhooks: [{ url: `${r.url}/hook-secret-path`, secret: SECRET }] } });
    expect(res.code, res.stderr).toBe(EXIT.ok);
    const stdin = await readFile(out, 'utf8');
    expect(JSON.parse(stdin)).toMatchObject({ name: 'hooked' });
    expect(stdin).not.toContain('hook-secret-path');
    expect(stdin).not.toContain(SECRET);
  });

  it('invalid alerts are refused before anything runs, each problem naming its field and never quoting a URL', async () => {
    const r = await receiver();
    const res = await runConfig(
      'invalid',
      { alerts: { webhooks: [{ url: 'ftp://hooks.example.com/secret-token-xyz', on: ['failed'], secret: 42 }], healthchecks: { start: `${r.url}/start` }, webhook: [] } },
      { alerts: { healthchecks: { success: 'not a url' } } },
    );
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toMatch(/mappings\[0\]\.alerts\.webhooks\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/);
    expect(res.stderr).toMatch(/mappings\[0\]\.alerts\.webhooks\[0\]\.on\[0\]: must be one of "failure", "guard", "success" \(got "failed"\)/);
    expect(res.stderr).toMatch(/mappings\[0\]\.alerts\.webhooks\[0\]\.secret: must be a string/);
    expect(res.stderr).toMatch(/mappings\[0\]\.alerts\.healthchecks\.success: is required/);
    expect(res.stderr).toMatch(/mappings\[0\]\.alerts\.webhook: unknown key/);
    expect(res.stderr).toMatch(/(^|\n)alerts\.healthchecks\.success: must be an http:\/\/ or https:\/\/ URL/m);
    expect(res.stderr).not.toContain('secret-token-xyz');
    expect(r.requests).toEqual([]);
  });
});
