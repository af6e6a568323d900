// A GCS resumable upload that GCS itself verifies before it finalizes anything.
//
// Why not the SDK's createWriteStream: in @google-cloud/storage 7.x it never sends X-Goog-Hash on a
// resumable upload; it compares the MD5 after GCS finalized the object and, on a mismatch, deletes
// it, so bytes damaged on the way cost the previous version of the object as well. Here the last
// request carries `X-Goog-Hash: md5=…` of every byte sent (and `crc32c=…` of the source, when it
// declared one), and GCS refuses to finalize on a mismatch. Requests go out with fetch(): the session start with the caller's credentials, the
// chunks to the session URI, which GCS documents as its own credential. (The SDK's
// createResumableUpload would do for the start, but it switches off retries for the whole Storage
// client while it runs, and other calls that start meanwhile keep them off.)
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileMetadata } from '@google-cloud/storage';
import { StorageError } from './errors';
import { abortReason } from './abort';
import { mapGcsError } from './gcs-errors';
import type { ErrorContext } from './s3-common';

export interface ResumableUpload {
  /** The JSON API root without a trailing slash, e.g. https://storage.googleapis.com. */
  apiEndpoint: string;
  bucket: string;
  key: string;
  /** Authorization headers, when the endpoint takes credentials (the session start and a status look-up). */
  headers: Record<string, string>;
  /** The object resource (content type, metadata, storage class, md5Hash and crc32c when the caller knows them). */
  resource: FileMetadata;
  /** The Cloud KMS key to encrypt the object with (the `kmsKeyName` query parameter); absent: the bucket's default. */
  kmsKeyName?: string;
  size: number;
  /** Bytes per request but the last: a multiple of 256 KiB. One chunk is held in memory to resend it. */
  chunkSize: number;
  /** Deadline of one chunk request. */
  timeoutMs: number;
  ctx: ErrorContext;
  signal?: AbortSignal;
}

/** A failed chunk request is sent again (from what GCS confirmed) this many times. */
const CHUNK_RETRIES = 2;
const RETRY_DELAY_MS = 500;
/** GCS answers 308 "Resume Incomplete" to a chunk that is not the last. */
const RESUME_INCOMPLETE = 308;

/**
 * Uploads `body` (exactly `size` bytes, see exactSize) and resolves with the object resource GCS
 * stored. `crc32c` is the source's (base64), declared so GCS checks it too. Chunks go out while the body is read, but the last request is sent only after the body
 * ended without error, so an error of the body (a size or checksum check of the caller) leaves an
 * unfinished session: nothing replaces the previous object. A failed upload's session is cancelled.
 */
export async function uploadResumable(u: ResumableUpload, body: Readable, expectedMd5: string | undefined, crc32c: string | undefined): Promise<FileMetadata> {
  const uri = await startSession(u);
  try {
    const md5 = createHash('md5');
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      md5.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      // More than a chunk buffered: the first chunkSize bytes are not the object's last.
      while (pendingBytes > u.chunkSize) {
        const all = Buffer.concat(pending);
        await sendChunk(u, uri, all.subarray(0, u.chunkSize), offset, undefined);
        offset += u.chunkSize;
        pending = [all.subarray(u.chunkSize)];
        pendingBytes -= u.chunkSize;
      }
    }
    const digest = md5.digest();
    // The caller's MD5 and the one sent must agree: GCS would take either as the truth.
    if (expectedMd5 !== undefined && digest.toString('hex') !== expectedMd5) {
      throw new StorageError('Transient', `${describe(u)}: the source's bytes have MD5 ${digest.toString('hex')}, expected ${expectedMd5}`);
    }
    // The same values as the resource's md5Hash/crc32c: GCS would take either as the truth.
    const hash = `${crc32c === undefined ? '' : `crc32c=${crc32c},`}md5=${digest.toString('base64')}`;
    const resource = await sendChunk(u, uri, Buffer.concat(pending), offset, hash);
    if (!resource) throw new StorageError('Fatal', `${describe(u)}: GCS did not finalize the upload after its last byte`);
    return resource;
  } catch (err) {
    // Best effort and bounded: an unfinished session would otherwise linger for a week.
    await fetch(uri, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    throw err;
  }
}

/** Starts a session for the object and its resource; resolves with the session URI. */
async function startSession(u: ResumableUpload): Promise<string> {
  const url = new URL(`${u.apiEndpoint}/upload/storage/v1/b/${encodeURIComponent(u.bucket)}/o`);
  url.searchParams.set('uploadType', 'resumable');
  url.searchParams.set('name', u.key);
  if (u.kmsKeyName) url.searchParams.set('kmsKeyName', u.kmsKeyName);
  const headers: Record<string, string> = { ...u.headers, 'Content-Type': 'application/json; charset=UTF-8', 'X-Upload-Content-Length': String(u.size) };
  if (u.resource.contentType) headers['X-Upload-Content-Type'] = u.resource.contentType;
  const res = await request(u, url.href, { method: 'POST', headers, body: Buffer.from(JSON.stringify(u.resource)) }).catch((err: unknown) => {
    throw u.signal?.aborted ? abortReason(u.signal) : mapGcsError(err, u.ctx, u.signal);
  });
  if (res.status >= 300) throw await httpError(u, res);
  await res.body?.cancel();
  const location = res.headers.get('location');
  if (!location) throw new StorageError('Transient', `${describe(u)}: GCS started an upload session without a Location`);
  return location;
}

