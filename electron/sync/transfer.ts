// One object from source to target, by one of three routes (CopyRoute): copied server-side by the
// target when both ends are one connection or two of one account (services/copy-scope.ts); pulled by
// the target from a presigned source URL where it can fetch one and check it (pull-copy.ts); else
// streamed through us and verified. Never holds the object in memory; memory is the providers' part
// buffers. Verification happens in the stream itself (verified-source.ts), so a target commits
// nothing that failed it; a source that changes mid-copy fails the conditional read and the retry
// copies the new version, never the old identity with new bytes.
import type { Readable } from 'node:stream';
import { StorageError, unexpectedAbortAsTransient } from '../providers/errors';
import type { ObjectInfo, ObjectTags, StorageProvider, TargetObjectOptions, UploadJournal, WriteOptions, WriteResult } from '../providers/provider';
import { withRetry, type RetryPolicy } from '../providers/retry';
import type { Throttle } from './bandwidth';
import { pullCopy, PullRoute, type CopyRoute } from './pull-copy';
import { verifiedSource, type Computed, type VerifiedSource } from './verified-source';

export interface TransferRequest {
  source: StorageProvider;
  target: StorageProvider;
  /**
   * Source and target are one connection, or two whose credentials are one identity at one service
   * (services/copy-scope.ts): the target's provider can copy from the source bucket server-side.
   */
  sameConnection: boolean;
  sourceBucket: string;
  sourceKey: string;
  targetBucket: string;
  targetKey: string;
  /** What the source listing said about the object. */
  listed: ObjectInfo;
  retry: RetryPolicy;
  signal?: AbortSignal;
  /** Bytes that passed through us; `restart` is called before a retry resends from the start. */
  onBytes?: (count: number) => void;
  onRestart?: () => void;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /**
   * The journal a resumable upload of this source version records its progress in (uploads.ts):
   * asked for once per attempt, after HEAD named the version.
   */
  journalFor?: (source: ObjectInfo) => Promise<UploadJournal | undefined>;
  /** The mapping's storage class and encryption for the object written (absent: the bucket's defaults). */
  targetOptions?: TargetObjectOptions;
  /** Bandwidth limits the streamed bytes pass through (bandwidth.ts); a server-side or pulled copy moves none through us. */
  throttle?: Throttle;
  /** The run's pull route (pull-copy.ts); absent: never pulled. */
  pull?: PullRoute;
  /** Told the route each attempt takes, before it starts. */
  onRoute?: (route: CopyRoute) => void;
}

export interface TransferResult {
  /** The source object as it was read: the version HEAD found just before the copy. */
  source: ObjectInfo;
  target: WriteResult;
  /** MD5 of the bytes that went through, when they went through us. */
  md5?: string;
  /** Source checksums the bytes were verified against end to end (empty: the source declares none). */
  verifiedWith: string[];
  /** Whether `route` is 'server-side' (kept for callers that only tell those apart). */
  serverSide: boolean;
  route: CopyRoute;
  /** Streamed although the target can pull: why it did not (pull-copy.ts NOT_PULLED, or the target's refusal). */
  notPulled?: string;
  /** The source has tags and the target stores none (GCS, a local folder): the copy went without them. */
  tagsDropped: boolean;
}

