// Request dispatch: path → route module. Paths are split on "/" before percent-decoding, because
// object names arrive as one encoded segment (a "/" in a name is %2F).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBucket, deleteBucket, getBucket, listBuckets } from './buckets';
import { sendError, sendJson, type Call, type ServerContext } from './http';
import { composeObject, deleteObject, getObject, listObjects, patchObject } from './objects';
import { GcsHttpError, errors } from './resource';
import { rewriteObject } from './rewrite';
import { signedGet } from './signed';
import { continueUpload, startUpload } from './uploads';

const MAX_RECORDED_REQUESTS = 5000;

export function createHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, ctx).catch((err: unknown) => sendError(res, err));
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const rawUrl = req.url ?? '/';
  ctx.requests.push({ method: req.method ?? 'GET', url: rawUrl, authorization: req.headers.authorization });
  if (ctx.requests.length > MAX_RECORDED_REQUESTS) ctx.requests.splice(0, ctx.requests.length - MAX_RECORDED_REQUESTS);
  const url = new URL(rawUrl, ctx.baseUrl);
  const call: Call = { req, res, query: url.searchParams, ctx };
  const failure = injectedFailure(ctx, req.method ?? 'GET', url.pathname + url.search);
  if (failure) {
    req.resume();
    sendJson(res, failure.status, failure.body());
    return;
  }
  const segments = url.pathname.split('/').slice(1).map(decodeSegment);
  const method = req.method ?? 'GET';
  const [area, ...rest] = segments;
  if (area === 'storage' && rest[0] === 'v1') return api(call, method, rest.slice(1));
  if (area === 'upload' && rest[0] === 'storage' && rest[1] === 'v1') return upload(call, method, rest.slice(2));
  if (area === 'download' && rest[0] === 'storage' && rest[1] === 'v1') {
    const [b, bucket, o, name] = rest.slice(2);
    if (method === 'GET' && b === 'b' && bucket && o === 'o' && name !== undefined && rest.length === 6) {
      call.query.set('alt', 'media');
      return getObject(call, bucket, name);
    }
  }
  if (method === 'GET' && call.query.has('X-Goog-Signature') && area && rest.length > 0) return signedGet(call, area, rest.join('/'));
  throw notFound(method, url.pathname);
}

/** /storage/v1/… */
function api(call: Call, method: string, s: string[]): Promise<void> | void {
  if (s[0] !== 'b') throw notFound(method, s.join('/'));
  const bucket = s[1];
  if (s.length === 1) {
    if (method === 'GET') return listBuckets(call);
    if (method === 'POST') return createBucket(call);
  } else if (s.length === 2 && bucket) {
    if (method === 'GET') return getBucket(call, bucket);
    if (method === 'DELETE') return deleteBucket(call, bucket);
  } else if (bucket && s[2] === 'o') {
    const name = s[3];
    if (s.length === 3 && method === 'GET') return listObjects(call, bucket);
    if (s.length === 4 && name !== undefined) {
      if (method === 'GET') return getObject(call, bucket, name);
      if (method === 'PATCH') return patchObject(call, bucket, name);
      if (method === 'DELETE') return deleteObject(call, bucket, name);
    }
    if (s.length === 5 && name !== undefined && s[4] === 'compose' && method === 'POST') return composeObject(call, bucket, name);
    const [, , , , verb, b, dstBucket, o, dstName] = s;
    if (s.length === 9 && name !== undefined && verb === 'rewriteTo' && b === 'b' && dstBucket && o === 'o' && dstName !== undefined && method === 'POST') {
      return rewriteObject(call, bucket, name, dstBucket, dstName);
    }
  }
  throw notFound(method, s.join('/'));
}

/** /upload/storage/v1/b/BUCKET/o: a new upload, or a request on a resumable session. */
function upload(call: Call, method: string, s: string[]): Promise<void> {
  const [b, bucket, o] = s;
  if (s.length !== 3 || b !== 'b' || !bucket || o !== 'o') throw notFound(method, s.join('/'));
  const id = call.query.get('upload_id');
  if (id) {
    if (method === 'PUT' || method === 'POST' || method === 'DELETE') return continueUpload(call, id);
  } else if (method === 'POST') {
    return startUpload(call, bucket);
  }
  throw notFound(method, s.join('/'));
}

function injectedFailure(ctx: ServerContext, method: string, path: string): GcsHttpError | undefined {
  const rule = ctx.faults.failures.find((r) => r.times > 0 && (!r.method || r.method === method) && (!r.path || r.path.test(path)));
  if (!rule) return undefined;
  rule.times--;
  return new GcsHttpError(rule.status, rule.reason ?? 'injected', `injected failure ${rule.status}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.invalid(`Invalid path segment: ${segment}`);
  }
}

function notFound(method: string, path: string): GcsHttpError {
  return new GcsHttpError(404, 'notFound', `Not Found: ${method} ${path}`);
}
