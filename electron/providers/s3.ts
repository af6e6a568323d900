// Amazon S3 and S3-compatible services through the AWS SDK v3.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { crc32 } from 'node:zlib';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  UploadPartCopyCommand,
  type BucketLocationConstraint,
  type CompletedPart,
  type HeadObjectCommandOutput,
  type PutObjectCommandInput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { AwsSettings } from '../../shared/model';
import { StorageError } from './errors';
import { checkWrite, openUpload } from './exact-size';
import { keepAliveAgent } from './keep-alive-agent';
import { eachLimited } from './limited';
import { allPages, pagedList } from './listing';
import { abortRecordedUpload, uploadInParts } from './s3-upload';
import { tagsFromTagSet } from './object-tags';
import { etagIsNotMd5, s3TargetParams } from './s3-target';
import { sdkCall } from './sdk-call';
import { S3DirectCalls } from './s3-direct';
import { partSizesOf } from './s3-parts';
import type { BucketVersioning, CreateBucketOptions, ListLevel, ListPage, ObjectInfo, ObjectTags, OpenSource, PresignedRead, ProviderCapabilities, StorageProvider, TargetObjectOptions, WriteOptions, WriteResult } from './provider';
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
  partSizeFor,
  readPreconditionError,
  resolveTuning,
  unquoteEtag,
  userMetadataToStore,
  versionedBody,
  versioningNotEnabled,
  writeResult,
  type ChecksumAnswer,
  type Encryption,
  type HeadAnswer,
  type ErrorContext,
  type WriteAnswer,
  type UploadTuning,
} from './s3-common';

export type S3ProviderOptions = UploadTuning;

/** The SDK logs every failed call (and a warning per failed streaming upload); our thrown errors say it all. */
const QUIET_LOGGER = { debug: (): void => undefined, info: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };

/**
 * Below this size an object goes up as one streamed PutObject: nothing is buffered, one request, and
 * the ETag is a real MD5. Above it, multipart (parts buffered, queueSize × partSize per upload).
 */
const STREAMED_PUT_THRESHOLD = 64 * 1024 * 1024;
/**
 * Up to this size a PutObject's body is read into memory and sent directly with its MD5 (putObject):
 * small enough that the transfers of a run hold little (64 at once: 64 MiB), large enough to cover the
 * objects whose cost is the request rather than the bytes.
 */
const DIRECT_PUT_MAX = 1024 * 1024;

export type ChecksumMode = NonNullable<AwsSettings['checksumMode']>;

