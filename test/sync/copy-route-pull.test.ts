// The pulled route (issue 15 point 2): an S3 source (s3rver and moto; GCS too) → Azure, where Azure fetches
// each object from a presigned URL itself. Azurite answers both from-URL calls 501, so the target is
// the in-repo stand-in in front of Azurite (test/support/azure-url-standin.ts), which fetches the URL
// as Azure would. Runs go through a SyncService over connections, so the providers are wrapped as in
// the app. Known differences from real Azure are listed in the stand-in; what real Azure would make
// of a loopback URL (it cannot reach one: canFetch says so) is shown with canFetch forced false.
import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Connection, Mapping } from '../../shared/model';
import { SyncMetrics } from '../../electron/ops/metrics';
import { createAzureProvider } from '../../electron/providers/azure';
import { StorageError } from '../../electron/providers/errors';
import type { StorageProvider } from '../../electron/providers/provider';
import { createProvider } from '../../electron/providers/registry';
import { createS3Provider } from '../../electron/providers/s3';
import { SyncService } from '../../electron/services/sync-service';
import { MemoryState } from '../../electron/sync/memory-state';
import { NOT_PULLED } from '../../electron/sync/pull-copy';
import type { RunEvent } from '../../electron/sync/telemetry';
import { startAzurite, type AzuriteServer } from '../support/azurite';
import { startAzureUrlStandin, type AzureUrlStandin } from '../support/azure-url-standin';
import { gcsSettingsFor, startGcsServer, type GcsTestServer } from '../support/gcs-server';
import { startMotoServer } from '../support/moto-server';
import { bytes, readAll, uniqueBucket } from '../support/objects';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { parseScrape } from '../ops/metrics-scrape';

const RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const MiB = 1024 * 1024;
const SIZES = [1, 4_000, 300_000];
const TOTAL = SIZES.reduce((a, b) => a + b, 0);

type Finished = Extract<RunEvent, { type: 'transfer.finished' }>;

