// The object calls a sync makes once per object — PutObject, GetObject, HeadObject — sent as one
// signed request each instead of through the SDK's per-request middleware stack. That stack (command
// serialisation, endpoint rules, auth-scheme selection, retries, checksum and logging middleware, ~20
// steps re-resolved for every send) cost ≈ 1.1 ms of CPU per small PutObject against ≈ 0.4 ms for the
// same signed request sent directly (measured side by side, 3,000 puts of 8 KiB, 16 at once): more than
// everything else our client does per object.
//
// Everything that decides what goes on the wire is still the SDK's, taken from the client itself: the
// endpoint rules (resolved once per bucket, so path or virtual-host style, FIPS, dual-stack and dotted
// bucket names come out as the SDK would send them), the credential chain, the SigV4 signer, the clock
// offset and the HTTP handler with our keep-alive pools and timeouts. What is not the SDK's:
// - Retries: none here. The provider stack's retrying wrapper (stack.ts) retries Transient and
//   Throttled errors for every call, as it does around the SDK's own retries for the other calls.
// - Errors: an S3 error answer becomes an Error named after its <Code> with `$metadata.httpStatusCode`,
//   the shape mapS3Error reads from SDK errors; a HEAD has no body, so its status names it, as the SDK
//   names it (404 NotFound, 412 PreconditionFailed…).
// - A bucket whose endpoint asks for another auth scheme than SigV4 (S3 Express directory buckets,
//   multi-region access points) is not served here: `endpointFor` answers null and s3.ts uses the SDK.
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { escapeUriPath } from '@smithy/core/protocols';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 of an empty body, the payload hash of a GET or HEAD (as the SDK signs them). */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Error answers are a few hundred bytes of XML; more is not read. */
const MAX_ERROR_BODY = 64 * 1024;
/** Codes after which the SDK re-reads its clock offset from the answer's Date (isClockSkewError). */
const CLOCK_SKEW_CODES = new Set(['AuthFailure', 'InvalidSignatureException', 'RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed', 'SignatureDoesNotMatch']);
const SKEW_TOLERANCE_MS = 300_000;
/** How the SDK names the error of a HEAD (no body) by its status. */
const HEAD_ERROR_NAMES: Readonly<Record<number, string>> = { 301: 'PermanentRedirect', 304: 'NotModified', 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed' };

export interface DirectRequest {
  method: 'PUT' | 'GET' | 'HEAD';
  bucket: string;
  key: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** A PUT's body, `headers['content-length']` bytes long; sent unsigned (UNSIGNED-PAYLOAD): its Content-MD5 protects it. */
  body?: Buffer;
  signal?: AbortSignal;
}

export interface DirectAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** A GET's body, to be consumed or destroyed by the caller. */
  body: Readable;
}

interface BucketEndpoint {
  url: URL;
  signer: SignatureV4;
}

/** The parts of the SDK client's resolved configuration this uses. */
interface ClientConfig {
  systemClockOffset?: number;
  requestHandler: { handle(request: HttpRequest, options: { abortSignal?: AbortSignal }): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Readable } }> };
  credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'];
}

export class S3DirectCalls {
  private readonly endpoints = new Map<string, Promise<BucketEndpoint | null>>();
  private readonly config: ClientConfig;

  constructor(private readonly client: S3Client) {
    this.config = client.config as unknown as ClientConfig;
  }

  /** The bucket's endpoint and signer as the SDK resolves them; null when it signs otherwise than SigV4. */
  endpointFor(bucket: string): Promise<BucketEndpoint | null> {
    let endpoint = this.endpoints.get(bucket);
    if (!endpoint) {
      endpoint = this.resolve(bucket);
      endpoint.catch(() => this.endpoints.delete(bucket)); // a failed resolution is asked again next time
      this.endpoints.set(bucket, endpoint);
    }
    return endpoint;
  }

  /** Sends one request; a non-2xx answer throws an SDK-shaped error (see the top of the file). */
  async send(req: DirectRequest, endpoint: BucketEndpoint): Promise<DirectAnswer> {
    const { url, signer } = endpoint;
    const request = new HttpRequest({
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: `${url.pathname.replace(/\/$/, '')}/${escapeUriPath(req.key)}`,
      query: req.query ?? {},
      headers: { host: url.host, 'x-amz-content-sha256': req.body ? 'UNSIGNED-PAYLOAD' : EMPTY_SHA256, ...req.headers },
      body: req.body,
    });
    const signed = await signer.sign(request, { signingDate: new Date(Date.now() + (this.config.systemClockOffset ?? 0)) });
    const { response } = await this.config.requestHandler.handle(signed as HttpRequest, { abortSignal: req.signal });
    const answer = { status: response.statusCode, headers: response.headers, body: response.body };
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw await this.errorOf(req, answer);
  }

