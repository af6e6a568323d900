// Walks the source and target listings side by side (rclone's "march"): both arrive sorted by key, so
// one pass pairs them with memory bounded by the read-ahead buffers, whatever the bucket size.
import type { ObjectInfo } from '../providers/provider';
import { readAhead } from '../lib/read-ahead';
import { assertSorted, compareKeys } from '../lib/key-order';

export interface MergedEntry {
  /** Key relative to the mapping's prefix on each side. */
  key: string;
  source?: ObjectInfo;
  target?: ObjectInfo;
}

/** Error from one side's listing, labelled so the run can say which side failed. */
export class ListingError extends Error {
  override readonly name = 'ListingError';
  constructor(readonly side: 'source' | 'target', override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export async function* mergeListings(
  source: AsyncIterable<ObjectInfo>,
  sourcePrefix: string,
  target: AsyncIterable<ObjectInfo>,
  targetPrefix: string,
  readAheadSize = 2_000,
  onListingEnd?: ListingEndListener,
): AsyncIterable<MergedEntry> {
  // Both listings are pulled concurrently so their page round trips overlap.
  const src = readAhead(labelled(relative(assertSorted(source, 'source'), sourcePrefix), 'source', onListingEnd), readAheadSize);
  const tgt = readAhead(labelled(relative(assertSorted(target, 'target'), targetPrefix), 'target', onListingEnd), readAheadSize);
  try {
    let s = await src.next();
    let t = await tgt.next();
    while (!s.done || !t.done) {
      const order = s.done ? 1 : t.done ? -1 : compareKeys(s.value.key, t.value.key);
      if (order < 0) {
        yield { key: s.value!.key, source: s.value!.info };
        s = await src.next();
      } else if (order > 0) {
        yield { key: t.value!.key, target: t.value!.info };
        t = await tgt.next();
      } else {
        yield { key: s.value!.key, source: s.value!.info, target: t.value!.info };
        [s, t] = await Promise.all([src.next(), tgt.next()]);
      }
    }
  } finally {
    await Promise.allSettled([src.return?.(), tgt.return?.()]);
  }
}

async function* relative(items: AsyncIterable<ObjectInfo>, prefix: string): AsyncIterable<{ key: string; info: ObjectInfo }> {
  for await (const info of items) {
    if (!info.key.startsWith(prefix)) throw new Error(`listing returned "${info.key}", outside the prefix "${prefix}"`);
    // Prefix mapping is plain concatenation: the relative key is what follows the prefix.
    yield { key: info.key.slice(prefix.length), info };
  }
}

/**
 * Told once per side when its listing ends: complete (error null), failed (its ListingError), or
 * given up by the merge (error null, complete false: the run stopped reading it). `objects` counts
 * what the side listed so far.
 */
export type ListingEndListener = (side: 'source' | 'target', end: { objects: number; complete: boolean; error: ListingError | null }) => void;

async function* labelled<T>(items: AsyncIterable<T>, side: 'source' | 'target', onEnd?: ListingEndListener): AsyncIterable<T> {
  let objects = 0;
  let complete = false;
  let error: ListingError | null = null;
  try {
    // Counted here, in a generator every item passes anyway: a layer of its own would cost per object.
    for await (const item of items) {
      objects++;
      yield item;
    }
    complete = true;
  } catch (err) {
    error = err instanceof ListingError ? err : new ListingError(side, err);
    throw error;
  } finally {
    onEnd?.(side, { objects, complete, error });
  }
}
