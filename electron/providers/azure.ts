// Azure Blob Storage through @azure/storage-blob. Buckets are containers, objects are block blobs.
// Auth by account name + key, connection string or SAS token; any endpoint (Azurite, sovereign clouds).
//
// The SDK's own retries are off: retrying.ts retries single calls and listing pages and the engine
// whole copies, and an SDK retry would resend an upload stream that has already been consumed, or
// sleep for minutes inside one call with its default backoff.
//
// Requests go through our keep-alive pool (keep-alive-agent.ts, as for S3 and MinIO), not the SDK's
// default one: that one is a plain keep-alive agent shared by every client in the process, and it
// hands out sockets the server has already closed. Azurite (like any Node server) closes a
// connection idle for 5 s; a process busy hashing or generating a large upload on a loaded machine
// reads that FIN late, and its next request, written on the dead socket, failed with "socket hang
// up" or EPIPE (the conformance case of a source shorter or longer than declared, under CI load).
import type http from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AnonymousCredential,
  BlobServiceClient,
  StorageSharedKeyCredential,
  newPipeline,
  type BlobBeginCopyFromUrlPollState,
  type BlobHTTPHeaders,
  type ContainerClient,
  type RequestPolicyFactory,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { validateBucketName } from '../../shared/config';
import type { AzureSettings } from '../../shared/model';
import { stageBlocks } from './azure-blocks';
import { azureCanFetch, MAX_PUT_BLOB_FROM_URL, writeFromUrl } from './azure-from-url';
import { listBlobPage, type ListedBlobProperties } from './azure-list';
import { checkBlobName, inUtf8Order, fromAzureMetadata, toAzureMetadata } from './azure-names';
import {
  SourceChangedError,
  StorageError,
  classifyHttpError,
  isAbortError,
  unexpectedAbortAsTransient,
  type StorageErrorCode,
} from './errors';
import { checkWrite, openUpload } from './exact-size';
import { keepAliveAgent } from './keep-alive-agent';
import { removeEach } from './limited';
import { sdkCall } from './sdk-call';
import { allPages, pagedList } from './listing';
import type { ListPage, ObjectInfo, ObjectTags, OpenSource, ProviderCapabilities, StorageProvider, TargetObjectOptions, UrlSource, WriteOptions, WriteResult } from './provider';
import { checkTags } from './object-tags';
import { unquoteEtag, type ErrorContext } from './s3-common';

export interface AzureProviderOptions {
  /** Objects of at least this many bytes are uploaded as staged blocks (default 16 MiB). */
  multipartThreshold?: number;
  /** Block size in bytes (default 8 MiB); grows for objects that would need more than 50,000 blocks. */
  blockSize?: number;
  /** Blocks in flight per upload (default 4); memory per upload ≈ blockSize × (concurrency + 1). */
  concurrency?: number;
  /**
   * A write fails (Transient) when for this long (default 60 s) no byte of it was sent and no
   * answer came: the SDK sets no deadline of its own, so a server that never answers would hold
   * the write for good.
   */
  stallTimeoutMs?: number;
}

const MiB = 1024 * 1024;
/** One streamed Put Blob below this size (no buffering, a real Content-MD5); staged blocks above. */
const DEFAULT_MULTIPART_THRESHOLD = 64 * MiB;
const DEFAULT_BLOCK_SIZE = 8 * MiB;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/**
 * Staged blocks are read into buffers before they are sent, so the source's pace says nothing about
 * the blocks in flight: they get this rate floor on top of the stall timeout (as GCS chunks do).
 */
const MIN_UPLOAD_BYTES_PER_SECOND = 32 * 1024;
/** A block blob has at most 50,000 committed blocks of at most 4000 MiB each. */
const MAX_BLOCKS = 50_000;
const MAX_BLOCK_SIZE = 4000 * MiB;
/** Put Blob takes at most 5000 MiB in one request. */
const MAX_PUT_BLOB_SIZE = 5000 * MiB;
/** List Blobs returns at most 5000 items per page. */
const PAGE_SIZE = 5000;
/** Keys with characters above U+FFFF that a listing may hold back to restore UTF-8 order. */
const MAX_HELD_KEYS = 100_000;
/** Parallel Delete Blob calls (Azure has a batch API, but neither Azurite nor SAS tokens serve it well). */
const DELETE_CONCURRENCY = 16;
/** Same-account copies are usually done at once; a pending one is polled this often, at most this long. */
const COPY_POLL_MS = 500;
const MAX_COPY_WAIT_MS = 60 * 60 * 1000;

const PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 1 },
  userAgentOptions: { userAgentPrefix: 'cloud-data-sync' },
};

