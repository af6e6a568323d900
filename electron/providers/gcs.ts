// Google Cloud Storage through @google-cloud/storage (the JSON API). Media downloads and resumable
// uploads use our own requests (gcs-download.ts, gcs-resumable.ts say why); the rest is the SDK's.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { Storage, type File, type FileMetadata } from '@google-cloud/storage';
import type { GcsSettings } from '../../shared/model';
import { StorageError } from './errors';
import { unlessAborted } from './abort';
import { checkWrite, openUpload } from './exact-size';
import { openDownload } from './gcs-download';
import { describe, mapGcsError } from './gcs-errors';
import { uploadResumable } from './gcs-resumable';
import { checkObjectName } from './gcs-names';
import { removeEach } from './limited';
import { allPages, pagedList } from './listing';
import { expectedCrc32c, gcsTarget, objectInfo, uploadResource } from './gcs-metadata';
import { signedReadUrl } from './gcs-presign';
import { resolveGcsSettings, type ResolvedGcsSettings } from './gcs-settings';
import { sdkCall } from './sdk-call';
import type { BucketVersioning, CreateBucketOptions, ListPage, ObjectInfo, OpenSource, PresignedRead, ProviderCapabilities, StorageProvider, TargetObjectOptions, WriteOptions, WriteResult } from './provider';
import type { ErrorContext } from './s3-common';

export interface GcsProviderOptions {
  /** Objects of at least this many bytes go up as resumable uploads (default 8 MiB); smaller ones in one request. */
  multipartThreshold?: number;
  /**
   * Bytes per resumable-upload request (default 8 MiB, a multiple of 256 KiB as GCS requires). One
   * chunk is kept in memory to resend it after a failure, so this bounds memory per upload.
   */
  chunkSize?: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** GCS takes resumable chunks in multiples of 256 KiB (only the last one may be shorter). */
export const GCS_CHUNK_UNIT = 256 * KiB;
export const DEFAULT_GCS_THRESHOLD = 8 * MiB;
export const DEFAULT_GCS_CHUNK_SIZE = 8 * MiB;

/** Objects (or buckets) per listing page. */
const LIST_PAGE_SIZE = 1000;
/** Upper bound on rewrite calls of one copy (GCS moves at least hundreds of MiB per call). */
const MAX_REWRITE_CALLS = 100_000;
const DELETE_CONCURRENCY = 16;
/** Deadline of one JSON call, from sending until the response headers arrive. */
const REQUEST_TIMEOUT_MS = 120_000;
/**
 * Upload requests get a deadline from this rate floor. The SDK cannot abort a single-request upload
 * whose source failed (the half-sent request would stay open for good), and resumable chunk
 * requests have no timeout of their own.
 */
const MIN_UPLOAD_BYTES_PER_SECOND = 32 * KiB;

export function createGcsProvider(settings: GcsSettings, options: GcsProviderOptions = {}): StorageProvider {
  return new GcsProvider(resolveGcsSettings(settings), options);
}

class GcsProvider implements StorageProvider {
  readonly type = 'gcs' as const;
  readonly capabilities: ProviderCapabilities;
  private readonly storage: Storage;
  private readonly chunkSize: number;
  private readonly needsProjectId: boolean;
  /** Google's endpoint or a Google private one: media downloads carry credentials (see gcs-settings.ts). */
  private readonly authenticated: boolean;
  private readonly resolved: ResolvedGcsSettings;
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  readonly list = pagedList(this);

