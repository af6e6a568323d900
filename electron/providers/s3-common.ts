// Rules shared by the two providers that speak the S3 API (s3.ts on the AWS SDK, minio.ts on the
// minio client): the same error codes, ETag format, metadata conventions and request limits.
import type { Readable } from 'node:stream';
import { abortable } from './abort';
import { SourceChangedError, StorageError, classifyHttpError, isAbortError, type StorageErrorCode } from './errors';
import type { Checksums, ObjectInfo, ObjectMetadata, WriteResult } from './provider';
import { reportedEncryption, reportedTagCount } from './s3-target';

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
/** Part size of a multipart server-side copy (UploadPartCopy): few requests, each well under S3's 5 GiB part limit. */
export const DEFAULT_COPY_PART_SIZE = 512 * 1024 * 1024;
/** S3's largest part (of an upload or a copy). */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
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
  /**
   * Server-side copies of more bytes than this go in parts (UploadPartCopy); at most, and by
   * default, S3's 5 GiB CopyObject limit. Lower only to test the multipart copy with small objects.
   */
  copyThreshold?: number;
  /** Part size of a multipart server-side copy (5 MiB to 5 GiB); grows when 10,000 parts would not do. */
  copyPartSize?: number;
}

export function resolveTuning(options: UploadTuning = {}, defaultThreshold = DEFAULT_MULTIPART_THRESHOLD): Required<UploadTuning> {
  const multipartThreshold = options.multipartThreshold ?? defaultThreshold;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  const copyThreshold = options.copyThreshold ?? MAX_COPY_SIZE;
  const copyPartSize = options.copyPartSize ?? DEFAULT_COPY_PART_SIZE;
  if (!Number.isSafeInteger(copyThreshold) || copyThreshold < 0 || copyThreshold > MAX_COPY_SIZE) {
    throw new StorageError('InvalidConfig', `copy threshold must be between 0 and 5 GiB, got ${copyThreshold}`, { field: 'copyThreshold' });
  }
  if (!Number.isSafeInteger(copyPartSize) || copyPartSize < MIN_PART_SIZE || copyPartSize > MAX_PART_SIZE) {
    throw new StorageError('InvalidConfig', `copy part size must be between 5 MiB and 5 GiB, got ${copyPartSize}`, { field: 'copyPartSize' });
  }
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw new StorageError('InvalidConfig', `part size must be at least 5 MiB (${MIN_PART_SIZE} bytes), got ${partSize}`, { field: 'partSize' });
  }
  if (!Number.isSafeInteger(multipartThreshold) || multipartThreshold < 1) {
    throw new StorageError('InvalidConfig', `multipart threshold must be a positive byte count, got ${multipartThreshold}`, { field: 'multipartThreshold' });
  }
  if (!Number.isSafeInteger(queueSize) || queueSize < 1 || queueSize > 64) {
    throw new StorageError('InvalidConfig', `queue size must be between 1 and 64, got ${queueSize}`, { field: 'queueSize' });
  }
  return { multipartThreshold, partSize, queueSize, copyThreshold, copyPartSize };
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
const MULTIPART_ETAG = /^[0-9a-f]{32}-(\d+)$/i;

/**
 * What an answer (HEAD, GET, PUT, CopyObject, CompleteMultipartUpload) says about the object's
 * encryption: with SSE-KMS, DSSE-KMS or SSE-C the ETag is not the content MD5.
 */
export interface Encryption {
  /** `x-amz-server-side-encryption`: AES256 (SSE-S3), aws:kms, aws:kms:dsse. */
  serverSide?: string;
  /** `x-amz-server-side-encryption-customer-algorithm`: set for SSE-C. */
  customerAlgorithm?: string;
}

/**
 * True when S3 derives the ETag from the content (a plain MD5, or for multipart uploads the MD5 of
 * the parts' MD5s): no encryption, or SSE-S3 (AES256) only. Not under SSE-KMS, DSSE-KMS or SSE-C.
 */
export function etagFromContent(encryption: Encryption): boolean {
  if (encryption.customerAlgorithm) return false;
  const sse = encryption.serverSide?.trim().toLowerCase();
  return !sse || sse === 'aes256';
}