/**
 * A service client for the settings, as checked by createProvider (registry.ts): exactly one
 * credential. A connection string carries its own endpoint; an account key signs with the account
 * name; a SAS token is put on the endpoint's URL. The endpoint defaults to
 * https://<account>.blob.core.windows.net; for Azurite it is http://127.0.0.1:PORT/<account>.
 * Its requests use `agents` (see AzureAgents) unless the SDK set another agent (a proxy's).
 */
export function createAzureServiceClient(settings: AzureSettings, agents: AzureAgents): BlobServiceClient {
  const { accountName, accountKey, connectionString, sasToken } = settings;
  // One options object per client: fromConnectionString writes the string's proxy (if any) into it.
  const options: StoragePipelineOptions = { ...PIPELINE_OPTIONS };
  const client = (url: string, credential: BlobServiceClient['credential']): BlobServiceClient => {
    const pipeline = newPipeline(credential, options);
    pipeline.factories.push(agents.policy);
    return new BlobServiceClient(url, pipeline);
  };
  if (connectionString) {
    let parsed: BlobServiceClient;
    try {
      // Only the SDK reads a connection string's parts; the client it builds is rebuilt on our pipeline.
      parsed = BlobServiceClient.fromConnectionString(connectionString, options);
    } catch {
      // Its message may quote the string, key included: never repeat it.
      throw new StorageError('InvalidConfig', 'Azure connection string is not valid (expected "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=..." or BlobEndpoint=...;SharedAccessSignature=...)', {
        field: 'azure.connectionString',
      });
    }
    return client(parsed.url, parsed.credential);
  }
  const endpoint = resolveAzureEndpoint(settings);
  if (accountKey) {
    // The credential decodes the key as base64. Not a settings rule: the original README's example
    // key ("your-azure-key") must still load, and fails only here, when it would be used.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(accountKey.trim())) {
      throw new StorageError('InvalidConfig', 'Azure accountKey is not base64 (copy "key1" from the storage account\'s Access keys)', { field: 'azure.accountKey' });
    }
    return client(endpoint, new StorageSharedKeyCredential(accountName!, accountKey.trim()));
  }
  const query = sasToken!.trim().replace(/^\?/, '');
  return client(`${endpoint}?${query}`, new AnonymousCredential());
}

/**
 * One provider's keep-alive pools (keep-alive-agent.ts: no socket idle longer than the server may
 * keep it open is reused), an http and an https one made on first use, and the SDK pipeline policy
 * that puts them on its requests. The policy runs after the SDK's proxy policy: a request that goes
 * through a proxy (HTTPS_PROXY, a connection string's proxy) keeps the proxy's agent.
 */
export class AzureAgents {
  private http: http.Agent | undefined;
  private https: http.Agent | undefined;

  /** A pipeline factory of the SDK's RequestPolicy kind, the one kind a storage pipeline takes from outside. */
  readonly policy: RequestPolicyFactory = {
    create: (next) => ({
      sendRequest: (request) => {
        request.agent ??= this.for(request.url);
        return next.sendRequest(request);
      },
    }),
  };

  /** The pool for a request to `url`. */
  for(url: string): http.Agent {
    if (url.startsWith('https:')) return (this.https ??= keepAliveAgent(true));
    return (this.http ??= keepAliveAgent(false));
  }

  /** Closes every socket of both pools. */
  destroy(): void {
    this.http?.destroy();
    this.https?.destroy();
  }
}

