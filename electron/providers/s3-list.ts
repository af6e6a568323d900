// One ListObjectsV2 page, sent as one signed request (s3-direct.ts) and read without the SDK's XML
// handling.
//
// Why: a no-change re-sync lists every object and does little else per object, so the SDK's handling
// of each page (its per-request middleware stack, an XML parse into a generic tree, then the schema
// deserialiser over that tree) is a large part of its client CPU. A listing needs four fields per
// object, so the answer is parsed once and only ListBucketResult's Contents/{Key,Size,ETag,LastModified},
// CommonPrefixes/Prefix, EncodingType, IsTruncated and NextContinuationToken are kept.
//
// The request is the SDK's: the same path and query (list-type=2 first, as its serializer has it),
// signed by the SDK's signer for the endpoint its rules resolve (s3-direct.ts), and its error answers
// become the SDK-shaped errors mapS3Error reads. The answer is refused when it is not a whole
// ListBucketResult (see parseListBucketResult): a short page could make a mirror sync delete what it
// did not see.
import { XMLParser } from 'fast-xml-parser';
import { StorageError } from './errors';
import type { DirectAnswer, S3DirectCalls } from './s3-direct';
import { countTags, hasText, onlyChildren, xmlEntityDecoder, type RawNode } from './xml-answer';

/** The ListObjectsV2 input s3.ts sends. */
export interface ListObjectsInput {
  Bucket: string;
  Prefix?: string;
  Delimiter?: string;
  ContinuationToken?: string;
  MaxKeys: number;
  EncodingType: 'url';
}

/** The fields of the SDK's ListObjectsV2 output that s3.ts reads, typed as the SDK gives them. */
export interface ListObjectsPage {
  Contents?: Array<{ Key: string; Size: number; ETag: string; LastModified: Date }>;
  CommonPrefixes?: Array<{ Prefix?: string }>;
  EncodingType?: string;
  IsTruncated: boolean;
  NextContinuationToken?: string;
}

type Endpoint = NonNullable<Awaited<ReturnType<S3DirectCalls['endpointFor']>>>;

/** The query the SDK's ListObjectsV2 serializer sends for `input` (none of the fields it omits when undefined). */
export function listObjectsQuery(input: ListObjectsInput): Record<string, string> {
  const query: Record<string, string> = { 'list-type': '2' };
  if (input.Delimiter !== undefined) query.delimiter = input.Delimiter;
  query['encoding-type'] = input.EncodingType;
  query['max-keys'] = String(input.MaxKeys);
  if (input.Prefix !== undefined) query.prefix = input.Prefix;
  if (input.ContinuationToken !== undefined) query['continuation-token'] = input.ContinuationToken;
  return query;
}

/** One ListObjectsV2 page through `direct`; errors are SDK-shaped or (an unreadable answer) a Transient StorageError. */
export async function listObjectsPage(direct: S3DirectCalls, endpoint: Endpoint, input: ListObjectsInput, signal?: AbortSignal): Promise<ListObjectsPage> {
  // The bucket's root: the path the SDK sends ("/bucket/" path style, "/" virtual-host style).
  const answer = await direct.send({ method: 'GET', bucket: input.Bucket, key: '', query: listObjectsQuery(input), signal }, endpoint);
  return parseListBucketResult(await bodyText(answer, input.Bucket, signal), input.Bucket);
}