  constructor(resolved: ResolvedGcsSettings, options: GcsProviderOptions) {
    const threshold = options.multipartThreshold ?? DEFAULT_GCS_THRESHOLD;
    const chunkSize = options.chunkSize ?? DEFAULT_GCS_CHUNK_SIZE;
    if (!Number.isSafeInteger(threshold) || threshold < 1) {
      throw new StorageError('InvalidConfig', `multipart threshold must be a positive byte count, got ${threshold}`, { field: 'multipartThreshold' });
    }
    if (!Number.isSafeInteger(chunkSize) || chunkSize < GCS_CHUNK_UNIT || chunkSize % GCS_CHUNK_UNIT !== 0) {
      throw new StorageError('InvalidConfig', `GCS chunk size must be a positive multiple of 256 KiB (${GCS_CHUNK_UNIT} bytes), got ${chunkSize}`, { field: 'chunkSize' });
    }
    this.chunkSize = chunkSize;
    this.resolved = resolved;
    this.capabilities = { serverSideCopy: true, metadata: true, md5InListing: true, multipartThreshold: threshold };
    // Against an emulator there is no metadata server to ask for a project; on Google ADC may know it.
    this.needsProjectId = resolved.projectId === undefined && resolved.apiEndpoint !== undefined;
    this.authenticated = resolved.apiEndpoint === undefined || resolved.useAuthWithCustomEndpoint;
    this.storage = new Storage({
      projectId: resolved.projectId,
      keyFilename: resolved.keyFilename,
      credentials: resolved.credentials,
      apiEndpoint: resolved.apiEndpoint,
      useAuthWithCustomEndpoint: resolved.useAuthWithCustomEndpoint,
      timeout: REQUEST_TIMEOUT_MS,
      // The SDK's own retries are off for every call, as for Azure: each call already has one retry
      // layer above it, and two multiply (the SDK's backoff starts at 1-2 s, so one failing listing
      // page took ~7 s per attempt of the engine's, ~44 s in all).
      // - list pages, head, remove, bucket calls: retrying.ts retries them with its backoff and
      //   pacer (a listing page by its token). All idempotent: remove ignores missing keys,
      //   createBucket takes a 409 of our own bucket as success.
      // - write (single request) and copy (rewrite): the engine retries the whole copy, after a new
      //   HEAD of the source. The SDK could not resend a consumed upload stream anyway.
      // - read and resumable chunks are our own requests (gcs-download.ts, gcs-resumable.ts); a
      //   chunk is resent there from what GCS confirmed, which only the session itself can do.
      retryOptions: { autoRetry: false, maxRetries: 0 },
    });
  }

  /**
   * A V4 signed GET of this generation (gcs-presign.ts); null when the credentials hold no private
   * key to sign with (user credentials, a VM's metadata server, no credentials at all).
   */
  async presignRead(bucket: string, key: string, etag: string, ttlSeconds: number): Promise<PresignedRead | null> {
    checkObjectName(key, describe({ op: 'presign a read of', bucket, key }));
    return this.call({ op: 'presign a read of', bucket, key }, undefined, () => signedReadUrl(this.storage, this.resolved, bucket, key, etag, ttlSeconds));
  }

  async listBuckets(signal?: AbortSignal): Promise<string[]> {
    this.requireProjectId('list buckets');
    const names = await allPages(async (pageToken) => {
      const [buckets, next] = await this.call({ op: 'list buckets' }, signal, () =>
        this.storage.getBuckets({ autoPaginate: false, maxResults: LIST_PAGE_SIZE, pageToken: pageToken ?? undefined }),
      );
      return { items: buckets.map((b) => b.name), next: nextPageToken(next) };
    }, 'list buckets');
    return names.sort();
  }

  async createBucket(bucket: string, signal?: AbortSignal, options?: CreateBucketOptions): Promise<void> {
    this.requireProjectId('create bucket');
    const ctx = { op: 'create', bucket };
    const settings = {
      ...(options?.location === undefined ? {} : { location: options.location }),
      // Only on a bucket this call makes: a 409 below leaves an existing bucket's setting alone.
      ...(options?.versioning === true ? { versioning: { enabled: true } } : {}),
      // No object ACLs and no public grants, whatever a later IAM change says.
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    };
    try {
      await unlessAborted(this.storage.createBucket(bucket, settings), signal);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 409) throw mapGcsError(err, ctx);
      // 409 both for "you already own it" and for a name taken by someone else: ours if we can read it.
      const ours = await unlessAborted(this.storage.bucket(bucket).getMetadata(), signal).then(() => true, () => false);
      if (!ours) throw new StorageError('InvalidConfig', `bucket name "${bucket}" is already taken by another project`, { cause: err, field: 'bucket' });
    }
  }

