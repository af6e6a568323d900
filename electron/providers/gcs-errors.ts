// Maps errors of @google-cloud/storage (ApiError from JSON calls, gaxios errors from resumable
// uploads, RequestError from its checksum validation, node-fetch network errors) to StorageError.
import { validateBucketName } from '../../shared/config';
import { SourceChangedError, StorageError, classifyHttpError, isAbortError, unexpectedAbortAsTransient } from './errors';
import type { ErrorContext } from './s3-common';

interface SdkError {
  code?: unknown;
  status?: unknown;
  message?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { status?: unknown; statusCode?: unknown };
}

/** The SDK's own codes for a checksum mismatch: the bytes were damaged in transit, so a retry may succeed. */
const CORRUPTION_CODES = new Set(['CONTENT_DOWNLOAD_MISMATCH', 'FILE_NO_UPLOAD', 'FILE_NO_UPLOAD_DELETE']);

/**
 * Maps an SDK error to StorageError. StorageErrors pass through, and so does an abort error when
 * `signal` (the caller's) fired; any other abort error (a request the SDK or a stream tore down by
 * itself) is a failure of the call, Transient.
 */
export function mapGcsError(err: unknown, ctx: ErrorContext, signal?: AbortSignal): Error {
  if (err instanceof StorageError) return err;
  const where = describe(ctx);
  if (isAbortError(err)) return unexpectedAbortAsTransient(err, signal, where) as Error;
  const e = (err ?? {}) as SdkError;
  const message = apiMessage(e);
  // A resumable upload that ran out of retries reports a plain Error naming the last status.
  const retriesExhausted = /^Retry (?:total time )?limit exceeded/.test(message);
  const status = httpStatus(e) ?? (retriesExhausted ? Number(/status: (\d{3})/.exec(message)?.[1]) || undefined : undefined);
  if (retriesExhausted && status === undefined) return new StorageError('Transient', `${where}: ${message}`, { cause: err });
  if (typeof e.code === 'string' && CORRUPTION_CODES.has(e.code)) {
    return new StorageError('Transient', `${where}: checksum mismatch, the data was corrupted in transit (${message})`, { cause: err });
  }
  const reason = e.errors?.[0]?.reason;
  if (status === 400 && (reason === 'invalid' || reason === undefined) && /bucket name/i.test(message)) {
    // GCS names the bad bucket ("Invalid bucket name: 'x'"): for a copy it may be either side.
    const bucket = /bucket name: '([^']*)'/i.exec(message)?.[1] ?? ctx.bucket ?? '';
    const why = validateBucketName('gcs', bucket) ?? message;
    return new StorageError('InvalidConfig', `${where}: "${bucket}" is not a valid GCS bucket name (${why})`, { cause: err, field: 'bucket' });
  }
  // GCS compared the bytes with the md5Hash/crc32c we declared: damaged in transit, or the source changed.
  if (status === 400 && /doesn't match calculated/i.test(message)) {
    return new StorageError('Transient', `${where}: the uploaded bytes do not match the declared checksum (${message})`, { cause: err });
  }
  // The object changed between our look at it and a conditional call: a retry sees the new state.
  if (status === 412) return new SourceChangedError(`${where}: precondition failed, the object changed meanwhile (${message})`, { cause: err });
  const mapped = classifyHttpError({ status, code: typeof e.code === 'string' ? e.code : undefined, message }, where);
  return new StorageError(mapped.code, mapped.message, { cause: err });
}

/** The HTTP status wherever this SDK error kind keeps it. */
function httpStatus(e: SdkError): number | undefined {
  for (const candidate of [e.code, e.status, e.response?.status, e.response?.statusCode]) {
    if (typeof candidate === 'number' && candidate >= 100) return candidate;
    if (typeof candidate === 'string' && /^\d{3}$/.test(candidate)) return Number(candidate);
  }
  return undefined;
}

/** Error text; streamed downloads put the raw JSON error body into `message`. */
function apiMessage(e: SdkError): string {
  const text = e.message ?? String(e);
  if (text.startsWith('{')) {
    try {
      const body = JSON.parse(text) as { error?: { message?: string } };
      if (body.error?.message) return body.error.message;
    } catch {
      // not JSON after all
    }
  }
  return text;
}

/** "op bucket/key", as the provider's messages name a call. */
export function describe(ctx: ErrorContext): string {
  if (ctx.bucket === undefined) return ctx.op;
  return ctx.key === undefined ? `${ctx.op} bucket "${ctx.bucket}"` : `${ctx.op} ${ctx.bucket}/${ctx.key}`;
}
