// A fault-injecting HTTP proxy for tests: listens on 127.0.0.1, forwards every request to one
// upstream test server (s3rver, moto, Azurite, the GCS test server) and, following a SEEDED plan,
// answers errors, resets connections mid-body, delays, truncates or corrupts bodies, or makes
// listing pages short. A failing case is replayed by running it again with the same seed.
//
// Determinism: rule r decides about its n-th matching request from (seed, r, n) alone, so the same
// seed gives the same decision sequence per rule. Which request is the n-th still depends on the
// order in which concurrent requests arrive; with one transfer at a time a replay is exact.
//
// What the proxy cannot imitate of a real service: it answers from 127.0.0.1 with no TLS; an error
// answer is sent after the request body was read (a real service may answer early and close); a
// reset is a TCP RST from the proxy, not from a load balancer in between.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { mulberry32 } from './prng';

const HOST = '127.0.0.1';

/** What a request looks like to a rule's predicate. */
export interface ProxiedRequest {
  method: string;
  /** Path as sent (still percent-encoded). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface RequestMatch {
  /** One method or a list (upper case). */
  method?: string | readonly string[];
  /** Tested against the raw path (no query). */
  path?: RegExp;
  /** Tested against the raw query string (without '?'), or a predicate over the parsed query. */
  query?: RegExp | ((query: URLSearchParams) => boolean);
  /** A header that must be present (and match `value` when given). Name in lower case. */
  header?: { name: string; value?: RegExp };
  /** Anything else. */
  test?: (req: ProxiedRequest) => boolean;
}

export type Fault =
  /** Answers this status and body instead of forwarding (the request body is read and dropped). */
  | { kind: 'error'; status: number; body: string; contentType: string; headers?: Record<string, string> }
  /** Forwards part of the request body (a seeded share), then resets the client's connection. */
  | { kind: 'resetRequest' }
  /** Forwards the response headers and part of its body (seeded offset), then resets the connection. */
  | { kind: 'resetResponse' }
  /** Like resetResponse, but closes the connection cleanly (FIN): the body is just short. */
  | { kind: 'truncate' }
  /** Flips one byte of the response body at a seeded offset; headers (ETag, hashes) are unchanged. */
  | { kind: 'corrupt' }
  /** Waits a seeded time in [0, ms] before forwarding. Stacks with a later rule's fault. */
  | { kind: 'delay'; ms: number }
  /** Sets a query parameter (e.g. a listing's page size) before forwarding. Stacks too. */
  | { kind: 'rewriteQuery'; param: string; value: string };

export type FaultKind = Fault['kind'];

export interface FaultRule {
  /** Shown in the figures; defaults to the fault kind. */
  name?: string;
  match?: RequestMatch;
  /** Fires on a matching request with this probability (seeded). */
  probability?: number;
  /** Fires on these matching requests (1-based), or on those the predicate picks. Without probability and nth, fires on every match. */
  nth?: number | readonly number[] | ((n: number) => boolean);
  /** Fires at most this many times. */
  max?: number;
  fault: Fault;
}

/** Live traffic counters for requests matching a predicate (see FaultProxy.watch). */
export interface Traffic {
  requests: number;
  requestBytes: number;
  responseBytes: number;
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT — give this to the provider instead of the upstream's endpoint. */
  url: string;
  port: number;
  seed: number;
  /** Replaces the plan (match counters and `injected` restart); `[]` makes the proxy transparent. */
  setRules(rules: readonly FaultRule[]): void;
  /** Faults applied under the current plan, per kind (and per rule name when one was given). */
  readonly injected: Readonly<Record<string, number>>;
  /** Faults applied since the proxy started, per kind. */
  readonly injectedTotal: Readonly<Record<string, number>>;
  /** Requests received so far. */
  readonly requests: number;
  /** Counts traffic of matching requests from now on. */
  watch(match: RequestMatch): Traffic;
  /** "seed=… requests=… injected: error=3 corrupt=1" — put it in failure messages. */
  describe(): string;
  stop(): Promise<void>;
}


