// The provider wrappers (electron/providers/stack.ts and the wrappers it composes): a failed listing
// page is retried by its token, Throttled answers slow the whole connection, only the caller's signal
// produces an abort, calls are counted and logged, and a dry run refuses every change. End to end
// through the fault proxy in front of Azurite (whose SDK retries are off), s3rver, moto and the GCS
// test server.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartialRemoveError, StorageError } from '../../electron/providers/errors';
import { DryRunRefusedError, dryRun } from '../../electron/providers/dry-run';
import { pagedList } from '../../electron/providers/listing';
import { logged, type CallRecord } from '../../electron/providers/logged';
import { Pacer } from '../../electron/providers/pacer';
import type { ListPage, ObjectInfo, StorageProvider } from '../../electron/providers/provider';
import { wrapProvider } from '../../electron/providers/stack';
import { LISTING_REQUESTS, PAGE_SIZE_PARAM, SERVICE_ERRORS, seedFromEnv, startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy';
import { SyncService } from '../../electron/services/sync-service';
import { MemoryState } from '../../electron/sync/memory-state';
import { listAll, putText, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

interface FakeProvider extends StorageProvider {
  /** The token of every listPage call, in order. */
  tokens: (string | null)[];
  /** Every call that reached the fake, by method name. */
  called: string[];
}

/**
 * An in-memory provider listing `keys` in pages of `pageSize` (token: the index of the page's first
 * key). `fail(token, attempt)` may return an error for a listPage call; attempt counts from 1 per token.
 */
function fakeProvider(keys: string[], pageSize: number, fail: (token: string | null, attempt: number) => Error | undefined = () => undefined): FakeProvider {
  const attempts = new Map<string | null, number>();
  const fake: FakeProvider = {
    tokens: [],
    called: [],
    type: 'local',
    capabilities: { serverSideCopy: true, metadata: false, md5InListing: false, multipartThreshold: Infinity },
    list: pagedList({ listPage: (...a) => fake.listPage(...a) }),
    async listPage(_bucket, _prefix, token): Promise<ListPage> {
      fake.called.push('listPage');
      fake.tokens.push(token);
      const attempt = (attempts.get(token) ?? 0) + 1;
      attempts.set(token, attempt);
      const failure = fail(token, attempt);
      if (failure) throw failure;
      const start = token === null ? 0 : Number(token);
      const items = keys.slice(start, start + pageSize).map((key): ObjectInfo => ({ key, size: 0, etag: key, lastModified: 0 }));
      return { items, skipped: [], next: start + pageSize < keys.length ? String(start + pageSize) : null };
    },
    listBuckets: async () => (fake.called.push('listBuckets'), ['b']),
    createBucket: async () => void fake.called.push('createBucket'),
    deleteBucket: async () => void fake.called.push('deleteBucket'),
    head: async () => (fake.called.push('head'), null),
    read: async () => (fake.called.push('read'), Readable.from([])),
    write: async (_b, _k, _open, size) => (fake.called.push('write'), { etag: 'e', size }),
    remove: async () => void fake.called.push('remove'),
    copy: async () => (fake.called.push('copy'), { etag: 'e', size: 0 }),
    abandonUpload: async () => void fake.called.push('abandonUpload'),
    close: async () => undefined,
  };
  return fake;
}

describe('provider wrappers', () => {
  const keys = ['a', 'b', 'c/d', 'c/e', 'z'];

  it('retries a failed listing page by its token: earlier pages are not listed again, every key comes once, in order', async () => {
    const inner = fakeProvider(keys, 2, (token, attempt) => (token === '2' && attempt <= 2 ? new StorageError('Transient', 'connection reset') : undefined));
    const { provider, counts } = wrapProvider(inner, { retry: FAST_RETRY });
    expect((await listAll(provider, 'b')).map((o) => o.key)).toEqual(keys);
    expect(inner.tokens).toEqual([null, '2', '2', '2', '4']);
    expect(counts.calls.listPage).toBe(5);
    expect(counts.failures.listPage).toBe(2);
  });

  it('reports an abort that the caller did not ask for as a retryable failure, and retries it', async () => {
    const inner = fakeProvider(keys, 2, (token, attempt) => (token === '2' && attempt === 1 ? new DOMException('aborted by the SDK', 'AbortError') : undefined));
    expect((await listAll(wrapProvider(inner, { retry: FAST_RETRY }).provider, 'b')).map((o) => o.key)).toEqual(keys);
  });

  it('does not retry what cannot succeed, and passes the caller\'s own abort through', async () => {
    const denied = fakeProvider(keys, 2, (token) => (token === '2' ? new StorageError('AccessDenied', 'no') : undefined));
    await expect(listAll(wrapProvider(denied, { retry: FAST_RETRY }).provider, 'b')).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(denied.tokens).toEqual([null, '2']);
    const controller = new AbortController();
    controller.abort();
    const own = fakeProvider(keys, 2, () => new DOMException('cancelled', 'AbortError'));
    await expect(async () => {
      for await (const _ of wrapProvider(own, { retry: FAST_RETRY }).provider.list('b', '', controller.signal));
    }).rejects.toMatchObject({ name: 'AbortError' });
    expect(own.tokens, 'a cancelled listing asks for no page').toEqual([]);
  });

  it('does not retry reads, writes and copies (the engine retries a copy whole), but reports an unasked abort as Transient', async () => {
    const inner = fakeProvider(keys, 2);
    let writes = 0;
    inner.write = async () => {
      writes++;
      throw new DOMException('aborted by the SDK', 'AbortError');
    };
    const { provider } = wrapProvider(inner, { retry: FAST_RETRY });
    await expect(provider.write('b', 'k', async () => Readable.from([]), 0)).rejects.toMatchObject({ code: 'Transient' });
    expect(writes).toBe(1);
  });

  describe('a delete batch that stops part way', () => {
    /**
     * A fake whose remove runs `attempts[n]` on the n-th call: `removes` of the keys asked for are
     * deleted, then it fails with `error` (PartialRemoveError when some were deleted, as removeEach does).
     */
    function partialRemover(attempts: { removes: string[]; error?: StorageError }[]) {
      const inner = fakeProvider([], 10);
      const asked: string[][] = [];
      inner.remove = async (_bucket, keys) => {
        asked.push([...keys]);
        const attempt = attempts[asked.length - 1]!;
        const removed = attempt.removes.filter((k) => keys.includes(k));
        if (!attempt.error) return;
        if (removed.length === 0) throw attempt.error;
        throw new PartialRemoveError(attempt.error.code, attempt.error.message, removed, { cause: attempt.error });
      };
      return { inner, asked };
    }

    it('retries only the keys left, and when it gives up names every key any attempt deleted, classed like the last failure', async () => {
      const { inner, asked } = partialRemover([
        { removes: ['a', 'b'], error: new StorageError('Transient', 'c: connection reset') },
        { removes: ['c'], error: new StorageError('Throttled', 'd: slow down') },
        { removes: [], error: new StorageError('AccessDenied', 'd: denied') },
      ]);
      const retries: string[] = [];
      const { provider, counts } = wrapProvider(inner, { retry: FAST_RETRY, onRetry: (what) => retries.push(what) });
      const err = await provider.remove('b', ['a', 'b', 'c', 'd', 'e']).then(() => undefined, (e: unknown) => e);
      expect(asked).toEqual([['a', 'b', 'c', 'd', 'e'], ['c', 'd', 'e'], ['d', 'e']]);
      expect(err).toBeInstanceOf(PartialRemoveError);
      expect((err as PartialRemoveError).removed).toEqual(['a', 'b', 'c']);
      expect((err as PartialRemoveError).code).toBe('AccessDenied');
      expect((err as Error).message).toMatch(/^d: denied; over every attempt, 3 of 5 keys were deleted$/);
      expect((err as Error).cause).toMatchObject({ code: 'AccessDenied' });
      expect(retries).toEqual(['remove 3 keys from b', 'remove 2 keys from b']);
      expect(counts.calls.remove).toBe(3);
    });

    it('returns normally when a retry deletes the rest', async () => {
      const { inner, asked } = partialRemover([{ removes: ['a'], error: new StorageError('Transient', 'reset') }, { removes: ['b', 'c'] }]);
      await wrapProvider(inner, { retry: FAST_RETRY }).provider.remove('b', ['a', 'b', 'c']);
      expect(asked).toEqual([['a', 'b', 'c'], ['b', 'c']]);
    });

    it('does not retry a failure that cannot succeed, and throws that attempt\'s own error', async () => {
      const denied = new StorageError('AccessDenied', 'b: denied');
      const { inner, asked } = partialRemover([{ removes: ['a'], error: denied }]);
      const err = await wrapProvider(inner, { retry: FAST_RETRY }).provider.remove('b', ['a', 'b']).then(() => undefined, (e: unknown) => e);
      expect(asked).toEqual([['a', 'b']]);
      expect(err).toBeInstanceOf(PartialRemoveError);
      expect((err as PartialRemoveError).removed).toEqual(['a']);
      expect((err as PartialRemoveError).cause).toBe(denied);
    });

    it('names what earlier attempts deleted when the caller cancels during a backoff', async () => {
      const controller = new AbortController();
      const { inner, asked } = partialRemover([{ removes: ['a'], error: new StorageError('Transient', 'reset') }]);
      const { provider } = wrapProvider(inner, {
        retry: { attempts: 4, baseDelayMs: 60_000, maxDelayMs: 60_000 },
        onRetry: () => controller.abort(),
      });
      const err = await provider.remove('b', ['a', 'b'], controller.signal).then(() => undefined, (e: unknown) => e);
      expect(asked).toEqual([['a', 'b']]);
      expect(err).toBeInstanceOf(PartialRemoveError);
      expect((err as PartialRemoveError).removed).toEqual(['a']);
    });
  });

  it('wraps every connection the sync service opens', async () => {
    const inner = fakeProvider(keys, 2, (token, attempt) => (token === '2' && attempt === 1 ? new StorageError('Throttled', 'ServerBusy') : undefined));
    const service = new SyncService(new MemoryState(), () => ({ id: 'c', name: 'c', type: 'local', local: { root: '/unused' } }), { providerFactory: () => inner });
    expect((await listAll(await service.provider('c'), 'b')).map((o) => o.key)).toEqual(keys);
    expect(inner.tokens).toEqual([null, '2', '2', '4']);
  });

  it('slows the whole connection after a Throttled answer and speeds up again as calls succeed', async () => {
    const pacer = new Pacer({ minDelayMs: 1, maxDelayMs: 8 });
    let throttle = 2;
    const inner = fakeProvider(keys, 2);
    inner.head = async () => {
      if (throttle-- > 0) throw new StorageError('Throttled', 'SlowDown');
      return null;
    };
    const { provider, counts } = wrapProvider(inner, { retry: FAST_RETRY, pacer });
    await provider.head('b', 'k'); // two throttles, then success
    expect(pacer.delayMs).toBeGreaterThan(0);
    expect(counts.calls.head).toBe(3);
    // Another call on the same connection waits its turn.
    const started = Date.now();
    await provider.listBuckets();
    await provider.listBuckets();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5 && pacer.delayMs > 0; i++) await provider.head('b', 'k');
    expect(pacer.delayMs).toBe(0);
  });

  it('counts every call that reaches the provider, per operation, and its failures', async () => {
    const inner = fakeProvider(keys, 10);
    inner.head = async () => {
      throw new StorageError('NotFound', 'gone');
    };
    const { provider, counts } = wrapProvider(inner, { retry: FAST_RETRY });
    await listAll(provider, 'b');
    await provider.write('b', 'k', async () => Readable.from([]), 0);
    await provider.remove('b', ['x', 'y']);
    await expect(provider.head('b', 'k')).rejects.toMatchObject({ code: 'NotFound' });
    expect(counts.calls).toMatchObject({ listPage: 1, write: 1, remove: 1, head: 1, read: 0, copy: 0 });
    expect(counts.failures).toMatchObject({ listPage: 0, head: 1 });
    expect(counts.total()).toBe(4);
    counts.reset();
    expect(counts.total()).toBe(0);
  });

  it('under a dry run refuses every change before it reaches the provider, and lets listings, heads and reads through', async () => {
    const inner = fakeProvider(keys, 10);
    const { provider, counts } = wrapProvider(inner, { retry: FAST_RETRY, dryRun: true });
    const changes: [string, () => Promise<unknown>][] = [
      ['write', () => provider.write('b', 'k', async () => Readable.from([]), 0)],
      ['copy', () => provider.copy!('b', 'k', 'c', 'k')],
      ['remove', () => provider.remove('b', ['k'])],
      ['createBucket', () => provider.createBucket('b')],
      ['deleteBucket', () => provider.deleteBucket('b')],
      ['abandonUpload', () => provider.abandonUpload!('b', 'k', '{}')],
    ];
    for (const [name, change] of changes) {
      const err = await change().then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(DryRunRefusedError);
      expect((err as StorageError).code, name).toBe('Fatal');
      expect((err as Error).message, name).toMatch(/refused, this is a dry run/);
    }
    expect(inner.called).toEqual([]);
    expect(counts.total()).toBe(0);
    expect((await listAll(provider, 'b')).map((o) => o.key)).toEqual(keys);
    await provider.head('b', 'k');
    await provider.read('b', 'k');
    await provider.listBuckets();
    expect(inner.called).toEqual(['listPage', 'head', 'read', 'listBuckets']);
    // The dry-run wrapper alone does the same.
    await expect(dryRun(inner).remove('b', ['k'])).rejects.toBeInstanceOf(DryRunRefusedError);
  });

  it('logs every attempt with its operation, duration and outcome', async () => {
    const records: CallRecord[] = [];
    const inner = fakeProvider(keys, 10, (_token, attempt) => (attempt === 1 ? new StorageError('Transient', 'reset') : undefined));
    const { provider } = wrapProvider(inner, { retry: FAST_RETRY, log: (r) => records.push(r) });
    await listAll(provider, 'b');
    expect(records.map((r) => [r.op, r.error === undefined ? 'ok' : (r.error as StorageError).code])).toEqual([
      ['listPage', 'Transient'],
      ['listPage', 'ok'],
    ]);
    for (const r of records) {
      expect(r.what).toBe('list bucket "b"');
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
    }
    const alone: CallRecord[] = [];
    await logged(inner, (r) => alone.push(r)).head('b', 'k');
    expect(alone).toMatchObject([{ op: 'head', what: 'head b/k' }]);
  });

  it('has an optional ability exactly when the provider inside has it', () => {
    const inner = fakeProvider(keys, 10);
    const { copy: _copy, abandonUpload: _abandon, ...plain } = inner;
    const wrapped = wrapProvider(plain as StorageProvider).provider;
    expect(wrapped.copy).toBeUndefined();
    expect(wrapped.abandonUpload).toBeUndefined();
    expect(wrapped.listLevel).toBeUndefined();
    expect(wrapProvider(inner).provider.copy).toBeTypeOf('function');
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
    const bucket = uniqueBucket('wrappers');
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
    const listed = await listAll(wrapProvider(proxied, { retry: FAST_RETRY }).provider, bucket);
    expect(listed.map((o) => o.key), proxy.describe()).toEqual(keys);
    expect(proxy.injected['throttled page']! - before, 'both planned faults happened during the wrapped listing').toBe(2);
    // Azure's SDK retries are off (the engine retries whole operations), so there the provider alone
    // fails on the first bad page; the S3 and GCS SDKs retry a page themselves.
    if (api === 'azure') expect(plain, proxy.describe()).toBe('Throttled');
  });
});