/**
 * The content MD5 carried by an ETag, or undefined. Only a plain 32-hex-digit ETag of an object
 * that is not encrypted with SSE-KMS/DSSE-KMS/SSE-C is an MD5; multipart ETags look like
 * `<md5 of part md5s>-<part count>` and say nothing about the content.
 *
 * `encryption` comes from the answer that carried the ETag. Listings carry no encryption headers,
 * so an md5 from a listing (called without `encryption`) is only a hint: the engine verifies
 * against what head() reports, which knows the encryption.
 */
export function md5FromEtag(etag: string | undefined, encryption: Encryption = {}): string | undefined {
  const bare = unquoteEtag(etag);
  return HEX_MD5.test(bare) && etagFromContent(encryption) ? bare.toLowerCase() : undefined;
}

/** The part count of a multipart ETag (`…-N`), or undefined for any other ETag. */
export function multipartEtagParts(etag: string | undefined): number | undefined {
  const match = MULTIPART_ETAG.exec(unquoteEtag(etag));
  return match ? Number(match[1]) : undefined;
}

/**
 * The checksums an answer declares, as S3 sends them (`x-amz-checksum-*`, base64), with
 * `x-amz-checksum-type`. Only full-object checksums describe the content: a COMPOSITE one (a
 * checksum of the parts' checksums, `…-N`) cannot be recomputed from the bytes without the part
 * layout, so it is left out. A multipart object's checksum counts only when the answer says
 * FULL_OBJECT; a single-request object's checksum is always of the full object.
 */
export interface ChecksumAnswer {
  crc32c?: string;
  crc32?: string;
  crc64nvme?: string;
  sha256?: string;
  type?: string;
}

export function fullObjectChecksums(answer: ChecksumAnswer, etag: string | undefined): Checksums | undefined {
  const type = answer.type?.trim().toUpperCase();
  const fullObject = type ? type === 'FULL_OBJECT' : multipartEtagParts(etag) === undefined;
  if (!fullObject) return undefined;
  const checksums: Checksums = {};
  for (const name of ['crc32c', 'crc32', 'crc64nvme', 'sha256'] as const) {
    const value = answer[name]?.trim();
    if (value && !/-\d+$/.test(value)) checksums[name] = value;
  }
  return Object.keys(checksums).length > 0 ? checksums : undefined;
}

/**
 * The part size of a multipart object whose ETag has `parts` parts, from a HEAD of part 1
 * (`partOneSize`, the `x-amz-mp-parts-count` it answered) and, for three parts or more, of the last
 * part. Undefined unless the answers are consistent with parts of one size: a server that ignores
 * `partNumber` answers the whole object without a parts count, and a part size that is not certain
 * must not be used (the engine would fail every copy of the object).
 */
export function uniformPartSize(
  size: number,
  parts: number,
  partOne: { size: number; partsCount: number | undefined },
  lastPartSize: number | undefined,
): number | undefined {
  const partSize = partOne.size;
  if (partOne.partsCount !== parts || !Number.isSafeInteger(partSize) || partSize <= 0) return undefined;
  if (Math.ceil(size / partSize) !== parts) return undefined;
  if (parts >= 3 && lastPartSize !== size - (parts - 1) * partSize) return undefined;
  return partSize;
}

/** A HeadObject answer, whichever client asked. */
export interface HeadAnswer {
  etag: string | undefined;
  size: number;
  lastModified: number;
  encryption: Encryption;
  checksums: ChecksumAnswer;
  /** Content type and the other standard content headers. */
  headers: Omit<ObjectMetadata, 'metadata'>;
  /** User metadata as stored (names without their prefix), ours (md5chksum) included. */
  userMetadata: Record<string, string> | undefined;
  /** x-amz-mp-parts-count: how many parts the object has, in the answer to a HEAD of one part. */
  partsCount: number | undefined;
  /** x-amz-storage-class (absent for STANDARD), x-amz-server-side-encryption-aws-kms-key-id and x-amz-tagging-count. */
  storageClass?: string;
  kmsKeyId?: string;
  tagCount?: number | string;
}

