// The third copy route (issue 15 point 2): the target fetches the object from a short-lived
// presigned URL of the source itself (Azure Put Blob / Put Block From URL), so no byte passes through
// this process, none is throttled and none is held in memory. Taken only when the target can check
// what it fetched against a checksum the source declares: the source's MD5 (one request, the target
// refuses other bytes), or a multipart source's `<md5 of part MD5s>-N` ETag (one block per part, the
// target checks the blocks' MD5s before it commits, and so do we after). Anything else is streamed,
// with the reason in the copy's log line; a pulled object is never reported copied unverified.
import { createHash } from 'node:crypto';
import { StorageError } from '../providers/errors';
import type { ObjectInfo, StorageProvider, UrlSource, WriteOptions, WriteResult } from '../providers/provider';

/** How an object went from source to target: through us, copied by the service, or fetched by the target. */
export type CopyRoute = 'streamed' | 'server-side' | 'pulled';

/** Pulls the target refused (it could not read the source URL, or has no copy-from-URL) before a run stops trying them. */
export const MAX_PULL_REFUSALS = 3;

/** Why an object was streamed although the target can pull (the copy's log line says it). */
export const NOT_PULLED = {
  cannotSign: "the source's credentials cannot sign a URL",
  unreachable: "the target cannot reach the source's endpoint",
  noChecksum: 'the source declares no checksum the target can check',
  empty: 'an empty object has no bytes to fetch',
  tooLarge: 'the target checks a whole-object MD5 only for an object it fetches in one request, and this one is larger',
  transcoded: 'GCS may decompress an object stored with Content-Encoding gzip for a fetcher, so the bytes the target gets would not have its MD5',
  stopped: `the target did not pull ${MAX_PULL_REFUSALS} objects in this run, so it pulls no more`,
} as const;

/**
 * A presigned URL is a credential for its lifetime: it lives long enough for the target to fetch the
 * object at a slow 8 MiB/s plus 15 minutes, at most 12 hours (S3 allows 7 days; an STS session's
 * URL ends with the session anyway, and the target's refusal then streams the object).
 */
export function presignTtlSeconds(size: number): number {
  return Math.min(12 * 3600, 15 * 60 + Math.ceil(size / (8 * 1024 * 1024)));
}

/**
 * The pull route of one run: whether the target still takes pulls. After MAX_PULL_REFUSALS objects
 * the target refused (its endpoint cannot reach the source, or has no copy-from-URL), the
 * run streams the rest instead of asking once more per object; `onStop` is told once.
 */
export class PullRoute {
  private refusals = 0;

  constructor(private readonly onStop: (message: string) => void) {}

  /** Both ends can take part: the source signs URLs, the target fetches them. */
  static possible(source: StorageProvider, target: StorageProvider): boolean {
    return source.presignRead !== undefined && target.capabilities.writeFromUrl === true && target.writeFromUrl !== undefined;
  }

  get stopped(): boolean {
    return this.refusals >= MAX_PULL_REFUSALS;
  }

  /** Why an object of this listing is not pulled before anything is asked of the source, or null. */
  notPulled(listed: ObjectInfo): string | null {
    if (this.stopped) return NOT_PULLED.stopped;
    return listed.size === 0 ? NOT_PULLED.empty : null;
  }

  refused(why: string): void {
    if (++this.refusals !== MAX_PULL_REFUSALS) return;
    this.onStop(`The target did not pull ${MAX_PULL_REFUSALS} objects from their source URL (the last: ${why}); the rest of this run is streamed through this machine`);
  }
}

export interface PullRequest {
  source: StorageProvider;
  target: StorageProvider;
  sourceBucket: string;
  sourceKey: string;
  targetBucket: string;
  targetKey: string;
  /** The source version to copy, as HEAD just found it. */
  version: ObjectInfo;
  /** Content headers, metadata, tags and target options of the write (as a streamed copy has them). */
  options: WriteOptions;
  route: PullRoute;
  signal?: AbortSignal;
}

export type PullOutcome = { pulled: { target: WriteResult; verifiedWith: string[] } } | { notPulled: string };

/**
 * Lets the target fetch the object, verified; or says why it was not pulled, and the caller streams
 * it. A fetch the target refused is such a reason (and counts towards the run's refusals); a failure
 * worth retrying, a mismatch included, is thrown and the copy is retried as a whole.
 */
