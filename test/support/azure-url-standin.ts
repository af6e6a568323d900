// A stand-in for Azure's two "from URL" calls, in front of an Azurite instance (issue 15). Azurite
// 3.35 answers both with 501 APINotImplemented ("Current API is not implemented yet"), whatever the
// URL, and could not reach an outside URL anyway; this server lets tests and the bench run the
// copy-from-URL path on loopback.
//
// Every request passes through to Azurite unchanged (a raw proxy, so SharedKey signatures stay
// valid), except
// - Put Blob From URL (PUT with x-ms-copy-source, no comp) and
// - Put Block From URL (PUT ?comp=block with x-ms-copy-source),
// which this server does itself: it GETs the source URL (x-ms-source-range → Range), checks
// x-ms-source-content-md5 when given (400 Md5Mismatch, nothing written, as Azure), writes the bytes
// to Azurite with @azure/storage-blob and the development account's key, and answers as Azure
// documents: 201 with ETag, Last-Modified, Content-MD5 (computed here from the bytes fetched),
// x-ms-request-id, x-ms-version, x-ms-request-server-encrypted.
//
// Known differences from real Azure:
// - These two calls are not authorised: their SharedKey signature is not checked (Azurite checks
//   every other request), and x-ms-copy-source-authorization is ignored.
// - A source that cannot be read answers CannotVerifyCopySource with the source's HTTP status (and
//   x-ms-copy-source-status-code / -error-code); a source that cannot be reached at all answers 400.
//   Azure's exact status for each case is not documented; the provider keys on the code only.
// - Destination conditions (If-Match…), x-ms-source-if-*, lease ids, encryption scopes, customer
//   keys, legal hold and immutability headers are not implemented: such requests are refused (400).
// - x-ms-copy-source-blob-properties (default true): with no x-ms-blob-content-type the source's
//   Content-Type is taken; other source properties (Content-Encoding…) are not.
// - No x-ms-content-crc64 in answers; the whole source is held in memory (test sizes only).
// - A fetched range is not checked against the declared block size beyond Azure's own rule that
//   the source gave that many bytes.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient, StorageSharedKeyCredential, type BlobHTTPHeaders } from '@azure/storage-blob';
import type { AzuriteServer } from './azurite';

export interface AzureUrlStandin {
  /** http://127.0.0.1:PORT/devstoreaccount1: use it instead of the Azurite instance's. */
  endpointUrl: string;
  accountName: string;
  accountKey: string;
  /** What the stand-in fetched from source URLs, in bytes and requests. */
  readonly fetched: { bytes: number; requests: number };
  /** Put Blob From URL and Put Block From URL calls served (whatever their outcome). */
  readonly calls: { putBlob: number; putBlock: number };
  /** Test switch: answer every from-URL call CannotVerifyCopySource without fetching (a source Azure cannot reach). */
  refuseSources: boolean;
  /** Test switch: flip one byte of each of the next N fetches (corruption on the way). */
  corruptFetches: number;
  stop(): Promise<void>;
}

const FETCH_TIMEOUT_MS = 60_000;
const SERVICE_VERSION = '2025-05-05';

