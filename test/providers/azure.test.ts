import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobClient,
  BlobServiceClient,
  BlockBlobClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  decodeMetadataName,
  decodeMetadataValue,
  encodeMetadataName,
  encodeMetadataValue,
  inUtf8Order,
} from '../../electron/providers/azure-names';
import { azureBlobNameProblem } from '../../electron/providers/azure-names';
import { blockSizeFor, createAzureProvider, mapAzureError, mappedErrors, resolveAzureEndpoint } from '../../electron/providers/azure';
import { PartialRemoveError, SourceChangedError, StorageError, isAbortError, isStorageError } from '../../electron/providers/errors';
import type { StorageProvider } from '../../electron/providers/provider';
import { createProvider } from '../../electron/providers/registry';
import { azureSettingsFor, azuriteConnectionString, startAzurite, type AzuriteServer } from '../support/azurite';
import { SERVICE_ERRORS, startFaultProxy } from '../support/fault-proxy';
import { freePort } from '../support/free-port';
import { conformanceTarget, describeProviderConformance } from './conformance';
import { lateFailingSource } from './failing-sources';
import { listByPages, readAll, rejection } from './helpers';

let server: AzuriteServer;
beforeAll(async () => {
  server = await startAzurite();
});
afterAll(async () => {
  await server?.stop();
});

describeProviderConformance('azure', async () => conformanceTarget(createAzureProvider(azureSettingsFor(server)), 'azure-conformance-'));

const MiB = 1024 * 1024;