/** A seed from FAULT_SEED when set (to replay a failure), else `fallback`. */
export function seedFromEnv(fallback: number): number {
  const text = process.env.FAULT_SEED;
  const seed = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULT_SEED must be an integer, got "${text}"`);
  return seed;
}

/** Each service's own throttling and server-error answers, as its SDK expects to parse them. */
export const SERVICE_ERRORS = {
  s3SlowDown: s3Error(503, 'SlowDown', 'Please reduce your request rate.'),
  s3InternalError: s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
  s3ServiceUnavailable: s3Error(503, 'ServiceUnavailable', 'Service is unable to handle request.'),
  tooManyRequests: { kind: 'error', status: 429, contentType: 'text/plain', body: 'Too Many Requests' } as Fault,
  azureServerBusy: azureError(503, 'ServerBusy', 'The server is currently unable to receive requests. Please retry your request.'),
  azureInternalError: azureError(500, 'InternalError', 'The server encountered an internal error. Please retry the request.'),
  gcsRateLimit: gcsError(429, 'rateLimitExceeded', 'The rate of change requests to the object is too high.'),
  gcsBackendError: gcsError(503, 'backendError', 'Backend Error'),
} as const;

function s3Error(status: number, code: string, message: string): Fault {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULTPROXY</RequestId><HostId>fault-proxy</HostId></Error>`;
  return { kind: 'error', status, contentType: 'application/xml', body };
}