/** The blob service URL without a trailing slash: endpointUrl, or Azure's public endpoint of the account. */
export function resolveAzureEndpoint(settings: Pick<AzureSettings, 'accountName' | 'endpointUrl'>): string {
  const raw = settings.endpointUrl?.trim();
  if (!raw) return `https://${settings.accountName!}.blob.core.windows.net`;
  const url = new URL(raw);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function createAzureProvider(settings: AzureSettings, options: AzureProviderOptions = {}): StorageProvider {
  const tuning = resolveTuning(options);
  const agents = new AzureAgents();
  return new AzureProvider(createAzureServiceClient(settings, agents), agents, tuning);
}

function resolveTuning(options: AzureProviderOptions): Required<AzureProviderOptions> {
  const tuning = {
    multipartThreshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
    blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
  };
  const check = (ok: boolean, field: string, message: string): void => {
    if (!ok) throw new StorageError('InvalidConfig', message, { field });
  };
  check(
    Number.isSafeInteger(tuning.multipartThreshold) && tuning.multipartThreshold >= 1 && tuning.multipartThreshold <= MAX_PUT_BLOB_SIZE + 1,
    'multipartThreshold',
    `multipart threshold must be 1 byte to 5000 MiB (the largest single Put Blob), got ${tuning.multipartThreshold}`,
  );
  check(Number.isSafeInteger(tuning.blockSize) && tuning.blockSize >= 1 && tuning.blockSize <= MAX_BLOCK_SIZE, 'blockSize', `block size must be 1 byte to 4000 MiB, got ${tuning.blockSize}`);
  check(Number.isSafeInteger(tuning.concurrency) && tuning.concurrency >= 1 && tuning.concurrency <= 64, 'concurrency', `concurrency must be between 1 and 64, got ${tuning.concurrency}`);
  check(Number.isSafeInteger(tuning.stallTimeoutMs) && tuning.stallTimeoutMs >= 1, 'stallTimeoutMs', `stall timeout must be a positive number of ms, got ${tuning.stallTimeoutMs}`);
  return tuning;
}

/** The configured block size, grown (in whole MiB) so that `size` bytes fit in 50,000 blocks. */
export function blockSizeFor(size: number, blockSize: number): number {
  return Math.max(blockSize, Math.ceil(size / MAX_BLOCKS / MiB) * MiB);
}

// ---- errors ----

/** Azure error codes (x-ms-error-code) mapped to our error set; the rest goes by HTTP status. */
const AZURE_ERROR_CODES: Readonly<Record<string, StorageErrorCode>> = {
  ContainerNotFound: 'NotFound',
  BlobNotFound: 'NotFound',
  ResourceNotFound: 'NotFound',
  AuthenticationFailed: 'AccessDenied',
  AuthorizationFailure: 'AccessDenied',
  AuthorizationPermissionMismatch: 'AccessDenied',
  AuthorizationProtocolMismatch: 'AccessDenied',
  AuthorizationResourceTypeMismatch: 'AccessDenied',
  AuthorizationServiceMismatch: 'AccessDenied',
  AuthorizationSourceIPMismatch: 'AccessDenied',
  InsufficientAccountPermissions: 'AccessDenied',
  InvalidAuthenticationInfo: 'AccessDenied',
  NoAuthenticationInformation: 'AccessDenied',
  AccountIsDisabled: 'AccessDenied',
  ServerBusy: 'Throttled',
  InternalError: 'Transient',
  OperationTimedOut: 'Transient',
  ContainerBeingDeleted: 'Transient',
  // The blob changed between our HEAD and the copy, or the bytes were not those the caller expected
  // (the source changed, or corruption in transit): a retry reads them again.
  ConditionNotMet: 'Transient',
  SourceConditionNotMet: 'Transient',
  Md5Mismatch: 'Transient',
  // The SDK's code for a failed send (a cut-off XML answer, PARSE_ERROR, see unreadableAnswer).
  REQUEST_SEND_ERROR: 'Transient',
  // A blob being deleted or a lease in the way: both go away by themselves.
  BlobBeingDeleted: 'Transient',
};

/** Codes Azure gives for a container (or blob) name it refuses. */
const BAD_NAME_CODES = new Set(['InvalidResourceName', 'OutOfRangeInput', 'ContainerNameInvalid']);

/** The Azure error code of an SDK error: `code`, or the x-ms-error-code header (HEAD answers have no body). */
function azureErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; details?: { errorCode?: unknown } } | null;
  const code = e?.details?.errorCode ?? e?.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function describe(ctx: ErrorContext): string {
  if (ctx.bucket === undefined) return ctx.op;
  return ctx.key === undefined ? `${ctx.op} container "${ctx.bucket}"` : `${ctx.op} ${ctx.bucket}/${ctx.key}`;
}

/**
 * Maps an @azure/storage-blob error to StorageError. StorageErrors pass through, and so does an abort
 * error when `signal` (the caller's) fired; any other abort error is a failure of the call, Transient:
 * the SDK also aborts by itself, e.g. a download body whose connection was cut ("aborted").
 */
