// The storage provider interface. Every provider (local, s3, minio, azure, gcs) implements it and
// passes the same conformance suite (test/providers/conformance.ts) against a real server.
// Providers know nothing of sync, store or Electron. Errors thrown are StorageError (see errors.ts)
// or the AbortSignal's abort error.
import type { Readable } from 'node:stream';
import type { ProviderType, TargetEncryption } from '../../shared/model';

export interface ObjectMetadata {
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  /** User metadata, names lower-case. */
  metadata?: Record<string, string>;
}

/**
 * Full-content checksums a service knows for an object, beside MD5 (ObjectInfo.md5). CRC and SHA
 * values are base64 of the big-endian digest, as S3 and GCS send them. The engine computes every one
 * the source declares while the bytes stream through it and fails the copy on any mismatch, before
 * the target commits anything.
 */
export interface Checksums {
  /** CRC-32C (GCS `crc32c`, S3 `x-amz-checksum-crc32c`). */
  crc32c?: string;
  /** CRC-32 (S3 `x-amz-checksum-crc32`). */
  crc32?: string;
  /** CRC-64/NVME (S3 `x-amz-checksum-crc64nvme`). */
  crc64nvme?: string;
  /** SHA-256 (S3 `x-amz-checksum-sha256`). */
  sha256?: string;
  /**
   * An S3 multipart ETag (`<hex md5 of the parts' md5s>-<part count>`) with the size of its parts
   * (every part but the last): the engine recomputes it from the bytes it reads. Only set when the
   * part size is known for certain (e.g. from a HEAD of part 1).
   */
  multipartEtag?: { etag: string; partSize: number };
}

export interface ObjectInfo extends ObjectMetadata {
  /** Full key inside the bucket, exactly as stored (no normalisation). */
  key: string;
  size: number;
  /** The service's opaque version tag; changes whenever the content changes. Never assume it is an MD5. */
  etag: string;
  /**
   * Content MD5 as lower-case hex, only when the service really knows it (not a multipart ETag). From
   * a listing it is a hint (an S3 SSE-KMS/SSE-C ETag looks like an MD5 but is not one): the engine
   * verifies against what `head` reports.
   */
  md5?: string;
  /** Last modification, ms since epoch. */
  lastModified: number;
  /** Other full-content checksums the service knows (usually only from `head`, not listings). */
  checksums?: Checksums;
  /**
   * The object's tags (S3 object tags, Azure blob index tags), when the answer carried them; else
   * read with `getTags` (one request) unless `tagCount` is 0.
   */
  tags?: ObjectTags;
  /**
   * How many tags the object has, as the answer said (S3 `x-amz-tagging-count`, absent meaning none;
   * Azure `x-ms-tag-count`); undefined when the service did not say (then `getTags` knows).
   */
  tagCount?: number;
  /** Storage class (access tier) as the service reports it, from `head`: STANDARD_IA, Cool, NEARLINE... */
  storageClass?: string;
  /** Server-side encryption the service reports for the object, from `head`, in the form of a mapping's targetEncryption. */
  encryption?: TargetEncryption;
}

/**
 * Object tags, name → value: S3 object tags and Azure blob index tags (at most 10 each; each service
 * has its own character rules, see object-tags.ts). GCS and local folders have none.
 */
export type ObjectTags = Record<string, string>;

/**
 * What a mapping asks of the objects it writes (Mapping.targetStorageClass / targetEncryption), in the
 * target service's own spelling as its descriptor lists them. Absent: the bucket's default.
 */
export interface TargetObjectOptions {
  storageClass?: string;
  encryption?: TargetEncryption;
}

/** Why a listing left an entry out (a local symlink, a FIFO...): the engine logs it, so nothing is skipped silently. */
export interface SkippedEntry {
  /** The entry's key, as it would have been listed. */
  key: string;
  reason: string;
}

export interface WriteOptions extends ObjectMetadata, TargetObjectOptions {
  /**
   * Tags to store with the object, in the same request (only where capabilities.tags). A tag the
   * service cannot store as it is fails the write (Fatal, naming the tag); it is never altered.
   */
  tags?: ObjectTags;
  /** Expected content MD5 (hex) when known before the upload: sent so the service verifies it. */
  md5?: string;
  /** Other checksums of the source known before the upload: sent where the service verifies them (GCS crc32c). */
  checksums?: Checksums;
  signal?: AbortSignal;
  /**
   * Where a multipart / block / resumable upload records its progress, so that a later write of the
   * same source version (after a crash or kill) continues from the last confirmed part instead of
   * from zero. Providers without resumable uploads ignore it.
   */
  journal?: UploadJournal;
}

