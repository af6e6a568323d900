// The storage provider interface. Every provider (local, s3, minio, azure, gcs) implements it and
// passes the same conformance suite (test/providers/conformance.ts) against a real server.
// Providers know nothing of sync, store or Electron. Errors thrown are StorageError (see errors.ts)
// or the AbortSignal's abort error.
import type { Readable } from 'node:stream';
import type { ProviderType } from '../../shared/model';

export interface ObjectMetadata {
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  /** User metadata, names lower-case. */
  metadata?: Record<string, string>;
}

export interface ObjectInfo extends ObjectMetadata {
  /** Full key inside the bucket, exactly as stored (no normalisation). */
  key: string;
  size: number;
  /** The service's opaque version tag; changes whenever the content changes. Never assume it is an MD5. */
  etag: string;
  /** Content MD5 as lower-case hex, only when the service really knows it (not a multipart ETag). */
  md5?: string;
  /** Last modification, ms since epoch. */
  lastModified: number;
}

export interface WriteOptions extends ObjectMetadata {
  /** Expected content MD5 (hex) when known before the upload: sent so the service verifies it. */
  md5?: string;
  signal?: AbortSignal;
}

export interface WriteResult {
  etag: string;
  /** MD5 (hex) of what the service stored, when the service reports it. */
  md5?: string;
  size: number;
  lastModified?: number;
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
}

export interface StorageProvider {
  readonly type: ProviderType;
  readonly capabilities: ProviderCapabilities;

  /** Bucket names visible to these credentials, sorted. */
  listBuckets(signal?: AbortSignal): Promise<string[]>;

  /** Creates a bucket; succeeds if it already exists and is ours. */
  createBucket(bucket: string, signal?: AbortSignal): Promise<void>;

  /** Deletes an empty bucket. */
  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void>;

  /**
   * Every object whose key starts with `prefix`, streamed page by page, in ascending UTF-8 byte order
   * of key. No delimiter: nested "folders" are flattened. Throws StorageError('NotFound') when the
   * bucket does not exist (never yields an empty listing for a missing bucket).
   */
  list(bucket: string, prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo>;

  /** Object info with metadata, or null when the object does not exist. */
  head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null>;

  /** Streams the object's bytes. Throws NotFound when missing. Never buffers the whole object. */
  read(bucket: string, key: string, signal?: AbortSignal): Promise<Readable>;

  /**
   * Writes `size` bytes from `open()` to `key`, replacing any existing object atomically (readers see
   * the old or the new object, never a partial one). Uses parts above `multipartThreshold` with
   * bounded buffers; a failed multipart upload is aborted. Throws if the stream yields a different
   * number of bytes than `size`.
   */
  write(bucket: string, key: string, open: OpenSource, size: number, options?: WriteOptions): Promise<WriteResult>;

  /** Deletes keys (batched where the service allows). Missing keys are not an error. */
  remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void>;

  /**
   * Server-side copy inside this connection; only when capabilities.serverSideCopy. Keeps the
   * source's content type and metadata.
   */
  copy?(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal): Promise<WriteResult>;

  /** Releases sockets and clients. */
  close(): Promise<void>;
}
