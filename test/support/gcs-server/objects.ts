// Object routes: metadata get/patch/delete, listing, media download and compose.
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { appendRange } from './files';
import { readJson, sendEmpty, sendJson, type Call } from './http';
import { checkPreconditions } from './preconditions';
import { GcsHttpError, errors, objectResource, writableFields, type StoredObject } from './resource';
import { MAX_PAGE } from './state';

/** GCS composes at most this many sources in one call. */
const MAX_COMPOSE_SOURCES = 32;

/** The live object, or with `generation` that one (live or noncurrent), after the read preconditions. */
function readable(call: Call, bucket: string, name: string): StoredObject {
  const generation = call.query.get('generation');
  const object = generation === null ? call.ctx.state.object(bucket, name) : call.ctx.state.generation(bucket, name, Number(generation));
  checkPreconditions(object, call.query, { read: true });
  return object;
}

export function getObject(call: Call, bucket: string, name: string): Promise<void> | void {
  const object = readable(call, bucket, name);
  if (call.query.get('alt') === 'media') return download(call, object);
  sendJson(call.res, 200, objectResource(object, call.ctx.baseUrl));
}

export async function patchObject(call: Call, bucket: string, name: string): Promise<void> {
  const patch = await readJson(call.req);
  const object = call.ctx.state.patchObject(bucket, name, patch, call.query);
  sendJson(call.res, 200, objectResource(object, call.ctx.baseUrl));
}

export function deleteObject(call: Call, bucket: string, name: string): void {
  call.ctx.state.deleteObject(bucket, name, call.query);
  sendEmpty(call.res, 204);
}

export function listObjects(call: Call, bucket: string): void {
  const { query } = call;
  const maxResults = query.has('maxResults') ? Number(query.get('maxResults')) : MAX_PAGE;
  if (!Number.isInteger(maxResults) || maxResults < 0) throw errors.invalid(`Invalid value for maxResults: ${query.get('maxResults')}`);
  const list = query.get('versions') === 'true' ? call.ctx.state.listVersions.bind(call.ctx.state) : call.ctx.state.list.bind(call.ctx.state);
  const page = list(bucket, {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
    maxResults: maxResults || MAX_PAGE,
    pageToken: query.get('pageToken') || undefined,
  });
  // Like GCS, empty arrays and a missing token are left out rather than sent empty.
  const body: Record<string, unknown> = { kind: 'storage#objects' };
  if (page.prefixes.length > 0) body.prefixes = page.prefixes;
  if (page.items.length > 0) body.items = page.items.map((o) => objectResource(o, call.ctx.baseUrl));
  if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
  sendJson(call.res, 200, body);
}

/** alt=media: the bytes with x-goog-hash (the SDK validates downloads with it) and Range → 206. */
async function download(call: Call, object: StoredObject): Promise<void> {
  const { req, res, ctx } = call;
  const range = parseRange(req.headers.range, object.size);
  const headers: Record<string, string | number> = {
    'Content-Type': object.contentType ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: `"${object.md5Hash ? Buffer.from(object.md5Hash, 'base64').toString('hex') : object.crc32c}"`,
    'Last-Modified': object.updated.toUTCString(),
    'x-goog-generation': String(object.generation),
    'x-goog-metageneration': String(object.metageneration),
    'x-goog-hash': object.md5Hash ? `crc32c=${object.crc32c},md5=${object.md5Hash}` : `crc32c=${object.crc32c}`,
    // The SDK validates only when this says identity (or gzip served as gzip).
    'x-goog-stored-content-encoding': object.contentEncoding ?? 'identity',
    'x-goog-stored-content-length': String(object.size),
  };
  if (object.contentEncoding) headers['Content-Encoding'] = object.contentEncoding;
  if (object.cacheControl) headers['Cache-Control'] = object.cacheControl;
  if (object.contentDisposition) headers['Content-Disposition'] = object.contentDisposition;
  if (object.contentLanguage) headers['Content-Language'] = object.contentLanguage;
  if (range === 'unsatisfiable') {
    throw new GcsHttpError(416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.', { 'Content-Range': `bytes */${object.size}` });
  }
  const [start, end] = range ?? [0, object.size];
  if (range) headers['Content-Range'] = `bytes ${start}-${end - 1}/${object.size}`;
  headers['Content-Length'] = end - start;
  if (end === start) {
    res.writeHead(range ? 206 : 200, headers);
    res.end();
    return;
  }
  // Opened before the headers go out: the object may have been replaced (its file removed) meanwhile.
  const handle = await open(object.file).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? errors.noSuchObject(object.bucket, object.name) : err;
  });
  const body = handle.createReadStream({ start, end: end - 1 });
  res.writeHead(range ? 206 : 200, headers);
  if (ctx.faults.resetDownloads > 0 && end - start > 1) {
    ctx.faults.resetDownloads--;
    const cut = (end - start) >> 1;
    let sent = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      res.write(chunk.subarray(0, cut - sent));
      sent += Math.min(chunk.length, cut - sent);
      if (sent >= cut) break;
    }
    // The connection ends with the body half sent: to the client, a connection lost mid-body.
    res.socket?.end();
    return;
  }
  if (ctx.faults.corruptDownloads > 0) {
    ctx.faults.corruptDownloads--;
    await pipeline(body, flipOneByte(), res);
  } else {
    await pipeline(body, res);
  }
}

/** `[start, end)` for a single-range Range header, undefined for none (or one we ignore, as HTTP allows). */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size : Math.min(size, Number(match[2]) + 1);
  if (start >= size || end <= start) return 'unsatisfiable';
  return [start, end];
}

/** Flips the bits of one byte in the middle of the first chunk. */
function flipOneByte(): Transform {
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!done && chunk.length > 0) {
        done = true;
        const copy = Buffer.from(chunk);
        copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 0xff;
        callback(null, copy);
        return;
      }
      callback(null, chunk);
    },
  });
}

/** Concatenates source objects of one bucket into a composite object (no md5Hash, like GCS). */
export async function composeObject(call: Call, bucket: string, name: string): Promise<void> {
  const { state } = call.ctx;
  const body = await readJson(call.req);
  const sources = Array.isArray(body.sourceObjects) ? (body.sourceObjects as { name?: unknown; generation?: unknown }[]) : [];
  if (sources.length === 0 || sources.length > MAX_COMPOSE_SOURCES) {
    throw errors.invalid(`The number of source components provided (${sources.length}) must be between 1 and ${MAX_COMPOSE_SOURCES}.`);
  }
  const parts = sources.map((source) => {
    const object = state.object(bucket, String(source.name ?? ''));
    if (source.generation !== undefined && String(source.generation) !== String(object.generation)) throw errors.noSuchObject(bucket, object.name);
    return object;
  });
  const file = state.tempFile();
  await concatenate(parts, file);
  const destination = typeof body.destination === 'object' && body.destination !== null ? (body.destination as Record<string, unknown>) : {};
  const componentCount = parts.reduce((n, p) => n + (p.componentCount ?? 1), 0);
  const object = await state.commit({ bucket, name, file, fields: writableFields(destination), componentCount }, call.query);
  sendJson(call.res, 200, objectResource(object, call.ctx.baseUrl));
}

async function concatenate(parts: readonly StoredObject[], file: string): Promise<void> {
  await (await open(file, 'w')).close();
  for (const part of parts) await appendRange(part.file, file, 0, part.size);
}