/**
 * The persistent record of one upload in progress (kept in SQLite by the engine, keyed by target
 * key and source version). `state` is the provider's own serialised progress (upload id and
 * confirmed parts, committed block ids, session URI...): opaque to everyone else.
 */
export interface UploadJournal {
  /** The state an earlier attempt saved for this same source version, if any. */
  load(): string | undefined;
  /** Records progress; called after every confirmed part. Cheap enough to call often. */
  save(state: string): void;
  /** The upload completed or was aborted: forget it. */
  clear(): void;
}

export interface WriteResult {
  etag: string;
  /** MD5 (hex) of what the service stored, when the service reports it. */
  md5?: string;
  /** Other checksums of what the service stored, when it reports them. */
  checksums?: Checksums;
  size: number;
  lastModified?: number;
  /**
   * writeFromUrl in blocks only: the MD5 (hex) the service reports for each block it fetched, in
   * order. The engine checks them against a multipart source's `<md5 of part MD5s>-N` ETag.
   */
  blockMd5s?: string[];
}

/** A URL another service can GET one object version from, without credentials of its own. */
export interface PresignedRead {
  url: string;
  /** When the URL stops working (ms since epoch). */
  expiresAt: number;
}

/** What writeFromUrl fetches: a presigned source and what the source says of it. */
export interface UrlSource {
  url: string;
  size: number;
  /** The source's MD5 (hex), when known: the service checks what it fetched against it. */
  md5?: string;
  /**
   * Fetch in blocks of these byte ranges (in order, covering [0, size)) and report each block's MD5
   * (WriteResult.blockMd5s); absent: the provider picks (one request up to its single-request limit).
   */
  blocks?: { offset: number; size: number }[];
  /**
   * With `blocks` being the parts of a multipart source: its `<md5 of part MD5s>-N` ETag. The
   * provider checks the blocks' MD5s against it before it commits anything. (A presigned GET cannot
   * carry If-Match: this check, or `md5`'s, is what catches a source that changed after listing.)
   */
  multipartEtag?: string;
}

/**
 * Opens the bytes to upload. Called again for every retry, so it must return a fresh stream each time.
 */
export type OpenSource = () => Promise<Readable>;

export interface ProviderCapabilities {
  /** `copy` works between two buckets of this same connection. */
  serverSideCopy: boolean;
  /** Stores content type, cache-control, content-encoding, content-disposition and user metadata. */
  metadata: boolean;
  /** Listings carry md5 for at least some objects (e.g. single-part S3 uploads). */
  md5InListing: boolean;
  /** Objects at or above this size are uploaded in parts (multipart / blocks / resumable). */
  multipartThreshold: number;
  /**
   * A listing entry is all `head` would say (same etag, checksums and metadata; local files: one
   * stat each), so a copy may read at the listed version without asking first. Where unset, the
   * engine calls `head` before every streamed copy.
   */
  listingIsHead?: boolean;
  /** Stores object tags (S3 object tags, Azure blob index tags): writes take WriteOptions.tags, `getTags` reads them. */
  tags?: boolean;
  /**
   * A write given WriteOptions.md5 never commits bytes with another MD5 (the service checks them, or
   * the provider hashes them before its commit) and reports that MD5 in WriteResult.md5.
   */
  verifiesMd5?: boolean;
  /**
   * The service can fetch an object from a URL itself (Azure Put Blob / Put Block From URL), so
   * bytes of a cross-cloud copy need not pass through us: see `writeFromUrl`.
   */
  writeFromUrl?: boolean;
  /**
   * With writeFromUrl: the largest object one request fetches, the most a whole-object MD5 can be
   * checked for (in blocks the target reports no whole MD5). Absent: no limit.
   */
  writeFromUrlSingleMax?: number;
}

