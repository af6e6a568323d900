// One HTTP request of an alert (a webhook POST or a healthcheck ping), sent with retries: a timeout
// per attempt, exponential backoff with jitter between attempts, a bounded number of attempts. Never
// throws: the outcome says whether it arrived and, if not, why (without the URL: the caller names it
// redacted, since a URL is a credential).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface DeliveryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Each attempt is abandoned after this long (connecting, sending, and the answer's status line). */
  timeoutMs: number;
  /** The wait before the second attempt; it doubles for each one after, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { attempts: 5, timeoutMs: 10_000, firstDelayMs: 1_000, maxDelayMs: 30_000 };

export interface AlertRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface DeliveryOutcome {
  delivered: boolean;
  attempts: number;
  /** Why the last attempt failed ("HTTP 503", "connection refused (ECONNREFUSED)", "timed out after 10 s"); null when delivered. */
  reason: string | null;
}

/**
 * When the sender wants it over: `deadline` (ms since the epoch, or null) is the latest moment an
 * attempt may start — a retry that would start later gives up at once; `hurry` fires when the
 * deadline is set or moved, so a wait under way looks at it again; `abort` stops the attempt in flight.
 */
export interface DeliveryControl {
  deadline(): number | null;
  hurry: AbortSignal;
  abort: AbortSignal;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs: number | null };

export async function deliver(req: AlertRequest, policy: DeliveryPolicy, control: DeliveryControl): Promise<DeliveryOutcome> {
  let reason = 'not attempted';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (control.abort.aborted) return { delivered: false, attempts: attempt - 1, reason: `${reason}; gave up at shutdown` };
    const result = await send(req, policy.timeoutMs, control.abort);
    if (result.ok) return { delivered: true, attempts: attempt, reason: null };
    reason = result.reason;
    if (!result.retry || attempt === policy.attempts) return { delivered: false, attempts: attempt, reason };
    const wakeAt = Date.now() + (result.retryAfterMs ?? backoff(policy, attempt));
    if (!(await waitUntil(wakeAt, control))) return { delivered: false, attempts: attempt, reason: `${reason}; gave up at shutdown` };
  }
  return { delivered: false, attempts: policy.attempts, reason };
}

/** The wait after attempt `n` failed: firstDelay·2^(n−1), capped, then a random half to ¾ … full of it ("equal jitter"), so senders that failed together do not retry together. */
export function backoff(policy: DeliveryPolicy, n: number): number {
  const full = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (n - 1));
  return full / 2 + Math.random() * (full / 2);
}

/**
 * Waits until `wakeAt`; false (at once) when the deadline comes first or the delivery is aborted.
 * `hurry` fires once, when a flush sets the deadline: a wait under way then checks it again.
 */
async function waitUntil(wakeAt: number, control: DeliveryControl): Promise<boolean> {
  const beforeDeadline = () => {
    const deadline = control.deadline();
    return !control.abort.aborted && (deadline === null || wakeAt <= deadline);
  };
  if (!beforeDeadline()) return false;
  const hurried = await sleep(wakeAt - Date.now(), control.hurry.aborted ? [control.abort] : [control.hurry, control.abort]);
  if (!hurried) return true;
  if (!beforeDeadline()) return false;
  await sleep(wakeAt - Date.now(), [control.abort]);
  return !control.abort.aborted;
}

/** Sleeps `ms`; true when one of `signals` fired first. Unref'd: a backoff must not keep an idle process alive (the flush decides how long to wait). */
function sleep(ms: number, signals: AbortSignal[]): Promise<boolean> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve(true);
    const done = (interrupted: boolean) => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onSignal);
      resolve(interrupted);
    };
    const onSignal = () => done(true);
    const timer = setTimeout(() => done(false), Math.max(0, ms));
    timer.unref();
    for (const s of signals) s.addEventListener('abort', onSignal, { once: true });
  });
}

/** One attempt: 2xx is delivered; 408, 429, 5xx and network errors may be retried; any other answer is final. */
function send(req: AlertRequest, timeoutMs: number, abort: AbortSignal): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const finish = (result: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      resolve(result);
    };
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return resolve({ ok: false, retry: false, reason: 'not a valid URL', retryAfterMs: null });
    }
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const headers = { ...req.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
    const request = (url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null)?.(url, { method: req.method, headers });
    if (!request) return resolve({ ok: false, retry: false, reason: `${url.protocol} is not http or https`, retryAfterMs: null });
    const timer = setTimeout(() => {
      finish({ ok: false, retry: true, reason: `timed out after ${timeoutMs / 1000} s`, retryAfterMs: null });
      request.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish({ ok: false, retry: false, reason: 'aborted at shutdown', retryAfterMs: null });
      request.destroy();
    };
    abort.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, retry: true, reason: networkReason(err), retryAfterMs: null }));
    request.on('response', (res: IncomingMessage) => {
      // The answer's body says nothing we act on: read and drop it so the socket is freed.
      res.resume();
      finish(answer(res));
    });
    request.end(body);
  });
}

function answer(res: IncomingMessage): Attempt {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { ok: true };
  const retry = status === 408 || status === 429 || status >= 500;
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: give the final URL)' : '';
  return { ok: false, retry, reason: `HTTP ${status}${redirect}`, retryAfterMs: retry ? retryAfterOf(res.headers['retry-after']) : null };
}

/** Retry-After in seconds (an HTTP date is not worth a clock comparison here), at most a minute. */
function retryAfterOf(header: string | undefined): number | null {
  if (header === undefined || !/^\d+$/.test(header.trim())) return null;
  return Math.min(60, Number(header.trim())) * 1000;
}

function networkReason(err: NodeJS.ErrnoException): string {
  const what: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  const code = err.code ?? '';
  return what[code] ? `${what[code]} (${code})` : code ? `${err.message} (${code})` : err.message;
}
