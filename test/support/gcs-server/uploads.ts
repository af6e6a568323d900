// Upload routes: uploadType=media, multipart (multipart/related) and resumable sessions with the
// Content-Range protocol the SDK speaks:
//   PUT  bytes a-b/*    a chunk, more to come      → 308, Range: bytes=0-<persisted-1>
//   PUT  bytes a-b/N    a chunk; the last one when b = N-1 → 200 + object, else 308
//   PUT  bytes a-*/*|N  the rest of the object in this request → 200 + object
//   PUT  bytes */N|*    status query (finalizes when all N bytes are there) → 308 or 200
import { randomBytes } from 'node:crypto';
import { stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { flipMiddleByte, writeBody } from './files';
import { readJson, required, sendEmpty, sendJson, type Call } from './http';
import { boundaryOf, mediaPart, type MultipartUpload } from './multipart';
import { GcsHttpError, errors, objectResource, writableFields, type StoredObject, type WritableFields } from './resource';
import { checkObjectName, type Draft } from './state';

export interface UploadSession {
  bucket: string;
  name: string;
  fields: WritableFields;
  expected: NonNullable<Draft['expected']>;
  /** Preconditions from the initiating request, checked when the object is committed. */
  query: URLSearchParams;
  file: string;
  persisted: number;
  busy: boolean;
  result?: StoredObject;
}

export async function startUpload(call: Call, bucket: string): Promise<void> {
  const { query, req, ctx } = call;
  const uploadType = query.get('uploadType');
  ctx.state.bucket(bucket); // 404 before any bytes are read
  if (uploadType === 'resumable') return createSession(call, bucket);
  const file = ctx.state.tempFile();
  let draft: Draft;
  if (uploadType === 'multipart') {
    let head: MultipartUpload | undefined;
    await writeBody(mediaPart(req as AsyncIterable<Buffer>, boundaryOf(req.headers['content-type']), (h) => (head = h)), file).catch(discardOn(file));
    const fields = writableFields(head!.resource);
    fields.contentType ??= head!.mediaType;
    const name = required(query.get('name') ?? (head!.resource.name as string | undefined), 'name');
    draft = { bucket, name, file, fields, expected: expectedHashes(head!.resource, req.headers['x-goog-hash']) };
  } else if (uploadType === 'media') {
    const name = required(query.get('name'), 'name');
    await writeBody(req as AsyncIterable<Buffer>, file).catch(discardOn(file));
    draft = { bucket, name, file, fields: { contentType: req.headers['content-type'] }, expected: expectedHashes({}, req.headers['x-goog-hash']) };
  } else {
    throw errors.invalid(`Invalid upload type: ${uploadType}`);
  }
  await damageIfAsked(call, file);
  const object = await ctx.state.commit(draft, query);
  sendJson(call.res, 200, objectResource(object, ctx.baseUrl));
}

/** The corruptUploads fault: the received bytes are damaged before the commit checks them. */
async function damageIfAsked(call: Call, file: string): Promise<void> {
  if (call.ctx.faults.corruptUploads <= 0) return;
  call.ctx.faults.corruptUploads--;
  await flipMiddleByte(file);
}

async function createSession(call: Call, bucket: string): Promise<void> {
  const { query, req, ctx } = call;
  const resource = await readJson(req);
  const name = required(query.get('name') ?? (resource.name as string | undefined), 'name');
  checkObjectName(name); // GCS refuses a bad name when the session starts, before any bytes
  const fields = writableFields(resource);
  const headerType = req.headers['x-upload-content-type'];
  if (typeof headerType === 'string') fields.contentType = headerType;
  const expected = expectedHashes(resource, undefined);
  const declared = req.headers['x-upload-content-length'];
  if (typeof declared === 'string') expected.size = Number(declared);
  const file = ctx.state.tempFile();
  await writeFile(file, '');
  const id = randomBytes(16).toString('base64url');
  ctx.uploads.set(id, { bucket, name, fields, expected, query, file, persisted: 0, busy: false });
  const location = `${ctx.baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
  sendEmpty(call.res, 200, { Location: location, 'X-GUploader-UploadID': id });
}

/** PUT (or POST) to a session URI: a chunk, the rest, or a status query. DELETE cancels. */
export async function continueUpload(call: Call, id: string): Promise<void> {
  const { req, res, ctx } = call;
  const session = ctx.uploads.get(id);
  if (!session) throw new GcsHttpError(404, 'notFound', 'No such upload session (it was cancelled or never existed).');
  if (req.method === 'DELETE') {
    ctx.uploads.delete(id);
    if (!session.result) await unlink(session.file).catch(() => undefined);
    sendEmpty(res, 499);
    return;
  }
  if (session.result) {
    req.resume();
    sendJson(res, 200, objectResource(session.result, ctx.baseUrl));
    return;
  }
  if (session.busy) throw new GcsHttpError(503, 'backendError', 'Another request on this upload session is still in progress.');
  session.busy = true;
  try {
    const range = parseContentRange(req.headers['content-range']);
    let total = range.total;
    if (range.kind === 'query') {
      req.resume();
    } else {
      await receiveChunk(call, session, range);
      // "a-*/*" (or no Content-Range): this request carried the rest of the object.
      if (range.end === undefined && total === undefined) total = session.persisted;
    }
    if (total !== undefined && session.persisted > total) {
      throw errors.invalid(`Invalid request. ${session.persisted} bytes received, more than the declared total of ${total}.`);
    }
    if (total !== undefined && session.persisted === total) {
      // X-Goog-Hash of the last request wins over the session's md5Hash/crc32c here. What GCS does when
      // the two disagree is not documented; the provider never sends two different values.
      const expected = { ...session.expected, ...expectedHashes({}, req.headers['x-goog-hash']) };
      const draft = { bucket: session.bucket, name: session.name, file: session.file, fields: session.fields, expected };
      await damageIfAsked(call, session.file);
      // A failed commit (hash, size, precondition) ends the session: its bytes are gone.
      session.result = await ctx.state.commit(draft, session.query).catch((err: unknown) => {
        ctx.uploads.delete(id);
        throw err;
      });
      sendJson(res, 200, objectResource(session.result, ctx.baseUrl));
      return;
    }
    session.persisted = await keepWholeUnits(session.file, session.persisted, ctx.uploadGranularity);
    sendEmpty(res, 308, session.persisted > 0 ? { Range: `bytes=0-${session.persisted - 1}` } : {});
  } finally {
    session.busy = false;
  }
}

/** Appends a chunk's new bytes (a chunk may overlap what is already persisted) to the session file. */
async function receiveChunk(call: Call, session: UploadSession, range: Extract<ContentRange, { kind: 'data' }>): Promise<void> {
  if (range.start > session.persisted) {
    throw errors.invalid(`Invalid request. The chunk starts at byte ${range.start}, but only ${session.persisted} bytes were received so far.`);
  }
  const skip = session.persisted - range.start;
  let read: number;
  try {
    read = await writeBody(call.req as AsyncIterable<Buffer>, session.file, { append: true, skip });
  } catch (err) {
    // A broken connection keeps what arrived, in whole units, so the client can resume.
    session.persisted = await keepWholeUnits(session.file, (await stat(session.file)).size, call.ctx.uploadGranularity);
    throw err;
  }
  if (range.end !== undefined && read !== range.end - range.start + 1) {
    await truncate(session.file, session.persisted);
    throw errors.invalid(`Invalid request. There were ${read} byte(s) in the request body, the Content-Range announced ${range.end - range.start + 1}.`);
  }
  session.persisted = Math.max(session.persisted, range.start + read);
}

type ContentRange = { kind: 'query'; total?: number } | { kind: 'data'; start: number; end?: number; total?: number };

function parseContentRange(header: string | undefined): ContentRange {
  // No header: the whole object in one request.
  if (header === undefined) return { kind: 'data', start: 0 };
  const query = /^bytes \*\/(\d+|\*)$/.exec(header.trim());
  if (query) return { kind: 'query', total: query[1] === '*' ? undefined : Number(query[1]) };
  const data = /^bytes (\d+)-(\d+|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!data) throw errors.invalid(`Invalid Content-Range: ${header}`);
  const start = Number(data[1]);
  const end = data[2] === '*' ? undefined : Number(data[2]);
  if (end !== undefined && end < start) throw errors.invalid(`Invalid Content-Range: ${header}`);
  return { kind: 'data', start, end, total: data[3] === '*' ? undefined : Number(data[3]) };
}

/** Rounds the persisted bytes of an unfinished upload down to whole units (GCS keeps 256 KiB units). */
async function keepWholeUnits(file: string, size: number, unit: number): Promise<number> {
  const kept = size - (size % unit);
  await truncate(file, kept);
  return kept;
}
/** Hashes the client declared: md5Hash/crc32c in the resource, or an X-Goog-Hash header. */
function expectedHashes(resource: Record<string, unknown>, header: string | string[] | undefined): NonNullable<Draft['expected']> {
  const expected: NonNullable<Draft['expected']> = {};
  if (typeof resource.md5Hash === 'string') expected.md5 = resource.md5Hash;
  if (typeof resource.crc32c === 'string') expected.crc32c = resource.crc32c;
  for (const pair of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const kind = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (kind === 'md5') expected.md5 = value;
    if (kind === 'crc32c') expected.crc32c = value;
  }
  return expected;
}

function discardOn(file: string): (err: unknown) => never {
  return (err) => {
    unlink(file).catch(() => undefined);
    throw err;
  };
}
