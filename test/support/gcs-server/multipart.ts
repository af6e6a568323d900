// A streaming reader for the `multipart/related` body of uploadType=multipart: a JSON part with the
// object resource, then the media part. The media part is yielded chunk by chunk as it arrives, so
// it can go straight to disk; a body that ends before the closing delimiter is an error, never a
// shorter object.
import { errors } from './resource';

/** The JSON part and its preamble must fit in this much memory. */
const MAX_HEAD_BYTES = 1024 * 1024;

export interface MultipartUpload {
  /** The object resource from the first part. */
  resource: Record<string, unknown>;
  /** Content-Type header of the media part. */
  mediaType?: string;
}

export function boundaryOf(contentType: string | undefined): string {
  const match = /^multipart\/related\s*;.*?\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw errors.invalid('Content-Type must be multipart/related with a boundary');
  return boundary;
}

/**
 * Yields the bytes of the media part of `body`. `onHead` receives the resource and the media type
 * before the first byte is yielded.
 */
export async function* mediaPart(body: AsyncIterable<Buffer>, boundary: string, onHead: (head: MultipartUpload) => void): AsyncGenerator<Buffer> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const iterator = body[Symbol.asyncIterator]();
  // The first delimiter has no leading CRLF; prefixing one lets one search find all of them.
  let buffer: Buffer = Buffer.from('\r\n');
  let head = locateHead(buffer, delimiter);
  while (!head) {
    const next = await iterator.next();
    if (next.done) throw errors.invalid('multipart body ended before the media part');
    buffer = Buffer.concat([buffer, next.value]);
    if (buffer.length > MAX_HEAD_BYTES) throw errors.invalid('multipart preamble too large');
    head = locateHead(buffer, delimiter);
  }
  let resource: unknown;
  try {
    const text = buffer.subarray(head.jsonStart, head.jsonEnd).toString('utf8');
    resource = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw errors.invalid('the first multipart part is not JSON');
  }
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) throw errors.invalid('the first multipart part must be a JSON object');
  onHead({ resource: resource as Record<string, unknown>, mediaType: head.mediaHeaders['content-type'] });

  // Media: everything up to the next delimiter, which must be the closing one ("--" after it).
  buffer = buffer.subarray(head.mediaStart);
  for (;;) {
    const at = buffer.indexOf(delimiter);
    if (at >= 0 && buffer.length >= at + delimiter.length + 2) {
      if (buffer.subarray(at + delimiter.length, at + delimiter.length + 2).toString() !== '--') {
        throw errors.invalid('multipart/related uploads take exactly two parts');
      }
      if (at > 0) yield buffer.subarray(0, at);
      return;
    }
    // Keep back what could be the start of a delimiter split across chunks.
    const keep = Math.min(buffer.length, at >= 0 ? buffer.length - at : delimiter.length - 1);
    if (buffer.length > keep) {
      yield buffer.subarray(0, buffer.length - keep);
      buffer = buffer.subarray(buffer.length - keep);
    }
    const next = await iterator.next();
    if (next.done) throw errors.invalid('multipart body ended before its closing delimiter');
    buffer = buffer.length === 0 ? next.value : Buffer.concat([buffer, next.value]);
  }
}

/** Where the JSON part and the media part start, once the buffer holds both part headers. */
function locateHead(buffer: Buffer, delimiter: Buffer): { jsonStart: number; jsonEnd: number; mediaStart: number; mediaHeaders: Record<string, string> } | undefined {
  const first = buffer.indexOf(delimiter);
  if (first < 0) return undefined;
  const jsonHeadersEnd = buffer.indexOf('\r\n\r\n', first + delimiter.length);
  if (jsonHeadersEnd < 0) return undefined;
  const jsonStart = jsonHeadersEnd + 4;
  const jsonEnd = buffer.indexOf(delimiter, jsonStart);
  if (jsonEnd < 0) return undefined;
  const mediaHeadersEnd = buffer.indexOf('\r\n\r\n', jsonEnd + delimiter.length);
  if (mediaHeadersEnd < 0) return undefined;
  const mediaHeaders = parseHeaders(buffer.subarray(jsonEnd + delimiter.length, mediaHeadersEnd).toString('latin1'));
  return { jsonStart, jsonEnd, mediaStart: mediaHeadersEnd + 4, mediaHeaders };
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