/** A raw SDK client on the same server, to see what Azure really stored. */
function rawService(): BlobServiceClient {
  return new BlobServiceClient(server.endpointUrl, new StorageSharedKeyCredential(server.accountName, server.accountKey));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function bytes(text: string): () => Promise<Readable> {
  return async () => Readable.from([Buffer.from(text)]);
}

describe('azure metadata names and values', () => {
  it('keeps C# identifiers as they are (lower-cased) and encodes every other name reversibly', () => {
    const cases: [string, string][] = [
      ['color', 'color'],
      ['Owner_ID', 'owner_id'],
      ['_private', '_private'],
      ['owner-id', 'cds_owner_2did'],
      ['1st', 'cds_1st'],
      ['a.b c', 'cds_a_2eb_20c'],
      ['x_y-z', 'cds_x_5fy_2dz'],
      ['cds_taken', 'cds_cds_5ftaken'],
      ['größe', 'cds_gr_c3_b6_c3_9fe'],
      ['', 'cds_'],
    ];
    for (const [name, stored] of cases) {
      expect(encodeMetadataName(name), name).toBe(stored);
      expect(stored, name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(decodeMetadataName(stored), name).toBe(name.toLowerCase());
      // Azure may hand names back in another case.
      expect(decodeMetadataName(stored.toUpperCase()), name).toBe(name.toLowerCase());
    }
  });

  it('leaves names it did not produce alone: foreign names with the marker, malformed escapes', () => {
    for (const stored of ['cds_abc', 'cds_a_zz', 'cds_a_2', 'cds_bad_ff', 'plain']) expect(decodeMetadataName(stored)).toBe(stored);
  });

  it('stores non-ASCII, padded and encoded-word-like values as RFC 2047 words and reads them back', () => {
    for (const value of ['plain value', 'a  b', '', 'héllo', '日本', ' padded ', 'tab\there', 'line\nbreak', '=?utf-8?b?aGk=?=']) {
      const stored = encodeMetadataValue(value);
      expect(stored, value).toMatch(/^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/);
      expect(decodeMetadataValue(stored), value).toBe(value);
    }
    expect(encodeMetadataValue('plain value')).toBe('plain value');
    expect(encodeMetadataValue('日本')).toBe('=?utf-8?b?5pel5pys?=');
    expect(decodeMetadataValue('=?UTF-8?B?5pel5pys?=')).toBe('=?UTF-8?B?5pel5pys?='); // not ours: kept
  });
});

describe('azure listing order', () => {
  const keys = ['a', 'a/😀', 'a/😀/x', 'a/\uFF5E', 'a/\uFF5E/y', 'b/😀', 'b/𝔸', 'c', '😀', '\uFF5E', '\uFF5E/z'];
  const utf8 = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  const utf16 = [...keys].sort();
  /** The keys as pages of `size` would pass them on, the held keys carried from page to page. */
  function inPages(order: string[], size: number, maxHeld = 100): string[] {
    const out: string[] = [];
    let held: { key: string }[] = [];
    for (let i = 0; i < order.length; i += size) {
      const page = order.slice(i, i + size).map((key) => ({ key }));
      const step = inUtf8Order(held, page, i + size >= order.length, maxHeld, 'list container "x"');
      out.push(...step.items.map((o) => o.key));
      held = step.held;
    }
    return out;
  }

  it('turns a UTF-16 ordered listing (Azure) into UTF-8 byte order, held keys carried across pages', () => {
    expect(utf16).not.toEqual(utf8);
    for (const size of [1, 2, 3, keys.length]) expect(inPages(utf16, size), `pages of ${size}`).toEqual(utf8);
  });

  it('passes a listing already in UTF-8 order through unchanged', () => {
    for (const size of [1, 4, keys.length]) expect(inPages(utf8, size), `pages of ${size}`).toEqual(utf8);
  });

  it('holds a key back on a page that is not the last, and passes it on with a later page', () => {
    const first = inUtf8Order([], [{ key: 'a/😀' }], false, 100, 'test');
    expect(first).toEqual({ items: [], held: [{ key: 'a/😀' }] });
    expect(inUtf8Order(first.held, [{ key: 'a/\uFF5E' }, { key: 'b' }], false, 100, 'test')).toEqual({ items: [{ key: 'a/\uFF5E' }, { key: 'a/😀' }, { key: 'b' }], held: [] });
  });

  it('fails instead of holding more keys than allowed', () => {
    const many = Array.from({ length: 5 }, (_, i) => `😀${i}`).concat(['\uFF5E']);
    let err: unknown;
    try {
      inPages(many, 2, 3);
    } catch (e) {
      err = e;
    }
    expect(isStorageError(err, 'Fatal'), String(err)).toBe(true);
  });

  it('lists Azurite (which orders by UTF-16) in UTF-8 byte order across pages', async () => {
    const provider = createAzureProvider(azureSettingsFor(server));
    await provider.createBucket('azure-order');
    for (const key of keys) await provider.write('azure-order', key, bytes(key), Buffer.byteLength(key));
    const raw = [];
    for await (const blob of rawService().getContainerClient('azure-order').listBlobsFlat()) raw.push(blob.name);
    expect(raw).toEqual(utf16); // Azurite's own order
    expect((await collect(provider.list('azure-order', ''))).map((o) => o.key)).toEqual(utf8);
    expect((await collect(provider.list('azure-order', 'a/'))).map((o) => o.key)).toEqual(utf8.filter((k) => k.startsWith('a/')));
    // Pages of one or two blobs: a key held back on one page comes out on a later one, in place.
    for (const limit of [1, 2]) expect((await listByPages(provider, 'azure-order', '', limit)).keys, `pages of ${limit}`).toEqual(utf8);
  });
});

describe('azure provider specifics', () => {
  let provider: StorageProvider;
  beforeAll(async () => {
    provider = createAzureProvider(azureSettingsFor(server), { multipartThreshold: 2 * MiB, blockSize: MiB, concurrency: 2 });
    await provider.createBucket('azure-specifics');
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('round-trips metadata names Azure cannot store (with "-" or a leading digit) and non-ASCII values', async () => {
    const metadata = { 'owner-id': '42', '1st-pass': 'yes', plain_name: 'ok', 'x.y': 'größe 日本' };
    await provider.write('azure-specifics', 'meta.txt', bytes('m'), 1, { metadata });
    expect((await provider.head('azure-specifics', 'meta.txt'))?.metadata).toEqual(metadata);
    const stored = await rawService().getContainerClient('azure-specifics').getBlobClient('meta.txt').getProperties();
    expect(stored.metadata).toEqual({ cds_owner_2did: '42', cds_1st_2dpass: 'yes', plain_name: 'ok', cds_x_2ey: '=?utf-8?b?Z3LDtsOfZSDml6XmnKw=?=' });
  });

  it('refuses metadata names that differ only in case, naming both', async () => {
    const err = await rejection(provider.write('azure-specifics', 'case.txt', bytes('c'), 1, { metadata: { Color: 'a', color: 'b' } }));
    expect(isStorageError(err, 'Fatal'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/"Color" and "color"/);
  });

  it('stores Content-MD5 for a block upload (which Azure itself does not), with one ETag everywhere', async () => {
    const data = randomBytes(5 * MiB + 3);
    const md5 = createHash('md5').update(data).digest('hex');
    const chunks = Array.from({ length: 6 }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB));
    const setHeaders = vi.spyOn(BlobClient.prototype, 'setHTTPHeaders');
    for (const expected of [undefined, md5]) {
      const key = `blocks-${expected ? 'known' : 'unknown'}-md5.bin`;
      const written = await provider.write('azure-specifics', key, async () => Readable.from(chunks), data.length, { md5: expected, contentType: 'application/x-test', metadata: { 'part-of': 'test' } });
      expect(written.md5).toBe(md5);
      const blob = rawService().getContainerClient('azure-specifics').getBlobClient(key);
      const props = await blob.getProperties();
      expect(Buffer.from(props.contentMD5!).toString('hex')).toBe(md5);
      const blocks = await blob.getBlockBlobClient().getBlockList('committed');
      expect(blocks.committedBlocks?.length).toBe(6); // really staged in 1 MiB blocks
      const info = await provider.head('azure-specifics', key);
      expect(info).toMatchObject({ md5, etag: written.etag, contentType: 'application/x-test', metadata: { 'part-of': 'test' } });
      const [listed] = await collect(provider.list('azure-specifics', key));
      expect(listed).toMatchObject({ key, md5, etag: written.etag });
    }
    expect(setHeaders).not.toHaveBeenCalled(); // the MD5 went in with the commit
    setHeaders.mockRestore();
  });

  it('fails a block upload whose bytes do not have the expected MD5, without committing it', async () => {
    const data = randomBytes(3 * MiB);
    const err = await rejection(provider.write('azure-specifics', 'wrong-md5.bin', async () => Readable.from([data]), data.length, { md5: '0'.repeat(32) }));
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    expect(await provider.head('azure-specifics', 'wrong-md5.bin')).toBeNull();
  });

  it('reports a single-request upload with a wrong expected MD5 as an error', async () => {
    const err = await rejection(provider.write('azure-specifics', 'wrong-md5.txt', bytes('abc'), 3, { md5: '0'.repeat(32) }));
    expect(isStorageError(err), String(err)).toBe(true);
    expect(await provider.head('azure-specifics', 'wrong-md5.txt')).toBeNull();
  });

  it('refuses to delete a container that is not empty (Azure would delete everything in it)', async () => {
    await provider.createBucket('azure-not-empty');
    await provider.write('azure-not-empty', 'k', bytes('k'), 1);
    const err = await rejection(provider.deleteBucket('azure-not-empty'));
    expect(isStorageError(err, 'Fatal'), String(err)).toBe(true);
    expect(await provider.head('azure-not-empty', 'k')).not.toBeNull();
  });

  it('maps a wrong account key to AccessDenied', async () => {
    const wrong = createAzureProvider({ ...azureSettingsFor(server), accountKey: randomBytes(64).toString('base64') });
    for (const call of [() => wrong.listBuckets(), () => collect(wrong.list('azure-specifics', '')), () => wrong.head('azure-specifics', 'meta.txt')]) {
      const err = await rejection(call());
      expect(isStorageError(err, 'AccessDenied'), String(err)).toBe(true);
    }
  });

  it('maps a missing container to NotFound for list, read, write, remove and delete', async () => {
    const missing = 'azure-no-such-container';
    for (const call of [
      () => collect(provider.list(missing, '')),
      () => provider.read(missing, 'k'),
      () => provider.write(missing, 'k', bytes('k'), 1),
      () => provider.write(missing, 'big', async () => Readable.from([randomBytes(3 * MiB)]), 3 * MiB),
      () => provider.remove(missing, ['k']),
      () => provider.deleteBucket(missing),
    ]) {
      const err = await rejection(call());
      expect(isStorageError(err, 'NotFound'), String(err)).toBe(true);
    }
    expect(await provider.head(missing, 'k')).toBeNull();
  });

  it('maps an invalid container name to InvalidConfig naming the container', async () => {
    for (const bad of ['Bad_Name', 'ab', 'a'.repeat(64), 'double--hyphen']) {
      for (const call of [() => provider.createBucket(bad), () => collect(provider.list(bad, '')), () => provider.write(bad, 'k', bytes('k'), 1)]) {
        const err = await rejection(call());
        expect(isStorageError(err, 'InvalidConfig'), `${bad}: ${String(err)}`).toBe(true);
        expect((err as StorageError).message).toContain(`"${bad}"`);
        expect((err as StorageError).field).toBe('bucket');
      }
    }
  });

  it('maps a closed port to Transient', async () => {
    const closed = createAzureProvider({ ...azureSettingsFor(server), endpointUrl: `http://127.0.0.1:${await freePort()}/devstoreaccount1` });
    const err = await rejection(closed.listBuckets());
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
  });

  it('works with a connection string', async () => {
    const viaString = createAzureProvider({ connectionString: azuriteConnectionString(server) });
    await viaString.createBucket('azure-connection-string');
    await viaString.write('azure-connection-string', 'k.txt', bytes('hello'), 5);
    expect((await collect(viaString.list('azure-connection-string', ''))).map((o) => o.key)).toEqual(['k.txt']);
    expect(await viaString.listBuckets()).toContain('azure-connection-string');
  });

  it('works with an account SAS token, including server-side copy', async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 60 * 60 * 1000),
        permissions: AccountSASPermissions.parse('rwdlacu'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(server.accountName, server.accountKey),
    ).toString();
    const viaSas = createAzureProvider({ accountName: server.accountName, sasToken: `?${sas}`, endpointUrl: server.endpointUrl });
    await viaSas.createBucket('azure-sas');
    const written = await viaSas.write('azure-sas', 'a b.txt', bytes('via sas'), 7, { metadata: { 'made-by': 'sas' } });
    const copied = await viaSas.copy!('azure-sas', 'a b.txt', 'azure-sas', 'copy of a b.txt');
    expect(copied).toMatchObject({ size: 7, md5: written.md5 });
    expect(await viaSas.head('azure-sas', 'copy of a b.txt')).toMatchObject({ etag: copied.etag, metadata: { 'made-by': 'sas' } });
    await viaSas.remove('azure-sas', ['a b.txt', 'copy of a b.txt']);
    expect(await collect(viaSas.list('azure-sas', ''))).toEqual([]);
    await viaSas.deleteBucket('azure-sas');

    const readOnly = generateAccountSASQueryParameters(
      { expiresOn: new Date(Date.now() + 60 * 60 * 1000), permissions: AccountSASPermissions.parse('rl'), resourceTypes: 'sco', services: 'b' },
      new StorageSharedKeyCredential(server.accountName, server.accountKey),
    ).toString();
    // The endpoint URL names the account: a SAS token needs no account name beside it, through createProvider too.
    const limited = await createProvider({ id: 'sas', name: 'SAS', type: 'azure', azure: { sasToken: readOnly, endpointUrl: server.endpointUrl } });
    const denied = await rejection(limited.write('azure-specifics', 'nope.txt', bytes('x'), 1));
    expect(isStorageError(denied, 'AccessDenied'), String(denied)).toBe(true);
  });
});

describe('azure settings', () => {
  it('defaults the endpoint to the public cloud and takes any other (Azurite, sovereign clouds)', () => {
    expect(resolveAzureEndpoint({ accountName: 'acct' })).toBe('https://acct.blob.core.windows.net');
    expect(resolveAzureEndpoint({ accountName: 'acct', endpointUrl: 'https://acct.blob.core.chinacloudapi.cn/' })).toBe('https://acct.blob.core.chinacloudapi.cn');
    expect(resolveAzureEndpoint({ endpointUrl: 'http://127.0.0.1:10000/devstoreaccount1/' })).toBe('http://127.0.0.1:10000/devstoreaccount1');
  });

  // The rules between settings are the descriptor's, run by createProvider (test/providers/registry.test.ts).
  it('refuses an account key that is not base64, which the credential could not decode', () => {
    expect(() => createAzureProvider({ accountName: 'acct', accountKey: 'not base64!' })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'azure.accountKey' }));
  });

  it('never repeats a connection string (it holds the key) in its error', () => {
    const secret = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=SECRETSECRET;EndpointSuffix=core.windows.net;Bogus';
    try {
      createAzureProvider({ connectionString: `${secret};;;=` });
    } catch (err) {
      expect(String(err)).not.toContain('SECRETSECRET');
    }
  });

  it('refuses unusable tuning options', () => {
    const settings = { accountName: 'acct', accountKey: 'a2V5' };
    expect(() => createAzureProvider(settings, { blockSize: 0 })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'blockSize' }));
    expect(() => createAzureProvider(settings, { concurrency: 0 })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'concurrency' }));
    expect(() => createAzureProvider(settings, { multipartThreshold: -1 })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'multipartThreshold' }));
    expect(() => createAzureProvider(settings, { stallTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'InvalidConfig', field: 'stallTimeoutMs' }));
  });

  it('grows the block size so an object fits in 50,000 blocks', () => {
    expect(blockSizeFor(10 * MiB, 8 * MiB)).toBe(8 * MiB);
    expect(blockSizeFor(1024 * 1024 * MiB, 8 * MiB)).toBe(21 * MiB);
  });
});

