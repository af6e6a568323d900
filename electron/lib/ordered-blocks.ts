// Lists a bucket as ordered blocks: the keys directly under a prefix, and each top-level "folder"
// listed on its own, several folders at once. Folder listings run concurrently but are yielded in key
// order, so callers still get one sorted listing. Keys under "a/" sort together between the keys
// below "a/" and those above every "a/…" key, which is what makes block order equal key order.
import { compareKeys } from './key-order';
import { readAhead } from './read-ahead';

export interface TopLevel<T> {
  /** Objects directly under the prefix, sorted. */
  objects: T[];
  /** Folder prefixes directly under the prefix (each ending with the delimiter), sorted. */
  prefixes: string[];
}

export async function* listInBlocks<T extends { key: string }>(
  top: TopLevel<T>,
  listFolder: (prefix: string) => AsyncIterable<T>,
  parallel: number,
  bufferPerFolder = 1_000,
): AsyncIterable<T> {
  const started = new Map<number, AsyncIterator<T>>();
  const start = (i: number): AsyncIterator<T> => {
    let it = started.get(i);
    if (!it) {
      it = readAhead(listFolder(top.prefixes[i]!), bufferPerFolder);
      started.set(i, it);
    }
    return it;
  };
  let o = 0;
  try {
    for (let p = 0; p < top.prefixes.length; p++) {
      const folder = top.prefixes[p]!;
      while (o < top.objects.length && compareKeys(top.objects[o]!.key, folder) < 0) yield top.objects[o++]!;
      // Start this folder and the next ones, so their first pages load while this one is consumed.
      for (let ahead = p; ahead < Math.min(top.prefixes.length, p + parallel); ahead++) start(ahead);
      const it = start(p);
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
      started.delete(p);
    }
    while (o < top.objects.length) yield top.objects[o++]!;
  } finally {
    await Promise.allSettled([...started.values()].map((it) => it.return?.()));
  }
}
