// objects.list pages through a bucket by the provider's listPage: page N resumes at the listing page
// that holds its first entry, never re-listing the pages before it, and the pages together hold what
// one long page holds.
import { describe, expect, it } from 'vitest';
import type { ObjectPage } from '../../shared/contract';
import { listObjectPage } from '../../electron/api/browse';
import type { ListPage, StorageProvider } from '../../electron/providers/provider';

/** A bucket in memory, listed `pageSize` keys per listPage call; each call's token is recorded. */
function pagedBucket(keys: readonly string[], pageSize: number): { provider: Pick<StorageProvider, 'listPage'>; tokens: (string | null)[] } {
  const sorted = [...keys].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
  const tokens: (string | null)[] = [];
  const provider: Pick<StorageProvider, 'listPage'> = {
    listPage: async (_bucket, prefix, token): Promise<ListPage> => {
      tokens.push(token);
      const matching = sorted.filter((k) => k.startsWith(prefix));
      const start = token === null ? 0 : Number(token.slice('at-'.length));
      const end = start + pageSize;
      const items = matching.slice(start, end).map((key) => ({ key, size: key.length, lastModified: 0, etag: key }));
      return { items, skipped: [], next: end < matching.length ? `at-${end}` : null };
    },
  };
  return { provider, tokens };
}

/** Every browse page, from the first, with the listPage tokens each one asked for. */
async function browseAll(provider: Pick<StorageProvider, 'listPage'>, tokens: (string | null)[], prefix: string, limit: number) {
  const pages: { page: ObjectPage; asked: (string | null)[] }[] = [];
  let pageToken: string | undefined;
  do {
    const before = tokens.length;
    const page = await listObjectPage(provider, 'bucket', prefix, limit, pageToken);
    pages.push({ page, asked: tokens.slice(before) });
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined && pages.length < 100);
  return pages;
}

const entriesOf = (page: ObjectPage) => [...page.prefixes, ...page.objects.map((o) => o.key)].sort();

describe('objects.list paging', () => {
  const keys = [
    ...Array.from({ length: 40 }, (_, i) => `file-${String(i).padStart(2, '0')}.txt`),
    ...Array.from({ length: 6 }, (_, i) => `folder/${i}.txt`), // one entry over two listing pages
    'z.txt',
  ];

  it('fetches page N from the listing page that holds it, without re-listing the pages before it', async () => {
    const { provider, tokens } = pagedBucket(keys, 5);
    const pages = await browseAll(provider, tokens, '', 4);

    const whole = await listObjectPage(pagedBucket(keys, 5).provider, 'bucket', '', 1000);
    expect(pages.flatMap(({ page }) => entriesOf(page))).toEqual(entriesOf(whole));
    expect(pages.flatMap(({ page }) => page.objects.map((o) => o.key))).toEqual(whole.objects.map((o) => o.key));
    expect(whole.prefixes).toEqual(['folder/']);

    expect(pages.length).toBe(11); // 42 entries, 4 a page
    const sorted = [...keys].sort();
    const startOf = (token: string | null) => (token === null ? 0 : Number(token.slice('at-'.length)));
    for (const [n, { page, asked }] of pages.entries()) {
      // The first listing page asked for holds the page's first entry (its first key, for a folder).
      const first = entriesOf(page)[0]!;
      const firstKey = sorted.findIndex((k) => k === first || k.startsWith(first));
      const start = startOf(asked[0] ?? null);
      expect([start <= firstKey, firstKey < start + 5], `page ${n}`).toEqual([true, true]);
      // That page, and the next one at most: the page before it is never listed again.
      expect(asked.length, `page ${n}`).toBeLessThanOrEqual(2);
    }
    // 11 pages over 10 listing pages: each listing page once, and again where a page resumes inside it.
    expect(tokens.length).toBeLessThanOrEqual(10 + 11);
  });

  it('gives the last entry as the token while the listing is one page, and resumes from it', async () => {
    const { provider, tokens } = pagedBucket(['a.txt', 'b/1.txt', 'b/2.txt', 'c.txt'], 1000);
    const first = await listObjectPage(provider, 'bucket', '', 2);
    expect(first).toMatchObject({ prefixes: ['b/'], objects: [{ key: 'a.txt' }], nextPageToken: 'b/' });
    const second = await listObjectPage(provider, 'bucket', '', 2, first.nextPageToken);
    expect(second.objects.map((o) => o.key)).toEqual(['c.txt']);
    expect(second.nextPageToken).toBeUndefined();
    expect(tokens).toEqual([null, null]);
  });

  it('pages through keys that start with NUL, and refuses a token it did not make', async () => {
    const { provider, tokens } = pagedBucket(['\u0000a', '\u0000b', '\u0000c'], 1000);
    const pages = await browseAll(provider, tokens, '', 1);
    expect(pages.map(({ page }) => page.objects.map((o) => o.key))).toEqual([['\u0000a'], ['\u0000b'], ['\u0000c']]);

    await expect(listObjectPage(provider, 'bucket', '', 1, '\u0000{"not":"a token"}')).rejects.toMatchObject({ code: 'InvalidArgument', field: 'pageToken' });
  });
});