export async function transferObject(req: TransferRequest): Promise<TransferResult> {
  let first = true;
  // The target's provider copies: the request goes to the destination (S3 CopyObject is sent to the
  // destination bucket's endpoint), and with one connection source and target are one provider.
  let serverSide = req.sameConnection && req.target.capabilities.serverSideCopy && req.target.copy !== undefined;
  let pull = !serverSide && req.pull !== undefined && PullRoute.possible(req.source, req.target);
  let notPulled: string | undefined;
  return withRetry(
    async (attempt) => {
      if (!first) req.onRestart?.();
      first = false;
      try {
        if (serverSide) {
          req.onRoute?.('server-side');
          try {
            return await copyServerSide(req);
          } catch (err) {
            if (!cannotCopyServerSide(err)) throw err;
            serverSide = false; // e.g. no UploadPartCopy on this server: stream it through us instead
          }
        }
        let known: Headed | undefined;
        if (pull) {
          // Nothing is asked of the source for an object that will not be pulled anyway.
          const early = req.pull!.notPulled(req.listed);
          if (early === null) req.onRoute?.('pulled');
          const result = early === null ? await pulledCopy(req) : { streamInstead: early };
          if (!('streamInstead' in result)) return result;
          // Decided for this object: a retry streams it too. This attempt streams the version the
          // pull's HEAD found, with the tags it read.
          pull = false;
          notPulled = result.streamInstead;
          known = result.headed;
        }
        req.onRoute?.('streamed');
        // The listing is the version to read on a first attempt where it says all HEAD would; a
        // retry (the source may have changed) always asks again.
        const streamed = await streamCopy(req, known ?? (attempt === 1 && req.source.capabilities.listingIsHead === true ? { source: req.listed } : undefined));
        return notPulled === undefined ? streamed : { ...streamed, notPulled };
      } catch (err) {
        throw unexpectedAbortAsTransient(err, req.signal, `copy ${req.sourceKey}`);
      }
    },
    req.retry,
    { signal: req.signal, onRetry: req.onRetry },
  );
}

async function copyServerSide(req: TransferRequest): Promise<TransferResult> {
  // The provider carries the source's tags along itself (same service, same rules).
  const target = await req.target.copy!(req.sourceBucket, req.sourceKey, req.targetBucket, req.targetKey, req.signal, req.targetOptions);
  if (target.size !== req.listed.size) {
    throw new StorageError('Transient', `server-side copy of ${req.sourceKey} produced ${target.size} bytes, expected ${req.listed.size}`);
  }
  // copy() checks the copy against the MD5 the source's HEAD reports; a listing MD5 is only a hint
  // (an S3 SSE-KMS ETag is not an MD5), so it is not compared here.
  const verifiedWith = target.md5 ? ['md5'] : [];
  return { source: req.listed, target, md5: target.md5, verifiedWith, serverSide: true, route: 'server-side', tagsDropped: false };
}

/** A source version to copy, and the tags to write with it once they were read. */
interface Headed {
  source: ObjectInfo;
  tags?: Tags;
}

type Tags = { tags?: ObjectTags; dropped: boolean };

/**
 * The target fetches the version HEAD finds now from a presigned URL (pull-copy.ts); or why it did
 * not, with that version, and the caller streams it.
 */
async function pulledCopy(req: TransferRequest): Promise<TransferResult | { streamInstead: string; headed?: Headed }> {
  // Always HEAD: a listing's MD5 is only a hint (an S3 SSE-KMS ETag is not an MD5), and the target
  // is told to refuse bytes without the MD5 it is given.
  const source = await req.source.head(req.sourceBucket, req.sourceKey, req.signal);
  if (!source) throw new StorageError('NotFound', `source object ${req.sourceKey} disappeared after listing`);
  const tags = await tagsToWrite(req, source);
  const outcome = await pullCopy({
    source: req.source,
    target: req.target,
    sourceBucket: req.sourceBucket,
    sourceKey: req.sourceKey,
    targetBucket: req.targetBucket,
    targetKey: req.targetKey,
    version: source,
    options: writeOptions(req, source, tags.tags),
    route: req.pull!,
    signal: req.signal,
  });
  if ('notPulled' in outcome) return { streamInstead: outcome.notPulled, headed: { source, tags } };
  const { target, verifiedWith } = outcome.pulled;
  return { source, target, md5: target.md5, verifiedWith, serverSide: false, route: 'pulled', tagsDropped: tags.dropped };
}

/** The server cannot copy this object itself (no multipart copy, say): a plain streamed copy can. */
function cannotCopyServerSide(err: unknown): boolean {
  const cause = (err as { cause?: { name?: string; code?: string } })?.cause;
  const names = [cause?.name, cause?.code];
  return err instanceof StorageError && names.some((name) => name === 'NotImplemented' || name === 'MethodNotAllowed');
}

/**
 * Streams the version HEAD finds now (or `known`: the listed one, see listingIsHead, or the one a
 * pull's HEAD just found) with a conditional read of exactly that version, verifying the bytes
 * against every checksum the source declares before the target may commit them, then checks what
 * the target says it stored.
 */