/** An S3 answer's headers by lower-case name, as Node's http module (or the SDK's handler) gives them. */
export type AnswerHeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** One answer header as a string (the first, should it repeat). */
export function answerHeader(headers: AnswerHeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function encryptionOfHeaders(headers: AnswerHeaderMap): Encryption {
  return { serverSide: answerHeader(headers, 'x-amz-server-side-encryption'), customerAlgorithm: answerHeader(headers, 'x-amz-server-side-encryption-customer-algorithm') };
}

export function checksumAnswerOfHeaders(headers: AnswerHeaderMap): ChecksumAnswer {
  return {
    crc32: answerHeader(headers, 'x-amz-checksum-crc32'),
    crc32c: answerHeader(headers, 'x-amz-checksum-crc32c'),
    crc64nvme: answerHeader(headers, 'x-amz-checksum-crc64nvme'),
    sha256: answerHeader(headers, 'x-amz-checksum-sha256'),
    type: answerHeader(headers, 'x-amz-checksum-type'),
  };
}

const STANDARD_HEADERS = {
  'content-type': 'contentType',
  'cache-control': 'cacheControl',
  'content-encoding': 'contentEncoding',
  'content-disposition': 'contentDisposition',
} as const;
const USER_METADATA_PREFIX = 'x-amz-meta-';

/** The HeadAnswer of a HeadObject's raw answer headers (the minio provider's and the S3 provider's direct calls). */
export function headAnswerOfHeaders(headers: AnswerHeaderMap): HeadAnswer {
  const standard: Omit<ObjectMetadata, 'metadata'> = {};
  const user: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    const value = answerHeader(headers, name);
    if (value === undefined) continue;
    if (lower in STANDARD_HEADERS) standard[STANDARD_HEADERS[lower as keyof typeof STANDARD_HEADERS]] = value;
    else if (lower.startsWith(USER_METADATA_PREFIX)) user[lower.slice(USER_METADATA_PREFIX.length)] = value;
  }
  const modified = answerHeader(headers, 'last-modified');
  const parts = answerHeader(headers, 'x-amz-mp-parts-count');
  return {
    etag: answerHeader(headers, 'etag'),
    size: Number(answerHeader(headers, 'content-length') ?? 0),
    lastModified: modified ? new Date(modified).getTime() : 0,
    encryption: encryptionOfHeaders(headers),
    checksums: checksumAnswerOfHeaders(headers),
    headers: standard,
    userMetadata: user,
    partsCount: parts === undefined ? undefined : Number(parts),
    storageClass: answerHeader(headers, 'x-amz-storage-class'),
    kmsKeyId: answerHeader(headers, 'x-amz-server-side-encryption-aws-kms-key-id'),
    tagCount: answerHeader(headers, 'x-amz-tagging-count'),
  };
}

/**
 * The ObjectInfo of a HEAD with checksum mode on. The ETag counts as the MD5 only when the answer
 * shows no SSE-KMS/SSE-C encryption; otherwise (and for multipart objects) md5 comes from md5chksum
 * metadata, if any. A multipart ETag without it gets its part size from a HEAD of part 1
 * (`headPart`), so the engine can recompute the ETag from the bytes.
 */
export async function objectFromHead(key: string, head: HeadAnswer, headPart: (part: number) => Promise<HeadAnswer | null>): Promise<ObjectInfo> {
  const user = splitUserMetadata(head.userMetadata);
  const md5 = md5FromEtag(head.etag, head.encryption) ?? user.md5;
  const checksums: Checksums = { ...fullObjectChecksums(head.checksums, head.etag) };
  if (!md5 && etagFromContent(head.encryption)) {
    const multipartEtag = await multipartEtagOf(head, headPart);
    if (multipartEtag) checksums.multipartEtag = multipartEtag;
  }
  return {
    key,
    size: head.size,
    etag: unquoteEtag(head.etag),
    md5,
    lastModified: head.lastModified,
    ...head.headers,
    metadata: user.metadata,
    ...(Object.keys(checksums).length > 0 ? { checksums } : {}),
    // S3 leaves the header out for STANDARD.
    storageClass: head.storageClass ?? 'STANDARD',
    tagCount: reportedTagCount(head.tagCount),
    ...optional('encryption', reportedEncryption(head.encryption.serverSide, head.kmsKeyId)),
  };
}

function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

/**
 * The multipart ETag with its part size, when the server answers `partNumber` HEADs (AWS, moto;
 * s3rver ignores them and answers the whole object without a parts count: then undefined). Not
 * conditional: the part size of another version only fails the engine's check, which is retried.
 */
