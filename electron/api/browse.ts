// buckets.list and objects.list: browsing a connection, e.g. to pick a bucket and prefix in the
// mapping editor. Uses the sync service's cached provider of the connection.
import type { ObjectEntry, ObjectPage } from '../../shared/contract';
import { eachPage } from '../providers/listing';
import type { StorageProvider } from '../providers/provider';
import { compareKeys } from '../lib/key-order';
import { invalidArgument } from './errors';
import { requireConnection } from './lookup';
import type { ApiDeps, HandlersFor } from './types';
import { PAGE_LIMITS } from './validate';

export function browseHandlers({ store, syncService }: ApiDeps): HandlersFor<'buckets.list' | 'objects.list'> {
  return {
    'buckets.list': async ({ connectionId }) => {
      requireConnection(store, connectionId, 'connectionId');
      return (await syncService.provider(connectionId)).listBuckets();
    },

    'objects.list': async ({ connectionId, bucket, prefix, pageToken, limit }) => {
      requireConnection(store, connectionId, 'connectionId');
      return listObjectPage(await syncService.provider(connectionId), bucket, prefix, limit ?? PAGE_LIMITS.objects.default, pageToken);
    },
  };
}

/**
 * One page of what is directly under `prefix`: objects, and "folders" (the next '/' after the
 * prefix), in key order. The interface lists flat (no delimiter), so keys are grouped here; a
 * folder's keys are adjacent in the sorted listing.
 *
 * The page token (opaque to the caller) holds the last entry returned (a key, or a folder ending in
 * '/') and the provider's token of the listing page that holds the next entry (see PageToken). The
 * next call lists from that page on, skipping what the last page covered: a page costs one provider
 * page, or a few when a folder spans pages, whatever page of the listing it is. A folder is still
 * walked key by key to step over it: fine for picking a prefix.
 */
export async function listObjectPage(provider: Pick<StorageProvider, 'listPage'>, bucket: string, prefix: string, limit: number, pageToken?: string): Promise<ObjectPage> {
  const from = pageToken === undefined ? undefined : decodePageToken(pageToken);
  const objects: ObjectEntry[] = [];
  const prefixes: string[] = [];
  let lastEntry: string | undefined;
  let current: string | null = from?.page ?? null;
  const fetch = (token: string | null) => {
    current = token;
    return provider.listPage(bucket, prefix, token);
  };
  for await (const page of eachPage(fetch, `list bucket "${bucket}"`, current)) {
    for (const info of page.items) {
      const rest = info.key.slice(prefix.length);
      if (rest === '' && prefix.endsWith('/')) continue; // the folder marker of the prefix itself
      if (from !== undefined && isAtOrBefore(info.key, from.after)) continue;
      const slash = rest.indexOf('/');
      const folder = slash >= 0 ? prefix + rest.slice(0, slash + 1) : undefined;
      if (folder !== undefined && folder === lastEntry) continue; // more keys of the folder just listed
      if (lastEntry !== undefined && objects.length + prefixes.length >= limit) {
        // `info` starts the next page, on the listing page fetched with `current`.
        return { objects, prefixes, nextPageToken: encodePageToken({ after: lastEntry, page: current }) };
      }
      if (folder !== undefined) {
        prefixes.push(folder);
        lastEntry = folder;
      } else {
        objects.push({ key: info.key, size: info.size, lastModified: info.lastModified, ...(info.contentType ? { contentType: info.contentType } : {}) });
        lastEntry = info.key;
      }
    }
  }
  return { objects, prefixes };
}

/**
 * Where the next page starts: after the entry `after` (and inside it, for a folder), on the listing
 * page the provider gives for `page` (null: its first page).
 */
interface PageToken {
  after: string;
  page: string | null;
}

/** Marks a token that carries a listing page; a key never starts with NUL in practice, and one that does is encoded too. */
const WITH_PAGE = '\u0000';

/** The entry alone while the listing starts over from its first page (every page of a short listing), else both as JSON. */
function encodePageToken({ after, page }: PageToken): string {
  return page === null && !after.startsWith(WITH_PAGE) ? after : WITH_PAGE + JSON.stringify([after, page]);
}

function decodePageToken(token: string): PageToken {
  if (!token.startsWith(WITH_PAGE)) return { after: token, page: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(token.slice(WITH_PAGE.length));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && (typeof parsed[1] === 'string' || parsed[1] === null)) {
    return { after: parsed[0], page: parsed[1] };
  }
  throw invalidArgument('pageToken', 'is not a token of this listing: give the nextPageToken of the page before, or none for the first page');
}

/** True when `key` was covered by a page that ended at `token`: at or before it, or inside it if it is a folder. */
function isAtOrBefore(key: string, token: string): boolean {
  return compareKeys(key, token) <= 0 || (token.endsWith('/') && key.startsWith(token));
}
