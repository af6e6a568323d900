// Reading a service's XML answer once with fast-xml-parser and still refusing a page that is cut off
// or damaged, for the lean Azure listing (azure-list.ts). The parser does not validate: it reads a
// cut document as far as it goes and a damaged tag as some other element, text or nothing, so the
// answer's shape is checked with these before a page is trusted.

/** XML's five named entities; a listing answer declares no others. */
const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * fast-xml-parser's decoder leaves numeric character references (&#x1F600;) undecoded unless its
 * deprecated HTML mode is on (which also decodes HTML's named entities): this one decodes XML's
 * references, named and numeric, in one pass. A "&" that starts none is not XML (a damaged
 * reference: read as is, "a&amp;b" would become another name) and fails the parse; so do
 * entities a DOCTYPE declares (an answer has none).
 */
export const xmlEntityDecoder = {
  decode: (text: string): string =>
    text.indexOf('&') === -1
      ? text
      : text.replace(/&(?:#x([0-9a-fA-F]{1,6});|#([0-9]{1,7});|(amp|lt|gt|quot|apos);)?/g, (ref, hex?: string, dec?: string, name?: string) => {
          if (name !== undefined) return XML_ENTITIES[name]!;
          const code = hex !== undefined ? parseInt(hex, 16) : dec !== undefined ? Number(dec) : -1;
          if (code >= 1 && code <= 0x10ffff) return String.fromCodePoint(code);
          throw new Error(`"${ref}" is not an XML character reference`);
        }),
  reset: (): void => undefined,
  setExternalEntities: (): void => undefined,
  addInputEntities: (): void => undefined,
  setXmlVersion: (): void => undefined,
};

export type RawNode = Record<string, unknown>;

/**
 * A parsed element (text under "#") that holds only `children` (and whitespace); empty ("" or
 * whitespace) as {}. Anything else there is a damaged tag: `unreadable` makes the parser's error.
 */
export function onlyChildren(node: unknown, children: ReadonlySet<string>, name: string, unreadable: (why: string) => Error): RawNode {
  if (typeof node === 'string' && !/\S/.test(node)) return {};
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw unreadable(`no ${name} element`);
  for (const [key, value] of Object.entries(node as RawNode)) {
    const whitespace = key === '#' && typeof value === 'string' && !/\S/.test(value);
    if (!whitespace && !children.has(key)) throw unreadable(`unexpected ${key === '#' ? 'text' : `<${key}>`} in ${name}`);
  }
  return node as RawNode;
}

/** Whether an element that holds elements also holds text other than whitespace (a damaged "<"). */
export function hasText(node: object): boolean {
  const value = (node as { '#'?: unknown })['#'];
  return value !== undefined && (typeof value !== 'string' || /\S/.test(value));
}

/** How many times `tag` occurs in the raw answer (element text cannot hold "<", so only tags do). */
export function countTags(text: string, tag: string): number {
  let n = 0;
  for (let at = text.indexOf(tag); at !== -1; at = text.indexOf(tag, at + tag.length)) n++;
  return n;
}
