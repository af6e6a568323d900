// Azure writes a blob by fetching the bytes from a URL itself (a presigned S3/MinIO/GCS GET), so a
// cross-cloud copy passes no byte through this process (issue 15; what azcopy does for S3 → Azure):
// - Put Blob From URL: one request, up to 5000 MiB. With x-ms-source-content-md5 Azure hashes what
//   it fetched and refuses other bytes (400 Md5Mismatch) before anything is committed; its answer's
//   Content-MD5 is the MD5 it computed of what it stored.
// - Put Block From URL per block (x-ms-source-range), a few at once, then Put Block List: each
//   answer's Content-MD5 is the MD5 Azure computed of that block. Checked before the commit against
//   a multipart source's `<md5 of part MD5s>-N` ETag; Azure keeps no MD5 of a blob made of blocks,
//   so a whole-object MD5 cannot be checked in this mode (refused unless there is one block).
// A presigned GET cannot carry If-Match: the MD5 (or ETag) check above is what catches a source that
// changed after it was listed. The URL is a credential for its lifetime: it is never put in a
// message, and SDK errors (whose request holds it in x-ms-copy-source) are never kept as causes.
import { createHash } from 'node:crypto';
import type { BlobHTTPHeaders, BlockBlobClient } from '@azure/storage-blob';
import { urlReach } from '../lib/url-reach';
import { blockIdMaker } from './azure-blocks';
import { StorageError, isAbortError } from './errors';
import { eachLimited } from './limited';
import type { ObjectTags, UrlSource, WriteResult } from './provider';
import { unquoteEtag } from './s3-common';

const MiB = 1024 * 1024;
/** Put Blob From URL takes at most 5000 MiB. */
export const MAX_PUT_BLOB_FROM_URL = 5000 * MiB;
/** Put Block From URL: at most 4000 MiB per block; a block blob has at most 50,000 blocks. */
const MAX_BLOCK_FROM_URL = 4000 * MiB;
const MAX_BLOCKS = 50_000;
/** Blocks the provider picks itself (no caller's `blocks`): large, as no byte of them is ours to hold. */
const FROM_URL_BLOCK_SIZE = 256 * MiB;
/** Azure takes an x-ms-copy-source of at most 2 KiB (a URL with a long STS session token may not fit). */
export const MAX_SOURCE_URL_LENGTH = 2048;

export interface FromUrlRequest {
  client: BlockBlobClient;
  source: UrlSource;
  headers: BlobHTTPHeaders;
  metadata: Record<string, string> | undefined;
  target: { tier?: string; encryptionScope?: string; tags?: ObjectTags };
  /** Put Block From URL requests in flight at most. */
  concurrency: number;
  signal: AbortSignal | undefined;
  /** "write bucket/key", for messages. */
  what: string;
  /** The provider's mapping of an Azure error (given a cause that holds no URL). */
  mapError: (err: unknown) => Error;
}

/**
 * Whether an Azure endpoint can fetch `url`: a public endpoint (*.blob.core.windows.net or any
 * public host) cannot reach a loopback, private, link-local, .local or single-label host; an
 * endpoint on a private address (Azurite, Azure Stack, the test stand-in) is taken to reach anything.
 * Never a URL Azure would refuse outright (not http(s), longer than 2 KiB).
 */
export function azureCanFetch(endpoint: string, url: string): boolean {
  if (url.length > MAX_SOURCE_URL_LENGTH) return false;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return false;
  }
  if (protocol !== 'https:' && protocol !== 'http:') return false;
  return urlReach(endpoint) === 'private' || urlReach(url) === 'public';
}

/** The object written from `source.url` (see the file's comment for how each mode is verified). */
export async function writeFromUrl(req: FromUrlRequest): Promise<WriteResult> {
  const { source, what } = req;
  if (source.url.length > MAX_SOURCE_URL_LENGTH) throw notImplemented(what, `the source URL is ${source.url.length} characters, more than the 2 KiB Azure takes`);
  const blocks = source.blocks ?? (source.size > MAX_PUT_BLOB_FROM_URL ? evenBlocks(source.size) : undefined);
  try {
    return blocks ? await putBlocksFromUrl(req, blocks) : await putBlobFromUrl(req);
  } catch (err) {
    req.signal?.throwIfAborted();
    throw fromUrlError(err, req);
  }
}