export function mapAzureError(err: unknown, ctx: ErrorContext, signal?: AbortSignal): Error {
  if (err instanceof StorageError) return err;
  const where = describe(ctx);
  if (isAbortError(err)) return unexpectedAbortAsTransient(err, signal, where) as Error;
  const code = azureErrorCode(err);
  const e = err as { message?: string; statusCode?: number } | null;
  // Azure's messages carry "RequestId:...\nTime:..." lines: keep the first.
  const detail = (e?.message ?? String(err)).split('\n')[0]!.trim() || code || 'unknown error';
  if (code !== undefined && BAD_NAME_CODES.has(code)) {
    const why = ctx.bucket === undefined ? null : validateBucketName('azure', ctx.bucket);
    if (why || ctx.key === undefined) {
      return new StorageError('InvalidConfig', `${where}: "${ctx.bucket ?? ''}" is not a valid container name (${why ?? detail})`, { cause: err, field: 'bucket' });
    }
    return new StorageError('Fatal', `${where}: Azure refused the blob name (${detail})`, { cause: err });
  }
  // Azurite's answer where Azure says Md5Mismatch: the bytes changed on the way, a retry sends them again.
  if (code === 'InvalidOperation' && /contentMD5 doesn't match/i.test(detail)) return new StorageError('Transient', `${where}: ${detail}`, { cause: err });
  // The download body gave up resuming a cut-off transfer: a retry reads it again.
  if (code === undefined && /^Data corruption failure/.test(detail)) return new StorageError('Transient', `${where}: ${detail}`, { cause: err });
  if (code === 'PARSE_ERROR') return new StorageError('Transient', `${where}: ${unreadableAnswer(err)}`, { cause: err });
  const mapped = code === undefined ? undefined : AZURE_ERROR_CODES[code];
  if (mapped) return new StorageError(mapped, `${where}: ${detail}${detail.includes(code!) ? '' : ` (${code})`}`, { cause: err });
  const classified = classifyHttpError({ code, statusCode: e?.statusCode, message: detail }, where);
  return new StorageError(classified.code, classified.message, { cause: err });
}

/**
 * What to say about an answer the SDK could not read (its code PARSE_ERROR covers both): a connection
 * that broke mid-answer ("Error reading response as text: aborted"), or a body that is not XML. For
 * the latter the SDK's message quotes the XML parser's error, an object (so `Error "[object Object]"
 * occurred while parsing the response body`), followed by the whole body: neither tells a user
 * anything, and the body may be a whole listing page.
 */
function unreadableAnswer(err: unknown): string {
  const e = err as { message?: string; statusCode?: number; response?: { bodyAsText?: string | null } } | null;
  const broken = /^Error reading response as text: (.*)/s.exec(e?.message ?? '')?.[1];
  if (broken !== undefined) return `the connection broke while the answer was read (${broken.split('\n')[0]!.trim()})`;
  const quoted = /^Error "([\s\S]*?)" occurred while parsing the response body/.exec(e?.message ?? '')?.[1];
  const why = quoted === undefined || quoted.startsWith('[object ') ? 'it is not well-formed XML' : quoted.replace(/^Error: /, '');
  const length = e?.response?.bodyAsText?.length;
  const answer = [e?.statusCode === undefined ? undefined : `HTTP ${e.statusCode}`, length === undefined ? undefined : `${length} characters`].filter(Boolean).join(', ');
  return `the service's answer${answer ? ` (${answer})` : ''} could not be read (${why}): it was probably cut off or damaged on the way`;
}

// ---- provider ----

class AzureProvider implements StorageProvider {
  readonly type = 'azure' as const;
  readonly capabilities: ProviderCapabilities;
  readonly list = pagedList(this);

  constructor(
    private readonly service: BlobServiceClient,
    private readonly agents: AzureAgents,
    private readonly tuning: Required<AzureProviderOptions>,
  ) {
    // verifiesMd5: Put Blob sends the MD5 as Content-MD5, which Azure checks; putBlocks hashes before its commit.
    this.capabilities = { serverSideCopy: true, metadata: true, md5InListing: true, multipartThreshold: tuning.multipartThreshold, tags: true, verifiesMd5: true, writeFromUrl: true, writeFromUrlSingleMax: MAX_PUT_BLOB_FROM_URL };
  }

  async listBuckets(signal?: AbortSignal): Promise<string[]> {
    const ctx = { op: 'list containers' };
    const names = await allPages(async (token) => {
      const pages = this.service.listContainers({ abortSignal: signal }).byPage({ continuationToken: token ?? undefined, maxPageSize: PAGE_SIZE });
      const page = await this.call(ctx, signal, () => pages.next());
      if (page.done) return { items: [], next: null };
      return { items: page.value.containerItems.map((c) => c.name), next: page.value.continuationToken || null };
    }, ctx.op);
    return names.sort();
  }

  async createBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    try {
      // No `access` option: the container allows no anonymous (public) access.
      await this.container(bucket).create({ abortSignal: signal });
    } catch (err) {
      // Container names are per account, so an existing one is ours.
      if (azureErrorCode(err) === 'ContainerAlreadyExists') return;
      throw mapAzureError(err, { op: 'create', bucket }, signal);
    }
  }

  async deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    const ctx = { op: 'delete', bucket };
    // Azure deletes a container with everything in it; the contract is to delete only an empty one.
    const pages = this.container(bucket).listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 1 });
    const first = await this.call(ctx, signal, () => pages.next());
    if (!first.done && first.value.segment.blobItems.length > 0) throw new StorageError('Fatal', `delete container "${bucket}": it is not empty`);
    await this.call(ctx, signal, () => this.container(bucket).delete({ abortSignal: signal }));
  }

  /**
   * One List Blobs page, re-ordered into UTF-8 order (see inUtf8Order): the token carries Azure's
   * marker and the keys held back for a later page, so a page asked for again is the same page.
   */
  async listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage> {
    const ctx = { op: 'list', bucket };
    const what = describe(ctx);
    const state = parseListToken(token, what);
    // Not the SDK's listBlobsFlat: azure-list.ts reads the answer at a fraction of its CPU.
    const page = await this.call(ctx, signal, () => listBlobPage(this.container(bucket), { prefix, marker: state.marker, maxResults: limit ?? PAGE_SIZE, signal }));
    const stored = page.blobs.map((blob) => toObjectInfo(blob.name, blob.properties));
    const { marker } = page;
    const ordered = inUtf8Order(state.held, stored, marker === undefined, MAX_HELD_KEYS, what);
    const next: ListToken = { marker, held: ordered.held };
    return { items: ordered.items, skipped: [], next: marker === undefined ? null : JSON.stringify(next) };
  }

  /** Azure stores no CRC of its own for a whole blob (its CRC64 covers single requests), so only the Content-MD5 is reported. */
  async head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    const ctx = { op: 'head', bucket, key };
    checkBlobName(key, describe(ctx));
    try {
      const props = await this.container(bucket).getBlobClient(key).getProperties({ abortSignal: signal });
      return {
        ...toObjectInfo(key, props),
        metadata: fromAzureMetadata(props.metadata),
        // Azure sends x-ms-tag-count only for a blob that has tags.
        tagCount: props.tagCount ?? 0,
        ...(props.accessTier ? { storageClass: props.accessTier } : {}),
        ...(props.encryptionScope ? { encryption: { encryptionScope: props.encryptionScope } } : {}),
      };
    } catch (err) {
      // A HEAD has no body: a missing container is also a plain 404.
      if ((err as { statusCode?: number } | null)?.statusCode === 404) return null;
      throw mapAzureError(err, ctx, signal);
    }
  }

  /** Get Blob Tags (blob index tags). */
  async getTags(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectTags> {
    const ctx = { op: 'get tags of', bucket, key };
    checkBlobName(key, describe(ctx));
    const res = await this.call(ctx, signal, () => this.container(bucket).getBlobClient(key).getTags({ abortSignal: signal }));
    return { ...res.tags };
  }

  /**
   * A download with If-Match when `ifMatch` is given. The SDK resumes a body cut off mid-way with
   * another ranged GET conditional on the first answer's ETag, so one stream never mixes versions;
   * a 412 (on the first request or a resumed one) becomes SourceChangedError.
   */
  async read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable> {
    const ctx = { op: 'read', bucket, key };
    const what = describe(ctx);
    checkBlobName(key, what);
    const mapError = (err: unknown): Error => (isConditionNotMet(err) ? sourceChanged(what, ifMatch, err) : mapAzureError(err, ctx, signal));
    const conditions = ifMatch === undefined ? undefined : { ifMatch: quoteEtag(ifMatch) };
    let res;
    try {
      // The SDK destroys the body with an AbortError when the signal fires.
      res = await this.container(bucket).getBlobClient(key).download(0, undefined, { abortSignal: signal, conditions });
    } catch (err) {
      throw mapError(err);
    }
    const body = res.readableStreamBody;
    if (!(body instanceof Readable)) throw new StorageError('Fatal', `${what}: the SDK returned no Node stream`);
    // A server that ignored If-Match must not hand us another version either.
    if (ifMatch !== undefined && unquoteEtag(res.etag) !== ifMatch) {
      body.destroy();
      throw sourceChanged(what, ifMatch, undefined, unquoteEtag(res.etag));
    }
    return mappedErrors(body, mapError);
  }

  async write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'write', bucket, key };
    const { what, md5 } = checkWrite(bucket, key, size, options.md5);
    checkBlobName(key, what);
    const metadata = toAzureMetadata(options.metadata, what);
    const target = azureTarget(options, what);
    const { signal } = options;
    const upload = await openUpload(open, size, what, signal);
    // Every byte the upload takes from `sent` (and every block Azure confirmed) pushes the deadline
    // back; after the last one, the answer has as long to come.
    const blocks = size >= this.tuning.multipartThreshold;
    const inFlight = blocks ? Math.min(size, blockSizeFor(size, this.tuning.blockSize) * this.tuning.concurrency) : 0;
    const stallMs = this.tuning.stallTimeoutMs + Math.ceil((inFlight / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
    const stalled = new StorageError('Transient', `${what}: no byte sent and no answer for ${stallMs / 1000} s`);
    const watchdog = new Watchdog(stallMs, () => upload.fail(stalled));
    const sent = Readable.from(progressOf(upload.body, () => watchdog.kick()));
    // Its errors are the body's (handled above); the SDK pipes it without listening.
    sent.on('error', () => undefined);
    const headers: BlobHTTPHeaders = {
      blobContentType: options.contentType,
      blobCacheControl: options.cacheControl,
      blobContentEncoding: options.contentEncoding,
      blobContentDisposition: options.contentDisposition,
    };
    try {
      const request = { bucket, key, body: sent, size, md5, headers, metadata, target, signal: upload.cancel, what, progress: () => watchdog.kick() };
      return blocks ? await this.putBlocks(request) : await this.putBlob(request);
    } catch (err) {
      signal?.throwIfAborted();
      throw mapAzureError(upload.failure ?? err, ctx, signal);
    } finally {
      watchdog.stop();
      sent.destroy();
      // Also the source: left open, its own download (another provider's read) would fail later with nobody listening.
      upload.close();
    }
  }

  /** See azureCanFetch: a public endpoint reaches public hosts only; Azurite or Azure Stack on a private address reach anything. */
  canFetch(url: string): boolean {
    return azureCanFetch(this.service.url, url);
  }

  /**
   * Put Blob From URL, or Put Block From URL per block and Put Block List (azure-from-url.ts says
   * how each is verified), with WriteOptions' headers, metadata, tags, tier and encryption scope.
   * WriteOptions.md5 and journal are not used: source.md5 is the MD5 Azure checks.
   */
  async writeFromUrl(bucket: string, key: string, source: UrlSource, options: WriteOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'write', bucket, key };
    const { what, md5 } = checkWrite(bucket, key, source.size, source.md5);
    checkBlobName(key, what);
    const { signal } = options;
    return writeFromUrl({
      client: this.container(bucket).getBlockBlobClient(key),
      source: { ...source, md5 },
      headers: {
        blobContentType: options.contentType,
        blobCacheControl: options.cacheControl,
        blobContentEncoding: options.contentEncoding,
        blobContentDisposition: options.contentDisposition,
      },
      metadata: toAzureMetadata(options.metadata, what),
      target: azureTarget(options, what),
      concurrency: this.tuning.concurrency,
      signal,
      what,
      mapError: (err) => mapAzureError(err, ctx, signal),
    });
  }

  /** One Put Blob request: Azure computes and stores the Content-MD5 itself; we check it against the expected one. */
  private async putBlob(u: Upload): Promise<WriteResult> {
    const res = await this.container(u.bucket).getBlockBlobClient(u.key).upload(() => u.body, u.size, {
      blobHTTPHeaders: { ...u.headers, blobContentMD5: u.md5 ? Buffer.from(u.md5, 'hex') : undefined },
      metadata: u.metadata,
      ...u.target,
      abortSignal: u.signal,
    });
    const stored = md5Hex(res.contentMD5);
    if (u.md5 && stored && stored !== u.md5) {
      throw new StorageError('Transient', `${u.what}: Azure received bytes with MD5 ${stored}, expected ${u.md5}`);
    }
    return { etag: unquoteEtag(res.etag), md5: stored, size: u.size, lastModified: res.lastModified?.getTime() };
  }

  /**
   * Staged blocks (stageBlocks: `concurrency` Put Block requests at once) and one Put Block List.
   * Azure stores no Content-MD5 for a block blob by itself, so the bytes are hashed on the way and
   * the digest goes into Put Block List as x-ms-blob-content-md5; a digest other than the expected
   * one fails before the commit, so those bytes never become the blob.
   */
  private async putBlocks(u: Upload): Promise<WriteResult> {
    const blockSize = blockSizeFor(u.size, this.tuning.blockSize);
    if (blockSize > MAX_BLOCK_SIZE) throw new StorageError('Fatal', `${u.what}: ${u.size} bytes is more than an Azure block blob holds`);
    const client = this.container(u.bucket).getBlockBlobClient(u.key);
    const staged = await stageBlocks({
      client,
      body: u.body as AsyncIterable<Buffer>,
      blockSize,
      concurrency: this.tuning.concurrency,
      encryptionScope: u.target.encryptionScope,
      signal: u.signal,
      onBlock: u.progress,
    });
    const hex = staged.md5.toString('hex');
    if (u.md5 && hex !== u.md5) throw new StorageError('Transient', `${u.what}: the source's bytes have MD5 ${hex}, expected ${u.md5}`);
    const res = await client.commitBlockList(staged.blockIds, {
      blobHTTPHeaders: { ...u.headers, blobContentMD5: staged.md5 },
      metadata: u.metadata,
      ...u.target,
      abortSignal: u.signal,
    });
    return { etag: unquoteEtag(res.etag), md5: hex, size: u.size, lastModified: res.lastModified?.getTime() };
  }

  /**
   * Delete Blob per key (removeEach: DELETE_CONCURRENCY at a time, PartialRemoveError after a
   * failure), with the blob's snapshots (Azure refuses to delete a blob that has snapshots
   * otherwise). A key Azure cannot store (see azureBlobNameProblem) is never sent: its URL would
   * name another blob.
   */
  async remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const container = this.container(bucket);
    await removeEach(keys, DELETE_CONCURRENCY, signal, async (key) => {
      const ctx = { op: 'remove', bucket, key };
      checkBlobName(key, describe(ctx));
      try {
        await container.deleteBlob(key, { abortSignal: signal, deleteSnapshots: 'include' });
      } catch (err) {
        if (azureErrorCode(err) !== 'BlobNotFound') throw mapAzureError(err, ctx, signal);
      }
    });
  }

  /**
   * Copy Blob inside this account (the source URL is authorised by the same key or SAS). Azure copies
   * the content type, the other headers, the metadata and the Content-MD5 along. Only the version we
   * measured is copied; a change in between fails with ConditionNotMet and is retried.
   */
  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, signal?: AbortSignal, options: TargetObjectOptions = {}): Promise<WriteResult> {
    const ctx = { op: 'copy to', bucket: dstBucket, key: dstKey };
    checkBlobName(dstKey, describe(ctx));
    const { tier, encryptionScope } = azureTarget(options, describe(ctx));
    if (encryptionScope !== undefined) {
      // Copy Blob takes no x-ms-encryption-scope: the engine streams such objects instead.
      const cause = Object.assign(new Error('Copy Blob cannot set an encryption scope'), { name: 'NotImplemented' });
      throw new StorageError('Fatal', `copy to ${dstBucket}/${dstKey}: Azure's Copy Blob cannot write into encryption scope "${encryptionScope}"`, { cause });
    }
    const src = await this.head(srcBucket, srcKey, signal);
    if (!src) throw new StorageError('NotFound', `copy ${srcBucket}/${srcKey}: source object does not exist`);
    // Copy Blob does not carry blob index tags along: they are read (when HEAD counted some) and set on the copy.
    const tags = src.tagCount === 0 ? undefined : await this.getTags(srcBucket, srcKey, signal);
    const source = this.container(srcBucket).getBlobClient(srcKey);
    const target = this.container(dstBucket).getBlobClient(dstKey);
    // The SDK's poller only starts the copy here: it would never finish on an 'aborted' copy and has
    // no overall bound, so a pending copy is polled below.
    const poller = await this.call(ctx, signal, () => target.beginCopyFromURL(source.url, { abortSignal: signal, sourceConditions: { ifMatch: `"${src.etag}"` }, tier, ...(tags && Object.keys(tags).length > 0 ? { tags } : {}) }));
    const started = poller.getOperationState() as BlobBeginCopyFromUrlPollState;
    let done: { etag?: string; lastModified?: Date } | undefined = started.isCompleted ? started.result : undefined;
    const deadline = Date.now() + MAX_COPY_WAIT_MS;
    try {
      while (!done) {
        if (Date.now() > deadline) throw new StorageError('Transient', `copy ${srcBucket}/${srcKey}: still pending after ${MAX_COPY_WAIT_MS / 60_000} minutes`);
        await sleep(COPY_POLL_MS, undefined, { signal });
        const props = await this.call(ctx, signal, () => target.getProperties({ abortSignal: signal }));
        if (props.copyId !== started.copyId) throw new StorageError('Transient', `copy to ${dstBucket}/${dstKey}: another write replaced the target during the copy`);
        if (props.copyStatus === 'success') done = props;
        else if (props.copyStatus !== 'pending') {
          throw new StorageError('Transient', `copy to ${dstBucket}/${dstKey}: the copy ended ${props.copyStatus ?? 'without a status'}: ${props.copyStatusDescription ?? ''}`.trim());
        }
      }
    } catch (err) {
      // Best effort, without the (maybe aborted) signal: stop the server's work on a copy we gave up.
      if (started.copyId) await target.abortCopyFromURL(started.copyId).catch(() => undefined);
      signal?.throwIfAborted();
      throw err;
    }
    return { etag: unquoteEtag(done.etag), md5: src.md5, size: src.size, lastModified: done.lastModified?.getTime() };
  }

  async close(): Promise<void> {
    // The SDK holds no resources of its own beyond the connections, which are in our pools.
    this.agents.destroy();
  }

  private container(bucket: string): ContainerClient {
    return this.service.getContainerClient(bucket);
  }

  /** Runs one SDK call, mapping its errors; `signal` is the caller's, the one abort that may pass as such. */
  private call<T>(ctx: ErrorContext, signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
    return sdkCall(request, (err) => mapAzureError(err, ctx, signal));
  }
}

