// The lean List Blobs page (electron/providers/azure-list.ts) against the SDK's own listing: the same
// request on the wire, the same blobs field for field, the same markers, the same mapped errors.
//
// Differences from Azure not covered here: Azurite never sends Encoded="true" names (Azure does for
// names with characters XML cannot carry), so those are pinned on a fixture of Azure's documented
// form. Azurite, like Azure, refuses List Blobs to a SAS without the list permission.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountSASPermissions,
  BlobServiceClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  type BlobItem,
  type ContainerClient,
} from '@azure/storage-blob';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureAgents, createAzureProvider, createAzureServiceClient, mapAzureError } from '../../electron/providers/azure';
import { listBlobPage, parseBlobList, type ListedBlob, type ListedBlobProperties } from '../../electron/providers/azure-list';
import { isAbortError, isStorageError, StorageError } from '../../electron/providers/errors';
import type { AzureSettings } from '../../shared/model';
import { azureSettingsFor, startAzurite, type AzuriteServer } from '../support/azurite';
import { SERVICE_ERRORS, startFaultProxy, type Fault } from '../support/fault-proxy';
import { listByPages, rejection } from './helpers';

let server: AzuriteServer;
beforeAll(async () => {
  server = await startAzurite();
});
afterAll(async () => {
  await server?.stop();
});

function credential(): StorageSharedKeyCredential {
  return new StorageSharedKeyCredential(server.accountName, server.accountKey);
}

/** A container client on the provider's own pipeline (keep-alive agents and all). */
function containerOf(settings: AzureSettings, bucket: string): ContainerClient {
  return createAzureServiceClient(settings, new AzureAgents()).getContainerClient(bucket);
}

const FIELDS = ['contentLength', 'etag', 'contentMD5', 'lastModified', 'contentType', 'cacheControl', 'contentEncoding', 'contentDisposition'] as const;

/** The fields azure.ts reads of an SDK blob item, as the SDK gives them. */
function fromSdk(item: BlobItem): ListedBlob {
  const properties: ListedBlobProperties = {};
  for (const field of FIELDS) (properties as Record<string, unknown>)[field] = item.properties[field];
  return { name: item.name, properties };
}

/** One page the SDK's way (listBlobsFlat), in the shape of ours. */
async function sdkPage(container: ContainerClient, prefix: string, marker: string | undefined, limit: number): Promise<{ blobs: ListedBlob[]; marker: string | undefined }> {
  const page = await container.listBlobsFlat({ prefix: prefix || undefined }).byPage({ continuationToken: marker, maxPageSize: limit }).next();
  if (page.done) return { blobs: [], marker: undefined };
  return { blobs: page.value.segment.blobItems.map(fromSdk), marker: page.value.continuationToken || undefined };
}

/** Every page both ways, side by side; fails on the first page that differs. */
async function compareAllPages(container: ContainerClient, prefix: string, limit: number): Promise<ListedBlob[]> {
  const all: ListedBlob[] = [];
  let marker: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 1000) throw new Error('the listing never ended');
    const theirs = await sdkPage(container, prefix, marker, limit);
    const ours = await listBlobPage(container, { prefix, marker, maxResults: limit });
    expect(ours, `page ${pages} of "${prefix}" by ${limit}`).toEqual(theirs);
    all.push(...ours.blobs);
    if (ours.marker === undefined) return all;
    marker = ours.marker;
  }
}

/** The names a test puts in a container: XML's special characters, spaces at the ends, text that looks like a number or a boolean, characters above U+FFFF. */
const NAMES = [
  'a&b', '<tag>', '"quoted"', "it's", 'x > y', 'with space', ' leading', 'trailing ', '  ', '00123', 'true', '1e3',
  'emoji \u{1F600}.txt', 'math \u{1D49C}', 'über/straße', 'tab\tin', '&amp;literal', '&#x41;literal', 'p%20q', 'p+q', 'a?b#c', 'dir/sub/file',
];

