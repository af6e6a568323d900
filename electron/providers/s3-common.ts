// Rules shared by the two providers that speak the S3 API (s3.ts on the AWS SDK, minio.ts on the
// minio client): the same error codes, ETag format, metadata conventions and request limits.
import { StorageError, classifyHttpError, isAbortError, type StorageErrorCode } from './errors';
import type { ObjectInfo, ObjectMetadata, WriteResult } from './provider';

/** DeleteObjects accepts at most this many keys per request. */
export const DELETE_BATCH = 1000;
/** S3 allows at most 10,000 parts per multipart upload. */
export const MAX_PARTS = 10_000;
/** Smallest part S3 accepts (except the last one). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** CopyObject copies at most 5 GiB; larger objects need multipart copy (UploadPartCopy). */
export const MAX_COPY_SIZE = 5 * 1024 * 1024 * 1024;
/** Single-request upload below this size, multipart at or above it (for clients that buffer a single request). */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 4;
/**
 * User metadata key holding the content MD5 (hex) of multipart uploads, whose ETag is not an MD5.
 * The same name rclone uses, so objects uploaded by either tool expose their MD5 to both.
 */
export const MD5_METADATA_KEY = 'md5chksum';

export interface UploadTuning {
  /** Objects of at least this many bytes are uploaded in parts. */
  multipartThreshold?: number;
  /** Part size in bytes (at least 5 MiB); grows automatically when an object would need more than 10,000 parts. */
  partSize?: number;
  /** Parts uploaded in parallel per object; memory per upload is about queueSize × partSize. */
  queueSize?: number;
}

export function resolveTuning(options: UploadTuning = {}, defaultThreshold = DEFAULT_MULTIPART_THRESHOLD): Required<UploadTuning> {
  const multipartThreshold = options.multipartThreshold ?? defaultThreshold;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw new StorageError('InvalidConfig', `part size must be at least 5 MiB (${MIN_PART_SIZE} bytes), got ${partSize}`, { field: 'partSize' });
  }
  if (!Number.isSafeInteger(multipartThreshold) || multipartThreshold < 1) {
    throw new StorageError('InvalidConfig', `multipart threshold must be a positive byte count, got ${multipartThreshold}`, { field: 'multipartThreshold' });
  }
  if (!Number.isSafeInteger(queueSize) || queueSize < 1 || queueSize > 64) {
    throw new StorageError('InvalidConfig', `queue size must be between 1 and 64, got ${queueSize}`, { field: 'queueSize' });
  }
  return { multipartThreshold, partSize, queueSize };
}

/** The configured part size, grown (in whole MiB) so that `size` bytes fit in 10,000 parts. */
export function partSizeFor(size: number, partSize: number): number {
  const MiB = 1024 * 1024;
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(partSize, needed);
}

/** An ETag without its surrounding quotes. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^(?:W\/)?"(.*)"$/, '$1');
}

const HEX_MD5 = /^[0-9a-f]{32}$/i;

/**
 * The content MD5 carried by an ETag, or undefined. Only a plain 32-hex-digit ETag is an MD5;
 * multipart ETags look like `<md5 of part md5s>-<part count>` and say nothing about the content.
 * (Objects encrypted with SSE-KMS/SSE-C also have non-MD5 ETags that cannot be told apart; a wrong
 * md5 there only ever causes an extra copy, never a skipped one.)
 */
export function md5FromEtag(etag: string | undefined): string | undefined {
  const bare = unquoteEtag(etag);
  return HEX_MD5.test(bare) ? bare.toLowerCase() : undefined;
}

/** A valid lower-case hex MD5, or undefined. */
export function normalizeMd5(value: string | undefined): string | undefined {
  return value !== undefined && HEX_MD5.test(value) ? value.toLowerCase() : undefined;
}

/** Checks the caller-supplied MD5 of a write: a malformed one is a programming error, not data. */
export function expectedMd5(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const md5 = normalizeMd5(value);
  if (!md5) throw new StorageError('Fatal', `${what}: options.md5 must be 32 hex digits, got "${value}"`);
  return md5;
}

/** Splits user metadata read back from the service into ours (md5chksum) and the user's own. */
export function splitUserMetadata(metadata: Record<string, string> | undefined): { md5?: string; metadata?: Record<string, string> } {
  if (!metadata) return {};
  const user: Record<string, string> = {};
  let md5: string | undefined;
  for (const [name, value] of Object.entries(metadata)) {
    const lower = name.toLowerCase();
    if (lower === MD5_METADATA_KEY) md5 = normalizeMd5(value);
    else user[lower] = value;
  }
  return { md5, metadata: user };
}