async function streamCopy(req: TransferRequest, known: Headed | undefined): Promise<TransferResult> {
  const source = known?.source ?? (await req.source.head(req.sourceBucket, req.sourceKey, req.signal));
  if (!source) throw new StorageError('NotFound', `source object ${req.sourceKey} disappeared after listing`);
  const tags = known?.tags ?? (await tagsToWrite(req, source));

  // A target that checks the source's MD5 itself before it commits (Azure) makes ours a second pass
  // over every byte: about a fifth of the client CPU of a large copy. Its answer must then confirm it.
  const md5ByTarget = source.md5 !== undefined && req.target.capabilities.verifiesMd5 === true;
  let current: VerifiedSource | undefined;
  const open = async (): Promise<Readable> => {
    if (current) req.onRestart?.(); // the provider reopened the source for a retry of its own
    const body = await req.source.read(req.sourceBucket, req.sourceKey, req.signal, source.etag);
    current = verifiedSource(req.throttle ? req.throttle.stream(body, req.signal) : body, source, req.onBytes, md5ByTarget);
    return current.stream;
  };

  const options: WriteOptions = { ...writeOptions(req, source, tags.tags), md5: source.md5, checksums: source.checksums, journal: await req.journalFor?.(source) };
  const target = await req.target.write(req.targetBucket, req.targetKey, open, source.size, options);
  const computed = current?.computed();
  if (!computed) {
    throw new StorageError('Fatal', `${req.sourceKey}: the target reported a completed write without reading the whole source`);
  }
  checkTarget(req.sourceKey, computed, target);
  if (md5ByTarget && target.md5 !== source.md5) {
    throw new StorageError('Transient', `${req.sourceKey}: the target did not confirm the source's MD5 ${source.md5} (it reported ${target.md5 ?? 'none'})`);
  }
  return { source, target, md5: computed.md5, verifiedWith: computed.verifiedWith, serverSide: false, route: 'streamed', tagsDropped: tags.dropped };
}

/** What the target is told of the object it writes, on either route through the target's write. */
function writeOptions(req: TransferRequest, source: ObjectInfo, tags: ObjectTags | undefined): WriteOptions {
  return {
    contentType: source.contentType,
    cacheControl: source.cacheControl,
    contentEncoding: source.contentEncoding,
    contentDisposition: source.contentDisposition,
    metadata: source.metadata,
    tags,
    ...req.targetOptions,
    signal: req.signal,
  };
}

/**
 * The source's tags to write with the copy, when the target stores tags: those the answer carried,
 * else one getTags, unless HEAD counted none. `dropped`: the source has tags (as far as its answer
 * says, without asking for them) and the target stores none.
 */
async function tagsToWrite(req: TransferRequest, source: ObjectInfo): Promise<Tags> {
  const counted = source.tags ? Object.keys(source.tags).length : source.tagCount;
  if (!req.target.capabilities.tags) return { dropped: (counted ?? 0) > 0 };
  if (source.tags || counted === 0 || !req.source.getTags) return { tags: source.tags, dropped: false };
  return { tags: await req.source.getTags(req.sourceBucket, req.sourceKey, req.signal), dropped: false };
}

/** What the target says it stored must be what we sent. */
function checkTarget(key: string, sent: Computed, target: WriteResult): void {
  if (target.size !== sent.size) {
    throw new StorageError('Transient', `${key}: we sent ${sent.size} bytes but the target stored ${target.size}`);
  }
  if (target.md5 && target.md5 !== sent.md5) {
    throw new StorageError('Transient', `${key}: the target stored MD5 ${target.md5} but we sent ${sent.md5}; the upload was corrupted`);
  }
  for (const [name, value] of Object.entries(target.checksums ?? {})) {
    const ours = sent.checksums[name as keyof Computed['checksums']];
    if (typeof value === 'string' && typeof ours === 'string' && value !== ours) {
      throw new StorageError('Transient', `${key}: the target stored ${name} ${value} but we sent ${ours}; the upload was corrupted`);
    }
  }
}
