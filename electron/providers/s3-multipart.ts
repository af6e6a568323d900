// A multipart upload that can continue after a crash or kill, over any S3 client (minio.ts drives
// it through the minio client; s3-upload.ts has the same algorithm over the AWS SDK): the upload
// id and every confirmed part go into the caller's UploadJournal, and a later write of the same
// source version lists the parts the server holds, re-reads the source (the engine verifies every
// byte anyway) and sends only the parts the server does not hold with the same MD5.
// Memory: queueSize parts in flight plus the one being read.
//
// No journal: the upload is aborted on any failure (nothing left behind). With a journal: a failed or
// cancelled upload stays for the next run to continue, and the engine aborts it once it knows no run
// will (sync/upload-journals.ts). The upload is completed only after the body ended without error:
// the engine's verifying stream fails instead of ending when a checksum does not match.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StorageError } from './errors';
import type { UploadJournal } from './provider';
import { MAX_PARTS, unquoteEtag } from './s3-common';

/** One part the server confirmed: number, ETag (unquoted) and size. */
export interface ConfirmedPart {
  n: number;
  etag: string;
  size: number;
}

/** What a journal holds for one multipart upload (the same format for s3.ts and minio.ts). */
export interface MultipartState {
  uploadId: string;
  partSize: number;
  parts: ConfirmedPart[];
}

export function parseMultipartState(text: string | undefined): MultipartState | undefined {
  if (!text) return undefined;
  try {
    const state = JSON.parse(text) as MultipartState;
    if (typeof state.uploadId === 'string' && Number.isSafeInteger(state.partSize) && Array.isArray(state.parts)) return state;
  } catch {
    // A row we cannot read is no upload we can continue.
  }
  return undefined;
}

/**
 * A part the server holds can stand for the part just read when it has the same size and its ETag
 * is that part's MD5 (S3 gives a part without SSE-KMS/SSE-C its MD5 as ETag; any other ETag never
 * matches, and the part is simply sent again).
 */
export function holdsSamePart(held: ConfirmedPart | undefined, size: number, md5Hex: string): held is ConfirmedPart {
  return held !== undefined && held.size === size && held.etag.toLowerCase() === md5Hex;
}

/** One page of a ListParts answer: the parts, and the marker of the next page if there is one. */
export interface PartsPage {
  parts: ConfirmedPart[];
  nextMarker?: string;
}