async function putBlobFromUrl(req: FromUrlRequest): Promise<WriteResult> {
  const { source } = req;
  const md5 = source.md5 === undefined ? undefined : Buffer.from(source.md5, 'hex');
  const res = await req.client.syncUploadFromURL(source.url, {
    abortSignal: req.signal,
    sourceContentMD5: md5,
    // The blob gets exactly WriteOptions' headers, as a streamed write would; none from the source's answer.
    copySourceBlobProperties: false,
    blobHTTPHeaders: { ...req.headers, blobContentMD5: md5 },
    metadata: req.metadata,
    ...req.target,
  });
  const stored = md5Hex(res.contentMD5);
  // Azure checked x-ms-source-content-md5 before committing; a server that ignored it still must not pass.
  if (source.md5 && stored !== undefined && stored !== source.md5) {
    throw new StorageError('Transient', `${req.what}: Azure stored bytes with MD5 ${stored}, expected ${source.md5}`);
  }
  return { etag: unquoteEtag(res.etag), md5: stored ?? undefined, size: source.size, lastModified: res.lastModified?.getTime() };
}

async function putBlocksFromUrl(req: FromUrlRequest, blocks: NonNullable<UrlSource['blocks']>): Promise<WriteResult> {
  const { source, what } = req;
  checkBlocks(blocks, source.size, what);
  // Azure keeps no MD5 of a blob made of blocks: a whole-object MD5 is checkable only on one block.
  if (source.md5 && blocks.length > 1 && !source.multipartEtag) {
    throw notImplemented(what, 'a whole-object MD5 cannot be checked on a blob fetched in several blocks');
  }
  const blockId = blockIdMaker();
  const ids = blocks.map((_, index) => blockId(index));
  const blockMd5s: string[] = new Array<string>(blocks.length);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await eachLimited(blocks.map((block, index) => ({ block, index })), req.concurrency, async ({ block, index }) => {
      try {
        const res = await req.client.stageBlockFromURL(ids[index]!, source.url, block.offset, block.size, { abortSignal: stop.signal, encryptionScope: req.target.encryptionScope });
        const md5 = md5Hex(res.contentMD5);
        if (md5 === undefined) throw new StorageError('Fatal', `${what}: Azure reported no MD5 for block ${index + 1} of ${blocks.length}, so it cannot be verified`);
        blockMd5s[index] = md5;
      } catch (err) {
        // The other blocks in flight are of no use any more.
        stop.abort(err);
        throw err;
      }
    }, stop.signal);
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
  }
  const md5 = blocks.length === 1 ? blockMd5s[0] : undefined;
  if (source.md5 && md5 !== source.md5) throw new StorageError('Transient', `${what}: Azure fetched bytes with MD5 ${md5 ?? '(none)'}, expected ${source.md5}; nothing was committed`);
  if (source.multipartEtag) {
    const etag = multipartEtagOf(blockMd5s);
    if (etag !== source.multipartEtag.toLowerCase()) {
      throw new StorageError('Transient', `${what}: the fetched parts make ETag ${etag}, the source's is ${source.multipartEtag}; nothing was committed`);
    }
  }
  const res = await req.client.commitBlockList(ids, {
    abortSignal: req.signal,
    blobHTTPHeaders: { ...req.headers, blobContentMD5: md5 === undefined ? undefined : Buffer.from(md5, 'hex') },
    metadata: req.metadata,
    ...req.target,
  });
  return { etag: unquoteEtag(res.etag), ...(md5 === undefined ? {} : { md5 }), size: source.size, lastModified: res.lastModified?.getTime(), blockMd5s };
}

/** An S3 multipart ETag from its parts' MD5s (hex): `<md5 of the binary MD5s>-<count>`. */
export function multipartEtagOf(partMd5s: readonly string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(Buffer.from(md5, 'hex'));
  return `${hash.digest('hex')}-${partMd5s.length}`;
}

