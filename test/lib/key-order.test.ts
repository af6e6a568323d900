import { describe, expect, it } from 'vitest';
import { assertSorted, compareKeys, KeyOrderError } from '../../electron/lib/key-order';

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
});