/**
 * Sends `data` (the object's bytes from `offset` on) to the session; `hash` (the X-Goog-Hash value)
 * marks the last request.
 * Resolves with the object resource once GCS finalized, undefined for a chunk it kept. A failed
 * request is retried from the offset GCS confirms it holds (it keeps whole 256 KiB units).
 */
async function sendChunk(u: ResumableUpload, uri: string, data: Buffer, offset: number, hash: string | undefined): Promise<FileMetadata | undefined> {
  const last = hash !== undefined;
  const end = offset + data.length;
  let from = offset;
  for (let attempt = 0; ; attempt++) {
    u.signal?.throwIfAborted();
    const headers: Record<string, string> = { 'Content-Range': `bytes ${from}-${end - 1}/${last ? u.size : '*'}` };
    if (last) headers['X-Goog-Hash'] = hash;
    let failure: StorageError;
    let resend: boolean;
    try {
      const res = await request(u, uri, { method: 'PUT', headers, body: data.subarray(from - offset) });
      if (res.status === 200 || res.status === 201) {
        if (!last) throw new StorageError('Fatal', `${describe(u)}: GCS finalized the upload at byte ${end} of ${u.size}`);
        return (await res.json()) as FileMetadata;
      }
      if (res.status === RESUME_INCOMPLETE) {
        const persisted = confirmedBytes(res);
        if (!last && persisted === end) return undefined;
        if (persisted < from || persisted > end) throw new StorageError('Fatal', `${describe(u)}: GCS holds ${persisted} bytes, expected ${end}`);
        // GCS kept only part of the request: send the rest.
        from = persisted;
        continue;
      }
      failure = await httpError(u, res);
      // A refusal (a checksum mismatch, a precondition) ends the session; only a failure of the
      // service itself leaves it open to resend.
      resend = res.status >= 500 || res.status === 429 || res.status === 408;
    } catch (err) {
      if (u.signal?.aborted) throw abortReason(u.signal);
      failure = err instanceof StorageError ? err : (mapGcsError(err, u.ctx, u.signal) as StorageError);
      resend = failure.retryable;
    }
    if (!resend || attempt >= CHUNK_RETRIES) throw failure;
    await sleep(RETRY_DELAY_MS * 2 ** attempt, undefined, { signal: u.signal });
    const status = await queryStatus(u, uri);
    if (status === 'finalized') {
      if (last) return await finalResource(u);
      throw new StorageError('Fatal', `${describe(u)}: GCS finalized the upload at byte ${end} of ${u.size}`);
    }
    from = Math.max(offset, Math.min(status, end));
  }
}

/** Asks the session how many bytes GCS holds, or whether it finalized the object. */
async function queryStatus(u: ResumableUpload, uri: string): Promise<number | 'finalized'> {
  const res = await request(u, uri, { method: 'PUT', headers: { 'Content-Range': `bytes */${u.size}` } }).catch((err: unknown) => {
    throw u.signal?.aborted ? abortReason(u.signal) : mapGcsError(err, u.ctx, u.signal);
  });
  if (res.status === 200 || res.status === 201) return 'finalized';
  if (res.status === RESUME_INCOMPLETE) return confirmedBytes(res);
  throw await httpError(u, res);
}

/** A session that finalized while its answer was lost: what was stored is read back. */
async function finalResource(u: ResumableUpload): Promise<FileMetadata> {
  const url = `${u.apiEndpoint}/storage/v1/b/${encodeURIComponent(u.bucket)}/o/${encodeURIComponent(u.key)}`;
  const res = await request(u, url, { method: 'GET', headers: u.headers });
  if (res.status >= 300) throw await httpError(u, res);
  return (await res.json()) as FileMetadata;
}

async function request(u: ResumableUpload, uri: string, init: { method: string; headers: Record<string, string>; body?: Buffer }): Promise<Response> {
  // One deadline per request, and the caller's abort, whichever comes first.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new StorageError('Transient', `${describe(u)}: no answer within ${u.timeoutMs} ms`)), u.timeoutMs);
  const onAbort = (): void => controller.abort(abortReason(u.signal));
  u.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fetch(uri, { ...init, signal: controller.signal });
  } catch (err) {
    if (u.signal?.aborted) throw abortReason(u.signal);
    if (controller.signal.reason instanceof StorageError) throw controller.signal.reason;
    // fetch() rejects only when no answer came: a network failure (the cause says which).
    const cause = (err as { cause?: { message?: string } }).cause;
    throw new StorageError('Transient', `${describe(u)}: ${cause?.message ?? (err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
    u.signal?.removeEventListener('abort', onAbort);
  }
}

/** "Range: bytes=0-N" → N + 1; no Range header: nothing kept yet. */
function confirmedBytes(res: Response): number {
  const range = /^bytes=0-(\d+)$/.exec(res.headers.get('range') ?? '');
  return range ? Number(range[1]) + 1 : 0;
}

async function httpError(u: ResumableUpload, res: Response): Promise<StorageError> {
  const text = await res.text().catch(() => '');
  let message = text || res.statusText;
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not JSON
  }
  return mapGcsError(Object.assign(new Error(message), { code: res.status }), u.ctx, u.signal) as StorageError;
}

function describe(u: ResumableUpload): string {
  return `${u.ctx.op} ${u.bucket}/${u.key}`;
}
