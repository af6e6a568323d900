// The one way a whole listing is made from pages: every provider implements listPage (one request),
// and list() is pagedList(this). A wrapper (retrying, paced, counted...) does the same, so each page
// of a listing goes through the wrapper: a failed page is retried by its token, not the listing
// restarted.
import { listInBlocks } from '../lib/ordered-blocks';
import { StorageError } from './errors';
import type { ObjectInfo, SkippedEntry, StorageProvider } from './provider';

/** Upper bound on the pages of one listing, so a server that never stops paging cannot loop us forever. */
export const MAX_LIST_PAGES = 10_000_000;
/** Folders listed at once when the provider can list one level (listLevel). */
const PARALLEL_FOLDERS = 4;

/**
 * Every page `fetch` gives, from the one of token `from` (null: the first) to the one whose `next` is
 * null. Fails Fatal when the service repeats a token (it would page forever) or pages past
 * MAX_LIST_PAGES. `what` names the listing in messages, e.g. `list bucket "photos"`.
 */
export async function* eachPage<P extends { next: string | null }>(fetch: (token: string | null) => Promise<P>, what: string, from: string | null = null): AsyncIterable<P> {
  let token: string | null = from;
  for (let n = 0; n < MAX_LIST_PAGES; n++) {
    const page: P = await fetch(token);
    yield page;
    if (page.next === null) return;
    if (page.next === token) throw new StorageError('Fatal', `${what}: the service answered the same page token again`);
    token = page.next;
  }
  throw new StorageError('Fatal', `${what}: more than ${MAX_LIST_PAGES} pages`);
}

/** The items of every page, in order (small listings only: bucket names). */
export async function allPages<T>(fetch: (token: string | null) => Promise<{ items: T[]; next: string | null }>, what: string): Promise<T[]> {
  const out: T[] = [];
  for await (const page of eachPage(fetch, what)) out.push(...page.items);
  return out;
}

/**
 * StorageProvider.list for `provider`, made of its listPage calls. Where the provider can list one
 * level (listLevel) and the level under the prefix fits one page with several folders, each folder
 * is listed on its own, PARALLEL_FOLDERS at a time, and yielded in key order: page round trips
 * overlap instead of queueing behind one token.
 */
export function pagedList(provider: Pick<StorageProvider, 'listPage' | 'listLevel'>): StorageProvider['list'] {
  return async function* list(bucket, prefix, signal, onSkipped) {
    const level = provider.listLevel ? await provider.listLevel(bucket, prefix, signal) : null;
    if (level && level.folders.length >= 2) {
      const flat = (folder: string) => listFlat(provider, bucket, folder, signal, onSkipped);
      yield* listInBlocks({ objects: level.items, prefixes: level.folders }, flat, PARALLEL_FOLDERS);
    } else {
      yield* listFlat(provider, bucket, prefix, signal, onSkipped);
    }
  };
}

async function* listFlat(
  provider: Pick<StorageProvider, 'listPage'>,
  bucket: string,
  prefix: string,
  signal: AbortSignal | undefined,
  onSkipped: ((entry: SkippedEntry) => void) | undefined,
): AsyncIterable<ObjectInfo> {
  for await (const page of eachPage((token) => provider.listPage(bucket, prefix, token, signal), `list bucket "${bucket}"`)) {
    for (const entry of page.skipped) onSkipped?.(entry);
    yield* page.items;
  }
}
