// A GCS media download over node:http(s), checked against the x-goog-hash CRC32C.
//
// Why not the SDK's createReadStream: in @google-cloud/storage 7.x a connection reset in the middle
// of the body neither errors nor ends its stream (node-fetch does not pass the socket's error on),
// so a read hangs for good. node:http reports the reset as an error of the response, and an idle
// socket times out. fetch() is no choice either: it always decompresses a gzip-encoded answer,
// while a copy must get the bytes as stored.
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { CRC32C } from '@google-cloud/storage';
import { SourceChangedError, StorageError } from './errors';
import { abortReason } from './abort';
import { mapGcsError } from './gcs-errors';
import type { ErrorContext } from './s3-common';

export interface Download {
  /** The JSON API root without a trailing slash, e.g. https://storage.googleapis.com. */
  apiEndpoint: string;
  bucket: string;
  key: string;
  /** A generation: the answer must be of that one (ifGenerationMatch), or SourceChangedError. */
  ifMatch?: string;
  /** Authorization headers, when the endpoint takes credentials. */
  headers: Record<string, string>;
  agents: { http: http.Agent; https: https.Agent };
  /** Deadline for the answer's headers, and for any pause of the body. */
  idleTimeoutMs: number;
  ctx: ErrorContext;
  signal?: AbortSignal;
}

/**
 * Resolves with the body once GCS answered 2xx; rejects with a StorageError (SourceChangedError for
 * another generation) or the caller's abort. The body's errors are StorageErrors too; its last
 * chunk is held back until the received bytes matched the CRC32C GCS announced, so a consumer never
 * sees a complete stream of damaged bytes.
 */
export function openDownload(d: Download): Promise<Readable> {
  const url = new URL(`${d.apiEndpoint}/storage/v1/b/${encodeURIComponent(d.bucket)}/o/${encodeURIComponent(d.key)}`);
  url.searchParams.set('alt', 'media');
  if (d.ifMatch !== undefined) url.searchParams.set('ifGenerationMatch', d.ifMatch);
  const where = `${d.ctx.op} ${d.bucket}/${d.key}`;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      agent: url.protocol === 'https:' ? d.agents.https : d.agents.http,
      // gzip: an object stored gzip-encoded comes as stored, not decompressed by GCS.
      headers: { ...d.headers, 'Accept-Encoding': 'gzip' },
      signal: d.signal,
    });
    // Every error of the request and of the answer, however many come and whenever, lands in one
    // place: before the answer it rejects; after it, it fails the body unless that already ended
    // (the error stays on the stream, readable.errored, for a reader that comes later). Listeners
    // stay for the request's whole life (`on`, not `once`): a second error event of either object
    // must never be an unhandled 'error' that ends the process. The caller's abort surfaces as a
    // reset: it stays the caller's abort.
    let body: Transform | undefined;
    const failed = (err: unknown): void => {
      const mapped = d.signal?.aborted ? abortReason(d.signal) : mapGcsError(err, d.ctx, d.signal);
      if (!body) reject(mapped);
      else if (!body.destroyed) body.destroy(mapped);
    };
    req.on('error', failed);
    req.setTimeout(d.idleTimeoutMs, () => req.destroy(new StorageError('Transient', `${where}: no data for ${d.idleTimeoutMs} ms`)));
    req.once('response', (res) => {
      res.on('error', failed);
      const status = res.statusCode ?? 0;
      if (status >= 300) {
        readError(res).then((message) => {
          const err = mapGcsError(Object.assign(new Error(message), { code: status }), d.ctx, d.signal);
          reject(status === 412 ? new SourceChangedError(`${where}: the object is no longer generation ${d.ifMatch}`, { cause: err }) : err);
        }, failed);
        return;
      }
      const generation = header(res, 'x-goog-generation');
      if (d.ifMatch !== undefined && generation !== undefined && generation !== d.ifMatch) {
        res.destroy();
        reject(new SourceChangedError(`${where}: asked for generation ${d.ifMatch}, the answer is generation ${generation}`));
        return;
      }
      body = checkedBody(res, expectedCrc32c(res), Number(header(res, 'content-length') ?? NaN), where);
      body.once('close', () => res.destroy());
      res.pipe(body);
      resolve(body);
    });
    req.end();
  });
}

/** Passes the bytes on, the last chunk only after the total and the CRC32C matched. */
function checkedBody(res: http.IncomingMessage, crc32c: string | undefined, length: number, where: string): Transform {
  const crc = new CRC32C();
  let received = 0;
  let held: Buffer | undefined;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc.update(chunk);
      received += chunk.length;
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback) {
      // A body cut short ends without an error when the server closed the connection cleanly.
      if (!res.complete || (Number.isFinite(length) && received !== length)) {
        callback(new StorageError('Transient', `${where}: the download ended after ${received} of ${length} bytes`));
      } else if (crc32c !== undefined && crc.toString() !== crc32c) {
        callback(new StorageError('Transient', `${where}: checksum mismatch, the data was corrupted in transit (CRC32C ${crc.toString()}, expected ${crc32c})`));
      } else {
        callback(null, held);
      }
    },
  });
  // From its creation on: the caller may not read at once (a target opens its temp file first), and
  // a download failing in between must not be an unhandled 'error' that ends the process.
  body.on('error', () => undefined);
  return body;
}

/**
 * The CRC32C of the bytes as sent: x-goog-hash describes the stored bytes, which is what arrives
 * unless GCS transcoded them (a gzip-stored object to a client without gzip, which we never are).
 */
function expectedCrc32c(res: http.IncomingMessage): string | undefined {
  const stored = header(res, 'x-goog-stored-content-encoding');
  const sent = header(res, 'content-encoding');
  if (stored !== undefined && stored !== 'identity' && stored !== sent) return undefined;
  for (const part of (header(res, 'x-goog-hash') ?? '').split(',')) {
    const [kind, value] = part.trim().split(/=(.*)/s);
    if (kind === 'crc32c' && value) return value;
  }
  return undefined;
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The error message of a JSON error answer (bounded read). */
async function readError(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (text.length < 64 * 1024) text += chunk.toString('utf8');
  }
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? (text || `HTTP ${res.statusCode}`);
  } catch {
    return text || `HTTP ${res.statusCode}`;
  }
}
