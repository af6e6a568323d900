// Google Cloud Storage through @google-cloud/storage (the JSON API).
import { PassThrough, addAbortSignal, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Storage, type File, type FileMetadata } from '@google-cloud/storage';
import type { GcsSettings } from '../../shared/model';
import { StorageError } from './errors';
import { abortReason, unlessAborted } from './abort';
import { checkWrite, openExactly } from './exact-size';
import { mapGcsError } from './gcs-errors';
import { md5HexFromBase64, objectInfo, uploadResource, versionTag } from './gcs-metadata';
import { resolveGcsSettings, type ResolvedGcsSettings } from './gcs-settings';
import type { ObjectInfo, OpenSource, ProviderCapabilities, StorageProvider, WriteOptions, WriteResult } from './provider';
import type { ErrorContext } from './s3-common';

export interface GcsProviderOptions {
  /** Objects of at least this many bytes go up as resumable uploads (default 8 MiB); smaller ones in one request. */
  multipartThreshold?: number;
  /**
   * Bytes per resumable-upload request (default 8 MiB, a multiple of 256 KiB as GCS requires). The
   * SDK keeps one chunk in memory to resend it after a failure, so this bounds memory per upload.
   */
  chunkSize?: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** GCS takes resumable chunks in multiples of 256 KiB (only the last one may be shorter). */
export const GCS_CHUNK_UNIT = 256 * KiB;
export const DEFAULT_GCS_THRESHOLD = 8 * MiB;
export const DEFAULT_GCS_CHUNK_SIZE = 8 * MiB;

/** Upper bound on listing pages (1000 objects each), so a server that never stops paging cannot loop us forever. */
const MAX_LIST_PAGES = 10_000_000;
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
    this.capabilities = { serverSideCopy: true, metadata: true, md5InListing: true, multipartThreshold: threshold };
    // Against an emulator there is no metadata server to ask for a project; on Google ADC may know it.
    this.needsProjectId = resolved.projectId === undefined && resolved.apiEndpoint !== undefined;
    this.storage = new Storage({
      projectId: resolved.projectId,
      keyFilename: resolved.keyFilename,
      credentials: resolved.credentials,
      apiEndpoint: resolved.apiEndpoint,
      useAuthWithCustomEndpoint: resolved.useAuthWithCustomEndpoint,
      timeout: REQUEST_TIMEOUT_MS,
      // The engine retries whole operations with its own backoff; the SDK's retries stay short, but
      // they are what lets a resumable upload resend just its last chunk after a hiccup.
      retryOptions: { autoRetry: true, maxRetries: 2, retryDelayMultiplier: 2, maxRetryDelay: 8, totalTimeout: 120 },
    });
  }

  async listBuckets(signal?: AbortSignal): Promise<string[]> {
    this.requireProjectId('list buckets');
    const names: string[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const [buckets, next] = await this.call({ op: 'list buckets' }, signal, () =>
        this.storage.getBuckets({ autoPaginate: false, maxResults: 1000, pageToken }),
      );
      for (const b of buckets) names.push(b.name);
      const token = nextPageToken(next);
      if (!token || token === pageToken) break;
      pageToken = token;
    }
    return names.sort();
  }

  async createBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    this.requireProjectId('create bucket');
    const ctx = { op: 'create', bucket };
    try {
      await unlessAborted(this.storage.createBucket(bucket), signal);
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

  async *list(bucket: string, prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    const ctx = { op: 'list', bucket };
    const handle = this.storage.bucket(bucket);
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      // GCS answers 404 for a missing bucket here, so a missing bucket never looks empty.
      const [files, next] = await this.call(ctx, signal, () =>
        handle.getFiles({ prefix: prefix || undefined, maxResults: 1000, pageToken, autoPaginate: false }),
      );
      for (const file of files) yield objectInfo(file.name, file.metadata);
      const token = nextPageToken(next);
      if (!token) return;
      if (token === pageToken) throw new StorageError('Fatal', `list bucket "${bucket}": the server repeated its page token`);
      pageToken = token;
    }
    throw new StorageError('Fatal', `list bucket "${bucket}": more than ${MAX_LIST_PAGES} pages`);
  }

  async head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    try {
      const [metadata] = await unlessAborted(this.storage.bucket(bucket).file(key).getMetadata(), signal);
      return objectInfo(key, metadata);
    } catch (err) {
      // A missing bucket is a 404 too: no object there either.
      if ((err as { code?: unknown }).code === 404) return null;
      throw mapGcsError(err, { op: 'head', bucket, key });
    }
  }

  async read(bucket: string, key: string, signal?: AbortSignal): Promise<Readable> {
    const ctx = { op: 'read', bucket, key };
    signal?.throwIfAborted();
    // crc32c validation checks the bytes against x-goog-hash; decompress off: bytes come back as stored.
    const sdk = this.storage.bucket(bucket).file(key).createReadStream({ validation: 'crc32c', decompress: false });
    // Our own stream in front, so errors that surface while the caller reads are StorageErrors too.
    const out = new PassThrough();
    sdk.on('error', (err) => out.destroy(mapGcsError(err, ctx)));
    out.once('close', () => sdk.destroy());
    if (signal) addAbortSignal(signal, out);
    sdk.pipe(out);
    await responded(sdk, out);
    return out;
  }

  async write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'write', bucket, key };
    const { what, md5 } = checkWrite(bucket, key, size, options.md5);
    const { signal } = options;
    const resumable = size >= this.capabilities.multipartThreshold;
    const { body } = await openExactly(open, size, what, signal);
    const file = this.storage.bucket(bucket).file(key);
    const resource = uploadResource({ ...options, md5 });
    setUploadDeadline(file, resumable ? this.chunkSize : size);
    const sdk = file.createWriteStream({
      resumable,
      chunkSize: resumable ? this.chunkSize : undefined,
      // The declared length goes out as X-Upload-Content-Length, so GCS checks the total too.
      metadata: resumable ? ({ ...resource, contentLength: size } as FileMetadata) : resource,
      // MD5 with OpenSSL is cheaper than the SDK's CRC32C in JavaScript, and it is the hash we report.
      validation: 'md5',
    });
    try {
      // Any failure (a short source, the SDK, an abort) destroys every stream of the pipeline: an
      // unfinished upload is never committed.
      await pipeline(body, sdk, signal ? { signal } : {});
    } catch (err) {
      signal?.throwIfAborted();
      throw mapGcsError(err, ctx);
    } finally {
      body.destroy();
    }
    const stored = file.metadata;
    if (Number(stored.size) !== size) {
      throw new StorageError('Fatal', `${what}: the service stored ${String(stored.size)} bytes, expected ${size}`);
    }
    return { etag: versionTag(stored), md5: md5HexFromBase64(stored.md5Hash), size, lastModified: stored.updated ? Date.parse(stored.updated) : undefined };
  }

  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    // The JSON API deletes one object per request; a batch endpoint exists but the SDK does not use it.
    const handle = this.storage.bucket(bucket);
    await forEachLimit(keys, DELETE_CONCURRENCY, async (key) => {
      await this.call({ op: 'remove', bucket, key }, signal, () => handle.file(key).delete({ ignoreNotFound: true }));
    });
  }

  /**
   * A rewrite: one call for objects GCS copies at once (same location and class), several for the
   * rest, each answering with a token for the next. GCS pins the source generation for the whole
   * loop, and the new object keeps the source's content type and metadata (empty destination resource).
   */
  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal): Promise<WriteResult> {
    const ctx = { op: 'copy to', bucket: dstBucket, key: dstKey };
    const source = this.storage.bucket(srcBucket).file(srcKey);
    const uri = `/rewriteTo/b/${encodeURIComponent(dstBucket)}/o/${encodeURIComponent(dstKey)}`;
    let rewriteToken: string | undefined;
    for (let call = 0; call < MAX_REWRITE_CALLS; call++) {
      const [response] = await this.call(ctx, signal, () => source.request({ method: 'POST', uri, qs: rewriteToken ? { rewriteToken } : {}, json: {} }));
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
    // The SDK keeps no per-client sockets: its HTTP agents are shared pools inside the SDK.
  }

  /** Runs one SDK call, mapping its errors; an abort rejects at once (the call finishes unobserved). */
  private async call<T>(ctx: ErrorContext, signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    try {
      return await unlessAborted(request(), signal);
    } catch (err) {
      throw mapGcsError(err, ctx);
    }
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

function nextPageToken(next: unknown): string | undefined {
  const token = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * Resolves once the download answered 2xx; rejects with the (mapped) error of a failed request or
 * the abort. Error statuses arrive as a 'response' followed by the stream's error.
 */
function responded(sdk: Readable, out: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error): void => {
      sdk.off('response', onResponse);
      out.off('error', settle);
      if (err) reject(err);
      else resolve();
    };
    const onResponse = (res: { statusCode?: number }): void => {
      if (res.statusCode !== undefined && res.statusCode < 300) settle();
    };
    sdk.on('response', onResponse);
    out.once('error', settle);
  });
}

/**
 * Gives every upload request of `file` a deadline for `bytes` (see MIN_UPLOAD_BYTES_PER_SECOND). The
 * SDK applies a File's interceptors to its JSON requests and to the options of its resumable
 * (gaxios) requests alike.
 */
function setUploadDeadline(file: File, bytes: number): void {
  const timeout = REQUEST_TIMEOUT_MS + Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
  // The interceptor type promises a request with `uri`, which the SDK's requests always have.
  file.interceptors.push({ request: (reqOpts) => ({ ...reqOpts, timeout }) as typeof reqOpts & { uri: string } });
}

/** Runs `fn` over `items`, at most `limit` at a time; stops starting new ones after the first failure. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

