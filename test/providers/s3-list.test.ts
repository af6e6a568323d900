// The lean ListObjectsV2 page (electron/providers/s3-list.ts) against the SDK's own listing: the same
// request on the wire, the same objects field for field, the same continuation, the same mapped errors,
// on s3rver and on moto; and a cut-off or damaged answer refused as Transient.
//
// Differences between the servers (and from S3) met here: s3rver's KeyCount counts objects only (S3 and
// moto count objects and common prefixes), so KeyCount is not used; s3rver verifies no signature but
// knows one access key, moto knows any key, so a wrong key is refused on s3rver only.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, StorageError } from '../../electron/providers/errors';
import { createS3Provider, mapS3Error } from '../../electron/providers/s3';
import type { S3DirectCalls } from '../../electron/providers/s3-direct';
import { listObjectsPage, parseListBucketResult, type ListObjectsInput, type ListObjectsPage } from '../../electron/providers/s3-list';
import type { StorageProvider } from '../../electron/providers/provider';
import { startFaultProxy, type Fault } from '../support/fault-proxy';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { listByPages, rejection } from './helpers';

/** The provider's own SDK client and direct calls (today's path and the lean one, with one configuration). */
function internals(provider: StorageProvider): { client: S3Client; direct: S3DirectCalls } {
  return provider as unknown as { client: S3Client; direct: S3DirectCalls };
}

/** The fields s3.ts reads of an SDK answer, in the shape of ours. */
function fromSdk(out: object, randomTokens = false): unknown {
  const o = out as { Contents?: Array<Record<string, unknown>>; CommonPrefixes?: Array<{ Prefix?: string }>; EncodingType?: string; IsTruncated?: boolean; NextContinuationToken?: string };
  return {
    contents: (o.Contents ?? []).map((c) => ({ Key: c.Key, Size: c.Size, ETag: c.ETag, LastModified: (c.LastModified as Date).toISOString() })),
    prefixes: (o.CommonPrefixes ?? []).map((p) => p.Prefix),
    encoding: o.EncodingType,
    truncated: o.IsTruncated === true,
    // s3rver's tokens are encrypted with a random IV: two asks for one page give two tokens.
    token: randomTokens ? o.NextContinuationToken !== undefined : o.NextContinuationToken,
  };
}

/** Both ways, page by page; fails on the first page that differs. Returns the pages read. */
async function compareAllPages(provider: StorageProvider, input: Omit<ListObjectsInput, 'ContinuationToken'>, randomTokens: boolean): Promise<ListObjectsPage[]> {
  const { client, direct } = internals(provider);
  const endpoint = (await direct.endpointFor(input.Bucket))!;
  const pages: ListObjectsPage[] = [];
  let token: string | undefined;
  for (let n = 0; ; n++) {
    if (n > 1000) throw new Error('the listing never ended');
    const page = { ...input, ...(token === undefined ? {} : { ContinuationToken: token }) };
    const theirs = await client.send(new ListObjectsV2Command(page as ListObjectsV2CommandInput));
    const ours = await listObjectsPage(direct, endpoint, page);
    // Both ask for the page our last token leads to.
    expect(fromSdk(ours, randomTokens), `page ${n} of ${JSON.stringify(input)}`).toEqual(fromSdk(theirs, randomTokens));
    pages.push(ours);
    if (!ours.IsTruncated) return pages;
    token = ours.NextContinuationToken;
  }
}

/** XML's special characters, the URL encoding's (+ %), spaces at the ends, unicode above U+FFFF, folders. */
const KEYS = [
  'a&b', '<tag>', '"quoted"', "it's", 'x > y', 'with space', ' leading', 'trailing ', 'plus+sign', '100%', 'pct%41', 'emoji 😀 𝄞',
  '00123', 'true', 'dir/one', 'dir/two&three', 'dir/sub/deep', 'dir/sub/ x ', 'dir+plus/k', 'é/ü',
];

const SERVERS: Array<[string, () => Promise<S3TestServer>, { checksKeys: boolean; randomTokens: boolean }]> = [
  ['s3rver', startS3Server, { checksKeys: true, randomTokens: true }],
  ['moto', startMotoServer, { checksKeys: false, randomTokens: false }],
];