/** A listing page token: Azure's marker, and the keys held back to restore UTF-8 order. */
interface ListToken {
  marker: string | undefined;
  held: ObjectInfo[];
}

function parseListToken(token: string | null, what: string): ListToken {
  if (token === null) return { marker: undefined, held: [] };
  try {
    const parsed = JSON.parse(token) as ListToken;
    if (typeof parsed.marker === 'string' && Array.isArray(parsed.held)) return parsed;
  } catch {
    // not ours: said below
  }
  throw new StorageError('Fatal', `${what}: "${token.slice(0, 80)}" is not a page token of this provider`);
}

interface Upload {
  bucket: string;
  key: string;
  body: Readable;
  size: number;
  md5: string | undefined;
  headers: BlobHTTPHeaders;
  metadata: Record<string, string> | undefined;
  /** Access tier, encryption scope and blob index tags of the new blob. */
  target: AzureTarget;
  signal: AbortSignal;
  what: string;
  /** Called as blocks are confirmed (the stall watchdog's kick). */
  progress: () => void;
}

/** What toObjectInfo reads, from a listing (azure-list.ts) or from the SDK's answer to a HEAD. */
type BlobProps = ListedBlobProperties;

function toObjectInfo(key: string, p: BlobProps): ObjectInfo {
  return {
    key,
    size: p.contentLength ?? 0,
    etag: unquoteEtag(p.etag),
    md5: md5Hex(p.contentMD5),
    lastModified: p.lastModified?.getTime() ?? 0,
    contentType: p.contentType,
    cacheControl: p.cacheControl,
    contentEncoding: p.contentEncoding,
    contentDisposition: p.contentDisposition,
  };
}


