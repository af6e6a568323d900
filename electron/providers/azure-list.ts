// One List Blobs page, sent through the SDK's own pipeline but read without the SDK's XML handling.
//
// Why: a no-change re-sync of 5,000 small objects to Azure spent ≈0.67 s of client CPU (a third of
// the run) in the SDK reading its List Blobs answers: fast-xml-parser's XMLValidator over the whole
// document before the parse (≈140 ms), the parse into a generic tree (≈200 ms), @azure/core-client's
// mapper-driven deserializer over that tree (≈150 ms), and the garbage collection of all of it. A
// listing needs a handful of fields per blob, so the answer is streamed past the deserialization
// policy and parsed once, keeping only EnumerationResults/Blobs/Blob/{Name,Properties} and NextMarker.
//
// The request is the SDK's in all else: its pipeline signs it (shared key, or the SAS on the URL),
// sets the user agent and request id, and sends it through our keep-alive agents (azure.ts); the
// query and headers are those the SDK's listBlobFlatSegment sends without `include`. An error answer
// becomes the RestError the SDK would have thrown (see listingError), so mapAzureError treats both alike.
import { createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { ContainerClient } from '@azure/storage-blob';
import { XMLParser } from 'fast-xml-parser';
import { countTags, hasText, onlyChildren, xmlEntityDecoder, type RawNode } from './xml-answer';

/** The properties of a listed blob that azure.ts reads, typed and decoded as the SDK's deserializer gives them. */
export interface ListedBlobProperties {
  contentLength?: number;
  etag?: string;
  contentMD5?: Uint8Array;
  lastModified?: Date;
  contentType?: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentDisposition?: string;
}

export interface ListedBlob {
  name: string;
  properties: ListedBlobProperties;
}

export interface BlobListPage {
  blobs: ListedBlob[];
  /** Azure's NextMarker; undefined on the last page. */
  marker: string | undefined;
}

export interface BlobListRequest {
  prefix?: string;
  marker?: string;
  maxResults: number;
  signal?: AbortSignal;
}

/**
 * The container client's protocol-layer client (protected in the SDK's types): a @azure/core-client
 * ServiceClient whose sendRequest runs the pipeline without an operation spec, so without the
 * deserializer; `version` is the x-ms-version its operations send.
 */
interface StorageContext {
  readonly url: string;
  readonly version: string;
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/** List Blobs (flat) of one page: the blobs in Azure's order and the marker of the next page. */
export async function listBlobPage(container: ContainerClient, options: BlobListRequest): Promise<BlobListPage> {
  const context = (container as unknown as { storageClientContext: StorageContext }).storageClientContext;
  const query = [`comp=list`];
  if (options.prefix) query.push(`prefix=${encodeURIComponent(options.prefix)}`);
  if (options.marker) query.push(`marker=${encodeURIComponent(options.marker)}`);
  query.push(`maxresults=${options.maxResults}`, 'restype=container');
  // The container URL may carry a SAS query: ours goes after it, left as it is.
  const url = `${context.url}${context.url.includes('?') ? '&' : '?'}${query.join('&')}`;
  const request = createPipelineRequest({
    url,
    method: 'GET',
    abortSignal: options.signal,
    // As on every SDK request (getCoreClientOptions): the endpoint's scheme is the user's choice.
    allowInsecureConnection: true,
    // A 200's body comes as a stream, which the deserialization policy leaves alone; error
    // answers are read and parsed by it as for any SDK call.
    streamResponseStatusCodes: new Set([200]),
  });
  request.headers.set('x-ms-version', context.version);
  request.headers.set('Accept', 'application/xml');
  const response = await context.sendRequest(request);
  if (response.status !== 200) throw listingError(response);
  return parseBlobList(await bodyText(response));
}

/**
 * The error the SDK's operation throws for a failed answer (core-client's handleErrorResponse):
 * the Error document's Message (else the body) as message, its Code and the x-ms-error-code header
 * (which azureErrorCode prefers, as the SDK's error.details.errorCode), and the status.
 */
function listingError(response: PipelineResponse): RestError {
  // parsedBody: the Error document as the deserialization policy parsed it (core-client's FullOperationResponse).
  const body = (response as { parsedBody?: { Code?: unknown; Message?: unknown } }).parsedBody;
  const message = typeof body?.Message === 'string' ? body.Message : (response.bodyAsText ?? '');
  const error = new RestError(message, { statusCode: response.status, request: response.request, response });
  const code = response.headers.get('x-ms-error-code') ?? (typeof body?.Code === 'string' ? body.Code : undefined);
  if (code !== undefined) error.code = code;
  return error;
}

/** The streamed body as text; a connection that breaks midway fails as the SDK's own reading does (PARSE_ERROR). */
async function bodyText(response: PipelineResponse): Promise<string> {
  const stream = response.readableStreamBody;
  if (!stream) return response.bodyAsText ?? '';
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (err) {
    if ((err as Error | null)?.name === 'AbortError') throw err;
    throw new RestError(`Error reading response as text: ${(err as Error).message}`, { code: RestError.PARSE_ERROR, statusCode: response.status, request: response.request });
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---- the answer ----

const BLOB_PATH = 'EnumerationResults.Blobs.Blob';
const parser = new XMLParser({
  ignoreAttributes: (name) => name !== 'Encoded',
  attributeNamePrefix: '@',
  textNodeName: '#',
  // Values stay strings as sent: a name "00123" or "true" is a name; no trimming (" a " is a name too).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  entityDecoder: xmlEntityDecoder,
  isArray: (_name, jpath) => jpath === BLOB_PATH,
});

type Text = string | { '#'?: string; '@Encoded'?: string } | undefined;

interface RawBlob {
  Name?: Text;
  Properties?: Record<string, Text>;
}

/**
 * The elements EnumerationResults and Blobs hold in an answer to our request (no `include`, no
 * delimiter). Anything else there, or text that is not whitespace, is a damaged tag (see parseBlobList).
 */
const RESULTS_CHILDREN = new Set(['Prefix', 'Marker', 'MaxResults', 'Delimiter', 'Blobs', 'NextMarker']);
const BLOBS_CHILDREN = new Set(['Blob']);

/**
 * A List Blobs answer's blobs and next marker. An answer that is not a whole List Blobs document
 * fails with PARSE_ERROR, as the SDK's does (after its XML validation). The parser does not validate:
 * it reads a cut-off document as far as it goes, and a damaged tag ("<NextMarkex>", "=Blob>",
 * "</Blpb>") as some other element, text, or nothing. Taken, such a page could end the listing early
 * or drop blobs, and a sync would then delete or copy what it did not see; so the answer must end
 * with its root's closing tag, hold only the elements it can hold, have its NextMarker tags where the
 * marker was read, and have as many <Blob> and
 * </Blob> tags as blobs read, each with a Name and the Etag, Last-Modified and Content-Length every
 * blob has. A damaged tag of an optional property (Content-Type…) is not caught: that field reads as
 * absent.
 */
export function parseBlobList(xml: string): BlobListPage {
  if (!xml.trimEnd().endsWith('</EnumerationResults>')) throw unreadable('it does not end with </EnumerationResults>');
  let doc: RawNode;
  try {
    doc = parser.parse(xml) as RawNode;
  } catch (err) {
    throw unreadable((err as Error).message);
  }
  const results = onlyChildren(doc.EnumerationResults, RESULTS_CHILDREN, 'EnumerationResults', unreadable);
  // <Blobs /> (no blob) parses as text.
  const blobs = onlyChildren(results.Blobs, BLOBS_CHILDREN, 'Blobs', unreadable).Blob as RawBlob[] | undefined ?? [];
  if (countTags(xml, '<Blob>') !== blobs.length || countTags(xml, '</Blob>') !== blobs.length) throw unreadable('its <Blob> tags do not match the blobs read');
  // The marker decides whether and where the listing goes on: read only from an intact element.
  const marker = text(results.NextMarker as Text) || undefined;
  const markerTags = countTags(xml, '<NextMarker');
  if (markerTags > 1 || (markerTags === 1) !== ('NextMarker' in results) || (marker !== undefined && countTags(xml, '</NextMarker>') !== 1)) {
    throw unreadable('its NextMarker does not match the one read');
  }
  return { blobs: blobs.map(toListedBlob), marker };
}

function toListedBlob(blob: RawBlob): ListedBlob {
  const name = blob.Name;
  const raw = text(name);
  const p = blob.Properties;
  if (raw === undefined || typeof p !== 'object' || p === null || p.Etag === undefined || p['Last-Modified'] === undefined || p['Content-Length'] === undefined) {
    throw unreadable('a Blob without its Name, Etag, Last-Modified or Content-Length');
  }
  if (hasText(blob) || hasText(p)) throw unreadable('unexpected text in a Blob');
  return {
    name: typeof name === 'object' && name['@Encoded'] === 'true' ? percentDecoded(raw) : raw,
    properties: {
      contentLength: length(text(p['Content-Length'])),
      etag: text(p.Etag),
      contentMD5: base64(text(p['Content-MD5'])),
      lastModified: date(text(p['Last-Modified'])),
      contentType: text(p['Content-Type']),
      cacheControl: text(p['Cache-Control']),
      contentEncoding: text(p['Content-Encoding']),
      contentDisposition: text(p['Content-Disposition']),
    },
  };
}

/** Azure percent-encodes a name holding characters XML cannot carry; decoded as the SDK does (BlobNameToString). */
function percentDecoded(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    throw unreadable('an Encoded name that is not percent-encoded UTF-8');
  }
}

/** An element's text: "" for an empty element (as the SDK gives), undefined for a missing one. */
function text(value: Text): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return value['#'] ?? '';
}

function length(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw unreadable(`Content-Length "${value.slice(0, 40)}" is not a whole number`);
  return Number(value);
}

/** As the SDK's ByteArray mapper: base64 into bytes (an empty element gives no bytes). */
function base64(value: string | undefined): Uint8Array | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

/** As the SDK's DateTimeRfc1123 mapper. */
function date(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/**
 * A PARSE_ERROR RestError worded as the SDK's, which mapAzureError reports as an unreadable answer
 * (Transient). Unlike the SDK's it does not quote the body.
 */
function unreadable(why: string): RestError {
  return new RestError(`Error "${why}" occurred while parsing the response body.`, { code: RestError.PARSE_ERROR, statusCode: 200 });
}