describe.each(SERVERS)('lean ListObjectsV2 on %s', (name, start, traits) => {
  let server: S3TestServer;
  let provider: StorageProvider;
  const bucket = `s3-list-${name}`;
  beforeAll(async () => {
    server = await start();
    provider = createS3Provider(awsSettingsFor(server));
    const { client } = internals(provider);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [i, key] of KEYS.entries()) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(i, 'x') }));
  }, 60_000);
  afterAll(async () => {
    await provider?.close();
    await server?.stop();
  });

  it('reads every page as the SDK does, field for field (small pages, a prefix, a delimiter)', async () => {
    const all = await compareAllPages(provider, { Bucket: bucket, MaxKeys: 1000, EncodingType: 'url' }, traits.randomTokens);
    expect(all).toHaveLength(1);
    expect(all[0]!.Contents).toHaveLength(KEYS.length);
    expect(all[0]!.EncodingType).toBe('url');
    expect((await compareAllPages(provider, { Bucket: bucket, MaxKeys: 3, EncodingType: 'url' }, traits.randomTokens)).length).toBe(Math.ceil(KEYS.length / 3));
    expect((await compareAllPages(provider, { Bucket: bucket, Prefix: 'dir/', MaxKeys: 2, EncodingType: 'url' }, traits.randomTokens)).flatMap((p) => p.Contents!)).toHaveLength(4);
    const level = await compareAllPages(provider, { Bucket: bucket, Prefix: 'dir/', Delimiter: '/', MaxKeys: 1000, EncodingType: 'url' }, traits.randomTokens);
    expect(level[0]!.CommonPrefixes).toEqual([{ Prefix: 'dir/sub/' }]);
    await compareAllPages(provider, { Bucket: bucket, Delimiter: '/', MaxKeys: 1000, EncodingType: 'url' }, traits.randomTokens);
    await compareAllPages(provider, { Bucket: bucket, Prefix: 'nothing-here/', MaxKeys: 1000, EncodingType: 'url' }, traits.randomTokens);
  });

  it('the provider lists every key as written, whole and by pages, and one level with its folders', async () => {
    const sorted = [...KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect((await listByPages(provider, bucket, '', 1000)).keys).toEqual(sorted);
    const paged = await listByPages(provider, bucket, '', 4);
    expect(paged.keys).toEqual(sorted);
    expect(paged.pages).toBe(Math.ceil(KEYS.length / 4));
    const first = (await provider.listPage(bucket, '', null)).items.find((o) => o.key === 'emoji 😀 𝄞')!;
    expect(first).toMatchObject({ size: KEYS.indexOf('emoji 😀 𝄞'), md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(first.etag).toBe(first.md5);
    const level = await provider.listLevel!(bucket, 'dir/');
    expect(level).toEqual({ items: expect.any(Array), folders: ['dir/sub/'] });
    expect(level!.items.map((o) => o.key)).toEqual(['dir/one', 'dir/two&three']);
  });

  it('errors map as the SDK’s do: a missing bucket is NotFound, an unknown access key AccessDenied', async () => {
    const ctx = { op: 'list', bucket: 'no-such-bucket-here' };
    const theirs = mapS3Error(await rejection(internals(provider).client.send(new ListObjectsV2Command({ Bucket: ctx.bucket, MaxKeys: 1000, EncodingType: 'url' }))), ctx) as StorageError;
    const ours = await rejection(provider.listPage(ctx.bucket, '', null));
    expect(isStorageError(ours, 'NotFound'), String(ours)).toBe(true);
    expect(ours).toMatchObject({ code: theirs.code, message: theirs.message });
    const wrong = createS3Provider({ ...awsSettingsFor(server), accessKeyId: 'WRONGKEY', secretAccessKey: 'wrong' });
    try {
      const ctx2 = { op: 'list', bucket };
      if (traits.checksKeys) {
        const sdkErr = mapS3Error(await rejection(internals(wrong).client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000, EncodingType: 'url' }))), ctx2) as StorageError;
        const denied = await rejection(wrong.listPage(bucket, '', null));
        expect(isStorageError(denied, 'AccessDenied'), String(denied)).toBe(true);
        expect(denied).toMatchObject({ code: sdkErr.code, message: sdkErr.message });
      } else {
        expect((await wrong.listPage(bucket, '', null)).items).toHaveLength(KEYS.length);
      }
    } finally {
      await wrong.close();
    }
  });

  it('a cut-off answer (through a fault proxy) is Transient', async () => {
    const proxy = await startFaultProxy({ upstream: server.endpoint, seed: 13 });
    const proxied = createS3Provider({ ...awsSettingsFor(server), endpoint: proxy.url });
    try {
      for (const fault of [{ kind: 'truncate' }, { kind: 'resetResponse' }] as Fault[]) {
        proxy.setRules([{ match: { method: 'GET', query: (q) => q.get('list-type') === '2' }, max: 1, fault }]);
        const err = await rejection(proxied.listPage(bucket, '', null));
        expect(proxy.injected[fault.kind], proxy.describe()).toBe(1);
        expect(isStorageError(err, 'Transient'), `${fault.kind}: ${String(err)}`).toBe(true);
      }
      proxy.setRules([]);
      expect((await proxied.listPage(bucket, '', null)).items).toHaveLength(KEYS.length);
    } finally {
      await proxied.close();
      await proxy.stop();
    }
  });
});