describe('azure error mapping', () => {
  const restError = (code: string | undefined, statusCode?: number, extra: object = {}): Error =>
    Object.assign(new Error(`${code} message\nRequestId:abc\nTime:2024-01-01`), { name: 'RestError', code, statusCode, ...extra });
  const cases: [string, string, Error][] = [
    ['ContainerNotFound', 'NotFound', restError('ContainerNotFound', 404)],
    ['BlobNotFound (HEAD: code only in details)', 'NotFound', restError(undefined, 404, { details: { errorCode: 'BlobNotFound' } })],
    ['AuthenticationFailed', 'AccessDenied', restError('AuthenticationFailed', 403)],
    ['AuthorizationFailure', 'AccessDenied', restError('AuthorizationFailure', 403)],
    ['AuthorizationPermissionMismatch', 'AccessDenied', restError('AuthorizationPermissionMismatch', 403)],
    ['unknown 403', 'AccessDenied', restError('SomethingNew', 403)],
    ['ServerBusy (503)', 'Throttled', restError('ServerBusy', 503)],
    ['ServerBusy (500)', 'Throttled', restError('ServerBusy', 500)],
    ['429', 'Throttled', restError(undefined, 429)],
    ['InternalError', 'Transient', restError('InternalError', 500)],
    ['OperationTimedOut', 'Transient', restError('OperationTimedOut', 500)],
    ['unknown 502', 'Transient', restError(undefined, 502)],
    ['connection refused', 'Transient', restError('ECONNREFUSED')],
    ['send error', 'Transient', restError('REQUEST_SEND_ERROR')],
    ['ConditionNotMet', 'Transient', restError('ConditionNotMet', 412)],
    ['Md5Mismatch', 'Transient', restError('Md5Mismatch', 400)],
    ['InvalidResourceName', 'InvalidConfig', restError('InvalidResourceName', 400)],
    ['OutOfRangeInput', 'InvalidConfig', restError('OutOfRangeInput', 400)],
    ['unknown 400', 'Fatal', restError('InvalidHeaderValue', 400)],
  ];
  it.each(cases)('%s → %s', (_label, code, err) => {
    const mapped = mapAzureError(err, { op: 'list', bucket: 'Bad_Name' });
    expect(mapped).toBeInstanceOf(StorageError);
    expect((mapped as StorageError).code).toBe(code);
    expect((mapped as StorageError).cause).toBe(err);
    expect(mapped.message).not.toContain('RequestId');
  });

  it('says what a cut-off answer is instead of the SDK\'s "[object Object]" and the whole body (PARSE_ERROR, Transient)', () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?><EnumerationResults><Blobs><Blob><Name>a</Na';
    const parse = (inner: string) =>
      Object.assign(new Error(`Error "${inner}" occurred while parsing the response body - ${body}.`), {
        name: 'RestError', code: 'PARSE_ERROR', statusCode: 200, response: { bodyAsText: body },
      });
    const mapped = mapAzureError(parse('[object Object]'), { op: 'list', bucket: 'c' }) as StorageError;
    expect(mapped.code).toBe('Transient');
    expect(mapped.message).toBe(`list container "c": the service's answer (HTTP 200, ${body.length} characters) could not be read (it is not well-formed XML): it was probably cut off or damaged on the way`);
    expect(mapAzureError(parse('Error: Document is empty'), { op: 'list', bucket: 'c' }).message).toContain('(Document is empty)');
    const broken = Object.assign(new Error('Error reading response as text: aborted'), { name: 'RestError', code: 'PARSE_ERROR' });
    expect(mapAzureError(broken, { op: 'list', bucket: 'c' })).toMatchObject({
      code: 'Transient',
      message: 'list container "c": the connection broke while the answer was read (aborted)',
    });
  });

  it('blames the blob name, not the container, when the container name is valid', () => {
    const mapped = mapAzureError(restError('InvalidResourceName', 400), { op: 'write', bucket: 'good-name', key: 'k' }) as StorageError;
    expect(mapped.code).toBe('Fatal');
  });

  it('passes StorageErrors, and abort errors of the caller\'s own signal, through unchanged', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    expect(mapAzureError(abort, { op: 'read' }, AbortSignal.abort())).toBe(abort);
    const storage = new StorageError('Throttled', 'x');
    expect(mapAzureError(storage, { op: 'read' })).toBe(storage);
  });
});

