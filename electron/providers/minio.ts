// MinIO (and other S3-compatible services) through the minio client, configured as in the original
// tool: endpoint "host:port", access key, secret key, useSSL, region.
//
// Multipart uploads are driven here (s3-multipart.ts, over the client's requests) rather than by
// client.putObject: for large or unknown sizes the client first lists in-progress multipart uploads
// to resume one, which servers without that API (s3rver) reject, and it resends consumed streams on
// retry. Ours record their progress in the engine's UploadJournal and continue from it after a kill.
// The client has no abort signals, so aborts are honoured between requests and by destroying the
// streams we hand out or consume.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import type { MinioSettings } from '../../shared/model';
import { StorageError, classifyHttpError } from './errors';
import { unlessAborted } from './abort';
import { checkWrite, openUpload } from './exact-size';
import { keepAliveAgent } from './keep-alive-agent';
import { eachLimited } from './limited';
import { pagedList } from './listing';
import { parseListParts, parseMultipartState, partsOf, uploadResumable, type MultipartApi } from './s3-multipart';
import { sdkCall } from './sdk-call';
import { partSizesOf } from './s3-parts';
import { parseTaggingXml } from './object-tags';
import { s3TargetHeaders } from './s3-target';
import type { BucketVersioning, CreateBucketOptions, ListPage, ObjectInfo, ObjectMetadata, ObjectTags, OpenSource, PresignedRead, ProviderCapabilities, StorageProvider, TargetObjectOptions, WriteOptions, WriteResult } from './provider';
import {
  DELETE_BATCH,
  LIST_PAGE_SIZE,
  answerHeader,
  checksumAnswerOfHeaders,
  copiedMetadata,
  copyParts,
  copySourceInfo,
  deleteBatchError,
  encodeCopySource,
  encryptionOfHeaders,
  headAnswerOfHeaders,
  mapS3Code,
  md5FromEtag,
  nextContinuation,
  objectFromHead,
  parseCompleteMultipart,
  partSizeFor,
  readPreconditionError,
  resolveTuning,
  unquoteEtag,
  userMetadataToStore,
  versionedBody,
  versioningNotEnabled,
  writeResult,
  type HeadAnswer,
  type ErrorContext,
  type UploadTuning,
  type WriteAnswer,
} from './s3-common';

export type MinioProviderOptions = UploadTuning;

/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface ResolvedMinioSettings {
  endPoint: string;
  port?: number;
  useSSL: boolean;
  region: string;
  accessKey: string;
  secretKey: string;
}

/**
 * The client's options from the original tool's "host:port" endpoint, as checked by createProvider
 * (registry.ts): no scheme (useSSL decides it), no path. Brackets of an IPv6 host are removed, as
 * the minio client wants the bare address.
 */
export function resolveMinioSettings(settings: MinioSettings): ResolvedMinioSettings {
  const useSSL = settings.useSSL === true;
  const url = new URL(`${useSSL ? 'https' : 'http'}://${settings.endpoint.trim()}`);
  return {
    endPoint: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    useSSL,
    region: settings.region?.trim() || 'us-east-1',
    accessKey: settings.accessKey,
    secretKey: settings.secretKey,
  };
}

const CONFIG_ERRORS = new Set(['InvalidEndpointError', 'InvalidPortError', 'AccessKeyRequiredError', 'SecretKeyRequiredError']);

/** Maps a minio client error to StorageError; abort errors pass through. */
export function mapMinioError(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof Error) {
    if (err.name === 'InvalidBucketNameError') return mapS3Code(err, 'InvalidBucketName', ctx);
    if (CONFIG_ERRORS.has(err.name)) return new StorageError('InvalidConfig', `MinIO settings: ${err.message}`, { cause: err, field: 'minio.endpoint' });
    // For 408/429/5xx the client throws a plain Error naming the status, without the response body.
    const status = /Retryable HTTP status: (\d{3})/.exec(err.message)?.[1];
    if (status) {
      const classified = classifyHttpError({ statusCode: Number(status), message: err.message }, describeCtx(ctx));
      return new StorageError(classified.code, classified.message, { cause: err });
    }
  }
  const code = (err as { code?: unknown } | null)?.code;
  return mapS3Code(err, typeof code === 'string' && code !== '' ? code : undefined, ctx);
}

