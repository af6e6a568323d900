// Where Azure Blob naming differs from what the provider interface promises: user metadata names
// must be C# identifiers and values plain ASCII header text, and listings come in UTF-16 order
// rather than UTF-8 byte order. Pure functions, so the rules are tested without a server.
import { compareKeys } from '../lib/key-order';
import { StorageError } from './errors';

// ---- metadata ----

/**
 * Metadata names that are not C# identifiers (Azure's rule) are stored encoded:
 *   - a name is lower-cased (Azure compares names case-insensitively; the interface wants lower case);
 *   - if it then matches [a-z_][a-z0-9_]* and does not start with "cds_", it is stored as it is;
 *   - otherwise it is stored as "cds_" + the name's UTF-8 bytes, where a-z and 0-9 stay and every
 *     other byte (including "_") becomes "_" + two lower-case hex digits.
 *   So "owner-id" → "cds_owner_2did", "1st" → "cds_1st", "cds_x" → "cds_cds_5fx".
 * Reading reverses it, but only for names this rule could have produced (encoding the result must
 * give the stored name back); any other name is returned lower-cased as it is.
 */
export const METADATA_NAME_MARKER = 'cds_';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const ENCODED_BODY = /^(?:[a-z0-9]|_[0-9a-f]{2})*$/;