/** One page of a listing (see StorageProvider.listPage). */
export interface ListPage {
  /**
   * Objects of this page, in ascending UTF-8 byte order of key, each after every key of the pages
   * before it. May be empty, also on a page that is not the last.
   */
  items: ObjectInfo[];
  /** Entries this page passed over that are not objects (see SkippedEntry); each is on one page only. */
  skipped: SkippedEntry[];
  /** The token of the next page; null after the last page. */
  next: string | null;
}

/** What lies directly under a prefix with '/' as delimiter (see StorageProvider.listLevel). */
export interface ListLevel {
  /** Objects directly under the prefix, in ascending UTF-8 byte order of key. */
  items: ObjectInfo[];
  /** Folder prefixes directly under the prefix, each ending with '/', in ascending UTF-8 byte order. */
  folders: string[];
}

/** Where a new bucket is placed; absent fields take the connection's own (or the service's default). */
export interface CreateBucketOptions {
  /** S3 and MinIO: the region, instead of the connection's. */
  region?: string;
  /** GCS: the location (e.g. "EU", "europe-west1"), instead of the service's default (US). */
  location?: string;
  /**
   * Turn on object versioning for the new bucket, where versioning is a bucket property (providers
   * with `versioning`); others ignore it. A bucket that already exists keeps its setting.
   */
  versioning?: boolean;
}

/**
 * Whether a bucket keeps previous versions of overwritten and deleted objects. 'suspended' (S3,
 * MinIO): it did once and keeps those, but keeps no new ones.
 */
export type BucketVersioning = 'enabled' | 'suspended' | 'off';

export interface StorageProvider {
  readonly type: ProviderType;
  readonly capabilities: ProviderCapabilities;

  /** Bucket names visible to these credentials, sorted. */
  listBuckets(signal?: AbortSignal): Promise<string[]>;

  /**
   * Creates a bucket, never publicly readable (S3: public access block where the server supports it;
   * GCS: uniform bucket-level access and public access prevention; Azure: no public access). Succeeds
   * if it already exists and is ours, leaving its settings as they are.
   */
  createBucket(bucket: string, signal?: AbortSignal, options?: CreateBucketOptions): Promise<void>;

  /** Deletes an empty bucket. */
  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void>;

  /**
   * One page of the listing of every object whose key starts with `prefix`, in ascending UTF-8 byte
   * order of key. No delimiter: nested "folders" are flattened. `token` is null for the first page,
   * else the `next` of the page before: asking again with the same token (after a failure) gives
   * that page again, so a listing can be retried page by page. `limit` is the page size to ask the
   * service for (the provider's own otherwise); a page has at most that many items, or a few more
   * where the provider restores key order with keys held back from earlier pages (Azure). Throws
   * StorageError('NotFound') when the bucket does not exist (never an empty listing for a missing
   * bucket). An entry that is not an object (a local symlink or special file) is left out and named
   * in `skipped`. One request per call (a local folder: one walk, resumed after the token).
   */
  listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage>;

  /**
   * Optional: the objects and folders directly under `prefix`, when they fit one page; null when
   * they do not. list() uses it to list several folders at once (see listing.ts). One request.
   */
  listLevel?(bucket: string, prefix: string, signal?: AbortSignal): Promise<ListLevel | null>;

  /**
   * The whole listing listPage pages through, streamed page by page, with skipped entries reported
   * to `onSkipped`. Never implemented by a provider itself: it is `pagedList(this)` (listing.ts), so
   * every page goes through the provider's (or wrapper's) own listPage.
   */
  list(bucket: string, prefix: string, signal?: AbortSignal, onSkipped?: (entry: SkippedEntry) => void): AsyncIterable<ObjectInfo>;

  /** Object info with metadata, or null when the object does not exist. */
  head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null>;

  /**
   * Streams the object's bytes. Throws NotFound when missing. Never buffers the whole object.
   * With `ifMatch` (an etag as this provider reports it), reads only that version: a conditional
   * request (If-Match / ifGenerationMatch), or for a local file a check of its identity when opened
   * and again after the last byte. Another version fails with SourceChangedError, thrown or emitted
   * by the stream before it ends, so a consumer never takes bytes of two versions as one object.
   */
  read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable>;

  /**
   * Writes `size` bytes from `open()` to `key`, replacing any existing object atomically (readers see
   * the old or the new object, never a partial one). Uses parts above `multipartThreshold` with
   * bounded buffers; a failed multipart upload is aborted. Throws if the stream yields a different
   * number of bytes than `size`.
   */
  write(bucket: string, key: string, open: OpenSource, size: number, options?: WriteOptions): Promise<WriteResult>;