interface AzureTarget {
  tier?: string;
  encryptionScope?: string;
  tags?: ObjectTags;
}

/**
 * The access tier, encryption scope and tags of a write; a tag Azure cannot store fails (checkTags).
 * Encryption must be Azure's form ({ encryptionScope }): another is a programming error (the config
 * reader refuses it).
 */
function azureTarget(options: TargetObjectOptions & { tags?: ObjectTags }, what: string): AzureTarget {
  const target: AzureTarget = {};
  if (options.storageClass) target.tier = options.storageClass;
  if (options.encryption) {
    if (!('encryptionScope' in options.encryption)) throw new StorageError('Fatal', `${what}: ${JSON.stringify(options.encryption)} is not an Azure encryption setting (expected { "encryptionScope": "<scope>" })`);
    target.encryptionScope = options.encryption.encryptionScope;
  }
  const tags = checkTags('azure', options.tags, what);
  if (tags) target.tags = tags;
  return target;
}

function md5Hex(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length === 16 ? Buffer.from(md5).toString('hex') : undefined;
}

/** Azure sends and takes ETags quoted; ObjectInfo.etag holds them unquoted. */
function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

function isConditionNotMet(err: unknown): boolean {
  return azureErrorCode(err) === 'ConditionNotMet' || (err as { statusCode?: unknown } | null)?.statusCode === 412;
}

