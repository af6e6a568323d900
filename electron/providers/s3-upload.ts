// A multipart upload through the AWS SDK that can continue after a crash or kill: the upload id and
// every confirmed part go into the caller's UploadJournal, and a later write of the same source
// version lists the parts S3 holds, re-reads the source (the engine verifies every byte anyway) and
// sends only the parts S3 does not hold with the same MD5. Memory: queueSize × partSize.
//
// No journal: the upload is aborted on any failure (nothing left behind). With a journal: a failed or
// cancelled upload stays for the next run to continue, and the engine aborts it once it knows no run
// will (upload-journals.ts).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  type CompleteMultipartUploadCommandOutput,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageError } from './errors';
import type { UploadJournal } from './provider';
import { MAX_PARTS, unquoteEtag } from './s3-common';

/** What a journal holds for one S3 multipart upload. */
export interface MultipartState {
  uploadId: string;
  partSize: number;
  /** Parts S3 confirmed, by number: ETag (unquoted) and size. */
  parts: Array<{ n: number; etag: string; size: number }>;
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

export interface MultipartRequest {
  client: S3Client;
  /** Bucket, key, content headers and metadata of the object. */
  create: CreateMultipartUploadCommandInput & { Bucket: string; Key: string };
  body: Readable;
  size: number;
  partSize: number;
  queueSize: number;
  journal?: UploadJournal;
  /** Cancels every request (the caller's abort or a body error). */
  signal: AbortSignal;
  /** Told how many bytes of the source were not sent again because S3 already held them. */
  onResumed?: (bytes: number) => void;
}

export async function uploadInParts(req: MultipartRequest): Promise<CompleteMultipartUploadCommandOutput> {
  const { client, create, journal, signal } = req;
  const target = { Bucket: create.Bucket, Key: create.Key };
  let state = await resumable(req);
  const held = new Map((state?.parts ?? []).map((p) => [p.n, p]));
  if (!state) {
    const created = await client.send(new CreateMultipartUploadCommand(create), { abortSignal: signal });
    if (!created.UploadId) throw new StorageError('Fatal', `write ${create.Bucket}/${create.Key}: CreateMultipartUpload answered no upload id`);
    state = { uploadId: created.UploadId, partSize: req.partSize, parts: [] };
    journal?.save(JSON.stringify(state)); // at once: even a kill right now leaves a record to abort
  }
  const current = state;
  const confirmed = new Map<number, { n: number; etag: string; size: number }>();
  const record = (part: { n: number; etag: string; size: number }): void => {
    confirmed.set(part.n, part);
    current.parts = [...confirmed.values()].sort((a, b) => a.n - b.n);
    journal?.save(JSON.stringify(current));
  };

  try {
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    for await (const { n, data } of partsOf(req.body, current.partSize)) {
      if (failure) break;
      const md5 = createHash('md5').update(data).digest();
      const already = held.get(n);
      if (already && already.size === data.length && already.etag === md5.toString('hex')) {
        record(already);
        req.onResumed?.(data.length);
        continue;
      }
      const sending = client
        .send(
          new UploadPartCommand({ ...target, UploadId: current.uploadId, PartNumber: n, Body: data, ContentLength: data.length, ContentMD5: md5.toString('base64') }),
          { abortSignal: signal },
        )
        .then((out) => record({ n, etag: unquoteEtag(out.ETag), size: data.length }))
        .catch((err: unknown) => void (failure ??= err));
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      if (inFlight.size >= req.queueSize) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    const parts = current.parts.map((p) => ({ PartNumber: p.n, ETag: `"${p.etag}"` }));
    const expectedParts = Math.max(1, Math.ceil(req.size / current.partSize));
    if (parts.length !== expectedParts) {
      throw new StorageError('Fatal', `write ${create.Bucket}/${create.Key}: ${parts.length} parts confirmed, ${expectedParts} expected`);
    }
    const done = await client.send(new CompleteMultipartUploadCommand({ ...target, UploadId: current.uploadId, MultipartUpload: { Parts: parts } }), {
      abortSignal: signal,
    });
    journal?.clear();
    return done;
  } catch (err) {
    // Kept for the next run when there is a journal; otherwise nothing may be left behind. Sent
    // without the signal: it must go out after a cancel too.
    if (!journal) await client.send(new AbortMultipartUploadCommand({ ...target, UploadId: current.uploadId })).catch(() => undefined);
    throw err;
  }
}

/** The server does not implement the call (s3rver: ListParts, ListMultipartUploads). */
function unsupported(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'NotImplemented' || name === 'MethodNotAllowed';
}

/** Aborts an upload recorded in a journal; an upload S3 no longer knows is not an error. */
export async function abortRecordedUpload(client: S3Client, bucket: string, key: string, stateText: string, signal?: AbortSignal): Promise<void> {
  const state = parseMultipartState(stateText);
  if (!state) return;
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: state.uploadId }), { abortSignal: signal });
  } catch (err) {
    if ((err as Error).name === 'NoSuchUpload' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return;
    throw err;
  }
}

/**
 * The journal's upload when it can be continued: same part size, and S3 still knows it (ListParts
 * says which parts it holds — the journal may be a part behind after a kill). Otherwise undefined,
 * after aborting the stale upload.
 */
async function resumable(req: MultipartRequest): Promise<MultipartState | undefined> {
  const saved = parseMultipartState(req.journal?.load());
  if (!saved) return undefined;
  const target = { Bucket: req.create.Bucket, Key: req.create.Key };
  if (saved.partSize !== req.partSize) {
    await abortRecordedUpload(req.client, target.Bucket, target.Key, JSON.stringify(saved), req.signal).catch(() => undefined);
    return undefined;
  }
  const parts: MultipartState['parts'] = [];
  let marker: string | undefined;
  try {
    for (let page = 0; page < MAX_PARTS; page++) {
      const out = await req.client.send(new ListPartsCommand({ ...target, UploadId: saved.uploadId, PartNumberMarker: marker }), { abortSignal: req.signal });
      for (const p of out.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag && p.Size !== undefined) parts.push({ n: p.PartNumber, etag: unquoteEtag(p.ETag), size: p.Size });
      }
      if (!out.IsTruncated || !out.NextPartNumberMarker || out.NextPartNumberMarker === marker) break;
      marker = out.NextPartNumberMarker;
    }
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'NoSuchUpload') return undefined; // completed or aborted meanwhile: start over
    if (!unsupported(err)) throw err;
    // A server without ListParts (s3rver) cannot tell what it holds: start over, without the old parts.
    await abortRecordedUpload(req.client, target.Bucket, target.Key, JSON.stringify(saved), req.signal).catch(() => undefined);
    return undefined;
  }
  return { uploadId: saved.uploadId, partSize: saved.partSize, parts };
}

/** The body cut into numbered parts of exactly `partSize` bytes (the last one shorter). */
async function* partsOf(body: Readable, partSize: number): AsyncGenerator<{ n: number; data: Buffer }> {
  let n = 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - pendingBytes, chunk.length - offset);
      pending.push(chunk.subarray(offset, offset + take));
      pendingBytes += take;
      offset += take;
      if (pendingBytes === partSize) {
        yield { n: n++, data: Buffer.concat(pending, pendingBytes) };
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0 || n === 1) yield { n, data: Buffer.concat(pending, pendingBytes) };
}