  /**
   * Deletes keys (batched where the service allows). Missing keys are not an error. When some keys
   * could not be deleted, throws PartialRemoveError naming the keys that were deleted before it
   * gave up, so the caller's counts and logs match what is gone.
   */
  remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void>;

  /**
   * Aborts an upload of ours that will never be finished (`state` is what it saved in an
   * UploadJournal), so its parts stop accruing storage. Missing uploads are not an error.
   */
  abandonUpload?(bucket: string, key: string, state: string, signal?: AbortSignal): Promise<void>;

  /**
   * The object's tags (empty when it has none). One request. Throws NotFound when the object is
   * missing. Only where capabilities.tags.
   */
  getTags?(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectTags>;

  /**
   * Server-side copy inside this connection; only when capabilities.serverSideCopy. Keeps the
   * source's content type, metadata and tags; the copy gets `options`' storage class and
   * encryption (absent: the bucket's default). Copies exactly the version its own HEAD found. A
   * server that cannot copy this object (e.g. no UploadPartCopy above 5 GiB, or an option Copy Blob
   * cannot take) fails Fatal with NotImplemented/MethodNotAllowed as cause, and the engine streams
   * the object instead.
   */
  copy?(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal, options?: TargetObjectOptions): Promise<WriteResult>;

  /**
   * Optional, where versioning is a bucket property (S3, MinIO, GCS): the bucket's setting. Never
   * changes it. Throws NotFound when the bucket does not exist, and a server without the API
   * (s3rver) fails with its own answer. One request.
   */
  versioning?(bucket: string, signal?: AbortSignal): Promise<BucketVersioning>;

  /**
   * Optional (local folders): moves the object at `fromKey` to `toKey` in the same bucket in one
   * atomic step, creating `toKey`'s folders. Never replaces anything at `toKey` (fails Fatal).
   * Throws NotFound when there is no object at `fromKey`. Not idempotent, so never retried.
   */
  rename?(bucket: string, fromKey: string, toKey: string, signal?: AbortSignal): Promise<void>;

  /**
   * Optional: a URL the target of a copy can GET this exact version from (`etag`), valid for
   * `ttlSeconds`. Null when this connection cannot sign one (no signing key: GCS without a service
   * account's private key) or its objects are not behind a URL (local folders). No request is made.
   */
  presignRead?(bucket: string, key: string, etag: string, ttlSeconds: number): Promise<PresignedRead | null>;

  /**
   * Optional (S3-like sources): the part sizes of an object uploaded in N parts (its ETag ends in
   * `-N`), in order, so a target can fetch it part by part and each part's MD5 can be checked against
   * the ETag (the MD5 of the parts' MD5s). Null when the service does not say. Up to N requests.
   */
  partSizes?(bucket: string, key: string, etag: string, signal?: AbortSignal): Promise<number[] | null>;

  /**
   * Optional, where capabilities.writeFromUrl: false when this service cannot reach `url` (a
   * public cloud endpoint cannot fetch from a loopback or private address).
   */
  canFetch?(url: string): boolean;

  /**
   * Optional, where capabilities.writeFromUrl: writes the object by letting the service fetch the
   * bytes from `source.url` itself; none pass through us. With `source.md5` the service refuses
   * bytes with another MD5 and the result carries the MD5 it stored. A source the service could not
   * read (unreachable, expired, refused) fails with a StorageError whose cause's code is
   * CannotVerifyCopySource; one this service cannot do from a URL at all (an endpoint without the
   * API, such as plain Azurite; a URL or block over the service's limits; a whole-object MD5 asked
   * of a write in several blocks) fails with cause code NotImplemented, before any byte is fetched
   * where it can be known beforehand. On both the engine streams the object instead. An MD5 (or
   * multipartEtag) mismatch fails Transient and commits nothing. Not resumable: blocks fetched by
   * an attempt that failed are left uncommitted, and the service discards them by itself.
   */
  writeFromUrl?(bucket: string, key: string, source: UrlSource, options?: WriteOptions): Promise<WriteResult>;

  /** Releases sockets and clients. */
  close(): Promise<void>;
}