describe('copy-from-URL: the target pulls from the source', () => {
  let s3rver: S3TestServer;
  let moto: S3TestServer;
  let azurite: AzuriteServer;
  let standin: AzureUrlStandin;
  let gcs: GcsTestServer;
  let azure: StorageProvider;
  beforeAll(async () => {
    [s3rver, moto, azurite, gcs] = await Promise.all([startS3Server(), startMotoServer(), startAzurite(), startGcsServer()]);
    standin = await startAzureUrlStandin(azurite);
    azure = createAzureProvider({ accountName: azurite.accountName, accountKey: azurite.accountKey, endpointUrl: azurite.endpointUrl });
  }, 120_000);
  afterAll(async () => {
    await azure?.close();
    await standin?.stop();
    await Promise.all([s3rver?.stop(), moto?.stop(), azurite?.stop(), gcs?.stop()]);
  });
  beforeEach(() => {
    standin.fetched.bytes = 0;
    standin.fetched.requests = 0;
    standin.calls.putBlob = 0;
    standin.calls.putBlock = 0;
    standin.refuseSources = false;
    standin.corruptFetches = 0;
  });

  const s3 = (server: () => S3TestServer): Connection => ({ id: 'src', name: 'src', type: 'aws', aws: awsSettingsFor(server()) });
  /** A GCS connection with a service account's private key, so it can sign URLs (V4 signing is local; the test server does not check signatures). */
  const signingGcs = (): Connection => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const credentialsJson = JSON.stringify({ type: 'service_account', project_id: gcs.projectId, client_email: 'routes@test.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    return { id: 'src', name: 'src', type: 'gcs', gcs: { ...gcsSettingsFor(gcs), credentialsJson } };
  };
  const viaStandin = (): Connection => ({ id: 'dst', name: 'dst', type: 'azure', azure: { accountName: standin.accountName, accountKey: standin.accountKey, endpointUrl: standin.endpointUrl } });

  interface Pair {
    source: Connection;
    target: Connection;
    /** Writes the source objects (default: SIZES through the source connection's own provider). */
    seed?: (bucket: string) => Promise<void>;
    /** Changes a built provider (by connection id) before the service wraps it. */
    adjust?: (id: string, provider: StorageProvider) => StorageProvider;
    transfers?: number;
    mapping?: Partial<Mapping>;
  }

  async function seedSizes(source: Connection, bucket: string): Promise<void> {
    const provider = await createProvider(source);
    await provider.createBucket(bucket);
    for (const [i, size] of SIZES.entries()) await provider.write(bucket, `o${i}.bin`, async () => Readable.from([bytes(i + 3, size)]), size, { contentType: 'application/x-test', metadata: { n: String(i) } });
    await provider.close();
  }

  /** Runs a mapping between the pair twice; returns the first run, its copy events and log, and the second run. */
  async function runPair(pair: Pair) {
    const service = new SyncService(new MemoryState(), (id) => [pair.source, pair.target].find((c) => c.id === id), {
      providerFactory: async (c) => (pair.adjust ?? ((_, p) => p))(c.id, await createProvider(c)),
    });
    const mapping: Mapping = {
      id: 'pull', name: 'pull', sourceConnectionId: 'src', sourceBucket: uniqueBucket('pull-src'), sourcePrefix: '',
      targetConnectionId: 'dst', targetBucket: uniqueBucket('pull-dst'), targetPrefix: '',
      transfers: pair.transfers ?? 2, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null, createTargetBucket: true,
      ...pair.mapping,
    };
    try {
      await (pair.seed ?? ((bucket) => seedSizes(pair.source, bucket)))(mapping.sourceBucket);
      const events: Finished[] = [];
      const logs: string[] = [];
      const metrics = new SyncMetrics();
      const onEvent = (e: RunEvent) => {
        metrics.observe(e, mapping);
        if (e.type === 'transfer.finished') events.push(e);
      };
      const { run } = await service.run(mapping, { retry: RETRY, onEvent, onLog: (l) => logs.push(l.message) });
      const fetched = { ...standin.fetched };
      const scrape = parseScrape(await metrics.text());
      const byRoute = (route: string) => scrape.value('cds_objects_transferred_by_route_total', { mapping: mapping.id, route });
      const again = (await service.run(mapping, { retry: RETRY })).run;
      return { mapping, run, events, logs, fetched, again, byRoute };
    } finally {
      await service.close();
    }
  }

  async function expectCopies(bucket: string): Promise<void> {
    for (const [i, size] of SIZES.entries()) expect((await readAll(azure, bucket, `o${i}.bin`)).equals(bytes(i + 3, size))).toBe(true);
    expect(await azure.head(bucket, 'o1.bin')).toMatchObject({ contentType: 'application/x-test', metadata: { n: '1' } });
  }

  it.each([
    ['s3rver', () => s3rver],
    ['moto', () => moto],
  ] as const)('%s → Azure: every object is pulled and verified by MD5, no byte passes through us, and the next run copies nothing', async (_, server) => {
    // A bandwidth limit far below the data: pulled bytes do not pass it (the run would take minutes).
    const out = await runPair({ source: s3(server), target: viaStandin(), mapping: { bwLimit: '1k' } });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length, failed: 0, bytesCopied: TOTAL });
    expect(out.logs).toContain('Objects the target pulls from source URLs do not pass through this machine: the bandwidth limit does not apply to them');
    expect([out.byRoute('pulled'), out.byRoute('streamed'), out.byRoute('server-side')]).toEqual([SIZES.length, 0, 0]);
    expect(out.events.map((e) => [e.route, e.serverSide, e.bytes, e.outcome])).toEqual(SIZES.map(() => ['pulled', false, 0, 'copied']));
    expect(out.fetched.bytes).toBe(TOTAL);
    expect(out.logs.filter((l) => /^Copied o\d\.bin \(.*, pulled by the target, verified: md5; new\)$/.test(l))).toHaveLength(SIZES.length);
    await expectCopies(out.mapping.targetBucket);
    expect(out.again).toMatchObject({ status: 'success', copied: 0, skipped: SIZES.length });
  });

  it('moto → Azure: a multipart object is pulled part by part and checked against its -N ETag', async () => {
    const size = 11 * MiB;
    const source = s3(() => moto);
    const out = await runPair({
      source,
      target: viaStandin(),
      seed: async (bucket) => {
        const parts = createS3Provider(awsSettingsFor(moto), { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
        await parts.createBucket(bucket);
        await parts.write(bucket, 'big.bin', async () => Readable.from([bytes(99, size)]), size);
        expect((await parts.head(bucket, 'big.bin'))?.etag).toMatch(/-3$/);
        await parts.close();
      },
    });
    expect(out.run).toMatchObject({ status: 'success', copied: 1 });
    expect(out.events.map((e) => [e.route, e.bytes])).toEqual([['pulled', 0]]);
    expect(standin.calls.putBlock).toBe(3);
    expect(out.fetched.bytes).toBe(size);
    expect(out.logs).toContainEqual(expect.stringMatching(/^Copied big\.bin \(12 MB, pulled by the target, verified: multipart ETag; new\)$/));
    expect((await readAll(azure, out.mapping.targetBucket, 'big.bin')).equals(bytes(99, size))).toBe(true);
  });

  it('a multipart object whose part sizes the source does not say is streamed, with the reason (as s3rver would, were its ETags -N)', async () => {
    const size = 11 * MiB;
    const out = await runPair({
      source: s3(() => moto),
      target: viaStandin(),
      // s3rver answers no part HEADs, but gives multipart uploads a plain MD5 ETag (pulled, verified by it): moto's
      // -N ETag with part sizes unknown is the case.
      adjust: (id, provider) => (id === 'src' ? Object.assign(Object.create(provider) as StorageProvider, { partSizes: async () => null }) : provider),
      seed: async (bucket) => {
        const parts = createS3Provider(awsSettingsFor(moto), { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
        await parts.createBucket(bucket);
        await parts.write(bucket, 'big.bin', async () => Readable.from([bytes(98, size)]), size);
        await parts.close();
      },
    });
    expect(out.run).toMatchObject({ status: 'success', copied: 1 });
    expect(out.events.map((e) => [e.route, e.bytes])).toEqual([['streamed', size]]);
    expect(out.fetched.bytes).toBe(0);
    expect(out.logs).toContainEqual(expect.stringContaining(`Copied big.bin (12 MB, streamed (not pulled: ${NOT_PULLED.noChecksum}), `));
  });

  it('bytes corrupted on the way are never reported copied: retried while it lasts, failed when it does not stop', async () => {
    standin.corruptFetches = 1;
    const once = await runPair({ source: s3(() => moto), target: viaStandin(), transfers: 1 });
    expect(once.run).toMatchObject({ status: 'success', copied: SIZES.length });
    expect(once.events.every((e) => e.route === 'pulled' && e.bytes === 0)).toBe(true);
    await expectCopies(once.mapping.targetBucket);

    standin.corruptFetches = 1_000;
    const always = await runPair({ source: s3(() => moto), target: viaStandin(), transfers: 1 });
    expect(always.run).toMatchObject({ status: 'failed', copied: 0, failed: SIZES.length });
    expect(always.events.map((e) => [e.route, e.outcome])).toEqual(SIZES.map(() => ['pulled', 'failed']));
    // Azure (the stand-in) refused the bytes before committing: nothing is at the target.
    for (const i of SIZES.keys()) expect(await azure.head(always.mapping.targetBucket, `o${i}.bin`)).toBeNull();
    standin.corruptFetches = 0;
  });

  it('a target that cannot read the source URL: streamed instead, and after three refusals the run pulls no more', async () => {
    standin.refuseSources = true;
    const seed = async (bucket: string) => {
      const provider = await createProvider(s3(() => moto));
      await provider.createBucket(bucket);
      for (let i = 0; i < 5; i++) await provider.write(bucket, `r${i}.bin`, async () => Readable.from([bytes(i, 1000)]), 1000);
      await provider.close();
    };
    const out = await runPair({ source: s3(() => moto), target: viaStandin(), seed, transfers: 1 });
    expect(out.run).toMatchObject({ status: 'success', copied: 5, failed: 0 });
    expect(out.events.map((e) => [e.route, e.bytes])).toEqual(Array.from({ length: 5 }, () => ['streamed', 1000]));
    expect([out.byRoute('pulled'), out.byRoute('streamed')]).toEqual([0, 5]);
    expect(standin.calls.putBlob).toBe(3);
    const copied = out.logs.filter((l) => l.startsWith('Copied r'));
    expect(copied.slice(0, 3).every((l) => /streamed \(not pulled: the target could not fetch it from the source's URL \(.*could not read the source URL.*\)\), verified: md5; new\)$/.test(l))).toBe(true);
    expect(copied.slice(3).every((l) => l.includes(`streamed (not pulled: ${NOT_PULLED.stopped}), verified: md5`))).toBe(true);
    expect(out.logs.filter((l) => l.startsWith('The target did not pull 3 objects from their source URL'))).toHaveLength(1);
    // The presigned URL (its signature) is in no log line.
    expect(out.logs.some((l) => /X-Amz-Signature|X-Amz-Credential/i.test(l))).toBe(false);
  });

  it('a target that cannot reach the source endpoint (a public Azure and a loopback source) streams, saying so', async () => {
    const out = await runPair({
      source: s3(() => moto),
      target: viaStandin(),
      adjust: (id, provider) => (id === 'dst' ? Object.assign(Object.create(provider) as StorageProvider, { canFetch: () => false }) : provider),
    });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length });
    expect(out.events.map((e) => e.route)).toEqual(SIZES.map(() => 'streamed'));
    expect(standin.calls.putBlob).toBe(0);
    expect(out.logs.filter((l) => l.includes(`streamed (not pulled: ${NOT_PULLED.unreachable})`))).toHaveLength(SIZES.length);
  });

  it('a target answering a pull with a final error that is not about the URL streams the object, saying so', async () => {
    const out = await runPair({
      source: s3(() => moto),
      target: viaStandin(),
      adjust: (id, provider) =>
        id === 'dst'
          ? Object.assign(Object.create(provider) as StorageProvider, { writeFromUrl: async () => Promise.reject(new StorageError('AccessDenied', 'write x: this SAS may not write from a URL')) })
          : provider,
    });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length });
    expect(out.events.map((e) => [e.route, e.outcome])).toEqual(SIZES.map(() => ['streamed', 'copied']));
    expect(out.logs.filter((l) => l.includes("streamed (not pulled: the target refused to fetch it from the source's URL (write x: this SAS may not write from a URL)), verified: md5"))).toHaveLength(SIZES.length);
    await expectCopies(out.mapping.targetBucket);
  });

  it('objects with an MD5 above what the target fetches in one request are streamed without asking it, and do not stop the pulls', async () => {
    // As Azure's 5000 MiB, scaled down: only o0 (1 B) is small enough to pull with its MD5 checked.
    const out = await runPair({
      source: s3(() => moto),
      target: viaStandin(),
      transfers: 1,
      adjust: (id, provider) =>
        id === 'dst' ? Object.assign(Object.create(provider) as StorageProvider, { capabilities: { ...provider.capabilities, writeFromUrlSingleMax: 1000 } }) : provider,
    });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length, failed: 0 });
    expect(out.events.map((e) => [e.key, e.route]).sort()).toEqual([['o0.bin', 'pulled'], ['o1.bin', 'streamed'], ['o2.bin', 'streamed']]);
    expect(out.logs.filter((l) => l.includes(`streamed (not pulled: ${NOT_PULLED.tooLarge})`))).toHaveLength(2);
    expect(standin.calls.putBlob).toBe(1);
    expect(out.logs.some((l) => l.includes('pulls no more') || l.includes('the rest of this run is streamed'))).toBe(false);
    await expectCopies(out.mapping.targetBucket);
  });

  it('an empty object is streamed: there is nothing to fetch', async () => {
    const seed = async (bucket: string) => {
      const provider = await createProvider(s3(() => moto));
      await provider.createBucket(bucket);
      await provider.write(bucket, 'empty.txt', async () => Readable.from([]), 0);
      await provider.close();
    };
    const out = await runPair({ source: s3(() => moto), target: viaStandin(), seed });
    expect(out.run).toMatchObject({ status: 'success', copied: 1 });
    expect(out.events.map((e) => [e.route, e.bytes])).toEqual([['streamed', 0]]);
    expect(out.logs).toContainEqual(expect.stringContaining(`Copied empty.txt (0 B, streamed (not pulled: ${NOT_PULLED.empty}), verified: md5; new)`));
  });

  it('a local folder source is streamed: it has no URL to give', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const root = await mkdtemp(`${tmpdir()}/cds-pull-local-`);
    try {
      const out = await runPair({ source: { id: 'src', name: 'src', type: 'local', local: { root } }, target: viaStandin() });
      expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length });
      expect(out.events.map((e) => [e.route, e.bytes]).sort()).toEqual(SIZES.map((size) => ['streamed', size]).sort());
      expect(standin.calls.putBlob).toBe(0);
      expect(out.logs.some((l) => l.includes('not pulled'))).toBe(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('GCS (a service-account key) → Azure: every object is pulled from a V4 signed URL and verified by MD5', async () => {
    const out = await runPair({ source: signingGcs(), target: viaStandin() });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length });
    expect(out.events.map((e) => [e.route, e.bytes])).toEqual(SIZES.map(() => ['pulled', 0]));
    expect(out.fetched.bytes).toBe(TOTAL);
    await expectCopies(out.mapping.targetBucket);
    expect(out.again).toMatchObject({ status: 'success', copied: 0, skipped: SIZES.length });
  });

  it('a gzip-encoded GCS object is streamed (GCS may decompress it for the fetcher); the others of the run are pulled', async () => {
    const source = signingGcs();
    const gzipped = gzipSync(Buffer.from('hello '.repeat(500)));
    const out = await runPair({
      source,
      target: viaStandin(),
      seed: async (bucket) => {
        const provider = await createProvider(source);
        await provider.createBucket(bucket);
        await provider.write(bucket, 'page.html', async () => Readable.from([gzipped]), gzipped.length, { contentType: 'text/html', contentEncoding: 'gzip' });
        await provider.write(bucket, 'plain.bin', async () => Readable.from([bytes(9, 4000)]), 4000);
        await provider.close();
      },
    });
    expect(out.run).toMatchObject({ status: 'success', copied: 2, failed: 0 });
    expect(out.events.map((e) => [e.key, e.route]).sort()).toEqual([['page.html', 'streamed'], ['plain.bin', 'pulled']]);
    expect(out.logs.filter((l) => l.includes(`streamed (not pulled: ${NOT_PULLED.transcoded})`))).toHaveLength(1);
    expect((await readAll(azure, out.mapping.targetBucket, 'page.html')).equals(gzipped)).toBe(true);
    expect(await azure.head(out.mapping.targetBucket, 'page.html')).toMatchObject({ contentEncoding: 'gzip' });
  });

  it('a GCS source without a signing key is streamed: its credentials cannot sign a URL', async () => {
    const out = await runPair({ source: { id: 'src', name: 'src', type: 'gcs', gcs: gcsSettingsFor(gcs) }, target: viaStandin() });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length });
    expect(out.events.map((e) => e.route)).toEqual(SIZES.map(() => 'streamed'));
    expect(out.logs.filter((l) => l.includes(`streamed (not pulled: ${NOT_PULLED.cannotSign})`))).toHaveLength(SIZES.length);
  });

  it('plain Azurite (no copy-from-URL): the run ends success with streamed objects', async () => {
    const plain: Connection = { id: 'dst', name: 'dst', type: 'azure', azure: { accountName: azurite.accountName, accountKey: azurite.accountKey, endpointUrl: azurite.endpointUrl } };
    const out = await runPair({ source: s3(() => moto), target: plain, transfers: 1 });
    expect(out.run).toMatchObject({ status: 'success', copied: SIZES.length, failed: 0 });
    expect(out.events.map((e) => [e.route, e.bytes])).toEqual(SIZES.map((size) => ['streamed', size]));
    expect(out.logs.filter((l) => l.includes('not pulled: the target could not fetch it'))).toHaveLength(SIZES.length);
    await expectCopies(out.mapping.targetBucket);
  });
});
