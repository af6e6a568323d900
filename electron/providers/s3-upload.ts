// A multipart upload through the AWS SDK that can continue after a crash or kill: the SDK's
// requests for s3-multipart.ts, which records the upload in the caller's UploadJournal and, on a
// later write of the same source version, sends only the parts S3 does not hold with the same MD5.
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
import { unquoteEtag } from './s3-common';
import { parseMultipartState, uploadResumable, type MultipartApi, type PartsPage } from './s3-multipart';

export { parseMultipartState, type MultipartState } from './s3-multipart';

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

export function uploadInParts(req: MultipartRequest): Promise<CompleteMultipartUploadCommandOutput> {
  const { client, create, signal } = req;
  return uploadResumable({
    api: sdkMultipart(client, create, signal),
    what: `write ${create.Bucket}/${create.Key}`,
    body: req.body,
    size: req.size,
    partSize: req.partSize,
    queueSize: req.queueSize,
    journal: req.journal,
    signal,
    onResumed: req.onResumed,
  });
}

/** The SDK's requests of one multipart upload. Abort is sent without the signal: it must go out after a cancel too. */
function sdkMultipart(client: S3Client, create: MultipartRequest['create'], signal: AbortSignal): MultipartApi<CompleteMultipartUploadCommandOutput> {
  const target = { Bucket: create.Bucket, Key: create.Key };
  return {
    create: async () => {
      const created = await client.send(new CreateMultipartUploadCommand(create), { abortSignal: signal });
      if (!created.UploadId) throw new StorageError('Fatal', `write ${create.Bucket}/${create.Key}: CreateMultipartUpload answered no upload id`);
      return created.UploadId;
    },
    uploadPart: async (UploadId, PartNumber, data, md5) => {
      const out = await client.send(
        new UploadPartCommand({ ...target, UploadId, PartNumber, Body: data, ContentLength: data.length, ContentMD5: md5.toString('base64') }),
        { abortSignal: signal },
      );
      return unquoteEtag(out.ETag);
    },
    listParts: async (UploadId, marker) => {
      try {
        const out = await client.send(new ListPartsCommand({ ...target, UploadId, PartNumberMarker: marker }), { abortSignal: signal });
        const page: PartsPage = { parts: [] };
        for (const p of out.Parts ?? []) {
          if (p.PartNumber !== undefined && p.ETag && p.Size !== undefined) page.parts.push({ n: p.PartNumber, etag: unquoteEtag(p.ETag), size: p.Size });
        }
        if (out.IsTruncated && out.NextPartNumberMarker) page.nextMarker = out.NextPartNumberMarker;
        return page;
      } catch (err) {
        if ((err as Error).name === 'NoSuchUpload') return 'gone';
        if (unsupported(err)) return 'unsupported';
        throw err;
      }
    },
    complete: (UploadId, parts) =>
      client.send(
        new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.n, ETag: `"${p.etag}"` })) } }),
        { abortSignal: signal },
      ),
    abort: async (UploadId) => {
      try {
        await client.send(new AbortMultipartUploadCommand({ ...target, UploadId }));
      } catch (err) {
        if ((err as Error).name === 'NoSuchUpload' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return;
        throw err;
      }
    },
  };
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
  const create = { Bucket: bucket, Key: key };
  await sdkMultipart(client, create, signal ?? new AbortController().signal).abort(state.uploadId);
}
