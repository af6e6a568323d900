// Staged block uploads for the Azure provider: the source is cut into blocks as it is read and up to
// `concurrency` Put Block requests run at once, so reading the source (often another service's
// download) overlaps the uploads. A block is the chunks the source gave, kept as they are and sent
// as a stream of them: copying them into one block buffer cost more client CPU (page faults of
// fresh multi-MiB buffers, then the copy) than the rest of the loop. The SDK's uploadStream, used
// before, ran only ¾ of the concurrency it was given, passed no abort signal to Put Block (one never
// answered held the upload for good) and re-buffered every block: ~20% more client CPU here.
//
// Memory per upload: blockSize × (concurrency + 1) — the blocks in flight and the one being filled.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';
import { abortReason } from './abort';

export interface StageBlocksRequest {
  client: BlockBlobClient;
  /** The bytes of the blob, read once, in order. */
  body: AsyncIterable<Buffer>;
  blockSize: number;
  /** Put Block requests in flight at most. */
  concurrency: number;
  /** Encryption scope of the blob: its blocks must be staged in the same scope. */
  encryptionScope?: string;
  /** Aborts the requests in flight and stops reading. */
  signal: AbortSignal;
  /** Called as each block is confirmed. */
  onBlock?: () => void;
}

export interface StagedBlocks {
  /** Block ids in blob order, for Put Block List. */
  blockIds: string[];
  /** MD5 of every byte read (Azure keeps no MD5 of a block blob by itself). */
  md5: Buffer;
}

/**
 * Stages every block of `body` (none for an empty body) and resolves once all were confirmed. On the
 * first failure (a Put Block, the body, the signal) the requests still in flight are aborted and
 * awaited, then that failure is thrown: nothing is left running. Staged blocks are not part of the
 * blob until a Put Block List names them; Azure discards uncommitted blocks by itself.
 */
export async function stageBlocks(req: StageBlocksRequest): Promise<StagedBlocks> {
  const hash = createHash('md5');
  const blockId = blockIdMaker();
  const blockIds: string[] = [];
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(abortReason(req.signal));
  req.signal.addEventListener('abort', onAbort, { once: true });
  if (req.signal.aborted) onAbort();
  const inFlight = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  const fail = (err: unknown): void => {
    failure ??= { err };
    stop.abort(err);
  };

  const send = (pieces: Buffer[], length: number): void => {
    const id = blockId(blockIds.length);
    blockIds.push(id);
    const sent = req.client
      .stageBlock(id, () => Readable.from(pieces), length, { abortSignal: stop.signal, encryptionScope: req.encryptionScope })
      .then(
        () => req.onBlock?.(),
        (err: unknown) => fail(err),
      )
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };

  let pieces: Buffer[] = [];
  let filled = 0;
  try {
    for await (const chunk of req.body) {
      if (failure) break;
      hash.update(chunk);
      for (let offset = 0; offset < chunk.length; ) {
        const take = Math.min(req.blockSize - filled, chunk.length - offset);
        pieces.push(offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
        filled += take;
        offset += take;
        if (filled < req.blockSize) continue;
        // Back-pressure: the source is not read while every slot is busy.
        while (inFlight.size >= req.concurrency && !failure) await Promise.race(inFlight);
        if (failure) break;
        send(pieces, filled);
        pieces = [];
        filled = 0;
      }
      stop.signal.throwIfAborted();
    }
    if (!failure && filled > 0) send(pieces, filled);
  } catch (err) {
    fail(err);
  } finally {
    pieces = [];
    await Promise.all(inFlight);
    req.signal.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.err;
  return { blockIds, md5: hash.digest() };
}

/**
 * The block ids of one upload, by block index. Block ids of one blob must all have the same length;
 * a random prefix keeps two uploads of the same blob (another run, a retry) from staging over each
 * other's blocks.
 */
export function blockIdMaker(): (index: number) => string {
  const prefix = randomBytes(8).toString('hex');
  return (index) => Buffer.from(`${prefix}${String(index).padStart(6, '0')}`).toString('base64');
}