async function multipartEtagOf(head: HeadAnswer, headPart: (part: number) => Promise<HeadAnswer | null>): Promise<Checksums['multipartEtag']> {
  const parts = multipartEtagParts(head.etag);
  if (parts === undefined) return undefined;
  const first = await headPart(1);
  if (!first) return undefined;
  const last = parts >= 3 && first.partsCount === parts ? await headPart(parts) : null;
  const partSize = uniformPartSize(head.size, parts, { size: first.size, partsCount: first.partsCount }, last?.size);
  return partSize === undefined ? undefined : { etag: unquoteEtag(head.etag), partSize };
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

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * A user metadata value as an HTTP header can carry it: printable ASCII as it is, anything else as
 * an RFC 2047 encoded word (`=?UTF-8?B?<base64>?=`), the form S3 itself decodes on PUT and
 * returns. (A printable value that happens to look like an encoded word is decoded on read, as S3
 * would decode it.)
 */
export function encodeMetadataValue(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Decodes RFC 2047 encoded words in a metadata value (B and Q, any charset TextDecoder knows); others stay as they are. */
export function decodeMetadataValue(value: string): string {
  if (!value.includes('=?')) return value;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047, 6.2).
  const joined = value.replace(/(\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g, '$1');
  return joined.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    let bytes: Buffer;
    if (encoding.toUpperCase() === 'B') {
      bytes = Buffer.from(text, 'base64');
    } else {
      const q = text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      bytes = Buffer.from(q, 'latin1');
    }
    try {
      return new TextDecoder(charset.replace(/\*.*$/, ''), { fatal: true }).decode(bytes);
    } catch {
      return word;
    }
  });
}

/** Splits user metadata read back from the service into ours (md5chksum) and the user's own, decoding RFC 2047 values. */
export function splitUserMetadata(metadata: Record<string, string> | undefined): { md5?: string; metadata?: Record<string, string> } {
  if (!metadata) return {};
  const user: Record<string, string> = {};
  let md5: string | undefined;
  for (const [name, value] of Object.entries(metadata)) {
    const lower = name.toLowerCase();
    if (lower === MD5_METADATA_KEY) md5 = normalizeMd5(value);
    else user[lower] = decodeMetadataValue(value);
  }
  return { md5, metadata: user };
}

/**
 * The user metadata to store, values encoded for HTTP headers: the caller's, plus md5chksum when
 * the ETag will not be an MD5 (multipart).
 */
export function userMetadataToStore(options: ObjectMetadata & { md5?: string }, multipart: boolean): Record<string, string> | undefined {
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.metadata ?? {})) meta[name] = encodeMetadataValue(value);
  if (multipart && options.md5) meta[MD5_METADATA_KEY] = options.md5;
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/** What a write's answer said beside the ETag. */
export interface WriteAnswer {
  encryption?: Encryption;
  checksums?: ChecksumAnswer;
}

/**
 * A write's result from the service's answer. Fails if the ETag is an MD5 (see md5FromEtag: not
 * under SSE-KMS/SSE-C) other than the expected `md5`.
 */
export function writeResult(etag: string | undefined, md5: string | undefined, size: number, what: string, answer: WriteAnswer = {}): WriteResult {
  const storedMd5 = md5FromEtag(etag, answer.encryption);
  if (md5 && storedMd5 && md5 !== storedMd5) {
    throw new StorageError('Fatal', `${what}: the service stored MD5 ${storedMd5}, expected ${md5}`);
  }
  const checksums = answer.checksums ? fullObjectChecksums(answer.checksums, etag) : undefined;
  return { etag: unquoteEtag(etag), md5: storedMd5, size, ...(checksums ? { checksums } : {}) };
}

/**
 * A read of version `expected` answered with ETag `answered`: a server that ignores If-Match
 * serves whatever version it has, so the ETag it answered must be the one asked for.
 */
export function checkReadVersion(expected: string | undefined, answered: string | undefined, what: string): void {
  if (expected === undefined) return;
  const got = unquoteEtag(answered);
  if (got !== unquoteEtag(expected)) {
    throw new SourceChangedError(`${what}: the object changed (ETag ${got || 'missing'}, expected ${unquoteEtag(expected)})`);
  }
}