// ---- issue 9: names stored exactly or refused (point 5) ----

/** Keys the SDK or Azure would store under another name, or that real Azure refuses. */
const REFUSED_KEYS = [
  'z/../y', // URL resolution: written to "y"
  'dot/./x', // → "dot/x"
  'back\\slash', // Azure reads "\" as "/" → "back/slash"
  '..',
  '.',
  'x/.', // → "x/"
  'trail.', // real Azure drops the dot
  'seg./x',
  'ctl\u0001x',
  'tab\tx',
  'nl\nx',
  'del\u007fx',
  'c1\u0085x',
  'nonchar\uFFFEx',
  'lone\uD800x',
  '',
  'x'.repeat(1025),
  Array.from({ length: 255 }, () => 's').join('/'),
];

/** Hostile-looking keys Azure stores exactly (checked on Azurite by reading the listing back). */
const KEPT_KEYS = ['a//b', '/lead', 'trail/', '%2e%2e/x', 'a/%2e/b', 'pct%2Fx', 'hash#x', 'q?x', '.well-known/acme-challenge/t', ' lead', 'x'.repeat(1024), '.hidden/.x'];

describe('azure blob names (issue 9, point 5)', () => {
  it('names every key it cannot store exactly, and accepts the rest', () => {
    for (const key of REFUSED_KEYS) expect(azureBlobNameProblem(key), JSON.stringify(key)).toBeTypeOf('string');
    for (const key of KEPT_KEYS) expect(azureBlobNameProblem(key), JSON.stringify(key)).toBeUndefined();
    expect(azureBlobNameProblem('z/../y')).toContain('stored as "y"');
    expect(azureBlobNameProblem('back\\slash')).toContain('stored as "back/slash"');
  });

  it('refuses hostile keys in write, head, read, copy and remove, leaving the objects they would hit untouched', async () => {
    const provider = createAzureProvider(azureSettingsFor(server), { multipartThreshold: 2 * MiB, blockSize: MiB });
    const bucket = 'azure-hostile-names';
    await provider.createBucket(bucket);
    const victims = ['y', 'dot/x', 'back/slash', 'x/', 'src'];
    for (const key of victims) await provider.write(bucket, key, bytes(`real ${key}`), Buffer.byteLength(`real ${key}`));
    const before = await collect(provider.list(bucket, ''));
    const fatal = async (call: Promise<unknown>, key: string): Promise<void> => {
      const err = await rejection(call);
      expect(isStorageError(err, 'Fatal'), `${JSON.stringify(key)}: ${String(err)}`).toBe(true);
      expect((err as Error).message, JSON.stringify(key)).toContain(`Azure cannot store the name ${JSON.stringify(key)} exactly`);
    };
    for (const key of REFUSED_KEYS.filter((k) => k.length < 100)) {
      await fatal(provider.write(bucket, key, bytes('hostile'), 7), key);
      await fatal(provider.write(bucket, key, async () => Readable.from([randomBytes(3 * MiB)]), 3 * MiB), key);
      await fatal(provider.head(bucket, key), key);
      await fatal(provider.read(bucket, key), key);
      await fatal(provider.copy!(bucket, 'src', bucket, key), key);
      await fatal(provider.copy!(bucket, key, bucket, 'copy-target'), key);
      await fatal(provider.remove(bucket, [key]), key);
    }
    // A batch with one refused key deletes the others and says so.
    await provider.write(bucket, 'doomed', bytes('d'), 1);
    const err = await rejection(provider.remove(bucket, ['doomed', 'z/../y']));
    expect(err).toBeInstanceOf(PartialRemoveError);
    expect((err as PartialRemoveError).removed).toEqual(['doomed']);
    expect(await collect(provider.list(bucket, ''))).toEqual(before);
    for (const key of victims) expect((await readAll(await provider.read(bucket, key))).toString(), key).toBe(`real ${key}`);
  });

  it('stores the hostile-looking keys it accepts under exactly their name', async () => {
    const provider = createAzureProvider(azureSettingsFor(server));
    const bucket = 'azure-kept-names';
    await provider.createBucket(bucket);
    for (const key of KEPT_KEYS) await provider.write(bucket, key, bytes(key), Buffer.byteLength(key));
    const listed = (await collect(provider.list(bucket, ''))).map((o) => o.key);
    expect(listed).toEqual([...KEPT_KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const key of KEPT_KEYS) expect((await readAll(await provider.read(bucket, key))).toString(), key).toBe(key);
    await provider.remove(bucket, KEPT_KEYS);
    expect(await collect(provider.list(bucket, ''))).toEqual([]);
  });
});

// ---- issue 9: deletes (point 13) ----

describe('azure remove (issue 9, point 13)', () => {
  let provider: StorageProvider;
  const bucket = 'azure-remove';
  beforeAll(async () => {
    provider = createAzureProvider(azureSettingsFor(server));
    await provider.createBucket(bucket);
  });

  it('deletes a blob together with its snapshots', async () => {
    await provider.write(bucket, 'snapped', bytes('v1'), 2);
    const blob = rawService().getContainerClient(bucket).getBlobClient('snapped');
    await blob.createSnapshot();
    await provider.remove(bucket, ['snapped']);
    expect(await provider.head(bucket, 'snapped')).toBeNull();
    const left = [];
    for await (const item of rawService().getContainerClient(bucket).listBlobsFlat({ includeSnapshots: true, prefix: 'snapped' })) left.push(item.name);
    expect(left).toEqual([]);
  });

  it('throws PartialRemoveError naming the keys that are gone (deleted or already missing) when one delete fails', async () => {
    for (const key of ['p/a', 'p/b', 'p/leased']) await provider.write(bucket, key, bytes(key), key.length);
    // A lease held by someone else makes Azure refuse that one delete.
    const lease = rawService().getContainerClient(bucket).getBlobClient('p/leased').getBlobLeaseClient();
    await lease.acquireLease(-1);
    try {
      const err = await rejection(provider.remove(bucket, ['p/a', 'p/leased', 'p/missing', 'p/b']));
      expect(err, String(err)).toBeInstanceOf(PartialRemoveError);
      expect([...(err as PartialRemoveError).removed].sort()).toEqual(['p/a', 'p/b', 'p/missing']);
      expect((err as Error).message).toContain('p/leased');
      expect((await collect(provider.list(bucket, 'p/'))).map((o) => o.key)).toEqual(['p/leased']);
    } finally {
      await lease.releaseLease();
    }
    await provider.remove(bucket, ['p/leased']);
  });
});

// ---- issue 9: one version per read, checksums, nothing committed early (point 3) ----

describe('azure reads and writes of one version (issue 9, point 3)', () => {
  let provider: StorageProvider;
  const bucket = 'azure-versions';
  beforeAll(async () => {
    provider = createAzureProvider(azureSettingsFor(server), { multipartThreshold: 2 * MiB, blockSize: MiB });
    await provider.createBucket(bucket);
  });

  it('reads with If-Match: the etag from head reads, a stale one fails with SourceChangedError', async () => {
    await provider.write(bucket, 'k', bytes('first'), 5);
    const first = await provider.head(bucket, 'k');
    expect((await readAll(await provider.read(bucket, 'k', undefined, first!.etag))).toString()).toBe('first');
    await provider.write(bucket, 'k', bytes('second'), 6);
    const err = await rejection(provider.read(bucket, 'k', undefined, first!.etag));
    expect(err, String(err)).toBeInstanceOf(SourceChangedError);
    expect(isStorageError(err, 'Transient')).toBe(true);
    const second = await provider.head(bucket, 'k');
    expect((await readAll(await provider.read(bucket, 'k', undefined, second!.etag))).toString()).toBe('second');
  });

  it('reports the Content-MD5 in head and in the write result (Azure CRC64 is not reported)', async () => {
    const data = randomBytes(1000);
    const md5 = createHash('md5').update(data).digest('hex');
    const written = await provider.write(bucket, 'md5', async () => Readable.from([data]), data.length);
    expect(written.md5).toBe(md5);
    expect(await provider.head(bucket, 'md5')).toMatchObject({ md5, etag: written.etag });
  });

  it.each([
    ['one Put Blob', 1000],
    ['staged blocks', 3 * MiB + 5],
  ])('never commits %s whose source fails after its last byte (before its end): the previous object stays', async (_label, size) => {
    const key = `late-failure-${size}`;
    await provider.write(bucket, key, bytes('previous'), 8);
    const before = await provider.head(bucket, key);
    const err = await rejection(provider.write(bucket, key, lateFailingSource(randomBytes(size)), size));
    expect(isStorageError(err) && !isAbortError(err), String(err)).toBe(true);
    expect(await provider.head(bucket, key)).toMatchObject({ etag: before!.etag, size: 8 });
    expect((await readAll(await provider.read(bucket, key))).toString()).toBe('previous');
    // No block of the failed upload was committed either.
    const blocks = await rawService().getContainerClient(bucket).getBlockBlobClient(key).getBlockList('committed');
    expect(blocks.committedBlocks ?? []).toEqual([]);
  });
});

// ---- issue 9: error classes (point 7, provider side) ----

describe('azure error classes under faults (issue 9, point 7)', () => {
  it('maps an abort that the caller did not ask for to Transient; only the caller\'s signal gives an AbortError', () => {
    const sdkAbort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const unasked = mapAzureError(sdkAbort, { op: 'read', bucket: 'b', key: 'k' });
    expect(isStorageError(unasked, 'Transient'), String(unasked)).toBe(true);
    expect(isAbortError(unasked)).toBe(false);
    expect(mapAzureError(sdkAbort, { op: 'read' }, AbortSignal.abort())).toBe(sdkAbort);
    expect(mapAzureError(sdkAbort, { op: 'read' }, new AbortController().signal)).toMatchObject({ code: 'Transient' });
    const gaveUp = new Error('Data corruption failure: received less data than required and reached maxRetires limitation.');
    expect(mapAzureError(gaveUp, { op: 'read' })).toMatchObject({ code: 'Transient' });
    expect(mapAzureError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { op: 'read' })).toMatchObject({ code: 'Transient' });
  });

  it('a download body that fails before anyone reads it keeps its (mapped) error for the reader: no unhandled error', async () => {
    const body = new PassThrough();
    const out = mappedErrors(body, (err) => mapAzureError(err, { op: 'read', bucket: 'b', key: 'k' }));
    body.destroy(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }));
    // (events.once would listen for 'error' itself.)
    await new Promise((resolve) => out.once('close', resolve)); // failed while nobody consumed it
    const err = await rejection(readAll(out));
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
  });

  it.each([
    ['one Put Blob', 1000],
    ['staged blocks', 40 * 1024],
  ])('a write (%s) to a server that takes the request and never answers fails as Transient instead of waiting for good', async (_label, size) => {
    // What Azurite does to an upload queued behind one whose client went away (Azurite #2575): no answer, ever.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket.resume()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const p = createAzureProvider(
        { ...azureSettingsFor(server), endpointUrl: `http://127.0.0.1:${port}/${server.accountName}` },
        // Blocks in flight (here the whole 40 KiB) get 32 KiB/s on top: 1.55 s.
        { multipartThreshold: 32 * 1024, stallTimeoutMs: 300 },
      );
      const err = await rejection(p.write('c', 'k', async () => Readable.from([randomBytes(size)]), size));
      expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
      expect(String(err)).toMatch(/no byte sent and no answer for (0\.3|1\.55) s/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  describe('through a fault-injecting proxy', () => {
    let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
    let provider: StorageProvider;
    const bucket = 'azure-faults';
    beforeAll(async () => {
      proxy = await startFaultProxy({ upstream: `http://127.0.0.1:${server.port}`, seed: 9 });
      provider = createAzureProvider({ ...azureSettingsFor(server), endpointUrl: `${proxy.url}/${server.accountName}` });
      await provider.createBucket(bucket);
      await provider.write(bucket, 'big.bin', async () => Readable.from([randomBytes(2 * MiB)]), 2 * MiB);
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it.each([
      ['ServerBusy (503)', 'Throttled', SERVICE_ERRORS.azureServerBusy],
      ['InternalError (500)', 'Transient', SERVICE_ERRORS.azureInternalError],
      ['429', 'Throttled', SERVICE_ERRORS.tooManyRequests],
    ] as const)('a listing page answered %s fails as %s', async (_label, code, fault) => {
      proxy.setRules([{ match: { method: 'GET', query: (q) => q.get('comp') === 'list' && q.get('restype') === 'container' }, max: 1, fault }]);
      try {
        const err = await rejection(collect(provider.list(bucket, '')));
        expect(isStorageError(err, code), String(err)).toBe(true);
        expect((await collect(provider.list(bucket, ''))).map((o) => o.key)).toEqual(['big.bin']);
      } finally {
        proxy.setRules([]);
      }
    });

    it('a listing page cut off mid-answer fails as Transient with a message that says so', async () => {
      proxy.setRules([{ match: { method: 'GET', query: (q) => q.get('comp') === 'list' && q.get('restype') === 'container' }, max: 1, fault: { kind: 'truncate' } }]);
      try {
        const err = await rejection(collect(provider.list(bucket, '')));
        expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
        expect(proxy.injected.truncate, proxy.describe()).toBe(1);
        expect((err as Error).message).toBe('list container "azure-faults": the connection broke while the answer was read (aborted)');
      } finally {
        proxy.setRules([]);
      }
      // The cut connection is not reused: the next call works.
      expect((await collect(provider.list(bucket, ''))).map((o) => o.key)).toEqual(['big.bin']);
    });

    it.each([
      ['one Put Blob', 1000, (q: URLSearchParams) => !q.has('comp')],
      ['staged blocks', 3 * MiB, (q: URLSearchParams) => q.get('comp') === 'block'],
    ])('an upload (%s) whose connection is reset fails as Transient and keeps the previous object', async (_label, size, query) => {
      const key = `reset-${size}`;
      const uploader = createAzureProvider({ ...azureSettingsFor(server), endpointUrl: `${proxy.url}/${server.accountName}` }, { multipartThreshold: 2 * MiB, blockSize: MiB });
      await uploader.write(bucket, key, bytes('previous'), 8);
      proxy.setRules([{ match: { method: 'PUT', path: new RegExp(`/${key}$`), query }, max: 1, fault: { kind: 'resetRequest' } }]);
      try {
        const err = await rejection(uploader.write(bucket, key, async () => Readable.from([randomBytes(size)]), size));
        expect(isStorageError(err, 'Transient'), `${String(err)} ${proxy.describe()}`).toBe(true);
        expect(isAbortError(err)).toBe(false);
      } finally {
        proxy.setRules([]);
      }
      expect((await readAll(await uploader.read(bucket, key))).toString()).toBe('previous');
    });

    it('a download whose connections are all reset mid-body fails as Transient, not as an abort', async () => {
      // Every GET of the blob (the first and each of the SDK's resumed ranges) is cut off.
      proxy.setRules([{ match: { method: 'GET', path: /big\.bin$/ }, fault: { kind: 'resetResponse' } }]);
      try {
        const err = await rejection(provider.read(bucket, 'big.bin').then(readAll));
        expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
        expect(isAbortError(err)).toBe(false);
      } finally {
        proxy.setRules([]);
      }
      expect((await readAll(await provider.read(bucket, 'big.bin'))).length).toBe(2 * MiB);
    });
  });
});
