// buckets.list and objects.list: browsing a connection, e.g. to pick a bucket and prefix in the
// mapping editor. Uses the sync service's cached provider of the connection.
import type { ObjectEntry, ObjectPage } from '../../shared/contract';
import type { StorageProvider } from '../providers/provider';
import { compareKeys } from '../lib/key-order';
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
 * The page token is the last entry returned (a key, or a folder ending in '/'); the next page skips
 * every key up to it and inside it. Cost: providers list from the start of the prefix, so page n
 * lists everything before it again (O(n · limit) keys), and a folder is walked key by key, so a
 * folder with a million objects costs a million-key listing to step over. Fine for picking a
 * prefix; not a way to page through a whole large bucket.
 */
export async function listObjectPage(provider: StorageProvider, bucket: string, prefix: string, limit: number, pageToken?: string): Promise<ObjectPage> {
  const objects: ObjectEntry[] = [];
  const prefixes: string[] = [];
  let lastEntry: string | undefined;
  let more = false;
  const done = new AbortController();
  try {
    for await (const info of provider.list(bucket, prefix, done.signal)) {
      const rest = info.key.slice(prefix.length);
      if (rest === '' && prefix.endsWith('/')) continue; // the folder marker of the prefix itself
      if (pageToken !== undefined && isAtOrBefore(info.key, pageToken)) continue;
      const slash = rest.indexOf('/');
      const folder = slash >= 0 ? prefix + rest.slice(0, slash + 1) : undefined;
      if (folder !== undefined && folder === lastEntry) continue; // more keys of the folder just listed
      if (objects.length + prefixes.length >= limit) {
        more = true;
        break;
      }
      if (folder !== undefined) {
        prefixes.push(folder);
        lastEntry = folder;
      } else {
        objects.push({ key: info.key, size: info.size, lastModified: info.lastModified, ...(info.contentType ? { contentType: info.contentType } : {}) });
        lastEntry = info.key;
      }
    }
  } finally {
    done.abort(); // stops a listing left early from fetching further pages
  }
  return { objects, prefixes, ...(more && lastEntry !== undefined ? { nextPageToken: lastEntry } : {}) };
}

/** True when `key` was covered by a page that ended at `token`: at or before it, or inside it if it is a folder. */
function isAtOrBefore(key: string, token: string): boolean {
  return compareKeys(key, token) <= 0 || (token.endsWith('/') && key.startsWith(token));
}
