import { describe, expect, it } from 'vitest';
import { assertSorted, compareKeys, KeyOrderError, MalformedKeyError } from '../../electron/lib/key-order';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareKeys', () => {
  const keys = ['', 'a', 'a/b', 'a-b', 'a b', 'A', 'é', 'e\u0301', '😀', '\uFF5E', '\uE000', '\uD7FF', 'z', '+', '%', 'a/😀', 'a/\uFFFF', '日本'];

  it('agrees with UTF-8 byte order on every pair', () => {
    for (const a of keys) for (const b of keys) expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(byteOrder(a, b)));
  });

  it('orders a non-BMP character after U+FF5E, unlike JavaScript string comparison', () => {
    expect('😀' < '\uFF5E').toBe(true);
    expect(compareKeys('😀', '\uFF5E')).toBeGreaterThan(0);
  });
});

describe('assertSorted', () => {
  async function* from(keys: string[]) {
    for (const key of keys) yield { key };
  }
  const drain = async (it: AsyncIterable<{ key: string }>) => {
    const out: string[] = [];
    for await (const x of it) out.push(x.key);
    return out;
  };

  it('passes a strictly increasing listing through', async () => {
    expect(await drain(assertSorted(from(['a', 'b', '😀']), 'source'))).toEqual(['a', 'b', '😀']);
  });

  it('stops on a key out of order or repeated', async () => {
    await expect(drain(assertSorted(from(['a', 'c', 'b']), 'source'))).rejects.toBeInstanceOf(KeyOrderError);
    await expect(drain(assertSorted(from(['a', 'a']), 'target'))).rejects.toThrow(/target listing is not in UTF-8 byte order/);
  });

  it('stops on a key that is not well-formed UTF-16, naming it escaped, after the keys before it', async () => {
    for (const bad of ['x\uD800', '\uDC00x', 'a/\uDE00\uD83D', 'x\uD83D\uD83D\uDE00']) {
      const seen: string[] = [];
      const listing = (async function* () {
        for await (const item of assertSorted(from(['a', bad]), 'source')) yield (seen.push(item.key), item);
      })();
      const err = await drain(listing).then(() => undefined, (e: unknown) => e);
      expect(err, JSON.stringify(bad)).toBeInstanceOf(MalformedKeyError);
      expect((err as Error).message).toContain(`source listing returned the key ${JSON.stringify(bad)}, which has a lone surrogate`);
      // The message itself is well-formed: it survives a UTF-8 round trip (a log line, the database).
      expect(Buffer.from((err as Error).message, 'utf8').toString('utf8')).toBe((err as Error).message);
      expect(seen).toEqual(['a']);
    }
  });

  it('passes keys whose surrogates are all paired', async () => {
    expect(await drain(assertSorted(from(['a\uD83D\uDE00', 'a\uD83D\uDE01', '\uD83D\uDE00']), 'target'))).toHaveLength(3);
  });
});