  async deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    await this.call({ op: 'delete', bucket }, signal, () => this.storage.bucket(bucket).delete());
  }

  /** GCS has no "suspended": a bucket keeps noncurrent generations or it does not. */
  async versioning(bucket: string, signal?: AbortSignal): Promise<BucketVersioning> {
    const [metadata] = await this.call({ op: 'read the versioning of', bucket }, signal, () => this.storage.bucket(bucket).getMetadata());
    return metadata.versioning?.enabled === true ? 'enabled' : 'off';
  }

  async listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage> {
    // GCS answers 404 for a missing bucket here, so a missing bucket never looks empty.
    const [files, next] = await this.call({ op: 'list', bucket }, signal, () =>
      this.storage.bucket(bucket).getFiles({ prefix: prefix || undefined, maxResults: limit ?? LIST_PAGE_SIZE, pageToken: token ?? undefined, autoPaginate: false }),
    );
    return { items: files.map((file) => objectInfo(file.name, file.metadata)), skipped: [], next: nextPageToken(next) };
  }

  /** md5 (absent for composite objects) and checksums.crc32c (always) come from the object resource. */
  async head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    const ctx = { op: 'head', bucket, key };
    checkObjectName(key, describe(ctx));
    try {
      const [metadata] = await unlessAborted(this.storage.bucket(bucket).file(key).getMetadata(), signal);
      return objectInfo(key, metadata);
    } catch (err) {
      // A missing bucket is a 404 too: no object there either.
      if ((err as { code?: unknown }).code === 404) return null;
      throw mapGcsError(err, ctx, signal);
    }
  }

  /**
   * A media download (see gcs-download.ts), checked against the CRC32C GCS announces. With `ifMatch`
   * (a generation, see versionTag) it is conditional on ifGenerationMatch: another generation fails
   * with SourceChangedError.
   */
  async read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable> {
    const ctx = { op: 'read', bucket, key };
    const what = describe(ctx);
    checkObjectName(key, what);
    if (ifMatch !== undefined && !/^\d+$/.test(ifMatch)) throw new StorageError('Fatal', `${what}: "${ifMatch}" is not a GCS generation (the etag this provider reports)`);
    signal?.throwIfAborted();
    const apiEndpoint = this.apiEndpoint();
    const headers = this.authenticated ? await this.call(ctx, signal, () => this.authHeaders(apiEndpoint)) : {};
    return openDownload({ apiEndpoint, bucket, key, ifMatch, headers, agents: this.agents, idleTimeoutMs: REQUEST_TIMEOUT_MS, ctx, signal });
  }

  /**
   * GCS checks an MD5 or CRC32C only when it is declared before it commits: `md5Hash`/`crc32c` in
   * the object resource, or X-Goog-Hash on the last request of a resumable upload (see
   * gcs-resumable.ts). The source's CRC32C (options.checksums) is declared too, so GCS compares
   * what it received with what the source holds, also where no MD5 is known (a composite object). The SDK's own
   * check runs after the commit and deletes the object on a mismatch, the previous version with it,
   * so it is off. A small object whose MD5 the caller does not know is read whole first (it is below
   * the threshold: the memory a resumable chunk takes anyway) and sent with the MD5 of what was
   * read. Either way GCS refuses damaged bytes before they replace anything, and nothing is
   * committed before the source ended without error.
   */
  async write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'write', bucket, key };
    const { what, md5: expectedMd5 } = checkWrite(bucket, key, size, options.md5);
    const crc32c = expectedCrc32c(options.checksums, what);
    checkObjectName(key, what);
    const { storageClass, kmsKeyName } = gcsTarget(options, what);
    const { signal } = options;
    const upload = await openUpload(open, size, what, signal);
    const { body } = upload;
    // With kmsKeyName the SDK sends it as the upload's query parameter.
    const file = this.storage.bucket(bucket).file(key, kmsKeyName ? { kmsKeyName } : {});
    let stored: FileMetadata;
    try {
      if (size >= this.capabilities.multipartThreshold) {
        const apiEndpoint = this.apiEndpoint();
        const headers = this.authenticated ? await this.authHeaders(apiEndpoint) : {};
        const resource = uploadResource({ ...options, md5: expectedMd5, crc32c, storageClass });
        const session = { apiEndpoint, bucket, key, headers, resource, kmsKeyName, size, chunkSize: this.chunkSize, timeoutMs: uploadTimeout(this.chunkSize), ctx, signal };
        stored = await uploadResumable(session, body, expectedMd5, crc32c);
      } else {
        const data = expectedMd5 === undefined ? await buffer(body) : undefined;
        const md5 = data ? createHash('md5').update(data).digest('hex') : expectedMd5;
        setUploadDeadline(file, size);
        const sdk = file.createWriteStream({ resumable: false, metadata: uploadResource({ ...options, md5, crc32c, storageClass }), validation: false });
        // Any failure (a short source, the SDK, an abort) destroys every stream of the pipeline: an
        // unfinished request is never committed.
        await pipeline(data ? Readable.from([data]) : body, sdk);
        stored = file.metadata;
      }
    } catch (err) {
      signal?.throwIfAborted();
      throw mapGcsError(err, ctx, signal);
    } finally {
      upload.close();
    }
    if (Number(stored.size) !== size) {
      throw new StorageError('Fatal', `${what}: the service stored ${String(stored.size)} bytes, expected ${size}`);
    }
    const info = objectInfo(key, stored);
    return { etag: info.etag, md5: info.md5, checksums: info.checksums, size, lastModified: info.lastModified || undefined };
  }

  /**
   * One request per key (a batch endpoint exists but the SDK does not use it): removeEach,
   * DELETE_CONCURRENCY at a time, PartialRemoveError after a failure.
   */
  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const handle = this.storage.bucket(bucket);
    await removeEach(keys, DELETE_CONCURRENCY, signal, async (key) => {
      const ctx = { op: 'remove', bucket, key };
      checkObjectName(key, describe(ctx));
      await this.call(ctx, signal, () => handle.file(key).delete({ ignoreNotFound: true }));
    });
  }

  /**
   * A rewrite: one call for objects GCS copies at once (same location and class), several for the
   * rest, each answering with a token for the next. GCS pins the source generation for the whole
   * loop, and the new object keeps the source's content type and metadata (empty destination resource).
   */
  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal, options: TargetObjectOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'copy to', bucket: dstBucket, key: dstKey };
    checkObjectName(srcKey, `copy ${srcBucket}/${srcKey}`);
    checkObjectName(dstKey, describe(ctx));
    const { storageClass, kmsKeyName } = gcsTarget(options, describe(ctx));
    const source = this.storage.bucket(srcBucket).file(srcKey);
    const uri = `/rewriteTo/b/${encodeURIComponent(dstBucket)}/o/${encodeURIComponent(dstKey)}`;
    const qs: Record<string, string> = kmsKeyName ? { destinationKmsKeyName: kmsKeyName } : {};
    let json: FileMetadata = {};
    if (storageClass) {
      // A destination resource replaces the source's metadata as a whole: it must carry that metadata,
      // of exactly the generation the rewrite then copies.
      const [metadata] = await this.call(ctx, signal, () => source.getMetadata());
      const { contentType, cacheControl, contentEncoding, contentDisposition, contentLanguage, metadata: user } = metadata;
      json = { contentType, cacheControl, contentEncoding, contentDisposition, contentLanguage, metadata: user, storageClass };
      qs.ifSourceGenerationMatch = String(metadata.generation);
    }
    let rewriteToken: string | undefined;
    for (let call = 0; call < MAX_REWRITE_CALLS; call++) {
      const [response] = await this.call(ctx, signal, () => source.request({ method: 'POST', uri, qs: rewriteToken ? { ...qs, rewriteToken } : qs, json }));
      const answer = response as RewriteResponse;
      if (answer.done && answer.resource) {
        const info = objectInfo(dstKey, answer.resource);
        return { etag: info.etag, md5: info.md5, size: info.size, lastModified: info.lastModified };
      }
      if (!answer.rewriteToken) throw new StorageError('Fatal', `copy ${srcBucket}/${srcKey}: the rewrite is not done but gave no token to continue`);
      rewriteToken = answer.rewriteToken;
    }
    throw new StorageError('Fatal', `copy ${srcBucket}/${srcKey}: not done after ${MAX_REWRITE_CALLS} rewrite calls`);
  }

  async close(): Promise<void> {
    // The SDK's own HTTP agents are shared pools inside the SDK; the downloads' are ours.
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** The JSON API root the SDK talks to, without a trailing slash. */
  private apiEndpoint(): string {
    return this.storage.apiEndpoint.replace(/\/+$/, '');
  }

  /** The Authorization header google-auth-library would send (it refreshes tokens as needed). */
  private async authHeaders(url: string): Promise<Record<string, string>> {
    const headers: unknown = await this.storage.authClient.getRequestHeaders(url);
    if (headers instanceof Headers) return Object.fromEntries(headers.entries());
    return { ...(headers as Record<string, string>) };
  }

  /** Runs one SDK call, mapping its errors; an abort rejects at once (the call finishes unobserved). */
  private call<T>(ctx: ErrorContext, signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
    return sdkCall(request, (err) => mapGcsError(err, ctx, signal), signal);
  }

  private requireProjectId(op: string): void {
    if (this.needsProjectId) {
      throw new StorageError('InvalidConfig', `GCS: ${op} needs a project id with a custom API endpoint`, { field: 'gcs.projectId' });
    }
  }
}

interface RewriteResponse {
  done?: boolean;
  rewriteToken?: string;
  resource?: FileMetadata;
}

function nextPageToken(next: unknown): string | null {
  const token = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
  return typeof token === 'string' && token !== '' ? token : null;
}

/** The deadline of one upload request of `bytes`. */
function uploadTimeout(bytes: number): number {
  return REQUEST_TIMEOUT_MS + Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
}

/**
 * Gives every upload request of `file` a deadline for `bytes` (see MIN_UPLOAD_BYTES_PER_SECOND). The
 * SDK applies a File's interceptors to its JSON requests and to the options of its resumable
 * (gaxios) requests alike.
 */
function setUploadDeadline(file: File, bytes: number): void {
  const timeout = uploadTimeout(bytes);
  // The interceptor type promises a request with `uri`, which the SDK's requests always have.
  file.interceptors.push({ request: (reqOpts) => ({ ...reqOpts, timeout }) as typeof reqOpts & { uri: string } });
}