  private async resolve(bucket: string): Promise<BucketEndpoint | null> {
    // Any key: the endpoint rules of object calls depend on the bucket, not on the key.
    const endpoint = await getEndpointFromInstructions({ Bucket: bucket, Key: 'k' }, PutObjectCommand, this.client.config as never);
    const scheme = (endpoint.properties?.authSchemes as Array<{ name?: string; signingRegion?: string; signingName?: string; disableDoubleEncoding?: boolean }> | undefined)?.[0];
    if (!scheme || scheme.name !== 'sigv4' || !scheme.signingRegion) return null;
    const signer = cachingSigningKeys(new SignatureV4({
      credentials: this.config.credentials,
      region: scheme.signingRegion,
      service: scheme.signingName ?? 's3',
      sha256: this.config.sha256,
      uriEscapePath: scheme.disableDoubleEncoding !== true,
      applyChecksum: false,
    }));
    return { url: new URL(endpoint.url.href), signer };
  }

  private async errorOf(req: DirectRequest, answer: DirectAnswer): Promise<Error> {
    const text = req.method === 'HEAD' ? '' : await readCapped(answer.body);
    const code = xmlField(text, 'Code') ?? HEAD_ERROR_NAMES[answer.status] ?? `Http${answer.status}`;
    const message = xmlField(text, 'Message') ?? `${req.method} answered ${answer.status}`;
    this.correctClock(code, answer.headers.date);
    return Object.assign(new Error(message), {
      name: code,
      $fault: answer.status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: answer.status, requestId: answer.headers['x-amz-request-id'] },
    });
  }

  /** As the SDK does after a clock-skew error: the next signature uses the server's time. */
  private correctClock(code: string, date: string | undefined): void {
    const serverTime = date ? Date.parse(date) : Number.NaN;
    if (!CLOCK_SKEW_CODES.has(code) || Number.isNaN(serverTime)) return;
    const offset = this.config.systemClockOffset ?? 0;
    if (Math.abs(serverTime - (Date.now() + offset)) >= SKEW_TOLERANCE_MS) this.config.systemClockOffset = serverTime - Date.now();
  }
}

/** The SDK signer's own (private) method that gives the signing key of a day, region and service. */
type SigningKeyOf = (credentials: object, region: string, shortDate: string, service?: string) => Promise<Uint8Array>;

/**
 * Makes the SDK's signer keep each day's signing key per credentials object. The SDK caches the key
 * too, but to look it up it first computes an HMAC of the credentials, on every request: with the
 * async hashing around it ≈ 20–40 µs of CPU per small PutObject here (3–5% of it). A rotated
 * credential (a refreshed role session) is a new object from the SDK's memoized provider, so it gets
 * its own key. Should a later SDK rename the method, this wraps nothing and signing is unchanged.
 */
export function cachingSigningKeys(signer: SignatureV4): SignatureV4 {
  const internals = signer as unknown as { getSigningKey?: SigningKeyOf };
  const keyOf = internals.getSigningKey?.bind(signer);
  if (!keyOf) return signer;
  const keys = new WeakMap<object, Map<string, Promise<Uint8Array>>>();
  internals.getSigningKey = (credentials, region, shortDate, service) => {
    let byScope = keys.get(credentials);
    if (!byScope) keys.set(credentials, (byScope = new Map()));
    const scope = `${shortDate}/${region}/${service ?? ''}`;
    let key = byScope.get(scope);
    if (!key) {
      if (byScope.size >= 4) byScope.clear(); // days go by; an old scope is never asked for again
      const fresh = keyOf(credentials, region, shortDate, service);
      fresh.catch(() => byScope.delete(scope));
      byScope.set(scope, (key = fresh));
    }
    return key;
  };
  return signer;
}

async function readCapped(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // A body cut short: the status still names the error.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of the first <name> element of an S3 error document. */
function xmlField(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1]?.replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity]!);
}