/** The parts of S3Client's configuration that follow from the connection settings. */
export interface ResolvedS3Settings {
  region: string;
  /** Absolute URL, or undefined for AWS itself. */
  endpoint?: string;
  forcePathStyle: boolean;
  checksumMode: ChecksumMode;
  /** Undefined: the SDK's default credential chain (env, profile, SSO, instance role...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Derives client settings from a connection's AwsSettings, as checked by createProvider (registry.ts):
 * - an endpoint without a scheme gets http:// when disableSSL, else https://;
 * - path-style addressing is forced for `localhost` and IP endpoints (virtual-host buckets need DNS);
 * - checksums default to the SDK's WHEN_SUPPORTED on AWS but WHEN_REQUIRED on custom endpoints: with
 *   WHEN_SUPPORTED a stream body goes out in aws-chunked framing with a trailing checksum, which
 *   many S3-compatible servers (s3rver among them) store verbatim as the object's content.
 */
export function resolveS3Settings(settings: AwsSettings): ResolvedS3Settings {
  const region = settings.region?.trim() || 'us-east-1';
  let endpoint: string | undefined;
  let hostIsLocal = false;
  const raw = settings.endpoint?.trim();
  if (raw) {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${settings.disableSSL ? 'http' : 'https'}://${raw}`);
    endpoint = url.origin + url.pathname.replace(/\/+$/, '');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    hostIsLocal = host === 'localhost' || net.isIP(host) !== 0;
  }
  const { accessKeyId, secretAccessKey, sessionToken } = settings;
  return {
    region,
    endpoint,
    forcePathStyle: settings.forcePathStyle === true || hostIsLocal,
    checksumMode: settings.checksumMode ?? (endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED'),
    // Neither key: the SDK's default credential chain.
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
  };
}

/** Maps an AWS SDK error (its `name` is the S3 error code) to StorageError; abort errors pass through. */
export function mapS3Error(err: unknown, ctx: ErrorContext): Error {
  const name = err instanceof Error ? err.name : undefined;
  return mapS3Code(err, name === 'Error' ? undefined : name, ctx);
}

export function createS3Provider(settings: AwsSettings, options: S3ProviderOptions = {}): StorageProvider {
  return new S3Provider(resolveS3Settings(settings), options);
}

class S3Provider implements StorageProvider {
  readonly type = 'aws' as const;
  readonly capabilities: ProviderCapabilities;
  private readonly client: S3Client;
  /** PutObject, GetObject and HeadObject without the SDK's per-request stack (s3-direct.ts). */
  private readonly direct: S3DirectCalls;
  private readonly tuning: Required<UploadTuning>;
  private readonly region: string;
  private readonly checksumMode: ChecksumMode;
  readonly list = pagedList(this);

  constructor(resolved: ResolvedS3Settings, options: S3ProviderOptions) {
    this.tuning = resolveTuning(options, STREAMED_PUT_THRESHOLD);
    this.region = resolved.region;
    this.checksumMode = resolved.checksumMode;
    this.capabilities = { serverSideCopy: true, metadata: true, md5InListing: true, multipartThreshold: this.tuning.multipartThreshold, tags: true };
    // One keep-alive pool per provider: many small objects would otherwise pay a TCP (+TLS) handshake each.
    const config: S3ClientConfig = {
      region: resolved.region,
      endpoint: resolved.endpoint,
      forcePathStyle: resolved.forcePathStyle,
      requestChecksumCalculation: resolved.checksumMode,
      responseChecksumValidation: resolved.checksumMode,
      credentials: resolved.credentials,
      logger: QUIET_LOGGER,
      requestHandler: {
        httpAgent: keepAliveAgent(false),
        httpsAgent: keepAliveAgent(true),
        connectionTimeout: 15_000,
        // Inactivity, not total duration: a large part may take long but never sits silent this long.
        socketTimeout: 120_000,
      },
    };
    this.client = new S3Client(config);
    this.direct = new S3DirectCalls(this.client);
  }

  async listBuckets(signal?: AbortSignal): Promise<string[]> {
    const names = await allPages(async (token) => {
      const out = await this.call({ op: 'list buckets' }, () =>
        this.client.send(new ListBucketsCommand({ ContinuationToken: token ?? undefined }), { abortSignal: signal }),
      );
      return { items: (out.Buckets ?? []).flatMap((b) => (b.Name ? [b.Name] : [])), next: out.ContinuationToken || null };
    }, 'list buckets');
    return names.sort();
  }

  async createBucket(bucket: string, signal?: AbortSignal, options?: CreateBucketOptions): Promise<void> {
    const ctx = { op: 'create', bucket };
    const region = options?.region ?? this.region;
    // us-east-1 is the one region that must not be named as a location constraint.
    const location = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }), { abortSignal: signal });
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (name === 'BucketAlreadyOwnedByYou') return;
      // Some servers say AlreadyExists even for our own bucket; ours if we may access it.
      if (name === 'BucketAlreadyExists') {
        const ours = await this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal }).then(() => true, () => false);
        if (ours) return;
        throw new StorageError('InvalidConfig', `bucket name "${bucket}" is already taken by another account`, { cause: err, field: 'bucket' });
      }
      throw mapS3Error(err, ctx);
    }
    await this.blockPublicAccess(bucket, signal);
    // An existing bucket returned above and keeps its setting (AWS us-east-1 alone answers 200 for
    // our own existing bucket, so there a caller must ask only for a bucket it found missing).
    if (options?.versioning === true) {
      await this.call({ op: 'enable versioning of', bucket }, () =>
        this.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }), { abortSignal: signal }),
      ).catch((err: unknown) => {
        throw versioningNotEnabled(bucket, err);
      });
    }
  }

  async versioning(bucket: string, signal?: AbortSignal): Promise<BucketVersioning> {
    const out = await this.call({ op: 'read the versioning of', bucket }, () =>
      this.client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal }),
    );
    // A bucket that never had versioning answers without a Status.
    return out.Status === 'Enabled' ? 'enabled' : out.Status === 'Suspended' ? 'suspended' : 'off';
  }

  /**
   * AWS blocks public access on new buckets already; set it anyway for servers and older accounts
   * that do not. A server without the API (s3rver answers NotImplemented or MethodNotAllowed) has no
   * public access to block.
   */
  private async blockPublicAccess(bucket: string, signal?: AbortSignal): Promise<void> {
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    try {
      await this.client.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: all }), { abortSignal: signal });
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 501 || status === 405 || (err instanceof Error && ['NotImplemented', 'MethodNotAllowed'].includes(err.name))) return;
      throw mapS3Error(err, { op: 'block public access', bucket });
    }
  }

  async deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    await this.call({ op: 'delete', bucket }, () => this.client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal }));
  }

  async listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage> {
    const page = await this.listObjects(bucket, prefix, undefined, token, limit, signal);
    return { items: page.objects, skipped: [], next: page.next };
  }

  /** One ListObjectsV2 with '/' as delimiter: list() then lists the folders at once. */
  async listLevel(bucket: string, prefix: string, signal?: AbortSignal): Promise<ListLevel | null> {
    const page = await this.listObjects(bucket, prefix, '/', null, undefined, signal);
    return page.next === null ? { items: page.objects, folders: page.prefixes } : null;
  }

  /** One ListObjectsV2 page; `next` is null on the last page. */
  private async listObjects(
    bucket: string,
    prefix: string,
    delimiter: string | undefined,
    token: string | null,
    limit: number | undefined,
    signal?: AbortSignal,
  ): Promise<{ objects: ObjectInfo[]; prefixes: string[]; next: string | null }> {
    const input = {
      Bucket: bucket,
      Prefix: prefix || undefined,
      Delimiter: delimiter,
      ContinuationToken: token ?? undefined,
      MaxKeys: limit ?? LIST_PAGE_SIZE,
      EncodingType: 'url' as const,
    };
    const out = await this.call({ op: 'list', bucket }, () => this.client.send(new ListObjectsV2Command(input), { abortSignal: signal }));
    // Keys come URL-encoded when the server honours EncodingType (XML 1.0 cannot carry every
    // character a key may hold); a server that ignores it says so by omitting EncodingType.
    const decode = (key: string) => (out.EncodingType === 'url' ? decodeListingKey(key, bucket) : key);
    const objects: ObjectInfo[] = [];
    for (const o of out.Contents ?? []) {
      if (o.Key === undefined) continue;
      objects.push({
        key: decode(o.Key),
        size: o.Size ?? 0,
        etag: unquoteEtag(o.ETag),
        // A hint only: a listing does not say whether the object is encrypted with SSE-KMS/SSE-C
        // (ETag not an MD5). The engine verifies against head(), which knows.
        md5: md5FromEtag(o.ETag),
        lastModified: o.LastModified?.getTime() ?? 0,
      });
    }
    const prefixes = (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix === undefined ? [] : [decode(p.Prefix)]));
    return { objects, prefixes, next: nextContinuation(out.IsTruncated, out.NextContinuationToken, bucket) };
  }

  /** HEAD with ChecksumMode, so the answer carries the object's checksums (see objectFromHead). */
  async head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    const out = await this.headObject(bucket, key, undefined, signal);
    return out && objectFromHead(key, out, (part) => this.headObject(bucket, key, part, signal));
  }

  /** HeadObject (of one part when `partNumber` is given), or null when the object does not exist. */
  private async headObject(bucket: string, key: string, partNumber: number | undefined, signal?: AbortSignal): Promise<HeadAnswer | null> {
    let out: HeadObjectCommandOutput;
    try {
      const endpoint = await this.direct.endpointFor(bucket);
      if (endpoint) {
        const query: Record<string, string> = partNumber === undefined ? {} : { partNumber: String(partNumber) };
        const answer = await this.direct.send({ method: 'HEAD', bucket, key, headers: { 'x-amz-checksum-mode': 'ENABLED' }, query, signal }, endpoint);
        answer.body.resume();
        return headAnswerOfHeaders(answer.headers);
      }
      out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', PartNumber: partNumber }), { abortSignal: signal });
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      // HEAD responses have no body, so a missing bucket also looks like a plain 404 NotFound.
      if (name === 'NotFound' || name === 'NoSuchKey') return null;
      throw mapS3Error(err, { op: 'head', bucket, key });
    }
    return {
      etag: out.ETag,
      size: out.ContentLength ?? 0,
      lastModified: out.LastModified?.getTime() ?? 0,
      encryption: encryptionOf(out),
      checksums: checksumAnswer(out),
      headers: { contentType: out.ContentType, cacheControl: out.CacheControl, contentEncoding: out.ContentEncoding, contentDisposition: out.ContentDisposition },
      userMetadata: out.Metadata,
      partsCount: out.PartsCount,
      storageClass: out.StorageClass,
      kmsKeyId: out.SSEKMSKeyId,
      tagCount: out.TagCount,
    };
  }

  /**
   * A presigned GET (s3-presign.ts, loaded on first use). Null when the connection has no
   * credentials to sign with (the default chain found none).
   */
  async presignRead(bucket: string, key: string, _etag: string, ttlSeconds: number): Promise<PresignedRead | null> {
    const { presignGet } = await import('./s3-presign');
    try {
      return await presignGet(this.client, bucket, key, ttlSeconds);
    } catch (err) {
      if (err instanceof Error && err.name === 'CredentialsProviderError') return null;
      throw mapS3Error(err, { op: 'presign a read of', bucket, key });
    }
  }

  /** HeadObject with PartNumber for each part (s3-parts.ts): AWS and moto answer them, s3rver does not (null). */
  async partSizes(bucket: string, key: string, etag: string, signal?: AbortSignal): Promise<number[] | null> {
    return partSizesOf(etag, (part) => this.headObject(bucket, key, part, signal), `read the part sizes of ${bucket}/${key}`);
  }

  async getTags(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectTags> {
    const out = await this.call({ op: 'get tags of', bucket, key }, () => this.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }));
    return tagsFromTagSet(out.TagSet);
  }

  /**
   * With `ifMatch`, a conditional GET (If-Match): a 412, or an answer for another ETag from a server
   * that ignores If-Match (s3rver), is a SourceChangedError.
   */
  async read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable> {
    const what = `read ${bucket}/${key}`;
    const ifMatchHeader = ifMatch === undefined ? undefined : `"${unquoteEtag(ifMatch)}"`;
    let out: { Body?: unknown; ETag?: string };
    try {
      const endpoint = await this.direct.endpointFor(bucket);
      if (endpoint) {
        const answer = await this.direct.send({ method: 'GET', bucket, key, headers: ifMatchHeader ? { 'if-match': ifMatchHeader } : {}, signal }, endpoint);
        out = { Body: answer.body, ETag: answer.headers.etag };
      } else {
        out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: ifMatchHeader }), { abortSignal: signal });
      }
    } catch (err) {
      throw (ifMatch !== undefined ? readPreconditionError(err, err instanceof Error ? err.name : undefined, what) : undefined) ?? mapS3Error(err, { op: 'read', bucket, key });
    }
    const body = out.Body;
    if (!(body instanceof Readable)) {
      throw new StorageError('Fatal', `${what}: the SDK returned no Node stream`);
    }
    return versionedBody(body, ifMatch, out.ETag, what, signal);
  }

  async write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'write', bucket, key };
    const { what, md5 } = checkWrite(bucket, key, size, options.md5);
    const { signal } = options;
    const target = s3TargetParams(options, what);
    // Under SSE-KMS the ETag says nothing of the content: an object whose MD5 is not known before
    // the upload goes in parts, each with its Content-MD5, so S3 still checks every byte it receives;
    // and the MD5 is kept as md5chksum, as for any multipart object.
    const unverifiable = etagIsNotMd5(options);
    const multipart = size >= this.tuning.multipartThreshold || (unverifiable && !md5);
    const upload = await openUpload(open, size, what, signal);
    const { body, cancel } = upload;
    const params = {
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: size,
      ContentType: options.contentType,
      CacheControl: options.cacheControl,
      ContentEncoding: options.contentEncoding,
      ContentDisposition: options.contentDisposition,
      Metadata: userMetadataToStore({ ...options, md5 }, multipart || unverifiable),
      ...target,
    };
    let out: WriteAnswer & { etag?: string };
    try {
      if (!multipart) {
        out = await this.putObject({ ...params, ContentMD5: md5 ? Buffer.from(md5, 'hex').toString('base64') : undefined }, cancel);
      } else {
        const { Body: _body, ContentLength: _length, ...create } = params;
        out = sdkWriteAnswer(await uploadInParts({
          client: this.client,
          create,
          body,
          size,
          partSize: partSizeFor(size, this.tuning.partSize),
          queueSize: this.tuning.queueSize,
          journal: options.journal,
          signal: cancel,
        }));
      }
    } catch (err) {
      signal?.throwIfAborted();
      // After a body error the SDK reports only its own abort (or, on servers that cannot abort a
      // multipart upload, that failure): the body's error is the cause worth reporting.
      throw mapS3Error(upload.failure ?? err, ctx);
    } finally {
      upload.close();
    }
    return writeResult(out.etag, md5, size, what, out);
  }

  /**
   * One PutObject. Up to DIRECT_PUT_MAX the body is read whole first and sent directly (s3-direct.ts)
   * with a Content-MD5 — the one the caller declared (S3 refuses bytes that differ), else the body's
   * own — and under WHEN_SUPPORTED its CRC32, as the SDK would send it, so S3 checks every byte
   * before it stores any. Larger bodies, and buckets the direct calls do not serve, stream through the SDK.
   */
  private async putObject(input: PutObjectCommandInput & { Bucket: string; Key: string; Body: Readable; ContentLength: number }, signal: AbortSignal): Promise<WriteAnswer & { etag?: string }> {
    const endpoint = input.ContentLength <= DIRECT_PUT_MAX ? await this.direct.endpointFor(input.Bucket) : null;
    if (!endpoint) return sdkWriteAnswer(await this.client.send(new PutObjectCommand(input), { abortSignal: signal }));
    const data = await readWhole(input.Body);
    const headers = putObjectHeaders({ ...input, ContentMD5: input.ContentMD5 ?? createHash('md5').update(data).digest('base64') });
    if (this.checksumMode === 'WHEN_SUPPORTED') {
      headers['x-amz-sdk-checksum-algorithm'] = 'CRC32';
      headers['x-amz-checksum-crc32'] = crc32Base64(data);
    }
    const answer = await this.direct.send({ method: 'PUT', bucket: input.Bucket, key: input.Key, headers, body: data, signal }, endpoint);
    answer.body.resume(); // an empty body, read so the connection goes back to the pool
    return { etag: answerHeader(answer.headers, 'etag'), encryption: encryptionOfHeaders(answer.headers), checksums: checksumAnswerOfHeaders(answer.headers) };
  }

  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const ctx = { op: 'remove from', bucket };
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const command = new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } });
      if (this.checksumMode === 'WHEN_REQUIRED') sendContentMd5(command);
      const out = await this.call(ctx, () => this.client.send(command, { abortSignal: signal }));
      // DeleteObjects answers 200 even when single keys failed; those are listed in Errors.
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const first = failed[0]!;
        const cause = Object.assign(new Error(first.Message ?? first.Code ?? 'delete failed'), { name: first.Code ?? 'Error' });
        throw deleteBatchError(bucket, batch.length, failed, cause, mapS3Error);
      }
    }
  }

  async abandonUpload(bucket: string, key: string, state: string, signal?: AbortSignal): Promise<void> {
    await this.call({ op: 'abort upload to', bucket, key }, () => abortRecordedUpload(this.client, bucket, key, state, signal));
  }

  /**
   * One CopyObject up to copyThreshold (5 GiB, S3's limit), a multipart copy above it. Either copies
   * exactly the version HEAD measured (CopySourceIfMatch): a change in between fails and is retried.
   */
  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal, options: TargetObjectOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'copy to', bucket: dstBucket, key: dstKey };
    const what = `copy ${srcBucket}/${srcKey} to ${dstBucket}/${dstKey}`;
    const src = copySourceInfo(await this.head(srcBucket, srcKey, signal), srcBucket, srcKey);
    if (src.size > this.tuning.copyThreshold) return this.copyInParts(src, srcBucket, dstBucket, dstKey, what, options, signal);
    const input = {
      Bucket: dstBucket,
      Key: dstKey,
      CopySource: encodeCopySource(srcBucket, srcKey),
      MetadataDirective: 'COPY' as const,
      // The source's tags travel with the copy; class and encryption are the mapping's (a copy does not keep the source's).
      TaggingDirective: 'COPY' as const,
      ...s3TargetParams(options, what),
      CopySourceIfMatch: `"${src.etag}"`,
    };
    const out = await this.call(ctx, () => this.client.send(new CopyObjectCommand(input), { abortSignal: signal }));
    const result = writeResult(out.CopyObjectResult?.ETag, src.md5, src.size, what, { encryption: encryptionOf(out), checksums: checksumAnswer(out.CopyObjectResult ?? {}) });
    return { ...result, lastModified: out.CopyObjectResult?.LastModified?.getTime() };
  }

  /**
   * Multipart copy: CreateMultipartUpload with the source's content headers and metadata, one
   * UploadPartCopy per range (queueSize at once, each conditional on the source's ETag), then
   * CompleteMultipartUpload; any failure aborts the upload. s3rver has no UploadPartCopy
   * (NotImplemented, Fatal): the engine has to stream such copies.
   */
  private async copyInParts(src: ObjectInfo, srcBucket: string, dstBucket: string, dstKey: string, what: string, options: TargetObjectOptions, signal?: AbortSignal): Promise<WriteResult> {
    const ctx = { op: 'copy to', bucket: dstBucket, key: dstKey };
    const meta = copiedMetadata(src);
    // UploadPartCopy carries no tags: the new upload is given the source's (read only when HEAD counted some).
    const tags = src.tagCount === 0 ? undefined : await this.getTags(srcBucket, src.key, signal);
    const created = await this.call(ctx, () =>
      this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: dstBucket,
          Key: dstKey,
          ContentType: meta.contentType,
          CacheControl: meta.cacheControl,
          ContentEncoding: meta.contentEncoding,
          ContentDisposition: meta.contentDisposition,
          Metadata: userMetadataToStore(meta, true),
          ...s3TargetParams({ ...options, tags }, what),
        }),
        { abortSignal: signal },
      ),
    );
    const uploadId = created.UploadId;
    if (!uploadId) throw new StorageError('Fatal', `${what}: CreateMultipartUpload answered no upload id`);
    const completed: CompletedPart[] = [];
    try {
      await eachLimited(copyParts(src.size, this.tuning.copyPartSize), this.tuning.queueSize, async ({ part, first, last }) => {
        const out = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: dstBucket,
            Key: dstKey,
            UploadId: uploadId,
            PartNumber: part,
            CopySource: encodeCopySource(srcBucket, src.key),
            CopySourceRange: `bytes=${first}-${last}`,
            CopySourceIfMatch: `"${src.etag}"`,
          }),
          { abortSignal: signal },
        );
        completed.push({ PartNumber: part, ETag: out.CopyPartResult?.ETag });
      }, signal);
      completed.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      const done = await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: dstBucket, Key: dstKey, UploadId: uploadId, MultipartUpload: { Parts: completed } }),
        { abortSignal: signal },
      );
      return writeResult(done.ETag, src.md5, src.size, what, { encryption: encryptionOf(done), checksums: checksumAnswer(done) });
    } catch (err) {
      // Without a signal: the stored parts must go even when the copy was cancelled.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: dstBucket, Key: dstKey, UploadId: uploadId })).catch(() => undefined);
      signal?.throwIfAborted();
      throw mapS3Error(err, ctx);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Runs one SDK call, mapping its errors. */
  private call<T>(ctx: ErrorContext, request: () => Promise<T>): Promise<T> {
    return sdkCall(request, (err) => mapS3Error(err, ctx));
  }
}