describe('lean ListObjectsV2: the request on the wire and the answer', () => {
  interface Seen {
    url: string;
    headers: IncomingHttpHeaders;
  }
  let server: http.Server;
  let endpoint: string;
  const seen: Seen[] = [];
  const script: Array<{ status: number; body: string }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ url: req.url!, headers: req.headers });
        const answer = script.shift() ?? { status: 200, body: doc('') };
        res.writeHead(answer.status, { 'content-type': 'application/xml' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const settings = () => ({ region: 'us-east-1', endpoint, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
  const meaningful = (headers: IncomingHttpHeaders) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !/^(user-agent|x-amz-user-agent|amz-sdk-|authorization|x-amz-date|connection)/.test(name)));

  it('sends the path, query and headers the SDK sends, for every input field', async () => {
    const provider = createS3Provider(settings());
    const { client, direct } = internals(provider);
    const target = (await direct.endpointFor('bkt'))!;
    const inputs: ListObjectsInput[] = [
      { Bucket: 'bkt', MaxKeys: 1000, EncodingType: 'url' },
      { Bucket: 'bkt', Prefix: 'a b/c+d&e=f%g😀/', Delimiter: '/', ContinuationToken: 'tok+/=&?', MaxKeys: 7, EncodingType: 'url' },
    ];
    for (const input of inputs) {
      seen.length = 0;
      await client.send(new ListObjectsV2Command(input));
      await listObjectsPage(direct, target, input);
      const [viaSdk, ours] = seen;
      expect(ours!.url).toBe(viaSdk!.url);
      expect(meaningful(ours!.headers)).toEqual(meaningful(viaSdk!.headers));
      expect(ours!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    }
    // Path style: the bucket's root with its slash, as the SDK sends it.
    expect(seen[0]!.url).toMatch(/^\/bkt\/\?(.*&)?list-type=2(&|$)/);
    await provider.close();
  });

  it('reads an answer as the SDK does: entity-encoded ETags and keys, numeric references, pretty-printing, an empty page', async () => {
    const provider = createS3Provider(settings());
    const { client, direct } = internals(provider);
    const target = (await direct.endpointFor('bkt'))!;
    const answers = [
      doc(contents('a%26b%20+', 3) + contents('&#55;&lt;&gt;&amp;&apos;', 0) + '<CommonPrefixes><Prefix>dir%2F</Prefix></CommonPrefixes>', 'tok&amp;1'),
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <Name>bkt</Name>\n  <Prefix></Prefix>\n  <KeyCount>1</KeyCount>\n  <MaxKeys>1000</MaxKeys>\n  <IsTruncated>false</IsTruncated>\n  <Contents>\n    <Key> spaced </Key>\n    <LastModified>2026-11-28T07:00:00.000Z</LastModified>\n    <ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag>\n    <Size>0</Size>\n    <Owner><ID>x</ID><DisplayName>y</DisplayName></Owner>\n    <StorageClass>STANDARD</StorageClass>\n  </Contents>\n</ListBucketResult>\n`,
      doc(''),
    ];
    for (const body of answers) {
      script.push({ status: 200, body }, { status: 200, body });
      const theirs = await client.send(new ListObjectsV2Command({ Bucket: 'bkt', MaxKeys: 1000, EncodingType: 'url' }));
      const ours = await listObjectsPage(direct, target, { Bucket: 'bkt', MaxKeys: 1000, EncodingType: 'url' });
      expect(fromSdk(ours)).toEqual(fromSdk(theirs));
    }
    script.push({ status: 200, body: answers[0]! });
    const page = await provider.listPage('bkt', '', null);
    expect(page.items.map((o) => [o.key, o.size, o.etag])).toEqual([
      ['a&b  ', 3, '0123456789abcdef0123456789abcdef'],
      ['7<>&\'', 0, '0123456789abcdef0123456789abcdef'],
    ]);
    expect(page.next).toBe('tok&1');
    await provider.close();
  });

  it('an unreadable page maps to Transient through mapS3Error, as a broken answer', async () => {
    const err = mapS3Error(rejectionOf(() => parseListBucketResult('<html>oops</html>', 'b')), { op: 'list', bucket: 'b' });
    expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
    expect(err.message).toMatch(/^list bucket "b": the service's answer could not be read/);
    const provider = createS3Provider(settings());
    script.push({ status: 200, body: doc(contents('a', 1) + contents('b', 2)).slice(0, 200) });
    seen.length = 0;
    const cut = await rejection(provider.listPage('bkt', '', null));
    expect(isStorageError(cut, 'Transient'), String(cut)).toBe(true);
    // It went the direct way (the SDK's stack adds its invocation id to every request).
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['amz-sdk-invocation-id']).toBeUndefined();
    await provider.close();
  });

  it('decodes numeric character references above U+FFFF (the SDK drops them; S3 percent-encodes such keys under encoding-type=url)', () => {
    const page = parseListBucketResult(doc(contents('&#x1F600;&#119070;a', 1)), 'b');
    expect(page.Contents![0]!.Key).toBe('😀𝄞a');
    expect(() => parseListBucketResult(doc(contents('a&b', 1)), 'b')).toThrow(/could not be read/);
  });

  it('refuses an answer cut off anywhere (it would end the listing early)', () => {
    const full = doc(contents('a', 1) + contents('b', 2) + '<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>', 'next');
    expect(parseListBucketResult(full, 'b').Contents).toHaveLength(2);
    for (let cut = 0; cut < full.length; cut++) {
      const err = rejectionOf(() => parseListBucketResult(full.slice(0, cut), 'b'));
      expect(isStorageError(err, 'Transient'), `cut at ${cut}: ${full.slice(Math.max(0, cut - 20), cut)}`).toBe(true);
    }
  });

  it('refuses a damaged answer XML validation refuses, or reads the same objects, prefixes and token from it', () => {
    const full = doc(contents('a%26b', 14) + contents('zz', 2) + '<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>', '1/abc+def=');
    const core = (page: ListObjectsPage) => JSON.stringify(fromSdk(page));
    const intact = core(parseListBucketResult(full, 'b'));
    let invalid = 0;
    let refused = 0;
    for (let at = 0; at < full.length; at++) {
      for (const flip of [0x01, 0x02, 0x10, 0x20, 0x40]) {
        const damaged = full.slice(0, at) + String.fromCharCode(full.charCodeAt(at) ^ flip) + full.slice(at + 1);
        if (XMLValidator.validate(damaged) === true) continue;
        invalid++;
        let read: string;
        try {
          read = core(parseListBucketResult(damaged, 'b'));
        } catch (err) {
          expect(isStorageError(err, 'Transient'), String(err)).toBe(true);
          refused++;
          continue;
        }
        expect(read, `damage at ${at}: ${damaged.slice(Math.max(0, at - 20), at + 10)}`).toBe(intact);
      }
    }
    expect(invalid).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(invalid / 2);
  });

  it('refuses a Size that is not a whole number, a Contents without its fields, an IsTruncated not true/false', () => {
    for (const size of ['1.5', '-1', '', '1e3', '0x10', ' 1']) {
      expect(() => parseListBucketResult(doc(contents('k', 0).replace('<Size>0</Size>', `<Size>${size}</Size>`)), 'b'), size).toThrow(/not a whole number/);
    }
    for (const field of ['Key', 'Size', 'ETag', 'LastModified']) {
      const without = contents('k', 1).replace(new RegExp(`<${field}>[^<]*</${field}>`), '');
      expect(() => parseListBucketResult(doc(without), 'b'), field).toThrow(/without its Key, Size, ETag or LastModified/);
    }
    for (const value of ['True', '1', '', ' true']) {
      expect(() => parseListBucketResult(doc('').replace('<IsTruncated>false</IsTruncated>', `<IsTruncated>${value}</IsTruncated>`), 'b'), value).toThrow(/IsTruncated/);
    }
    expect(() => parseListBucketResult(doc('').replace('<IsTruncated>false</IsTruncated>', ''), 'b')).toThrow(/IsTruncated/);
    expect(() => parseListBucketResult(doc('<Unknown>1</Unknown>'), 'b')).toThrow(/unexpected <Unknown>/);
    // What the parser reads silently but the tag counts catch: a Contents, a prefix or the token it did not read.
    expect(() => parseListBucketResult(doc(contents('a', 1) + '<!--' + contents('b', 2) + '-->'), 'b')).toThrow(/<Contents> tags/);
    expect(() => parseListBucketResult(doc('<!--<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>-->'), 'b')).toThrow(/<CommonPrefixes> tags/);
    expect(() => parseListBucketResult(doc('<!--<NextContinuationToken>t</NextContinuationToken>-->'), 'b')).toThrow(/NextContinuationToken/);
  });
});

function doc(inner: string, token?: string): string {
  const truncated = token === undefined ? 'false' : 'true';
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>${truncated}</IsTruncated>${inner}${token === undefined ? '' : `<NextContinuationToken>${token}</NextContinuationToken>`}</ListBucketResult>`;
}

function contents(key: string, size: number): string {
  return `<Contents><Key>${key}</Key><LastModified>2026-11-28T07:00:00.000Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
}

function rejectionOf(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