/** The whole body; a connection that breaks midway is an unreadable answer (Transient), an abort stays an abort. */
async function bodyText(answer: DirectAnswer, bucket: string, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (err) {
    signal?.throwIfAborted();
    if ((err as Error | null)?.name === 'AbortError') throw err;
    throw unreadableOf(bucket, `the connection broke while it was read: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---- the answer ----

const parser = new XMLParser({
  ignoreAttributes: true,
  textNodeName: '#',
  // Values stay strings as sent: a key "00123" or "true" is a key; no trimming (" a " is a key too).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  entityDecoder: xmlEntityDecoder,
  isArray: (_name, jpath) => jpath === 'ListBucketResult.Contents' || jpath === 'ListBucketResult.CommonPrefixes',
});

/**
 * The elements a ListObjectsV2 answer's ListBucketResult holds (S3's documentation); anything else
 * there, or text that is not whitespace, is a damaged tag. Within Contents only text is refused: its
 * four fields are required, and a damaged optional one (StorageClass, Owner…) is not read anyway.
 */
const RESULT_CHILDREN = new Set(['Name', 'Prefix', 'Delimiter', 'MaxKeys', 'EncodingType', 'KeyCount', 'IsTruncated', 'ContinuationToken', 'NextContinuationToken', 'StartAfter', 'Contents', 'CommonPrefixes']);
const PREFIX_CHILDREN = new Set(['Prefix']);

/**
 * A ListObjectsV2 answer's objects, prefixes and continuation, refused (Transient) unless it is a
 * whole ListBucketResult: it must end with the root's closing tag, hold only the elements it can
 * hold, have as many <Contents> and </Contents> tags as objects read (CommonPrefixes likewise), each
 * object with its Key, Size (a whole number), ETag and LastModified, an IsTruncated of exactly "true"
 * or "false", and its NextContinuationToken tags where the token was read. KeyCount is not checked:
 * s3rver counts objects only where S3 and moto count objects and prefixes.
 */
export function parseListBucketResult(xml: string, bucket: string): ListObjectsPage {
  const unreadable = (why: string) => unreadableOf(bucket, why);
  if (!xml.trimEnd().endsWith('</ListBucketResult>')) throw unreadable('it does not end with </ListBucketResult>');
  let doc: RawNode;
  try {
    doc = parser.parse(xml) as RawNode;
  } catch (err) {
    throw unreadable((err as Error).message);
  }
  const result = onlyChildren(doc.ListBucketResult, RESULT_CHILDREN, 'ListBucketResult', unreadable);
  const contents = (result.Contents as unknown[] | undefined) ?? [];
  const prefixes = (result.CommonPrefixes as unknown[] | undefined) ?? [];
  if (countTags(xml, '<Contents>') !== contents.length || countTags(xml, '</Contents>') !== contents.length) throw unreadable('its <Contents> tags do not match the objects read');
  if (countTags(xml, '<CommonPrefixes>') !== prefixes.length || countTags(xml, '</CommonPrefixes>') !== prefixes.length) throw unreadable('its <CommonPrefixes> tags do not match the prefixes read');
  const truncated = text(result.IsTruncated, 'IsTruncated', unreadable);
  if (truncated !== 'true' && truncated !== 'false') throw unreadable('its IsTruncated is neither "true" nor "false"');
  // The token decides whether and where the listing goes on: read only from an intact element.
  const token = text(result.NextContinuationToken, 'NextContinuationToken', unreadable) || undefined;
  const tokenTags = countTags(xml, '<NextContinuationToken');
  if (tokenTags > 1 || (tokenTags === 1) !== ('NextContinuationToken' in result) || (token !== undefined && countTags(xml, '</NextContinuationToken>') !== 1)) {
    throw unreadable('its NextContinuationToken does not match the one read');
  }
  const encoding = text(result.EncodingType, 'EncodingType', unreadable);
  return {
    Contents: contents.map((node) => {
      if (typeof node !== 'object' || node === null || hasText(node)) throw unreadable('a damaged Contents');
      const o = node as RawNode;
      const [key, size, etag, modified] = (['Key', 'Size', 'ETag', 'LastModified'] as const).map((name) => text(o[name], name, unreadable));
      if (key === undefined || size === undefined || etag === undefined || modified === undefined) throw unreadable('a Contents without its Key, Size, ETag or LastModified');
      if (!/^\d{1,16}$/.test(size)) throw unreadable(`Size "${size.slice(0, 40)}" is not a whole number`);
      const lastModified = new Date(modified);
      if (Number.isNaN(lastModified.getTime())) throw unreadable(`LastModified "${modified.slice(0, 40)}" is not a date`);
      return { Key: key, Size: Number(size), ETag: etag, LastModified: lastModified };
    }),
    CommonPrefixes: prefixes.map((node) => {
      const prefix = text(onlyChildren(node, PREFIX_CHILDREN, 'CommonPrefixes', unreadable).Prefix, 'Prefix', unreadable);
      return prefix === undefined ? {} : { Prefix: prefix };
    }),
    ...(encoding === undefined ? {} : { EncodingType: encoding }),
    IsTruncated: truncated === 'true',
    ...(token === undefined ? {} : { NextContinuationToken: token }),
  };
}

/** An element's text ("" when empty), undefined when missing; an element where text belongs is damage. */
function text(value: unknown, name: string, unreadable: (why: string) => Error): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw unreadable(`its ${name} is not text`);
}

/** Retryable: a page cut off or damaged on the way reads whole when asked again. */
function unreadableOf(bucket: string, why: string): StorageError {
  return new StorageError('Transient', `list bucket "${bucket}": the service's answer could not be read (${why}): it was probably cut off or damaged on the way`);
}
