// HTTP plumbing shared by the route modules: the per-request view, JSON in and out, errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GcsHttpError, errors } from './resource';
import type { RewriteSession } from './rewrite';
import type { GcsState } from './state';
import type { UploadSession } from './uploads';

/** Fault injection, changed by tests while the server runs. */
export interface GcsFaults {
  /** Media downloads still to corrupt (one byte flipped; x-goog-hash keeps describing the stored bytes). */
  corruptDownloads: number;
  /** Media downloads still to cut: the headers and half the body go out, then the connection is reset. */
  resetDownloads: number;
  /**
   * Uploads still to damage "in transit": one byte of what arrived is flipped just before the
   * commit checks it, so only a hash the client declared (md5Hash, crc32c, X-Goog-Hash) can catch it.
   */
  corruptUploads: number;
  /** Canned error answers: the first rule matching a request answers it and counts down. */
  failures: FailureRule[];
}

export interface FailureRule {
  method?: string;
  /** Matched against the request's path and query, as sent. */
  path?: RegExp;
  status: number;
  reason?: string;
  times: number;
}

export interface RequestRecord {
  method: string;
  url: string;
  authorization?: string;
}

export interface ServerContext {
  state: GcsState;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  faults: GcsFaults;
  /** Bytes copied per rewrite call unless the client says maxBytesRewrittenPerCall. */
  rewriteBytesPerCall: number;
  /** A resumable upload keeps the bytes of a non-final chunk in multiples of this. */
  uploadGranularity: number;
  /** The most recent requests, oldest first (bounded). */
  requests: RequestRecord[];
  /** Resumable upload sessions by upload id. */
  uploads: Map<string, UploadSession>;
  /** Unfinished multi-call rewrites by rewrite token. */
  rewrites: Map<string, RewriteSession>;
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  ctx: ServerContext;
}

const JSON_TYPE = 'application/json; charset=UTF-8';
const MAX_JSON_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error = err instanceof GcsHttpError ? err : new GcsHttpError(500, 'backendError', `test server: ${String(err)}`);
  if (error.status === 304) sendEmpty(res, 304, error.headers);
  else sendJson(res, error.status, error.body(), error.headers);
}

/** The request body as a JSON object; an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw errors.invalid('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.invalid('Parse Error: the request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.invalid('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A required query parameter or path part. */
export function required(value: string | null | undefined, what: string): string {
  if (value === null || value === undefined || value === '') throw errors.required(what);
  return value;
}