export function encodeMetadataName(name: string): string {
  const lower = name.toLowerCase();
  if (IDENTIFIER.test(lower) && !lower.startsWith(METADATA_NAME_MARKER)) return lower;
  let out = METADATA_NAME_MARKER;
  for (const byte of Buffer.from(lower, 'utf8')) {
    const alnum = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39);
    out += alnum ? String.fromCharCode(byte) : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function decodeMetadataName(stored: string): string {
  const lower = stored.toLowerCase();
  const body = lower.slice(METADATA_NAME_MARKER.length);
  if (!lower.startsWith(METADATA_NAME_MARKER) || !ENCODED_BODY.test(body)) return lower;
  const bytes = Buffer.from(body.replace(/_([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  const name = UTF8.decode(bytes);
  return encodeMetadataName(name) === lower ? name : lower;
}

/**
 * Values travel as HTTP headers: Node refuses characters above U+00FF, Latin-1 ones break the
 * request signature, and surrounding spaces are trimmed on the way. So a value that is not
 * printable ASCII without surrounding spaces is stored as an RFC 2047 encoded word,
 * "=?utf-8?b?<base64 of its UTF-8>?=" — as is a value that already looks like one, so that reading
 * decodes exactly the values written encoded.
 */
const PLAIN_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
const ENCODED_WORD = /^=\?utf-8\?b\?([A-Za-z0-9+/]*={0,2})\?=$/i;

export function encodeMetadataValue(value: string): string {
  if (PLAIN_VALUE.test(value) && !ENCODED_WORD.test(value)) return value;
  return `=?utf-8?b?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeMetadataValue(stored: string): string {
  const base64 = ENCODED_WORD.exec(stored)?.[1];
  if (base64 === undefined) return stored;
  const value = UTF8.decode(Buffer.from(base64, 'base64'));
  return encodeMetadataValue(value) === stored ? value : stored;
}

/** User metadata as Azure stores it. Throws when two names collide (they differ only in case). */
export function toAzureMetadata(metadata: Record<string, string> | undefined, what: string): Record<string, string> | undefined {
  if (!metadata) return undefined;
  const out: Record<string, string> = {};
  const from = new Map<string, string>();
  for (const [name, value] of Object.entries(metadata)) {
    const stored = encodeMetadataName(name);
    const other = from.get(stored);
    if (other !== undefined) {
      throw new StorageError('Fatal', `${what}: metadata names "${other}" and "${name}" are the same name to Azure, which ignores case`);
    }
    from.set(stored, name);
    out[stored] = encodeMetadataValue(value);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** User metadata read back from Azure, names lower-case, both names and values decoded. */
export function fromAzureMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [stored, value] of Object.entries(metadata ?? {})) out[decodeMetadataName(stored)] = decodeMetadataValue(value);
  return out;
}

/** Replaces malformed UTF-8 rather than throwing: the re-encoding check then rejects the decode. */
const UTF8 = new TextDecoder('utf-8');

// ---- listing order ----

/**
 * Azure lists blobs in UTF-16 code-unit order (Azurite does; real Azure was reported to order by
 * UTF-16BE, i.e. the same). The interface promises UTF-8 byte order. The two disagree only where,
 * at the first differing position, one key has a surrogate (a character above U+FFFF) and the other
 * a character in U+E000–U+FFFF: UTF-16 puts the surrogate first, UTF-8 last.
 *
 * So keys containing surrogates are held back in a min-heap (by UTF-8 bytes), and every key without
 * surrogates releases the held keys below it and then passes. That is safe because a key without
 * surrogates is, in both orders, smaller than every key listed after it (at the first difference its
 * unit is not a surrogate, and only surrogates move between the orders). Input already in UTF-8
 * order passes through unchanged. Memory is the held keys: those with characters above U+FFFF not
 * yet followed by a larger surrogate-free key; more than `maxHeld` fails the listing.
 *
 * One page at a time: `held` are the keys earlier pages held back (as this returned them), `page`
 * the page as Azure listed it. Returns the items to pass on now and the keys still held; on the
 * `last` page every held key is passed on.
 */
export function inUtf8Order<T extends { key: string }>(
  held: readonly T[],
  page: readonly T[],
  last: boolean,
  maxHeld: number,
  what: string,
): { items: T[]; held: T[] } {
  const heap = new MinHeap<T>((a, b) => compareKeys(a.key, b.key));
  for (const item of held) heap.push(item);
  const items: T[] = [];
  for (const item of page) {
    if (SURROGATE.test(item.key)) {
      if (heap.size >= maxHeld) {
        throw new StorageError('Fatal', `${what}: more than ${maxHeld} keys with characters above U+FFFF arrived out of UTF-8 order; cannot reorder them in bounded memory`);
      }
      heap.push(item);
      continue;
    }
    while (heap.size > 0 && compareKeys(heap.peek()!.key, item.key) < 0) items.push(heap.pop()!);
    items.push(item);
  }
  const rest: T[] = [];
  while (heap.size > 0) rest.push(heap.pop()!);
  return last ? { items: [...items, ...rest], held: [] } : { items, held: rest };
}

const SURROGATE = /[\uD800-\uDFFF]/;

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(value: T): void {
    const a = this.items;
    a.push(value);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < a.length && this.compare(a[l]!, a[min]!) < 0) min = l;
      if (r < a.length && this.compare(a[r]!, a[min]!) < 0) min = r;
      if (min === i) break;
      [a[i], a[min]] = [a[min]!, a[i]!];
      i = min;
    }
    return top;
  }
}

// ---- blob names ----

/** Real Azure refuses longer names (Azurite stores them). Counted in UTF-16 code units, as Azure's docs count characters. */
export const MAX_BLOB_NAME_LENGTH = 1024;
/** Real Azure refuses names of more than 254 "/"-separated segments (Azurite stores them). */
export const MAX_BLOB_NAME_SEGMENTS = 254;

/**
 * Why Azure cannot store `key` under exactly that name, or undefined when it can. Such a key is
 * refused, never renamed: a silent rename would overwrite another object (`z/../y` → `y`), be copied
 * again on every run and, in mirror mode, delete or keep the wrong blob.
 *   - `.` and `..` segments: the SDK builds the blob URL with WHATWG URL rules, which resolve them
 *     (`z/../y` is written to `y`, `dot/./x` to `dot/x`; `%2e` would be resolved too, so no escaping helps).
 *   - `\`: Azure (Azurite too) takes it for `/` (`back\slash` is listed as `back/slash`).
 *   - a segment ending in `.`: real Azure drops the dot (rclone encodes it for that reason); Azurite keeps it.
 *   - control characters (U+0000–U+001F, U+007F–U+009F): refused by Azure's naming rules; Azurite
 *     stores them but then fails every listing of the container (500) for most of them.
 *   - U+FFFE/U+FFFF: not XML characters; Azurite stores them and then fails every listing.
 *   - lone surrogates: not Unicode, the SDK cannot even encode the URL.
 *   - empty, more than 1,024 characters or more than 254 segments: real Azure answers 400.
 */
export function azureBlobNameProblem(key: string): string | undefined {
  if (key === '') return 'the name is empty';
  if (key.length > MAX_BLOB_NAME_LENGTH) return `the name has ${key.length} characters, more than the ${MAX_BLOB_NAME_LENGTH} Azure allows`;
  // A lone surrogate has no UTF-8 form: encoding replaces it.
  if (Buffer.from(key, 'utf8').toString('utf8') !== key) return 'the name is not valid Unicode (it has a lone surrogate)';
  const control = CONTROL.exec(key)?.[0];
  if (control !== undefined) return `the name contains the control character ${codePoint(control)}, which Azure does not accept in blob names`;
  const nonCharacter = NON_CHARACTER.exec(key)?.[0];
  if (nonCharacter !== undefined) return `the name contains ${codePoint(nonCharacter)}, which is not a character and breaks Azure's XML listings`;
  if (key.includes('\\')) return `Azure reads "\\" as "/", so it would be stored as "${key.replaceAll('\\', '/')}"`;
  const segments = key.split('/');
  if (segments.some((s) => s === '.' || s === '..')) {
    return `"." and ".." path segments are resolved away in the blob's URL, so it would be stored as "${resolveDotSegments(segments)}"`;
  }
  if (segments.some((s) => s.endsWith('.'))) return 'a path segment ends with ".", which Azure drops from blob names';
  if (segments.length > MAX_BLOB_NAME_SEGMENTS) return `the name has ${segments.length} path segments, more than the ${MAX_BLOB_NAME_SEGMENTS} Azure allows`;
  return undefined;
}

/** Throws StorageError('Fatal') naming the key and the reason when Azure cannot store `key` exactly. */
export function checkBlobName(key: string, what: string): void {
  const problem = azureBlobNameProblem(key);
  if (problem !== undefined) {
    throw new StorageError('Fatal', `${what}: Azure cannot store the name ${JSON.stringify(key)} exactly: ${problem}; refused rather than renamed`);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const NON_CHARACTER = /[\uFFFE\uFFFF]/;

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The name a URL makes of these segments (RFC 3986 dot-segment removal), for the refusal message. */
function resolveDotSegments(segments: readonly string[]): string {
  const out: string[] = [];
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    if (s === '..') out.pop();
    if (s === '.' || s === '..') {
      if (last) out.push(''); // a trailing dot segment leaves a trailing "/"
      return;
    }
    out.push(s);
  });
  return out.join('/');
}