/** Blocks of FROM_URL_BLOCK_SIZE (grown in whole MiB to fit 50,000) covering `size` bytes. */
function evenBlocks(size: number): { offset: number; size: number }[] {
  const blockSize = Math.max(FROM_URL_BLOCK_SIZE, Math.ceil(size / MAX_BLOCKS / MiB) * MiB);
  const blocks: { offset: number; size: number }[] = [];
  for (let offset = 0; offset < size; offset += blockSize) blocks.push({ offset, size: Math.min(blockSize, size - offset) });
  return blocks;
}

/** The caller's blocks must cover [0, size) in order, each within Azure's limits. */
function checkBlocks(blocks: NonNullable<UrlSource['blocks']>, size: number, what: string): void {
  let next = 0;
  for (const block of blocks) {
    if (block.offset !== next || !Number.isSafeInteger(block.size) || block.size <= 0) throw new StorageError('Fatal', `${what}: the blocks do not cover the object in order (at byte ${next})`);
    if (block.size > MAX_BLOCK_FROM_URL) throw notImplemented(what, `a block of ${block.size} bytes is more than the 4000 MiB Put Block From URL takes`);
    next += block.size;
  }
  if (next !== size || blocks.length === 0 || blocks.length > MAX_BLOCKS) throw new StorageError('Fatal', `${what}: ${blocks.length} blocks of ${next} bytes do not make an object of ${size} bytes`);
}

/** The engine streams the object instead: the cause's code says this write cannot be done from a URL. */
function notImplemented(what: string, why: string): StorageError {
  return new StorageError('Fatal', `${what}: cannot be fetched by Azure from the URL: ${why}`, { cause: codeError('NotImplemented', why) });
}

/**
 * An SDK error as a StorageError whose cause holds no URL: CannotVerifyCopySource (Azure could not
 * read the source: unreachable, expired, refused) and APINotImplemented (Azurite, which answers 501
 * to both calls) keep Azure's code in the cause, for the engine's fallback to streaming.
 */
function fromUrlError(err: unknown, req: FromUrlRequest): Error {
  if (err instanceof StorageError || isAbortError(err)) return req.mapError(err);
  const e = err as { code?: unknown; statusCode?: number; message?: string; details?: { errorCode?: unknown; copySourceStatusCode?: unknown; copySourceErrorCode?: unknown } } | null;
  const code = typeof e?.details?.errorCode === 'string' ? e.details.errorCode : typeof e?.code === 'string' ? e.code : undefined;
  const detail = redact((e?.message ?? String(err)).split('\n')[0]!.trim(), req.source.url);
  const safe = Object.assign(codeError(code ?? 'Error', detail), { statusCode: e?.statusCode });
  if (code === 'CannotVerifyCopySource') {
    const status = e?.details?.copySourceStatusCode;
    const from = status === undefined ? '' : `, the source answered ${String(status)}${typeof e?.details?.copySourceErrorCode === 'string' ? ` ${e.details.copySourceErrorCode}` : ''}`;
    return new StorageError('Fatal', `${req.what}: Azure could not read the source URL (${detail}${from})`, { cause: safe });
  }
  if (code === 'APINotImplemented' || e?.statusCode === 501) {
    return new StorageError('Fatal', `${req.what}: this Azure endpoint cannot fetch from a URL (${detail})`, { cause: codeError('NotImplemented', detail) });
  }
  return req.mapError(safe);
}

function codeError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { name: code, code });
}

/** `text` with the URL, and its query, replaced by the URL's origin and path. */
function redact(text: string, url: string): string {
  let shown = '(the source URL)';
  let query = '';
  try {
    const parsed = new URL(url);
    shown = parsed.origin + parsed.pathname;
    query = parsed.search;
  } catch {
    // an unparsable URL is replaced whole
  }
  let out = text.split(url).join(shown);
  if (query.length > 1) out = out.split(query).join('');
  return out;
}

function md5Hex(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length === 16 ? Buffer.from(md5).toString('hex') : undefined;
}

