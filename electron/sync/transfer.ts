// One object from source to target: streamed and verified, or copied server-side when both ends are
// the same connection. Never holds the object in memory; memory is the providers' part buffers.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { StorageError } from '../providers/errors';
import type { ObjectInfo, StorageProvider, WriteOptions, WriteResult } from '../providers/provider';
import { withRetry, type RetryPolicy } from './retry';

export interface TransferRequest {
  source: StorageProvider;
  target: StorageProvider;
  /** Source and target are the same connection: server-side copy is possible. */
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
}

export interface TransferResult {
  /** The source object as it was read (fresher than the listing when a HEAD was needed). */
  source: ObjectInfo;
  target: WriteResult;
  /** MD5 of the bytes that went through, when they went through us. */
  md5?: string;
  serverSide: boolean;
}

export async function transferObject(req: TransferRequest): Promise<TransferResult> {
  let first = true;
  return withRetry(
    async () => {
      if (!first) req.onRestart?.();
      first = false;
      return req.sameConnection && req.source.capabilities.serverSideCopy && req.source.copy
        ? copyServerSide(req)
        : streamCopy(req);
    },
    req.retry,
    { signal: req.signal, onRetry: req.onRetry },
  );
}

async function copyServerSide(req: TransferRequest): Promise<TransferResult> {
  const target = await req.source.copy!(req.sourceBucket, req.sourceKey, req.targetBucket, req.targetKey, req.signal);
  if (target.size !== req.listed.size) {
    throw new StorageError('Transient', `server-side copy of ${req.sourceKey} produced ${target.size} bytes, expected ${req.listed.size}`);
  }
  if (req.listed.md5 && target.md5 && target.md5 !== req.listed.md5) {
    throw new StorageError('Transient', `server-side copy of ${req.sourceKey}: MD5 ${target.md5} differs from the source's ${req.listed.md5}`);
  }
  return { source: req.listed, target, md5: target.md5, serverSide: true };
}

async function streamCopy(req: TransferRequest): Promise<TransferResult> {
  // Metadata (content type, user metadata…) is not in listings; fetch it only when both ends keep it.
  const wantsMetadata = req.source.capabilities.metadata && req.target.capabilities.metadata;
  const source = wantsMetadata ? await req.source.head(req.sourceBucket, req.sourceKey, req.signal) : req.listed;
  if (!source) throw new StorageError('NotFound', `source object ${req.sourceKey} disappeared after listing`);

  let hash: Hash | undefined;
  let seen = 0;
  const open = async (): Promise<Readable> => {
    if (hash) req.onRestart?.(); // the provider reopened the source for a retry of its own
    hash = createHash('md5');
    seen = 0;
    const currentHash = hash;
    const body = await req.source.read(req.sourceBucket, req.sourceKey, req.signal);
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        currentHash.update(chunk);
        seen += chunk.length;
        req.onBytes?.(chunk.length);
        done(null, chunk);
      },
    });
    body.on('error', (err) => meter.destroy(err));
    return body.pipe(meter);
  };

  const options: WriteOptions = {
    contentType: source.contentType,
    cacheControl: source.cacheControl,
    contentEncoding: source.contentEncoding,
    contentDisposition: source.contentDisposition,
    metadata: source.metadata,
    md5: source.md5,
    signal: req.signal,
  };
  const target = await req.target.write(req.targetBucket, req.targetKey, open, source.size, options);
  if (!hash) throw new StorageError('Fatal', `target provider did not read the source of ${req.sourceKey}`);
  const md5 = hash.digest('hex');
  verify(req.sourceKey, source, target, md5, seen);
  return { source, target, md5, serverSide: false };
}

/** The bytes we moved must match what the source promised and what the target says it stored. */
function verify(key: string, source: ObjectInfo, target: WriteResult, md5: string, seen: number): void {
  if (seen !== source.size || target.size !== source.size) {
    throw new StorageError('Transient', `${key}: read ${seen} bytes and the target stored ${target.size}, but the source listed ${source.size}`);
  }
  if (source.md5 && source.md5 !== md5) {
    throw new StorageError('Transient', `${key}: MD5 of the bytes read (${md5}) differs from the source's (${source.md5}); the object changed during the copy or was corrupted in transit`);
  }
  if (target.md5 && target.md5 !== md5) {
    throw new StorageError('Transient', `${key}: the target stored MD5 ${target.md5} but we sent ${md5}; the upload was corrupted`);
  }
}
