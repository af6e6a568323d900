// Object keys are ordered by their UTF-8 bytes: the order S3 and GCS list in (the Azure provider
// re-orders its UTF-16-ordered listings to match) and SQLite's BINARY collation. JavaScript's `<`
// compares UTF-16 code units, which disagrees for characters above U+FFFF versus U+E000–U+FFFF
// (e.g. '😀' sorts before '～' in UTF-16 but after it in UTF-8).

/** Compares two keys in UTF-8 byte order without allocating. Returns <0, 0 or >0. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (U+D800–U+DFFF) encode code points above U+FFFF, whose UTF-8 bytes sort after every
    // BMP character; lift them above all BMP units. Otherwise code-unit order equals byte order.
    return liftSurrogate(ca) - liftSurrogate(cb);
  }
  return a.length - b.length;
}

const LONE_SURROGATE = /\p{Surrogate}/u;

function liftSurrogate(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

/**
 * Wraps a listing and checks that keys come strictly increasing in UTF-8 byte order, and that each is
 * well-formed UTF-16. A listing out of order would turn into wrong copies and, worse, wrong deletes,
 * so it stops the run; so does a key with a lone surrogate, which has no UTF-8 form (no service can
 * hold it, and SQLite stores U+FFFD in its place, so a saved delete or state row would name another key).
 */
export async function* assertSorted<T extends { key: string }>(items: AsyncIterable<T>, label: string): AsyncIterable<T> {
  let previous: string | undefined;
  for await (const item of items) {
    // Under the u flag a surrogate pair reads as one code point, so \p{Surrogate} matches only a lone
    // one: isWellFormed() without String.prototype.isWellFormed, which the ES2023 lib we compile to lacks.
    if (LONE_SURROGATE.test(item.key)) throw new MalformedKeyError(label, item.key);
    if (previous !== undefined && compareKeys(previous, item.key) >= 0) {
      throw new KeyOrderError(label, previous, item.key);
    }
    previous = item.key;
    yield item;
  }
}

export class KeyOrderError extends Error {
  override readonly name = 'KeyOrderError';
  constructor(label: string, previous: string, next: string) {
    super(
      `${label} listing is not in UTF-8 byte order ("${next}" came after "${previous}"); ` +
        'stopped before any delete to avoid acting on a wrong comparison',
    );
  }
}

/** A listed key that is not well-formed UTF-16 (it has a lone surrogate): shown JSON-escaped. */
export class MalformedKeyError extends Error {
  override readonly name = 'MalformedKeyError';
  constructor(label: string, key: string) {
    super(
      `${label} listing returned the key ${JSON.stringify(key)}, which has a lone surrogate: it is not well-formed ` +
        'UTF-16, has no UTF-8 form and cannot be stored by a service or in the sync state; stopped before any delete',
    );
  }
}