export async function pullCopy(req: PullRequest): Promise<PullOutcome> {
  const { version } = req;
  // The version HEAD found may differ from the listing the caller asked notPulled() about.
  const early = req.route.notPulled(version);
  if (early !== null) return { notPulled: early };
  // GCS transcodes gzip-encoded objects for requests without Accept-Encoding: gzip, which the target's
  // fetch need not send; a streamed read asks for the stored bytes.
  if (req.source.type === 'gcs' && /\bgzip\b/i.test(version.contentEncoding ?? '')) return { notPulled: NOT_PULLED.transcoded };
  const check = await checkOf(req);
  if (typeof check === 'string') return { notPulled: check };
  const presigned = await req.source.presignRead!(req.sourceBucket, req.sourceKey, version.etag, presignTtlSeconds(version.size));
  if (presigned === null) return { notPulled: NOT_PULLED.cannotSign };
  if (req.target.canFetch?.(presigned.url) === false) return { notPulled: NOT_PULLED.unreachable };
  const source: UrlSource = { url: presigned.url, size: version.size, ...check };
  let target: WriteResult;
  try {
    target = await req.target.writeFromUrl!(req.targetBucket, req.targetKey, source, { ...req.options, md5: check.md5, signal: req.signal });
  } catch (err) {
    const why = refusal(err, req.signal);
    if (why === null) throw err;
    req.route.refused(why);
    return { notPulled: why };
  }
  return { pulled: { target, verifiedWith: verify(req, check, target) } };
}

type Check = { md5: string; blocks?: undefined; multipartEtag?: undefined } | { md5?: undefined; blocks: { offset: number; size: number }[]; multipartEtag: string };

/** What the target can check the fetched bytes against, or why there is nothing. */
async function checkOf(req: PullRequest): Promise<Check | string> {
  const { version } = req;
  if (version.md5) {
    // Not asked and refused (a refusal counts towards the run's few): known before any request.
    if (version.size > (req.target.capabilities.writeFromUrlSingleMax ?? Infinity)) return NOT_PULLED.tooLarge;
    return { md5: version.md5 };
  }
  const parts = /^[0-9a-f]{32}-(\d+)$/i.exec(version.etag);
  if (!parts || !req.source.partSizes) return NOT_PULLED.noChecksum;
  const sizes = await req.source.partSizes(req.sourceBucket, req.sourceKey, version.etag, req.signal);
  // Parts that do not make the object cannot be the ones its ETag was computed from.
  if (sizes === null || sizes.length !== Number(parts[1]) || sizes.reduce((a, b) => a + b, 0) !== version.size) return NOT_PULLED.noChecksum;
  const blocks: { offset: number; size: number }[] = [];
  let offset = 0;
  for (const size of sizes) {
    blocks.push({ offset, size });
    offset += size;
  }
  return { blocks, multipartEtag: version.etag.toLowerCase() };
}

/** What the target reports must be what the source declares; the provider checked it too, before committing. */
function verify(req: PullRequest, check: Check, target: WriteResult): string[] {
  const key = req.sourceKey;
  if (target.size !== req.version.size) {
    throw new StorageError('Transient', `${key}: the target fetched ${target.size} bytes from the source's URL, expected ${req.version.size}`);
  }
  if (check.md5 !== undefined) {
    if (target.md5 !== check.md5) throw new StorageError('Transient', `${key}: the target did not confirm the source's MD5 ${check.md5} (it reported ${target.md5 ?? 'none'})`);
    return ['md5'];
  }
  const md5s = target.blockMd5s;
  const etag = md5s && md5s.length === check.blocks.length ? multipartEtagOf(md5s) : undefined;
  if (etag !== check.multipartEtag) {
    throw new StorageError('Transient', `${key}: the blocks the target fetched make ETag ${etag ?? '(no block MD5s)'}, the source's is ${check.multipartEtag}`);
  }
  return ['multipart ETag'];
}

/** An S3 multipart ETag from its parts' MD5s (hex): `<md5 of the binary MD5s>-<count>`. */
function multipartEtagOf(partMd5s: readonly string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(Buffer.from(md5, 'hex'));
  return `${hash.digest('hex')}-${partMd5s.length}`;
}

/**
 * Why the target would not or could not make this copy from a URL, in words without the URL; null
 * for a failure the copy is retried on (Transient, Throttled: a mismatch among them), an abort, or
 * an error that is not the provider's. Refused (not retried, the object is streamed instead): the
 * source could not be read (CannotVerifyCopySource), the endpoint has no copy-from-URL
 * (NotImplemented), or any other answer that is final for this request (a streamed write, verified
 * as ever, fails the same way if the target's fault is not the URL's).
 */
function refusal(err: unknown, signal: AbortSignal | undefined): string | null {
  if (!(err instanceof StorageError) || err.retryable || signal?.aborted) return null;
  const cause = err.cause as { code?: unknown; name?: unknown } | undefined;
  const code = cause?.code ?? cause?.name;
  // The provider keeps the URL out of its messages; a query string (the signature) never gets in here either way.
  const message = err.message.replace(/(https?:\/\/[^\s?#)]*)[?#][^\s)]*/g, '$1');
  return code === 'CannotVerifyCopySource' || code === 'NotImplemented'
    ? `the target could not fetch it from the source's URL (${message})`
    : `the target refused to fetch it from the source's URL (${message})`;
}