/** The body of a read of version `expected`: destroyed and refused (checkReadVersion) when the answer is another version, else ended by `signal`. */
export function versionedBody(body: Readable, expected: string | undefined, answered: string | undefined, what: string, signal: AbortSignal | undefined): Readable {
  try {
    checkReadVersion(expected, answered, what);
  } catch (err) {
    body.destroy();
    throw err;
  }
  return abortable(body, signal);
}

/** A failed conditional read: 412 means another version than `ifMatch` is stored now. */
export function readPreconditionError(err: unknown, code: string | undefined, what: string): SourceChangedError | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: number }; statusCode?: number } | null)?.$metadata?.httpStatusCode ?? (err as { statusCode?: number } | null)?.statusCode;
  if (code !== 'PreconditionFailed' && status !== 412) return undefined;
  return new SourceChangedError(`${what}: the object changed since it was listed (If-Match failed)`, { cause: err });
}

/** The source of a server-side copy as HEAD found it (HEAD gives the size, which CopyObject does not report). */
export function copySourceInfo(src: ObjectInfo | null, bucket: string, key: string): ObjectInfo {
  if (!src) throw new StorageError('NotFound', `copy ${bucket}/${key}: source object does not exist`);
  return src;
}

/** One UploadPartCopy of a multipart copy: bytes first..last (inclusive) of the source. */
export interface CopyPart {
  part: number;
  first: number;
  last: number;
}

/** The parts of a multipart copy of `size` bytes, `partSize` each (grown to fit 10,000 parts). */
export function copyParts(size: number, partSize: number): CopyPart[] {
  const step = partSizeFor(size, partSize);
  const parts: CopyPart[] = [];
  for (let first = 0, part = 1; first < size; first += step, part++) parts.push({ part, first, last: Math.min(size, first + step) - 1 });
  return parts;
}

/** Headers for a multipart copy's CreateMultipartUpload: the source's content headers and metadata (which UploadPartCopy does not carry). */
export function copiedMetadata(src: ObjectInfo): ObjectMetadata & { md5?: string } {
  return {
    contentType: src.contentType,
    cacheControl: src.cacheControl,
    contentEncoding: src.contentEncoding,
    contentDisposition: src.contentDisposition,
    metadata: src.metadata,
    md5: src.md5,
  };
}

/**
 * The ETag of a CompleteMultipartUpload answer body, or the error it carries: S3 may answer 200 and
 * still fail (an <Error> body, e.g. InternalError), and S3-compatible servers differ in the name of
 * the root element (moto: CompleteMultipartUploadResponse).
 */
export function parseCompleteMultipart(xml: string): { etag: string } | { code: string; message: string } {
  const tag = (name: string): string | undefined => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z]+)/.exec(xml)?.[1];
  if (root === 'Error') return { code: tag('Code') ?? 'InternalError', message: tag('Message') ?? 'CompleteMultipartUpload failed' };
  const etag = tag('ETag');
  if (etag === undefined) return { code: 'InternalError', message: `CompleteMultipartUpload answered without an ETag: ${xml.slice(0, 200)}` };
  return { etag: unquoteEtag(etag.replace(/&quot;|&#34;/g, '"')) };
}

/** Keys per ListObjectsV2 page: S3's maximum. */
export const LIST_PAGE_SIZE = 1000;

/** The token of the next ListObjectsV2 page: null after the last page. */
export function nextContinuation(truncated: boolean | undefined, token: string | undefined, bucket: string): string | null {
  if (!truncated) return null;
  if (!token) throw new StorageError('Fatal', `list bucket "${bucket}": the server reported more results but no continuation token`);
  return token;
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
  // The server lacks the operation (s3rver: UploadPartCopy); asking again will not help.
  NotImplemented: 'Fatal',
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

/**
 * A bucket createBucket made whose versioning could not be turned on (a server without the API,
 * such as s3rver): the bucket stays, without versioning, and the error says so.
 */
export function versioningNotEnabled(bucket: string, err: unknown): StorageError {
  const why = err instanceof Error ? err.message : String(err);
  return new StorageError(err instanceof StorageError ? err.code : 'Fatal', `bucket "${bucket}" was created, but its versioning could not be turned on (${why}); the bucket is left without versioning`, { cause: err });
}