function describeCtx(ctx: ErrorContext): string {
  return [ctx.op, ctx.bucket, ctx.key].filter((p) => p !== undefined).join(' ');
}

export function createMinioProvider(settings: MinioSettings, options: MinioProviderOptions = {}): StorageProvider {
  return new MinioProvider(resolveMinioSettings(settings), options);
}

/** minio's CopySourceOptions encodes with encodeURI, leaving `?`, `#` and `+` raw; S3 needs them escaped. */
class EncodedCopySource extends CopySourceOptions {
  override getHeaders(): ReturnType<CopySourceOptions['getHeaders']> {
    return { ...super.getHeaders(), 'x-amz-copy-source': encodeCopySource(this.Bucket, this.Object) };
  }
}

class MinioProvider implements StorageProvider {
  readonly type = 'minio' as const;
  readonly capabilities: ProviderCapabilities;
  private readonly client: Client;
  private readonly agent: http.Agent;
  private readonly tuning: Required<UploadTuning>;
  readonly list = pagedList(this);

  constructor(resolved: ResolvedMinioSettings, options: MinioProviderOptions) {
    this.tuning = resolveTuning(options);
    this.capabilities = { serverSideCopy: true, metadata: true, md5InListing: true, multipartThreshold: this.tuning.multipartThreshold, tags: true };
    this.agent = keepAliveAgent(resolved.useSSL);
    try {
      this.client = new Client({
        endPoint: resolved.endPoint,
        port: resolved.port,
        useSSL: resolved.useSSL,
        region: resolved.region,
        accessKey: resolved.accessKey,
        secretKey: resolved.secretKey,
        transportAgent: this.agent,
        // Its retry resends consumed request streams and hides the status in a message; retry
        // lives outside the providers anyway.
        retryOptions: { disableRetry: true },
      });
    } catch (err) {
      throw mapMinioError(err, { op: 'connect' });
    }
  }

  async listBuckets(signal?: AbortSignal): Promise<string[]> {
    const buckets = await this.call({ op: 'list buckets' }, signal, () => this.client.listBuckets());
    return buckets.map((b) => b.name).sort();
  }