describe('lean List Blobs page on Azurite, against the SDK', () => {
  const bucket = 'azure-list-same';
  let container: ContainerClient;
  beforeAll(async () => {
    const raw = new BlobServiceClient(server.endpointUrl, credential()).getContainerClient(bucket);
    await raw.create();
    for (const [i, name] of NAMES.entries()) {
      const body = Buffer.from(`${i}:${name}`);
      const blob = raw.getBlockBlobClient(name);
      if (i % 3 === 0) {
        // Staged blocks without an MD5: no Content-MD5 stored.
        const id = Buffer.from('block-0').toString('base64');
        await blob.stageBlock(id, body, body.length);
        await blob.commitBlockList([id], { blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8', blobCacheControl: 'max-age=60' } });
      } else if (i % 3 === 1) {
        await blob.upload(body, body.length, {
          blobHTTPHeaders: {
            blobContentType: 'application/x-thing',
            blobContentEncoding: 'gzip',
            blobContentDisposition: `attachment; filename="${i}.bin"`,
            blobContentMD5: createHash('md5').update(body).digest(),
          },
        });
      } else {
        await blob.upload(body, body.length);
      }
    }
    await raw.getBlockBlobClient('empty').upload(Buffer.alloc(0), 0);
    await raw.getBlockBlobClient('big.bin').upload(randomBytes(300_000), 300_000);
    container = containerOf(azureSettingsFor(server), bucket);
  });

  it('gives every blob field for field as the SDK does, names included, in pages of every size', async () => {
    const all = await compareAllPages(container, '', 5000);
    expect(all.map((b) => b.name).sort()).toEqual([...NAMES, 'empty', 'big.bin'].sort());
    // The variety the comparison needs is really there.
    const props = all.map((b) => b.properties);
    expect(props.some((p) => p.contentMD5?.length === 16)).toBe(true);
    expect(props.some((p) => p.contentMD5 === undefined || p.contentMD5.length === 0)).toBe(true);
    expect(props.some((p) => p.contentEncoding === 'gzip' && p.contentDisposition?.startsWith('attachment'))).toBe(true);
    expect(props.some((p) => p.cacheControl === 'max-age=60')).toBe(true);
    expect(all.find((b) => b.name === 'empty')?.properties.contentLength).toBe(0);
    expect(all.find((b) => b.name === 'big.bin')?.properties.contentLength).toBe(300_000);
    for (const limit of [1, 4, 7]) await compareAllPages(container, '', limit);
  });

  it('pages through a prefix with a small limit, the same markers as the SDK, only keys under the prefix', async () => {
    const raw = new BlobServiceClient(server.endpointUrl, credential()).getContainerClient(bucket);
    const under = Array.from({ length: 9 }, (_, i) => `paged/${String(i).padStart(2, '0')} & <${i}>`);
    for (const name of under) await raw.getBlockBlobClient(name).upload(Buffer.from(name), Buffer.byteLength(name));
    await raw.getBlockBlobClient('paged-not/x').upload(Buffer.from('x'), 1);
    const listed = await compareAllPages(container, 'paged/', 2);
    expect(listed.map((b) => b.name)).toEqual(under);
    // Through the provider: 5 pages of 2 (the listing's order is UTF-8 order; these are ASCII).
    const provider = createAzureProvider(azureSettingsFor(server));
    expect(await listByPages(provider, bucket, 'paged/', 2)).toEqual({ keys: under, pages: 5 });
    // A prefix with characters that need encoding in the query.
    await compareAllPages(container, 'a&', 1);
    await compareAllPages(container, 'emoji \u{1F600}', 1);
    expect((await listBlobPage(container, { prefix: ' lead', maxResults: 10 })).blobs.map((b) => b.name)).toEqual([' leading']);
  });

  it('works with a SAS on the container URL', async () => {
    const sas = generateBlobSASQueryParameters(
      { containerName: bucket, permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3_600_000) },
      credential(),
    ).toString();
    const viaSas = containerOf({ accountName: server.accountName, sasToken: sas, endpointUrl: server.endpointUrl }, bucket);
    expect(viaSas.url).toContain('?');
    await compareAllPages(viaSas, 'paged/', 4);
  });
});

describe('lean List Blobs page errors, against the SDK', () => {
  /** The StorageError of the SDK's listing and of ours, for the same call. */
  async function bothErrors(settings: AzureSettings, bucket: string): Promise<[StorageError, StorageError]> {
    const ctx = { op: 'list', bucket };
    const theirs = mapAzureError(await rejection(sdkPage(containerOf(settings, bucket), '', undefined, 10)), ctx);
    const ours = await rejection(createAzureProvider(settings).listPage(bucket, '', null));
    expect(theirs).toBeInstanceOf(StorageError);
    expect(ours).toBeInstanceOf(StorageError);
    return [theirs as StorageError, ours as StorageError];
  }

  function expectSame([theirs, ours]: [StorageError, StorageError], code: string): void {
    expect({ code: ours.code, message: ours.message, field: ours.field }).toEqual({ code: theirs.code, message: theirs.message, field: theirs.field });
    expect(ours.code).toBe(code);
  }

  it('a missing container: NotFound', async () => {
    expectSame(await bothErrors(azureSettingsFor(server), 'azure-list-missing'), 'NotFound');
  });

  it('a wrong account key: AccessDenied', async () => {
    expectSame(await bothErrors({ ...azureSettingsFor(server), accountKey: randomBytes(64).toString('base64') }, 'azure-list-missing'), 'AccessDenied');
  });

  it('an invalid container name: InvalidConfig on the bucket field', async () => {
    expectSame(await bothErrors(azureSettingsFor(server), 'Bad_Name'), 'InvalidConfig');
  });

  it('an account SAS without list permission: AccessDenied (AuthorizationPermissionMismatch, as Azure)', async () => {
    await new BlobServiceClient(server.endpointUrl, credential()).getContainerClient('azure-list-sas').createIfNotExists();
    const readOnly = generateAccountSASQueryParameters(
      { expiresOn: new Date(Date.now() + 3_600_000), permissions: AccountSASPermissions.parse('rw'), resourceTypes: 'sco', services: 'b' },
      credential(),
    ).toString();
    const errors = await bothErrors({ accountName: server.accountName, sasToken: readOnly, endpointUrl: server.endpointUrl }, 'azure-list-sas');
    expectSame(errors, 'AccessDenied');
    expect(errors[1].message).toContain('(AuthorizationPermissionMismatch)');
  });

  describe('through a fault-injecting proxy', () => {
    let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
    let settings: AzureSettings;
    const bucket = 'azure-list-faults';
    const isListing = { method: 'GET', query: (q: URLSearchParams) => q.get('comp') === 'list' && q.get('restype') === 'container' };
    beforeAll(async () => {
      proxy = await startFaultProxy({ upstream: `http://127.0.0.1:${server.port}`, seed: 13 });
      settings = { ...azureSettingsFor(server), endpointUrl: `${proxy.url}/${server.accountName}` };
      const raw = new BlobServiceClient(server.endpointUrl, credential()).getContainerClient(bucket);
      await raw.create();
      // A page long enough for the proxy's cut to land inside it.
      for (let i = 0; i < 20; i++) await raw.getBlockBlobClient(`k${i}`).upload(Buffer.from('x'), 1);
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it.each([
      ['ServerBusy (503)', 'Throttled', SERVICE_ERRORS.azureServerBusy],
      ['InternalError (500)', 'Transient', SERVICE_ERRORS.azureInternalError],
      ['429 in plain text', 'Throttled', SERVICE_ERRORS.tooManyRequests],
      ['502 as an HTML page', 'Transient', { kind: 'error', status: 502, contentType: 'text/html', body: '<html><body>Bad gateway</body></html>' } as Fault],
      ['500 with an empty body', 'Transient', { kind: 'error', status: 500, contentType: 'application/xml', body: '' } as Fault],
      // The code from the x-ms-error-code header alone (409 by itself would not be Transient).
      ['ContainerBeingDeleted (409) with no body', 'Transient', { kind: 'error', status: 409, contentType: 'application/xml', body: '', headers: { 'x-ms-error-code': 'ContainerBeingDeleted' } } as Fault],
      ['a cut-off answer', 'Transient', { kind: 'truncate' } as Fault],
    ] as const)('%s: %s, as from the SDK', async (_label, code, fault) => {
      proxy.setRules([{ match: isListing, max: 1, fault }]);
      const ctx = { op: 'list', bucket };
      const theirs = mapAzureError(await rejection(sdkPage(containerOf(settings, bucket), '', undefined, 5000)), ctx) as StorageError;
      proxy.setRules([{ match: isListing, max: 1, fault }]);
      const ours = await rejection(createAzureProvider(settings).listPage(bucket, '', null));
      expect(proxy.injected[fault.kind], proxy.describe()).toBe(1);
      expect(isStorageError(ours, code), String(ours)).toBe(true);
      expect((ours as StorageError).message).toBe(theirs.message);
      expect((ours as StorageError).code).toBe(theirs.code);
      proxy.setRules([]);
    });
  });
});

describe('lean List Blobs page: the request on the wire', () => {
  interface Seen {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
  }
  const ANSWER = '<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="x" ContainerName="c"><Blobs /><NextMarker /></EnumerationResults>';
  let stub: http.Server;
  let seen: Seen[];
  let endpoint: string;
  beforeAll(async () => {
    seen = [];
    stub = http.createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/xml' }).end(ANSWER);
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/${server.accountName}`;
  });
  afterAll(async () => {
    stub.closeAllConnections();
    await new Promise((resolve) => stub.close(resolve));
  });

  /** What the SDK and we send for the same page, minus what differs per request (date, its signature, request id). */
  async function bothRequests(settings: AzureSettings, prefix: string, marker: string | undefined): Promise<[Seen, Seen]> {
    seen = [];
    const container = containerOf(settings, 'c');
    await sdkPage(container, prefix, marker, 17);
    await listBlobPage(container, { prefix, marker, maxResults: 17 });
    expect(seen).toHaveLength(2);
    const strip = (s: Seen): Seen => {
      const { 'x-ms-date': date, authorization, 'x-ms-client-request-id': id, ...headers } = s.headers;
      expect(typeof id).toBe('string');
      if (settings.accountKey) {
        expect(date).toBeTypeOf('string');
        expect(authorization).toMatch(new RegExp(`^SharedKey ${server.accountName}:`));
      } else {
        expect(authorization).toBeUndefined();
      }
      return { ...s, headers };
    };
    return [strip(seen[0]!), strip(seen[1]!)];
  }

  it('sends the query and headers the SDK sends (shared key; prefix and marker encoded)', async () => {
    const settings = { accountName: server.accountName, accountKey: server.accountKey, endpointUrl: endpoint };
    const [theirs, ours] = await bothRequests(settings, 'a b/ü&=+?#%2F\u{1F600}', 'marker with/odd?chars&=');
    expect(ours).toEqual(theirs);
    expect(new URL(ours.url, 'http://x').searchParams.get('prefix')).toBe('a b/ü&=+?#%2F\u{1F600}');
    const [plainTheirs, plainOurs] = await bothRequests(settings, '', undefined);
    expect(plainOurs).toEqual(plainTheirs);
    expect(plainOurs.url).not.toContain('prefix');
    expect(plainOurs.url).not.toContain('include');
  });

  it('keeps a SAS on the URL as it is', async () => {
    const sas = generateBlobSASQueryParameters({ containerName: 'c', permissions: ContainerSASPermissions.parse('l'), expiresOn: new Date(Date.now() + 3_600_000) }, credential()).toString();
    const [theirs, ours] = await bothRequests({ sasToken: sas, endpointUrl: endpoint }, 'p', 'm');
    expect(ours).toEqual(theirs);
    expect(ours.url).toContain(sas);
  });
});

describe('lean List Blobs page: abort', () => {
  it('an aborted signal fails the page as an abort, before and during the answer', async () => {
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const closed: Promise<void>[] = [];
    let answering: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (answering = resolve));
    const stub = http.createServer((req, res) => {
      closed.push(new Promise((resolve) => res.once('close', () => resolve())));
      // Headers and the start of the document, then nothing until the test ends.
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write('<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>', () => answering());
      void stalled.then(() => res.destroy());
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    try {
      const endpointUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/${server.accountName}`;
      const provider = createAzureProvider({ accountName: server.accountName, accountKey: server.accountKey, endpointUrl });
      const before = new AbortController();
      before.abort();
      expect(isAbortError(await rejection(provider.listPage('c', '', null, before.signal)))).toBe(true);

      const during = new AbortController();
      const page = rejection(provider.listPage('c', '', null, during.signal));
      await started;
      during.abort();
      const err = await page;
      expect(isAbortError(err), String(err)).toBe(true);
      // The stalled connection was closed, not left open.
      await closed[0];
    } finally {
      release();
      stub.closeAllConnections();
      await new Promise((resolve) => stub.close(resolve));
    }
  });
});

describe('parseBlobList', () => {
  const doc = (blobs: string, next = '') =>
    `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><MaxResults>5</MaxResults><Blobs>${blobs}</Blobs><NextMarker>${next}</NextMarker></EnumerationResults>`;
  const REQUIRED = '<Last-Modified>Sat, 28 Nov 2026 06:47:47 GMT</Last-Modified><Etag>0x8D</Etag>';
  const blob = (name: string, props = '<Content-Length>1</Content-Length>') => `<Blob>${name}<Properties>${REQUIRED}${props}</Properties></Blob>`;

  it('decodes XML references, named and numeric (the SDK leaves numeric ones as they are), once', () => {
    const page = parseBlobList(doc(blob('<Name>a&amp;b &lt;&gt;&quot;&apos; &#x1F600;&#65;&amp;#x41;&amp;nbsp;</Name>')));
    expect(page.blobs.map((b) => b.name)).toEqual(['a&b <>"\' \u{1F600}A&#x41;&nbsp;']);
  });

  it('keeps values as text: no numbers, booleans or trimming', () => {
    const page = parseBlobList(doc(blob('<Name>00123</Name>') + blob('<Name>true</Name>') + blob('<Name> 1e3 </Name>', '<Content-Length>007</Content-Length>')));
    expect(page.blobs.map((b) => b.name)).toEqual(['00123', 'true', ' 1e3 ']);
    expect(page.blobs[2]!.properties).toMatchObject({ contentLength: 7, etag: '0x8D' });
  });

  it('gives one blob as a list, none as an empty one, and the next marker or none', () => {
    expect(parseBlobList(doc(blob('<Name>only</Name>'), 'next!')).blobs).toHaveLength(1);
    expect(parseBlobList(doc(blob('<Name>only</Name>'), 'next!')).marker).toBe('next!');
    expect(parseBlobList(doc(''))).toEqual({ blobs: [], marker: undefined });
    expect(parseBlobList('<?xml version="1.0"?><EnumerationResults><Blobs /><NextMarker /></EnumerationResults>')).toEqual({ blobs: [], marker: undefined });
  });

  it('decodes names Azure sent percent-encoded (Encoded="true"), as the SDK does', () => {
    const page = parseBlobList(doc(blob('<Name Encoded="true">a%01b%EF%BF%BEc%25</Name>') + blob('<Name Encoded="false">p%41</Name>')));
    expect(page.blobs.map((b) => b.name)).toEqual(['a\u0001b\uFFFEc%', 'p%41']);
  });

  it('reads a pretty-printed answer (whitespace between elements)', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<EnumerationResults>\n  <Blobs>\n    <Blob>\n      <Name>k</Name>\n      <Properties>\n        <Content-Length>3</Content-Length>\n        <Content-MD5>rL0Y20zC+Fzt72VPzMSk2A==</Content-MD5>\n        ${REQUIRED}\n      </Properties>\n    </Blob>\n  </Blobs>\n  <NextMarker />\n</EnumerationResults>\n`;
    const page = parseBlobList(xml);
    expect(page.blobs).toHaveLength(1);
    expect(page.blobs[0]!.name).toBe('k');
    expect(Buffer.from(page.blobs[0]!.properties.contentMD5!).toString('hex')).toBe('acbd18db4cc2f85cedef654fccc4a4d8');
    expect(page.marker).toBeUndefined();
  });

  it('refuses an answer cut off anywhere (it would end the listing early) as PARSE_ERROR', () => {
    const full = doc(blob('<Name>a</Name>') + blob('<Name>b</Name>'), 'm');
    expect(parseBlobList(full).blobs).toHaveLength(2);
    for (let cut = 0; cut < full.length; cut++) {
      let code: unknown;
      try {
        parseBlobList(full.slice(0, cut));
      } catch (err) {
        code = (err as { code?: unknown }).code;
      }
      expect(code, `cut at ${cut}: ${full.slice(Math.max(0, cut - 20), cut)}`).toBe('PARSE_ERROR');
    }
  });

  it('refuses a damaged answer the SDK refuses, or reads the same blobs and marker from it (only an optional field may read as absent)', () => {
    // Every one-byte damage of a page that XML validation (the SDK's check before parsing) refuses.
    const full = doc(
      blob('<Name>a&amp;b</Name>', '<Content-Length>14</Content-Length><Content-Type>text/plain</Content-Type><Content-MD5>rL0Y20zC+Fzt72VPzMSk2A==</Content-MD5>') + blob('<Name>zz</Name>'),
      '2!88!MDAwMDE0IXp6!',
    );
    const core = (page: ReturnType<typeof parseBlobList>) => JSON.stringify({ marker: page.marker, blobs: page.blobs.map((b) => [b.name, b.properties.contentLength, b.properties.etag, b.properties.lastModified?.getTime()]) });
    const intact = core(parseBlobList(full));
    let refusedBySdk = 0;
    let refused = 0;
    for (let at = 0; at < full.length; at++) {
      for (const flip of [0x01, 0x02, 0x10, 0x20, 0x40]) {
        const damaged = full.slice(0, at) + String.fromCharCode(full.charCodeAt(at) ^ flip) + full.slice(at + 1);
        if (XMLValidator.validate(damaged) === true) continue;
        refusedBySdk++;
        let read: string;
        try {
          read = core(parseBlobList(damaged));
        } catch (err) {
          expect((err as { code?: unknown }).code).toBe('PARSE_ERROR');
          refused++;
          continue;
        }
        expect(read, `damage at ${at}: ${damaged.slice(Math.max(0, at - 20), at + 10)}`).toBe(intact);
      }
    }
    expect(refusedBySdk).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(refusedBySdk / 2);
  });

  it('refuses a size that is not a whole number and a blob without a name', () => {
    for (const size of ['1.5', '-1', '', '1e3', '0x10', ' 1']) {
      expect(() => parseBlobList(doc(blob('<Name>k</Name>', `<Content-Length>${size}</Content-Length>`))), size).toThrow(/PARSE_ERROR|not a whole number/);
    }
    expect(() => parseBlobList(doc('<Blob><Properties /></Blob>'))).toThrow(/without its Name/);
    expect(() => parseBlobList(doc('<Blob><Name>k</Name><Properties><Etag>0x1</Etag></Properties></Blob>'))).toThrow(/without its Name, Etag, Last-Modified or Content-Length/);
    expect(() => parseBlobList(doc(blob('<Name Encoded="true">%E2%82</Name>')))).toThrow(/not percent-encoded UTF-8/);
  });

  it('becomes a Transient error saying the answer could not be read', () => {
    const err = mapAzureError(rejectionOf(() => parseBlobList('<html>oops</html>')), { op: 'list', bucket: 'c' });
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    expect(err.message).toMatch(/^list container "c": the service's answer \(HTTP 200\) could not be read/);
  });
});

function rejectionOf(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