/** Reads a ListParts answer body (ListPartsResult XML), for clients that do not parse it themselves. */
export function parseListParts(xml: string): PartsPage {
  const text = (source: string, name: string): string | undefined => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(source)?.[1]?.trim();
  const parts: ConfirmedPart[] = [];
  for (const [, body] of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const n = Number(text(body!, 'PartNumber'));
    const size = Number(text(body!, 'Size'));
    const etag = text(body!, 'ETag');
    if (Number.isSafeInteger(n) && Number.isSafeInteger(size) && etag) parts.push({ n, size, etag: unquoteEtag(etag.replace(/&quot;|&#34;/g, '"')) });
  }
  const truncated = text(xml, 'IsTruncated') === 'true';
  const nextMarker = text(xml, 'NextPartNumberMarker');
  return truncated && nextMarker ? { parts, nextMarker } : { parts };
}

/** The S3 requests of one multipart upload, as one client sends them. `Done` is the client's answer to Complete. */
export interface MultipartApi<Done> {
  /** CreateMultipartUpload (with the object's headers): the upload id. */
  create(): Promise<string>;
  /** UploadPart with Content-MD5: the part's ETag. */
  uploadPart(uploadId: string, n: number, data: Buffer, md5: Buffer): Promise<string>;
  /**
   * One page of ListParts from `marker`: 'gone' when the server no longer knows the upload
   * (completed or aborted), 'unsupported' when it cannot list parts (s3rver).
   */
  listParts(uploadId: string, marker: string | undefined): Promise<PartsPage | 'gone' | 'unsupported'>;
  complete(uploadId: string, parts: readonly ConfirmedPart[]): Promise<Done>;
  /** AbortMultipartUpload; an upload the server no longer knows is not an error. */
  abort(uploadId: string): Promise<void>;
}

export interface ResumableUploadRequest<Done> {
  api: MultipartApi<Done>;
  /** "write bucket/key", for messages. */
  what: string;
  body: Readable;
  size: number;
  partSize: number;
  queueSize: number;
  journal?: UploadJournal;
  /** Stops sending new parts; the api cancels its own requests where its client can. */
  signal?: AbortSignal;
  /** Told how many bytes of the source were not sent again because the server already held them. */
  onResumed?: (bytes: number) => void;
}

export async function uploadResumable<Done>(req: ResumableUploadRequest<Done>): Promise<Done> {
  const { api, journal, signal, what } = req;
  let state = await resumable(req);
  const held = new Map((state?.parts ?? []).map((p) => [p.n, p]));
  if (!state) {
    state = { uploadId: await api.create(), partSize: req.partSize, parts: [] };
    journal?.save(JSON.stringify(state)); // at once: even a kill right now leaves a record to abort
  }
  const current = state;
  const confirmed = new Map<number, ConfirmedPart>();
  const record = (part: ConfirmedPart): void => {
    confirmed.set(part.n, part);
    current.parts = [...confirmed.values()].sort((a, b) => a.n - b.n);
    // Not after a cancel: the caller may have moved on (a client that cannot cancel a part request
    // settles it later), and ListParts finds a part the journal missed.
    if (!signal?.aborted) journal?.save(JSON.stringify(current));
  };

  const inFlight = new Set<Promise<void>>();
  const failures: unknown[] = [];
  try {
    const parts = partsOf(req.body, current.partSize)[Symbol.asyncIterator]();
    for (;;) {
      // A part is read only when a slot is free: at most queueSize parts in memory besides it.
      while (inFlight.size >= req.queueSize) await Promise.race(inFlight);
      if (failures.length > 0) throw failures[0];
      signal?.throwIfAborted();
      const next = await parts.next();
      if (next.done) break;
      const { n, data } = next.value;
      if (n > MAX_PARTS) throw new StorageError('Fatal', `${what}: more than ${MAX_PARTS} parts`);
      const md5 = createHash('md5').update(data).digest();
      const already = held.get(n);
      if (holdsSamePart(already, data.length, md5.toString('hex'))) {
        record(already);
        req.onResumed?.(data.length);
        continue;
      }
      const task: Promise<void> = api
        .uploadPart(current.uploadId, n, data, md5)
        .then((etag) => record({ n, etag: unquoteEtag(etag), size: data.length }))
        .catch((error: unknown) => void failures.push(error))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
    if (failures.length > 0) throw failures[0];
    const expected = Math.max(1, Math.ceil(req.size / current.partSize));
    if (current.parts.length !== expected) throw new StorageError('Fatal', `${what}: ${current.parts.length} parts confirmed, ${expected} expected`);
    signal?.throwIfAborted();
    const done = await api.complete(current.uploadId, current.parts);
    journal?.clear();
    return done;
  } catch (err) {
    // Parts still on their way are recorded (with a journal) or would outlive an abort (without).
    await Promise.allSettled(inFlight);
    // Kept for the next run when there is a journal; otherwise nothing may be left behind.
    if (!journal) await api.abort(current.uploadId).catch(() => undefined);
    throw err;
  }
}

/**
 * The journal's upload when it can be continued: same part size, and the server still knows it
 * (ListParts says which parts it holds — the journal may be a part behind after a kill). Otherwise
 * undefined, after aborting an upload that cannot be continued.
 */
async function resumable<Done>(req: ResumableUploadRequest<Done>): Promise<MultipartState | undefined> {
  const saved = parseMultipartState(req.journal?.load());
  if (!saved) return undefined;
  const giveUp = async (): Promise<undefined> => {
    await req.api.abort(saved.uploadId).catch(() => undefined);
    return undefined;
  };
  if (saved.partSize !== req.partSize) return giveUp();
  const parts: ConfirmedPart[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PARTS; page++) {
    req.signal?.throwIfAborted();
    const out = await req.api.listParts(saved.uploadId, marker);
    if (out === 'gone') return undefined; // completed or aborted meanwhile: start over
    // A server without ListParts cannot tell what it holds: start over, without the old parts.
    if (out === 'unsupported') return giveUp();
    parts.push(...out.parts);
    if (!out.nextMarker || out.nextMarker === marker) break;
    marker = out.nextMarker;
  }
  return { uploadId: saved.uploadId, partSize: saved.partSize, parts };
}

/** The body cut into numbered parts of exactly `partSize` bytes (the last one shorter; one empty part for an empty body). */
export async function* partsOf(body: Readable, partSize: number): AsyncGenerator<{ n: number; data: Buffer }> {
  let n = 1;
  let buffer: Buffer | undefined;
  let filled = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      buffer ??= Buffer.allocUnsafe(partSize);
      const take = Math.min(partSize - filled, chunk.length - offset);
      chunk.copy(buffer, filled, offset, offset + take);
      filled += take;
      offset += take;
      if (filled === partSize) {
        yield { n: n++, data: buffer };
        buffer = undefined;
        filled = 0;
      }
    }
  }
  if (filled > 0 || n === 1) yield { n, data: (buffer ?? Buffer.alloc(0)).subarray(0, filled) };
}