  /** A new MinIO bucket has no policy, so it is private already. */
  async createBucket(bucket: string, signal?: AbortSignal, options?: CreateBucketOptions): Promise<void> {
    const ctx = { op: 'create', bucket };
    try {
      signal?.throwIfAborted();
      await this.client.makeBucket(bucket, options?.region ?? this.client.region ?? 'us-east-1');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'BucketAlreadyOwnedByYou') return;
      if (code === 'BucketAlreadyExists') {
        // Some servers say AlreadyExists even for our own bucket; ours if we may access it.
        if (await this.client.bucketExists(bucket).catch(() => false)) return;
        throw new StorageError('InvalidConfig', `bucket name "${bucket}" is already taken by another account`, { cause: err, field: 'bucket' });
      }
      throw mapMinioError(err, ctx);
    }
    // Reached only when this call made the bucket: an existing one keeps its setting.
    if (options?.versioning === true) {
      await this.call({ op: 'enable versioning of', bucket }, signal, () => this.client.setBucketVersioning(bucket, { Status: 'Enabled' })).catch((err: unknown) => {
        throw versioningNotEnabled(bucket, err);
      });
    }
  }

  async versioning(bucket: string, signal?: AbortSignal): Promise<BucketVersioning> {
    const config = await this.call({ op: 'read the versioning of', bucket }, signal, () => this.client.getBucketVersioning(bucket));
    // A bucket that never had versioning answers without a Status.
    const status = (config as { Status?: string } | undefined)?.Status;
    return status === 'Enabled' ? 'enabled' : status === 'Suspended' ? 'suspended' : 'off';
  }

  async deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    await this.call({ op: 'delete', bucket }, signal, () => this.client.removeBucket(bucket));
  }

  async listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage> {
    // One page per request (the client's listObjectsV2 stream hides pages and ignores aborts).
    // The client asks for url-encoded keys and decodes them.
    const out = await this.call({ op: 'list', bucket }, signal, () => this.client.listObjectsV2Query(bucket, prefix, token ?? '', '', limit ?? LIST_PAGE_SIZE, ''));
    const items: ObjectInfo[] = out.objects.flatMap((o) =>
      o.name === undefined ? [] : [{ key: o.name, size: Number(o.size), etag: unquoteEtag(o.etag), md5: md5FromEtag(o.etag), lastModified: o.lastModified.getTime() }],
    );
    return { items, skipped: [], next: nextContinuation(out.isTruncated, out.nextContinuationToken, bucket) };
  }

  /**
   * A HEAD of our own (statObject drops the checksum headers): with x-amz-checksum-mode, so the
   * answer carries the object's checksums (see objectFromHead).
   */
  async head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    const out = await this.headObject(bucket, key, undefined, signal);
    return out && objectFromHead(key, out, (part) => this.headObject(bucket, key, part, signal));
  }

  /** HeadObject (of one part when `partNumber` is given), or null when the object does not exist. */
  private async headObject(bucket: string, key: string, partNumber: number | undefined, signal?: AbortSignal): Promise<HeadAnswer | null> {
    signal?.throwIfAborted();
    let headers: http.IncomingHttpHeaders;
    try {
      const query = partNumber === undefined ? '' : `partNumber=${partNumber}`;
      const res = await unlessAborted(
        this.client.makeRequestAsyncOmit({ method: 'HEAD', bucketName: bucket, objectName: key, query, headers: { 'x-amz-checksum-mode': 'ENABLED' } }),
        signal,
      );
      headers = res.headers;
    } catch (err) {
      signal?.throwIfAborted();
      const code = (err as { code?: unknown }).code;
      // HEAD responses have no body, so a missing bucket also looks like a plain 404 NotFound.
      if (code === 'NotFound' || code === 'NoSuchKey') return null;
      throw mapMinioError(err, { op: 'head', bucket, key });
    }
    return headAnswerOfHeaders(headers);
  }

  /**
   * The client's presignedGetObject (SigV4 query signing, at most 7 days; no request: the region is
   * the connection's). A presigned GET cannot carry If-Match: the target's MD5 or multipart-ETag
   * check catches an object that changed after listing. The URL is a credential: never logged.
   */
  async presignRead(bucket: string, key: string, _etag: string, ttlSeconds: number): Promise<PresignedRead | null> {
    const expires = Math.max(1, Math.min(Math.floor(ttlSeconds), MAX_PRESIGN_SECONDS));
    const signedAt = Date.now();
    const url = await this.call({ op: 'presign a read of', bucket, key }, undefined, () => this.client.presignedGetObject(bucket, key, expires));
    return { url, expiresAt: signedAt + expires * 1000 };
  }

  /** HEAD with partNumber for each part (s3-parts.ts): moto and MinIO answer them, s3rver does not (null). */
  async partSizes(bucket: string, key: string, etag: string, signal?: AbortSignal): Promise<number[] | null> {
    return partSizesOf(etag, (part) => this.headObject(bucket, key, part, signal), `read the part sizes of ${bucket}/${key}`);
  }

  /** Our own GET ?tagging: the client's parser reads "007" as 7 and trims values. */
  async getTags(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectTags> {
    return this.call({ op: 'get tags of', bucket, key }, signal, async () =>
      parseTaggingXml(await readText(await this.client.makeRequestAsync({ method: 'GET', bucketName: bucket, objectName: key, query: 'tagging' }))),
    );
  }

  /**
   * With `ifMatch`, a conditional GET (If-Match): a 412, or an answer for another ETag from a server
   * that ignores If-Match (s3rver), is a SourceChangedError.
   */
  async read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable> {
    const what = `read ${bucket}/${key}`;
    const headers: Record<string, string> = ifMatch === undefined ? {} : { 'If-Match': `"${unquoteEtag(ifMatch)}"` };
    signal?.throwIfAborted();
    let res: http.IncomingMessage;
    try {
      res = await unlessAborted(this.client.makeRequestAsync({ method: 'GET', bucketName: bucket, objectName: key, headers }), signal);
    } catch (err) {
      signal?.throwIfAborted();
      const code = (err as { code?: unknown }).code;
      throw (ifMatch !== undefined ? readPreconditionError(err, typeof code === 'string' ? code : undefined, what) : undefined) ?? mapMinioError(err, { op: 'read', bucket, key });
    }
    return versionedBody(res, ifMatch, answerHeader(res.headers, 'etag'), what, signal);
  }

  async write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'write', bucket, key };
    const { what, md5 } = checkWrite(bucket, key, size, options.md5);
    const { signal } = options;
    const multipart = size >= this.tuning.multipartThreshold;
    // The client takes no signal: the upload's cancel signal is not used, the caller's abort destroys the body.
    const upload = await openUpload(open, size, what, signal);
    const { body } = upload;
    // A single PUT always carries the Content-MD5 of what it sends (putSingle), so S3 checks the bytes under SSE-KMS too.
    const headers = { ...objectHeaders(options, userMetadataToStore({ ...options, md5 }, multipart)), ...s3TargetHeaders(options, what) };
    let answer: { etag: string } & WriteAnswer;
    try {
      const sent = multipart
        ? this.uploadParts(bucket, key, body, size, headers, options)
        : this.putSingle(bucket, key, body, size, headers, md5, what);
      answer = await unlessAborted(sent, signal);
    } catch (err) {
      signal?.throwIfAborted();
      throw mapMinioError(err, ctx);
    } finally {
      upload.close();
    }
    return writeResult(answer.etag, md5, size, what, answer);
  }

  /** One PUT. Below the multipart threshold the body is collected first (the client signs its SHA-256). */
  private async putSingle(bucket: string, key: string, body: Readable, size: number, headers: Record<string, string>, md5: string | undefined, what: string): Promise<{ etag: string } & WriteAnswer> {
    let data: Buffer = Buffer.alloc(0);
    for await (const part of partsOf(body, Math.max(size, 1))) data = part.data;
    const actual = createHash('md5').update(data);
    const digest = actual.copy().digest('hex');
    if (md5 && digest !== md5) {
      throw new StorageError('Fatal', `${what}: the source bytes have MD5 ${digest}, expected ${md5}; nothing was stored`);
    }
    // Our own request rather than putObject, whose result drops the encryption and checksum headers.
    const res = await this.client.makeRequestAsyncOmit(
      { method: 'PUT', bucketName: bucket, objectName: key, headers: { ...headers, 'Content-MD5': actual.digest('base64') } },
      data,
    );
    return { etag: answerHeader(res.headers, 'etag') ?? '', encryption: encryptionOfHeaders(res.headers), checksums: checksumAnswerOfHeaders(res.headers) };
  }

  /**
   * Multipart upload (s3-multipart.ts) with at most queueSize parts in memory: recorded in the
   * journal and continued by a later write of the same source version; without a journal any
   * failure aborts it on the server.
   */
  private uploadParts(bucket: string, key: string, body: Readable, size: number, headers: Record<string, string>, options: WriteOptions): Promise<{ etag: string } & WriteAnswer> {
    return uploadResumable({
      api: this.multipartApi(bucket, key, headers),
      what: `write ${bucket}/${key}`,
      body,
      size,
      partSize: partSizeFor(size, this.tuning.partSize),
      queueSize: this.tuning.queueSize,
      journal: options.journal,
      signal: options.signal,
    });
  }

  /**
   * The requests of one multipart upload to bucket/key. Part requests cannot be cancelled (the
   * client has no signals): an abort stops new parts, and the running ones settle.
   */
  private multipartApi(bucket: string, key: string, headers: Record<string, string>): MultipartApi<{ etag: string } & WriteAnswer> {
    const target = { bucketName: bucket, objectName: key };
    const query = (uploadId: string, more = ''): string => `uploadId=${encodeURIComponent(uploadId)}${more}`;
    return {
      create: () => this.client.initiateNewMultipartUpload(bucket, key, headers),
      // Over https the client signs UNSIGNED-PAYLOAD; Content-MD5 still lets the server verify each part.
      uploadPart: async (uploadId, n, data, md5) =>
        (await this.client.uploadPart({ ...target, uploadID: uploadId, partNumber: n, headers: { 'Content-MD5': md5.toString('base64') } }, data)).etag,
      // Our own ListParts: the client's is not public.
      listParts: async (uploadId, marker) => {
        try {
          const res = await this.client.makeRequestAsync({ ...target, method: 'GET', query: query(uploadId, marker ? `&part-number-marker=${encodeURIComponent(marker)}` : '') });
          return parseListParts(await readText(res));
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'NoSuchUpload') return 'gone';
          // s3rver answers 405 MethodNotAllowed to a GET with uploadId.
          if (code === 'NotImplemented' || code === 'MethodNotAllowed') return 'unsupported';
          throw err;
        }
      },
      complete: (uploadId, parts) => this.completeUpload(bucket, key, uploadId, parts.map((p) => ({ part: p.n, etag: p.etag }))),
      abort: async (uploadId) => {
        try {
          // Our own request: the client's sends the upload id without escaping it.
          await this.client.makeRequestAsyncOmit({ ...target, method: 'DELETE', query: query(uploadId) }, '', [204]);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code !== 'NoSuchUpload' && code !== 'NotFound') throw err;
        }
      },
    };
  }

  /**
   * Aborts an upload recorded in a journal; one the server no longer knows is not an error. A
   * server that cannot abort uploads (s3rver: 405 MethodNotAllowed) fails non-retryable (Fatal).
   */
  async abandonUpload(bucket: string, key: string, state: string, signal?: AbortSignal): Promise<void> {
    const saved = parseMultipartState(state);
    if (!saved) return;
    await this.call({ op: 'abort upload to', bucket, key }, signal, () => this.multipartApi(bucket, key, {}).abort(saved.uploadId));
  }

  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      // One batch per call: given more, the client would send every batch at once.
      const results = await this.call({ op: 'remove from', bucket }, signal, () => this.client.removeObjects(bucket, batch));
      const failed = results.flatMap((r) => (r?.Error && r.Error.Code !== 'NoSuchKey' ? [r.Error] : []));
      if (failed.length > 0) {
        const first = failed[0]!;
        const cause = Object.assign(new Error(first.Message ?? first.Code ?? 'delete failed'), { code: first.Code });
        throw deleteBatchError(bucket, batch.length, failed, cause, mapMinioError);
      }
    }
  }

  /**
   * CompleteMultipartUpload sent by us: the client's version cannot read an answer whose root is
   * not CompleteMultipartUploadResult (moto's) and turns a 200 answer carrying an <Error> (which S3
   * sends, e.g. InternalError) into a TypeError instead of that error's code; nor does it return the
   * encryption and checksum headers.
   */
  private async completeUpload(bucket: string, key: string, uploadId: string, parts: readonly { part: number; etag: string }[]): Promise<{ etag: string } & WriteAnswer> {
    const body =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      parts.map((p) => `<Part><PartNumber>${p.part}</PartNumber><ETag>"${escapeXml(unquoteEtag(p.etag))}"</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    const res = await this.client.makeRequestAsync({ method: 'POST', bucketName: bucket, objectName: key, query: `uploadId=${encodeURIComponent(uploadId)}` }, body);
    const parsed = parseCompleteMultipart(await readText(res));
    if ('code' in parsed) throw Object.assign(new Error(parsed.message), { code: parsed.code });
    return { etag: parsed.etag, encryption: encryptionOfHeaders(res.headers), checksums: checksumAnswerOfHeaders(res.headers) };
  }

  /**
   * One CopyObject up to copyThreshold (5 GiB, S3's limit), a multipart copy above it. Either copies
   * exactly the version HEAD measured (If-Match on the source): a change in between fails and is retried.
   */
  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal, options: TargetObjectOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'copy to', bucket: dstBucket, key: dstKey };
    const what = `copy ${srcBucket}/${srcKey} to ${dstBucket}/${dstKey}`;
    const src = copySourceInfo(await this.head(srcBucket, srcKey, signal), srcBucket, srcKey);
    if (src.size > this.tuning.copyThreshold) {
      return this.call(ctx, signal, () => this.copyInParts(src, srcBucket, dstBucket, dstKey, what, options, signal));
    }
    const source = new EncodedCopySource({ Bucket: srcBucket, Object: srcKey, MatchETag: `"${src.etag}"` });
    // The source's tags travel with the copy; class and encryption are the mapping's.
    const Headers = { 'x-amz-tagging-directive': 'COPY', ...s3TargetHeaders(options, what) };
    const dest = new CopyDestinationOptions({ Bucket: dstBucket, Object: dstKey, MetadataDirective: 'COPY', Headers });
    const out = await this.call(ctx, signal, () => this.client.copyObject(source, dest));
    const encryption = 'MetaData' in out ? encryptionOfHeaders(out.MetaData as http.IncomingHttpHeaders) : {};
    // The client reads the ETag from a response header that S3 puts in the body instead.
    let etag = 'Etag' in out ? out.Etag : undefined;
    let lastModified = 'LastModified' in out && out.LastModified instanceof Date ? out.LastModified.getTime() : undefined;
    if (!etag) {
      const copied = await this.head(dstBucket, dstKey, signal);
      if (!copied) throw new StorageError('Transient', `copy to ${dstBucket}/${dstKey}: the copy vanished right after it was made`);
      return { etag: copied.etag, md5: copied.md5, size: src.size, lastModified: copied.lastModified };
    }
    return { ...writeResult(etag, src.md5, src.size, what, { encryption }), lastModified };
  }

  /**
   * Multipart copy as in s3.ts: InitiateMultipartUpload with the source's content headers and
   * metadata, one UploadPartCopy per range (queueSize at once, each on the source's ETag), then
   * CompleteMultipartUpload; any failure aborts the upload. Requests cannot be cancelled: an abort
   * stops new parts and waits for the running ones before the upload is aborted.
   */
  private async copyInParts(src: ObjectInfo, srcBucket: string, dstBucket: string, dstKey: string, what: string, options: TargetObjectOptions, signal?: AbortSignal): Promise<WriteResult> {
    const meta = copiedMetadata(src);
    // UploadPartCopy carries no tags: the new upload is given the source's (read only when HEAD counted some).
    const tags = src.tagCount === 0 ? undefined : await this.getTags(srcBucket, src.key, signal);
    const headers = { ...objectHeaders(meta, userMetadataToStore(meta, true)), ...s3TargetHeaders({ ...options, tags }, what) };
    const uploadId = await this.client.initiateNewMultipartUpload(dstBucket, dstKey, headers);
    const etags: { part: number; etag: string }[] = [];
    try {
      await eachLimited(copyParts(src.size, this.tuning.copyPartSize), this.tuning.queueSize, async ({ part, first, last }) => {
        const headers = {
          'x-amz-copy-source': encodeCopySource(srcBucket, src.key),
          'x-amz-copy-source-range': `bytes=${first}-${last}`,
          'x-amz-copy-source-if-match': `"${src.etag}"`,
        };
        const out = await this.client.uploadPart({ bucketName: dstBucket, objectName: dstKey, uploadID: uploadId, partNumber: part, headers }, '');
        etags.push({ part, etag: out.etag });
      }, signal);
      etags.sort((a, b) => a.part - b.part);
      signal?.throwIfAborted();
      const done = await this.completeUpload(dstBucket, dstKey, uploadId, etags);
      return writeResult(done.etag, src.md5, src.size, what, done);
    } catch (err) {
      await this.client.abortMultipartUpload(dstBucket, dstKey, uploadId).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** Runs one client call; an abort rejects at once (the request itself cannot be cancelled and finishes unobserved). */
  private call<T>(ctx: ErrorContext, signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
    return sdkCall(request, (err) => mapMinioError(err, ctx), signal);
  }
}


/** Request headers for an object's content headers and user metadata. */
function objectHeaders(options: ObjectMetadata, userMetadata: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.contentType) headers['Content-Type'] = options.contentType;
  if (options.cacheControl) headers['Cache-Control'] = options.cacheControl;
  if (options.contentEncoding) headers['Content-Encoding'] = options.contentEncoding;
  if (options.contentDisposition) headers['Content-Disposition'] = options.contentDisposition;
  for (const [name, value] of Object.entries(userMetadata ?? {})) headers[`X-Amz-Meta-${name}`] = value;
  return headers;
}

/** An answer body as text (small XML answers only). */
async function readText(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