/** The user metadata to store: the caller's, plus md5chksum when the ETag will not be an MD5. */
export function userMetadataToStore(options: ObjectMetadata & { md5?: string }, multipart: boolean): Record<string, string> | undefined {
  const meta: Record<string, string> = { ...options.metadata };
  if (multipart && options.md5) meta[MD5_METADATA_KEY] = options.md5;
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/** A write's result from the ETag the service answered; fails if that ETag is an MD5 other than the expected `md5`. */
export function writeResult(etag: string | undefined, md5: string | undefined, size: number, what: string): WriteResult {
  const storedMd5 = md5FromEtag(etag);
  if (md5 && storedMd5 && md5 !== storedMd5) {
    throw new StorageError('Fatal', `${what}: the service stored MD5 ${storedMd5}, expected ${md5}`);
  }
  return { etag: unquoteEtag(etag), md5: storedMd5, size };
}

/**
 * The source of a server-side copy as HEAD found it (the HEAD gives the size, which CopyObject does
 * not report): NotFound when missing, Fatal over the 5 GiB CopyObject limit. Larger objects would
 * need a multipart copy (UploadPartCopy), not implemented; the engine copies through the client instead.
 */
export function copySourceInfo(src: ObjectInfo | null, bucket: string, key: string): ObjectInfo {
  if (!src) throw new StorageError('NotFound', `copy ${bucket}/${key}: source object does not exist`);
  if (src.size > MAX_COPY_SIZE) {
    throw new StorageError('Fatal', `copy ${bucket}/${key}: ${src.size} bytes is over the 5 GiB server-side copy limit`);
  }
  return src;
}

/** One key DeleteObjects could not delete (the <Error> element of its answer). */
export interface DeleteFailure {
  Key?: string;
  Code?: string;
  Message?: string;
}

/**
 * DeleteObjects answers 200 even when single keys failed. The error for a batch of `batchSize` keys
 * of which `failed` (missing keys left out) did: classed as `mapError` classes `cause`, the first
 * failure in the client's own error shape.
 */
export function deleteBatchError(
  bucket: string,
  batchSize: number,
  failed: readonly DeleteFailure[],
  cause: Error,
  mapError: (err: unknown, ctx: ErrorContext) => Error,
): StorageError {
  const first = failed[0]!;
  const mapped = mapError(cause, { op: 'remove', bucket, key: first.Key });
  return new StorageError(
    mapped instanceof StorageError ? mapped.code : 'Fatal',
    `remove from bucket "${bucket}": ${failed.length} of ${batchSize} keys failed, first ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
    { cause },
  );
}

/**
 * The x-amz-copy-source value: URL-encoded, as S3 requires. Every key segment is fully encoded
 * (encodeURI would leave `?`, `#` and `+`, which S3 reads as a query, a fragment and a space).
 */
export function encodeCopySource(bucket: string, key: string): string {
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** S3 error codes (the <Code> of an error response) mapped to our error set. */
const S3_ERROR_CODES: Readonly<Record<string, StorageErrorCode>> = {
  NoSuchBucket: 'NotFound',
  NoSuchKey: 'NotFound',
  NotFound: 'NotFound',
  NoSuchUpload: 'NotFound',
  AccessDenied: 'AccessDenied',
  InvalidAccessKeyId: 'AccessDenied',
  SignatureDoesNotMatch: 'AccessDenied',
  ExpiredToken: 'AccessDenied',
  InvalidToken: 'AccessDenied',
  AllAccessDisabled: 'AccessDenied',
  AccountProblem: 'AccessDenied',
  SlowDown: 'Throttled',
  SlowDownRead: 'Throttled',
  SlowDownWrite: 'Throttled',
  Throttling: 'Throttled',
  ThrottlingException: 'Throttled',
  RequestLimitExceeded: 'Throttled',
  TooManyRequests: 'Throttled',
  TooManyRequestsException: 'Throttled',
  RequestThrottled: 'Throttled',
  ServiceUnavailable: 'Throttled',
  InternalError: 'Transient',
  RequestTimeout: 'Transient',
  RequestTimeoutException: 'Transient',
  TimeoutError: 'Transient',
  OperationAborted: 'Transient',
  // The SDK corrects its clock offset from this very response, so the next attempt succeeds.
  RequestTimeTooSkewed: 'Transient',
  // The source changed between our HEAD and the copy: a retry sees the new version.
  PreconditionFailed: 'Transient',
  InvalidBucketName: 'InvalidConfig',
  PermanentRedirect: 'InvalidConfig',
  MovedPermanently: 'InvalidConfig',
  TemporaryRedirect: 'InvalidConfig',
  AuthorizationHeaderMalformed: 'InvalidConfig',
  IllegalLocationConstraintException: 'InvalidConfig',
};

/** An error from opening or reading the upload's source: abort and StorageErrors as they are, others classified. */
export function sourceError(err: unknown, what: string): Error {
  if (err instanceof StorageError || isAbortError(err)) return err as Error;
  return classifyHttpError(err, `${what}: reading the source`);
}

/** What went wrong where, for error messages: "read my-bucket/a/b.txt". */
export interface ErrorContext {
  op: string;
  bucket?: string;
  key?: string;
}

function describe(ctx: ErrorContext): string {
  if (ctx.bucket === undefined) return ctx.op;
  return ctx.key === undefined ? `${ctx.op} bucket "${ctx.bucket}"` : `${ctx.op} ${ctx.bucket}/${ctx.key}`;
}

/**
 * Maps an error from an S3-API client, given the S3 error code the client reported (if any).
 * Abort errors and StorageErrors pass through unchanged; codes not in the table fall back to the
 * generic network/HTTP-status classification.
 */
export function mapS3Code(err: unknown, code: string | undefined, ctx: ErrorContext): Error {
  if (err instanceof StorageError || isAbortError(err)) return err as Error;
  const where = describe(ctx);
  const mapped = code === undefined ? undefined : S3_ERROR_CODES[code];
  if (!mapped) return classifyHttpError(err, where);
  const detail = (err as { message?: string })?.message || code;
  if (code === 'InvalidBucketName') {
    return new StorageError('InvalidConfig', `${where}: "${ctx.bucket ?? ''}" is not a valid bucket name (${detail})`, { cause: err, field: 'bucket' });
  }
  return new StorageError(mapped, `${where}: ${detail}${detail === code ? '' : ` (${code})`}`, { cause: err });
}
