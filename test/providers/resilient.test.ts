// The retry + pacing wrapper around every connection's provider (electron/providers/resilient.ts):
// listings that fail part way continue after their last key, Throttled answers slow the whole
// connection, and only the caller's signal produces an abort. End to end through the fault proxy in
// front of Azurite (whose SDK retries are off), s3rver, moto and the GCS test server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../electron/providers/errors';
import { Pacer } from '../../electron/providers/pacer';
import type { ObjectInfo, StorageProvider } from '../../electron/providers/provider';
import { resilient } from '../../electron/providers/resilient';
import { LISTING_REQUESTS, PAGE_SIZE_PARAM, SERVICE_ERRORS, seedFromEnv, startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';
import { SyncService } from '../../electron/services/sync-service';
import { openStore } from '../../electron/store';
import { listAll, putText, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

/** A provider whose listing of `keys` throws `failure()` once, after yielding `failAfter` keys. */
function flakyLister(keys: string[], failAfter: number, failure: () => Error): StorageProvider & { listings: number } {
  const fake = {
    listings: 0,
    type: 'local' as const,
    capabilities: { serverSideCopy: false, metadata: false, md5InListing: false, multipartThreshold: Infinity },
    async *list(): AsyncIterable<ObjectInfo> {
      const failing = fake.listings++ === 0;
      for (const [i, key] of keys.entries()) {
        if (failing && i === failAfter) throw failure();
        yield { key, size: 0, etag: key, lastModified: 0 };
      }
    },
  };
  return fake as unknown as StorageProvider & { listings: number };
}

describe('resilient provider', () => {
  const keys = ['a', 'b', 'c/d', 'c/e', 'z'];

  it('lists again after a transient failure and continues after the last key it yielded', async () => {
    const inner = flakyLister(keys, 3, () => new StorageError('Transient', 'connection reset'));
    const listed = await listAll(resilient(inner, { retry: FAST_RETRY }), 'b');
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(inner.listings).toBe(2);
  });

  it('reports an abort that the caller did not ask for as a retryable failure, and retries it', async () => {
    const inner = flakyLister(keys, 1, () => new DOMException('aborted by the SDK', 'AbortError'));
    expect((await listAll(resilient(inner, { retry: FAST_RETRY }), 'b')).map((o) => o.key)).toEqual(keys);
  });

  it('does not retry what cannot succeed, and passes the caller\'s own abort through', async () => {
    const denied = flakyLister(keys, 0, () => new StorageError('AccessDenied', 'no'));
    await expect(listAll(resilient(denied, { retry: FAST_RETRY }), 'b')).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(denied.listings).toBe(1);
    const controller = new AbortController();
    controller.abort();
    const own = flakyLister(keys, 0, () => new DOMException('cancelled', 'AbortError'));
    await expect(async () => {
      for await (const _ of resilient(own, { retry: FAST_RETRY }).list('b', '', controller.signal));
    }).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('wraps every connection the sync service opens', async () => {
    const inner = flakyLister(keys, 2, () => new StorageError('Throttled', 'ServerBusy'));
    const store = openStore(':memory:');
    const service = new SyncService(store, () => ({ id: 'c', name: 'c', type: 'local', local: { root: '/unused' } }), { providerFactory: () => inner });
    try {
      expect((await listAll(await service.provider('c'), 'b')).map((o) => o.key)).toEqual(keys);
      expect(inner.listings).toBe(2);
    } finally {
      store.close();
    }
  });

  it('slows the whole connection after a Throttled answer and speeds up again as calls succeed', async () => {
    const pacer = new Pacer({ minDelayMs: 1, maxDelayMs: 8 });
    let throttle = 2;
    const inner = {
      head: async () => {
        if (throttle-- > 0) throw new StorageError('Throttled', 'SlowDown');
        return null;
      },
    } as unknown as StorageProvider;
    const wrapped = resilient(inner, { retry: FAST_RETRY, pacer });
    const delays: number[] = [];
    await wrapped.head('b', 'k', undefined); // two throttles, then success
    delays.push(pacer.delayMs);
    expect(delays[0]).toBeGreaterThan(0);
    for (let i = 0; i < 5 && pacer.delayMs > 0; i++) await wrapped.head('b', 'k');
    expect(pacer.delayMs).toBe(0);
  });
});

describe.each([
  ['azure', 'azure'],
  ['s3rver', 's3'],
  ['moto', 's3'],
  ['gcs', 'gcs'],
] as const)('a listing page that fails on %s', (server, api) => {
  let proxy: FaultProxy;
  let direct: StorageProvider;
  let proxied: StorageProvider;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    let upstream: string;
    let make: (endpoint: string) => Promise<StorageProvider>;
    if (server === 'azure') {
      const { startAzurite, azureSettingsFor } = await import('../support/azurite');
      const { createAzureProvider } = await import('../../electron/providers/azure');
      const azurite = await startAzurite();
      stop = () => azurite.stop();
      upstream = `http://127.0.0.1:${azurite.port}`;
      make = async (endpoint) => createAzureProvider({ ...azureSettingsFor(azurite), endpointUrl: azurite.endpointUrl.replace(upstream, endpoint) });
    } else if (server === 'gcs') {
      const { startGcsServer, gcsSettingsFor } = await import('../support/gcs-server');
      const { createGcsProvider } = await import('../../electron/providers/gcs');
      const gcs = await startGcsServer();
      stop = () => gcs.stop();
      upstream = gcs.apiEndpoint;
      make = async (endpoint) => createGcsProvider({ ...gcsSettingsFor(gcs), apiEndpoint: endpoint });
    } else {
      const { awsSettingsFor, startS3Server } = await import('../support/s3-server');
      const { startMotoServer } = await import('../support/moto-server');
      const { createS3Provider } = await import('../../electron/providers/s3');
      const s3 = server === 'moto' ? await startMotoServer() : await startS3Server();
      stop = () => s3.stop();
      upstream = s3.endpoint;
      make = async (endpoint) => createS3Provider({ ...awsSettingsFor(s3), endpoint });
    }
    proxy = await startFaultProxy({ upstream, seed: seedFromEnv(7) });
    direct = await make(upstream);
    proxied = await make(proxy.url);
  });
  afterAll(async () => {
    await proxied?.close();
    await direct?.close();
    await proxy?.stop();
    await stop?.();
  });

  it('is listed again from where it stopped, every key exactly once, in order', async () => {
    const bucket = uniqueBucket('resilient');
    await direct.createBucket(bucket);
    const keys = Array.from({ length: 9 }, (_, i) => `k${i}`);
    for (const key of keys) await putText(direct, bucket, key, key);
    const throttle = api === 'azure' ? SERVICE_ERRORS.azureServerBusy : api === 'gcs' ? SERVICE_ERRORS.gcsBackendError : SERVICE_ERRORS.s3SlowDown;
    // S3 and GCS: pages of two keys, and the second and third page requests answer "slow down", so
    // the listing fails part way. Azure signs its query (a rewritten page size fails authentication),
    // so there the first two listing requests fail instead.
    const rules = (): FaultRule[] =>
      api === 'azure'
        ? [{ name: 'throttled page', match: LISTING_REQUESTS[api], nth: [1, 2], fault: throttle }]
        : [
            { name: 'small pages', match: LISTING_REQUESTS[api], fault: { kind: 'rewriteQuery', param: PAGE_SIZE_PARAM[api], value: '2' } },
            { name: 'throttled page', match: LISTING_REQUESTS[api], nth: [2, 3], fault: throttle },
          ];
    proxy.setRules(rules());
    const plain = await listAll(proxied, bucket).then(
      () => 'listed',
      (err: unknown) => (err instanceof StorageError ? err.code : String(err)),
    );
    proxy.setRules(rules());
    const before = proxy.injected['throttled page'] ?? 0;
    const listed = await listAll(resilient(proxied, { retry: FAST_RETRY }), bucket);
    expect(listed.map((o) => o.key), proxy.describe()).toEqual(keys);
    expect(proxy.injected['throttled page']! - before, 'both planned faults happened during the wrapped listing').toBe(2);
    // Azure's SDK retries are off (the engine retries whole operations), so there the provider alone
    // fails on the first bad page; the S3 and GCS SDKs retry a page themselves.
    if (api === 'azure') expect(plain, proxy.describe()).toBe('Throttled');
  });
});