function azureError(status: number, code: string, message: string): Fault {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:fault-proxy\nTime:${new Date(0).toISOString()}</Message></Error>`;
  return { kind: 'error', status, contentType: 'application/xml', body, headers: { 'x-ms-error-code': code, 'x-ms-request-id': 'fault-proxy' } };
}

function gcsError(status: number, reason: string, message: string): Fault {
  const body = JSON.stringify({ error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });
  return { kind: 'error', status, contentType: 'application/json; charset=UTF-8', body };
}

/** Matches S3 (path-style), Azure and GCS listing requests of objects (not of buckets). */
export const LISTING_REQUESTS: Readonly<Record<'s3' | 'azure' | 'gcs', RequestMatch>> = {
  // GET /bucket?list-type=2… (ListObjectsV2) or GET /bucket?… (V1) — one path segment.
  s3: { method: 'GET', path: /^\/[^/]+\/?$/, query: (q) => !q.has('uploads') && !q.has('location') && !q.has('versioning') },
  azure: { method: 'GET', query: (q) => q.get('restype') === 'container' && q.get('comp') === 'list' },
  gcs: { method: 'GET', path: /^\/storage\/v1\/b\/[^/]+\/o\/?$/ },
};

/** Reads of an object's bytes (not listings, not HEAD). */
export const OBJECT_READS: Readonly<Record<'s3' | 'azure' | 'gcs', RequestMatch>> = {
  s3: { method: 'GET', path: /^\/[^/]+\/.+/ },
  // GET /account/container/blob with no comp= (comp=blocklist, comp=metadata… are other operations).
  azure: { method: 'GET', path: /^\/[^/]+\/[^/]+\/.+/, query: (q) => !q.has('comp') },
  gcs: { method: 'GET', query: (q) => q.get('alt') === 'media' },
};

/** Requests that carry a body: uploads, parts, blocks, resumable chunks. */
export const UPLOAD_BODIES: RequestMatch = { method: ['PUT', 'POST'], header: { name: 'content-length', value: /^[1-9]/ } };

/** The query parameter that asks for a listing's next page. */
export const NEXT_PAGE_PARAM = { s3: 'continuation-token', azure: 'marker', gcs: 'pageToken' } as const;

/** A match that needs every one of `parts` (e.g. a service's object reads of one key). */
export function allOf(...parts: readonly RequestMatch[]): RequestMatch {
  return { test: (req) => parts.every((m) => matches(m, req)) };
}

/** The query parameter each service reads as a listing's page size. */
export const PAGE_SIZE_PARAM = { s3: 'max-keys', azure: 'maxresults', gcs: 'maxResults' } as const;

// Hop-by-hop headers are the proxy's own business; `expect` is dropped so that the upstream does not
// wait for a 100-continue the proxy never relays (Node answers the client's expectation itself).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

export async function startFaultProxy(options: { upstream: string; seed: number; rules?: readonly FaultRule[] }): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const seed = options.seed >>> 0;
  let plan = compile(options.rules ?? []);
  let injected: Record<string, number> = {};
  const injectedTotal: Record<string, number> = {};
  const watchers: Array<{ match: RequestMatch; traffic: Traffic }> = [];
  let requests = 0;
  // Keep-alive to the upstream, but idle sockets are dropped after 1 s: the upstream servers close
  // theirs after 5 s, and a request sent on a socket just being closed would be an unplanned reset.
  const agent = new http.Agent({ keepAlive: true, timeout: 1_000, maxSockets: 256 });
  const sockets = new Set<Socket>();

  const count = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  const applied = (rule: CompiledRule) => {
    if (trace) console.log(`fault proxy ✗ ${rule.name ?? rule.fault.kind}`);
    count(injected, rule.fault.kind);
    count(injectedTotal, rule.fault.kind);
    if (rule.name) count(injected, rule.name);
  };

  // FAULT_PROXY_LOG=1 prints every request and the fault it got, to study a replayed seed.
  const trace = process.env.FAULT_PROXY_LOG === '1';
  const server = http.createServer((req, res) => {
    requests++;
    if (trace) console.log(`fault proxy ← ${req.method} ${req.url} length=${req.headers['content-length'] ?? '-'}`);
    handle(req, res).catch(() => res.destroy());
  });
  // Longer than any client keeps an idle socket, so the proxy never closes one under a new request.
  server.keepAliveTimeout = 120_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const view: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers };
    const traffic = watchers.filter((w) => matches(w.match, view)).map((w) => w.traffic);
    traffic.forEach((t) => t.requests++);

    let terminal: { rule: CompiledRule; random: () => number } | undefined;
    for (const rule of plan) {
      if (!matches(rule.match, view)) continue;
      const n = ++rule.seen;
      const random = mulberry32(mix(seed, rule.index, n));
      if (!rule.fires(n, random)) continue;
      const { fault } = rule;
      if (fault.kind === 'delay') {
        applied(rule);
        await new Promise((r) => setTimeout(r, Math.floor(random() * fault.ms)));
      } else if (fault.kind === 'rewriteQuery') {
        applied(rule);
        url.searchParams.set(fault.param, fault.value);
      } else {
        terminal = { rule, random };
        break;
      }
    }

    const fault = terminal?.rule.fault;
    if (fault?.kind === 'error') {
      req.resume();
      req.on('end', () => {
        applied(terminal!.rule);
        res.writeHead(fault.status, { ...fault.headers, 'Content-Type': fault.contentType, 'Content-Length': Buffer.byteLength(fault.body) });
        res.end(fault.body);
      });
      return;
    }

    const headers = forwardHeaders(req.headers);
    const upstreamReq = http.request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: url.pathname + url.search,
      headers,
      agent,
    });
    upstreamReq.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end('fault proxy: upstream connection failed');
      } else res.destroy();
    });
    req.on('aborted', () => upstreamReq.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });

    // Request body: counted, and cut short when the plan says so.
    const declared = Number(req.headers['content-length'] ?? NaN);
    const cutRequestAt =
      fault?.kind === 'resetRequest' && declared > 0 ? Math.floor(terminal!.random() * declared) : undefined;
    const requestMeter = new ByteTap(cutRequestAt === undefined ? undefined : () => cutRequestAt, undefined, (n) => traffic.forEach((t) => (t.requestBytes += n)), () => {
      applied(terminal!.rule);
      upstreamReq.destroy();
      resetSocket(req.socket);
    });
    req.pipe(requestMeter).pipe(upstreamReq);

    upstreamReq.on('response', (upstreamRes) => {
      const length = Number(upstreamRes.headers['content-length'] ?? NaN);
      const bodyFault = fault?.kind === 'resetResponse' || fault?.kind === 'truncate' || fault?.kind === 'corrupt' ? fault.kind : undefined;
      const hasBody = req.method !== 'HEAD' && upstreamRes.statusCode !== 204 && upstreamRes.statusCode !== 304 && length !== 0;
      if (bodyFault && !hasBody && bodyFault !== 'corrupt') {
        // Nothing to cut: the connection drops before the answer (a reset seen by the client).
        applied(terminal!.rule);
        upstreamRes.resume();
        resetSocket(req.socket);
        return;
      }
      // Without a known length (chunked answers), the offset falls inside the first chunk.
      const share = terminal?.random();
      const offset: Position | undefined =
        bodyFault && hasBody && share !== undefined ? (firstChunk) => Math.floor(share * (Number.isFinite(length) ? length : firstChunk)) : undefined;
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders(upstreamRes, upstream, req));
      const tap = new ByteTap(
        bodyFault === 'corrupt' ? undefined : offset,
        bodyFault === 'corrupt' ? offset : undefined,
        (n) => traffic.forEach((t) => (t.responseBytes += n)),
        () => {
          applied(terminal!.rule);
          upstreamRes.destroy();
          if (bodyFault === 'truncate') req.socket.end();
          else resetSocket(req.socket);
        },
        () => applied(terminal!.rule),
      );
      upstreamRes.pipe(tap).pipe(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${HOST}:${port}`,
    port,
    seed,
    setRules(rules) {
      plan = compile(rules);
      injected = {};
    },
    get injected() {
      return injected;
    },
    get injectedTotal() {
      return injectedTotal;
    },
    get requests() {
      return requests;
    },
    watch(match) {
      const traffic: Traffic = { requests: 0, requestBytes: 0, responseBytes: 0 };
      watchers.push({ match, traffic });
      return traffic;
    },
    describe() {
      const parts = Object.entries(injected).map(([k, v]) => `${k}=${v}`);
      return `fault proxy seed=${seed} (replay: FAULT_SEED=${seed}) requests=${requests} injected: ${parts.join(' ') || 'nothing'}`;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface CompiledRule {
  index: number;
  name: string | undefined;
  match: RequestMatch | undefined;
  fault: Fault;
  seen: number;
  fired: number;
  fires(n: number, random: () => number): boolean;
}

function compile(rules: readonly FaultRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const nth = rule.nth === undefined || typeof rule.nth === 'function' ? rule.nth : new Set(typeof rule.nth === 'number' ? [rule.nth] : rule.nth);
    const compiled: CompiledRule = {
      index,
      name: rule.name,
      match: rule.match,
      fault: rule.fault,
      seen: 0,
      fired: 0,
      fires(n, random) {
        if (rule.max !== undefined && compiled.fired >= rule.max) return false;
        const hit = nth === undefined ? rule.probability === undefined || random() < rule.probability : typeof nth === 'function' ? nth(n) : nth.has(n);
        if (hit) compiled.fired++;
        return hit;
      },
    };
    return compiled;
  });
}