function sourceChanged(what: string, ifMatch: string | undefined, cause: unknown, found?: string): SourceChangedError {
  const now = found === undefined ? 'it changed' : `it is now ${found}`;
  return new SourceChangedError(`${what}: the blob is no longer version ${ifMatch ?? '(unknown)'}: ${now}`, { cause });
}

/**
 * `body` behind a stream of our own whose errors are mapped: the SDK's body fails with its own
 * AbortError when the connection is cut ("aborted") and with a plain Error when it gave up resuming.
 * Destroying the returned stream destroys `body`.
 */
export function mappedErrors(body: Readable, mapError: (err: unknown) => Error): Readable {
  const out = new PassThrough();
  // The caller may not read at once (a target opens its temp file first): a download failing in
  // between must not be an unhandled 'error' that ends the process. The error stays on the stream
  // (readable.errored), so a later for-await or pipeline still fails with it.
  out.on('error', () => undefined);
  body.once('error', (err) => out.destroy(mapError(err)));
  out.once('close', () => body.destroy());
  body.pipe(out);
  return out;
}

/** Calls `onStall` once when `kick()` was not called for `ms`; `stop()` ends the watch. */
class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly ms: number,
    private readonly onStall: () => void,
  ) {
    this.kick();
  }
  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onStall, this.ms);
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

/** The chunks of `body`, calling `onChunk` as each is taken. */
async function* progressOf(body: Readable, onChunk: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of body as AsyncIterable<Buffer>) {
    onChunk();
    yield chunk;
  }
}
