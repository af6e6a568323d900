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
/** XML's five named entities; a List Blobs answer declares no others. */
const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * fast-xml-parser's decoder leaves numeric character references (&#x1F600;) undecoded unless its
 * deprecated HTML mode is on (which also decodes HTML's named entities): this one decodes XML's
 * references, named and numeric, in one pass. Entities a DOCTYPE declares are ignored (none expected).
 */
const xmlEntityDecoder = {
  decode: (text: string): string =>
    text.indexOf('&') === -1
      ? text
      : text.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g, (ref, hex?: string, dec?: string, name?: string) => {
          if (name !== undefined) return XML_ENTITIES[name]!;
          const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
          return code >= 1 && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
        }),
  reset: (): void => undefined,
  setExternalEntities: (): void => undefined,
  addInputEntities: (): void => undefined,
  setXmlVersion: (): void => undefined,
};

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

interface RawList {
  EnumerationResults?: { Blobs?: { Blob?: RawBlob[] } | string; NextMarker?: Text };
}

/**
 * A List Blobs answer's blobs and next marker. An answer that is not a whole List Blobs document
 * fails with PARSE_ERROR, as the SDK's does: the parser does not validate and reads a cut-off
 * document as far as it goes, so a page that does not end with its root's closing tag is refused
 * (taken, it would end the listing early, and a sync would then delete what it did not see).
 */
export function parseBlobList(xml: string): BlobListPage {
  if (!xml.trimEnd().endsWith('</EnumerationResults>')) throw unreadable('it does not end with </EnumerationResults>');
  let doc: RawList;
  try {
    doc = parser.parse(xml) as RawList;
  } catch (err) {
    throw unreadable((err as Error).message);
  }
  const results = doc.EnumerationResults;
  if (typeof results !== 'object' || results === null) throw unreadable('no EnumerationResults element');
  const blobs = typeof results.Blobs === 'object' ? (results.Blobs.Blob ?? []) : [];
  return {
    blobs: blobs.map(toListedBlob),
    marker: text(results.NextMarker) || undefined,
  };
}

function toListedBlob(blob: RawBlob): ListedBlob {
  const name = blob.Name;
  const raw = text(name);
  if (raw === undefined) throw unreadable('a Blob without a Name');
  // Azure percent-encodes a name holding characters XML cannot carry (BlobNameToString in the SDK).
  const encoded = typeof name === 'object' && name['@Encoded'] === 'true';
  const p = blob.Properties ?? {};
  return {
    name: encoded ? decodeURIComponent(raw) : raw,
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