export function matches(match: RequestMatch | undefined, req: ProxiedRequest): boolean {
  if (!match) return true;
  if (match.method !== undefined) {
    const methods = typeof match.method === 'string' ? [match.method] : match.method;
    if (!methods.includes(req.method)) return false;
  }
  if (match.path && !match.path.test(req.path)) return false;
  if (match.query) {
    if (match.query instanceof RegExp ? !match.query.test(req.query.toString()) : !match.query(req.query)) return false;
  }
  if (match.header) {
    const value = req.headers[match.header.name];
    if (value === undefined) return false;
    if (match.header.value && !match.header.value.test(String(value))) return false;
  }
  return !match.test || match.test(req);
}

/** A seed per (rule, n-th match): decisions do not depend on how many other requests came between. */
function mix(seed: number, rule: number, n: number): number {
  let h = seed ^ Math.imul(rule + 1, 0x9e3779b1) ^ Math.imul(n, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function forwardHeaders(headers: IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  // Host is kept as the client sent it: signatures (SigV4) cover it.
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** The upstream's headers; a Location pointing at the upstream (GCS resumable sessions) points at the proxy instead. */
function responseHeaders(res: IncomingMessage, upstream: URL, req: IncomingMessage): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  const location = res.headers.location;
  if (location?.startsWith(upstream.origin) && req.headers.host) out.location = `http://${req.headers.host}${location.slice(upstream.origin.length)}`;
  return out;
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  // An RST, as a dropped connection looks to a client; older Nodes only have destroy().
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** A body offset, decided when the first chunk arrives (given its length, for bodies of unknown length). */
type Position = (firstChunkLength: number) => number;

/**
 * Passes bytes through, counting them. With a cut position, passes exactly that many bytes and then calls
 * `onCut` (the caller drops the connection); a cut stream never ends, so the answer is never completed
 * (a chunked one would otherwise get its last chunk and look whole, short, to the client, which then
 * reuses the connection the proxy is about to close). With a flip position, inverts the byte at that
 * offset and calls `onFlip`.
 */
class ByteTap extends Transform {
  private offset = 0;
  private cut = false;
  private cutAt: number | undefined;
  private flipAt: number | undefined;

  constructor(
    private readonly cutPosition: Position | undefined,
    private readonly flipPosition: Position | undefined,
    private readonly onBytes: (n: number) => void,
    private readonly onCut: () => void,
    private readonly onFlip: () => void = () => undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.cut) return done();
    if (this.offset === 0) {
      this.cutAt = this.cutPosition?.(chunk.length);
      this.flipAt = this.flipPosition?.(chunk.length);
    }
    const start = this.offset;
    this.offset += chunk.length;
    if (this.flipAt !== undefined && this.flipAt >= start && this.flipAt < this.offset) {
      chunk = Buffer.from(chunk);
      chunk[this.flipAt - start] = chunk[this.flipAt - start]! ^ 0xff;
      this.onFlip();
    }
    if (this.cutAt !== undefined && this.offset > this.cutAt) {
      this.cut = true;
      const head = chunk.subarray(0, this.cutAt - start);
      this.onBytes(head.length);
      if (head.length > 0) this.push(head);
      // Let the bytes before the cut reach the socket first.
      setImmediate(() => this.onCut());
      return done();
    }
    this.onBytes(chunk.length);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (!this.cut) done();
  }
}