/**
 * S3 documents Content-MD5 as required on DeleteObjects; the SDK sends a CRC32 checksum instead,
 * which AWS accepts but many S3-compatible services refuse (MissingContentMD5). So where checksums
 * are WHEN_REQUIRED (custom endpoints) the request carries the MD5 of its body instead, as the SDK's
 * own MD5 fallback guide shows. Runs after the SDK's checksum middleware (same step, lower priority).
 */
function sendContentMd5(command: DeleteObjectsCommand): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const body = request.body;
      if (request.headers && (typeof body === 'string' || body instanceof Uint8Array)) {
        for (const name of Object.keys(request.headers)) {
          if (/^x-amz-(sdk-)?checksum-/i.test(name)) delete request.headers[name];
        }
        request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'contentMd5ForDeleteObjects' },
  );
}

/** The encryption and checksum fields the SDK parses from an answer's headers. */
interface AnswerHeaders {
  ServerSideEncryption?: string;
  SSECustomerAlgorithm?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

/**
 * The headers the SDK sends for the PutObject fields write() sets (a field it does not set is refused
 * here rather than dropped). Without a content type the SDK sends application/octet-stream, and so does this.
 */
function putObjectHeaders(input: PutObjectCommandInput & { ContentLength: number }): Record<string, string> {
  const { Bucket: _bucket, Key: _key, Body: _body, ContentLength, ContentType, CacheControl, ContentEncoding, ContentDisposition, ContentMD5, Metadata, StorageClass, ServerSideEncryption, SSEKMSKeyId, Tagging, ...rest } = input;
  const unsent = Object.entries(rest).filter(([, value]) => value !== undefined).map(([name]) => name);
  if (unsent.length > 0) throw new StorageError('Fatal', `PutObject of ${input.Key}: ${unsent.join(', ')} cannot be sent directly`);
  const headers: Record<string, string> = { 'content-length': String(ContentLength), 'content-type': ContentType ?? 'application/octet-stream' };
  const optional: Record<string, string | undefined> = {
    'cache-control': CacheControl,
    'content-encoding': ContentEncoding,
    'content-disposition': ContentDisposition,
    'content-md5': ContentMD5,
    'x-amz-storage-class': StorageClass,
    'x-amz-server-side-encryption': ServerSideEncryption,
    'x-amz-server-side-encryption-aws-kms-key-id': SSEKMSKeyId,
    'x-amz-tagging': Tagging,
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) headers[name] = value;
  for (const [name, value] of Object.entries(Metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** A write's whole body; its exact length is the exactSize guard's to enforce. */
async function readWhole(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** The CRC32 header value: the checksum's four bytes, big-endian, in base64. */
function crc32Base64(data: Buffer): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc32(data));
  return bytes.toString('base64');
}

/** What an SDK write answer (PutObject, CompleteMultipartUpload) says beside its ETag. */
function sdkWriteAnswer(out: AnswerHeaders & { ETag?: string }): WriteAnswer & { etag?: string } {
  return { etag: out.ETag, encryption: encryptionOf(out), checksums: checksumAnswer(out) };
}

function encryptionOf(out: AnswerHeaders): Encryption {
  return { serverSide: out.ServerSideEncryption, customerAlgorithm: out.SSECustomerAlgorithm };
}

function checksumAnswer(out: AnswerHeaders): ChecksumAnswer {
  return { crc32: out.ChecksumCRC32, crc32c: out.ChecksumCRC32C, crc64nvme: out.ChecksumCRC64NVME, sha256: out.ChecksumSHA256, type: out.ChecksumType };
}

/** S3 listing keys in `url` encoding: percent-escapes, with `+` for a space (as S3 writes them). */
export function decodeListingKey(key: string, bucket = ''): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch (err) {
    throw new StorageError('Fatal', `list bucket "${bucket}": the server sent a key that is not valid URL encoding: ${key}`, { cause: err });
  }
}