export async function startAzureUrlStandin(azurite: AzuriteServer): Promise<AzureUrlStandin> {
  const service = new BlobServiceClient(azurite.endpointUrl, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
  const state = {
    fetched: { bytes: 0, requests: 0 },
    calls: { putBlob: 0, putBlock: 0 },
    refuseSources: false,
    corruptFetches: 0,
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const comp = url.searchParams.get('comp');
    if (req.method === 'PUT' && typeof req.headers['x-ms-copy-source'] === 'string' && (comp === null || comp === 'block')) {
      req.resume();
      req.once('end', () => void fromUrl(req, res, url, comp === 'block').catch((err: unknown) => answerError(res, 500, 'InternalError', String(err))));
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: azurite.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.once('error', () => res.destroy());
    req.pipe(upstream);
  });

  async function fromUrl(req: http.IncomingMessage, res: http.ServerResponse, url: URL, block: boolean): Promise<void> {
    if (block) state.calls.putBlock++;
    else state.calls.putBlob++;
    const h = req.headers;
    const unsupported = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'x-ms-lease-id', 'x-ms-encryption-scope', 'x-ms-encryption-key', 'x-ms-immutability-policy-mode', 'x-ms-legal-hold']
      .concat(Object.keys(h).filter((name) => name.startsWith('x-ms-source-if-')))
      .filter((name) => h[name] !== undefined);
    if (unsupported.length > 0) return answerError(res, 400, 'UnsupportedHeader', `the Azure URL stand-in does not implement ${unsupported.join(', ')}`);
    const [, , container, ...rest] = url.pathname.split('/');
    const blobName = rest.map(decodeURIComponent).join('/');
    if (!container || !blobName) return answerError(res, 400, 'InvalidUri', 'no container or blob name');
    const source = String(h['x-ms-copy-source']);
    if (state.refuseSources) return answerError(res, 403, 'CannotVerifyCopySource', 'This request is not authorized to perform this operation.', { 'x-ms-copy-source-status-code': '403' });

    // Fetch the source, as Azure would, from here.
    const range = typeof h['x-ms-source-range'] === 'string' ? h['x-ms-source-range'] : undefined;
    let answer: Response;
    try {
      answer = await fetch(source, { headers: range ? { range } : {}, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (err) {
      return answerError(res, 400, 'CannotVerifyCopySource', `Could not reach the copy source (${(err as Error).message}).`);
    }
    state.fetched.requests++;
    let bytes = Buffer.from(await answer.arrayBuffer());
    state.fetched.bytes += bytes.length;
    if (answer.status >= 400) {
      const code = /<Code>([^<]*)<\/Code>/.exec(bytes.toString('utf8'))?.[1];
      return answerError(res, answer.status, 'CannotVerifyCopySource', `The copy source answered ${answer.status}.`, {
        'x-ms-copy-source-status-code': String(answer.status),
        ...(code ? { 'x-ms-copy-source-error-code': code } : {}),
      });
    }
    if (range && answer.status !== 206) {
      // A source that ignored Range: take the range ourselves.
      const [start, end] = /^bytes=(\d+)-(\d+)$/.exec(range)!.slice(1).map(Number) as [number, number];
      bytes = bytes.subarray(start, end + 1);
    }
    if (state.corruptFetches > 0 && bytes.length > 0) {
      state.corruptFetches--;
      bytes = Buffer.from(bytes);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    }
    const md5 = createHash('md5').update(bytes).digest();
    const expected = h['x-ms-source-content-md5'];
    if (typeof expected === 'string' && Buffer.from(expected, 'base64').compare(md5) !== 0) {
      return answerError(res, 400, 'Md5Mismatch', 'The MD5 value specified in the request did not match with the MD5 value calculated by the server.');
    }

    const client = service.getContainerClient(container).getBlockBlobClient(blobName);
    const common = { 'x-ms-request-id': randomUUID(), 'x-ms-version': String(h['x-ms-version'] ?? SERVICE_VERSION), 'x-ms-request-server-encrypted': 'true', 'Content-MD5': md5.toString('base64') };
    try {
      if (block) {
        const id = new URL(req.url ?? '/', 'http://standin').searchParams.get('blockid') ?? '';
        await client.stageBlock(id, bytes, bytes.length);
        res.writeHead(201, { ...common, 'Content-Length': '0', Date: new Date().toUTCString() }).end();
        return;
      }
      const headers: BlobHTTPHeaders = {
        blobContentType: header(h, 'x-ms-blob-content-type') ?? (h['x-ms-copy-source-blob-properties'] === 'false' ? undefined : answer.headers.get('content-type') ?? undefined),
        blobCacheControl: header(h, 'x-ms-blob-cache-control'),
        blobContentEncoding: header(h, 'x-ms-blob-content-encoding'),
        blobContentLanguage: header(h, 'x-ms-blob-content-language'),
        blobContentDisposition: header(h, 'x-ms-blob-content-disposition'),
        blobContentMD5: header(h, 'x-ms-blob-content-md5') === undefined ? undefined : Buffer.from(header(h, 'x-ms-blob-content-md5')!, 'base64'),
      };
      const metadata = Object.fromEntries(Object.entries(h).filter(([name]) => name.startsWith('x-ms-meta-')).map(([name, value]) => [name.slice('x-ms-meta-'.length), String(value)]));
      const tagText = header(h, 'x-ms-tags');
      const tags = tagText === undefined ? undefined : Object.fromEntries(tagText.split('&').map((pair) => pair.split('=').map(decodeURIComponent) as [string, string]));
      const out = await client.upload(bytes, bytes.length, { blobHTTPHeaders: headers, metadata, tags, tier: header(h, 'x-ms-access-tier') });
      res.writeHead(201, { ...common, 'Content-Length': '0', ETag: out.etag ?? '', 'Last-Modified': out.lastModified?.toUTCString() ?? '', Date: new Date().toUTCString() }).end();
    } catch (err) {
      const e = err as { statusCode?: number; code?: string; message?: string };
      answerError(res, e.statusCode ?? 500, e.code ?? 'InternalError', (e.message ?? String(err)).split('\n')[0]!);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpointUrl: `http://127.0.0.1:${port}/${azurite.accountName}`,
    accountName: azurite.accountName,
    accountKey: azurite.accountKey,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = h[name];
  return typeof value === 'string' ? value : undefined;
}

/** An Azure error answer: x-ms-error-code and the XML body the SDK reads. */
function answerError(res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-error-code': code, 'x-ms-request-id': randomUUID(), 'Content-Length': Buffer.byteLength(body), ...extra }).end(body);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
