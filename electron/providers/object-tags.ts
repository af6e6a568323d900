// Object tags as S3 and Azure store them. Both take at most 10 tags of a 1-128 character name and a
// 0-256 character value, but their character sets differ: S3 allows any Unicode letter, digit or
// space and `+ - = . _ : / @`; Azure blob index tags only ASCII letters, digits, space and
// `+ - . / : = _`. A tag the target cannot store fails that object's write with a message naming
// it, instead of being mapped: tags are matched by lifecycle rules, IAM conditions and tag queries
// on the exact text, so an encoded tag would look kept while no rule matches it any more.
import { StorageError } from './errors';
import type { ObjectTags } from './provider';

export type TagService = 's3' | 'azure';

/** Tags per object, S3 and Azure alike. */
export const MAX_TAGS = 10;
const MAX_NAME = 128;
const MAX_VALUE = 256;

const RULES: Record<TagService, { chars: RegExp; allowed: string; label: string }> = {
  s3: { chars: /^[\p{L}\p{N}\p{Zs}+\-=._:/@]*$/u, allowed: 'letters, digits, spaces and + - = . _ : / @', label: 'S3' },
  azure: { chars: /^[A-Za-z0-9 +\-./:=_]*$/, allowed: 'ASCII letters, digits, space and + - . / : = _', label: 'Azure blob index tags' },
};

/** Why `service` cannot store this tag as it is, or undefined. Lengths count Unicode characters. */
export function tagProblem(service: TagService, name: string, value: string): string | undefined {
  const rule = RULES[service];
  const nameLength = [...name].length;
  if (nameLength === 0 || nameLength > MAX_NAME) return `a tag name must be 1 to ${MAX_NAME} characters (this one has ${nameLength})`;
  if ([...value].length > MAX_VALUE) return `a tag value must be at most ${MAX_VALUE} characters`;
  if (!rule.chars.test(name)) return `a tag name may hold only ${rule.allowed}`;
  if (!rule.chars.test(value)) return `a tag value may hold only ${rule.allowed}`;
  return undefined;
}

/**
 * `tags` when `service` can store every one of them as it is; otherwise throws Fatal (a retry would
 * not help) naming the first tag it cannot store, so that object fails and nothing is written.
 */
export function checkTags(service: TagService, tags: ObjectTags | undefined, what: string): ObjectTags | undefined {
  if (tags === undefined) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw new StorageError('Fatal', `${what}: the source has ${entries.length} tags, more than the ${MAX_TAGS} ${RULES[service].label} allows; nothing was written`);
  }
  for (const [name, value] of entries) {
    const problem = tagProblem(service, name, value);
    if (problem) throw new StorageError('Fatal', `${what}: ${RULES[service].label} cannot store tag ${JSON.stringify(name)} = ${JSON.stringify(value)}: ${problem}; tags are never altered, so nothing was written`);
  }
  return entries.length > 0 ? tags : undefined;
}

/** The `x-amz-tagging` header value (a URL query string) of `tags`, or undefined for none. */
export function s3TaggingHeader(tags: ObjectTags | undefined): string | undefined {
  if (!tags) return undefined;
  const pairs = Object.entries(tags).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return pairs.length > 0 ? pairs.join('&') : undefined;
}

/** Tags from an S3 TagSet (GetObjectTagging's answer). */
export function tagsFromTagSet(set: readonly { Key?: string; Value?: string }[] | undefined): ObjectTags {
  const tags: ObjectTags = {};
  for (const tag of set ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  return tags;
}

/**
 * Tags from a GetObjectTagging answer body, for clients that do not parse it faithfully (the minio
 * client's XML parser turns "007" into 7 and trims values).
 */
export function parseTaggingXml(xml: string): ObjectTags {
  const text = (source: string, name: string): string | undefined => {
    const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>|<${name}\\s*/>`).exec(source);
    return match === null ? undefined : unescapeXml(match[1] ?? '');
  };
  const tags: ObjectTags = {};
  for (const [, body] of xml.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)) {
    const name = text(body!, 'Key');
    if (name !== undefined) tags[name] = text(body!, 'Value') ?? '';
  }
  return tags;
}

function unescapeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, entity: string) => {
    if (entity[0] !== '#') return named[entity.toLowerCase()] ?? _m;
    return String.fromCodePoint(entity[1]?.toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
  });
}
