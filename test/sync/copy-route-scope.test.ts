// Two connections of one identity at one service copy server-side (issue 15 point 4): the target's
// provider copies from the other connection's bucket, and no byte passes through us. Run through the
// SyncService, which decides it from the connections' settings (services/copy-scope.ts), against
// s3rver and moto (S3 CopyObject), Azurite (Copy Blob in one account) and the GCS test server
// (rewrite). Connections that cannot be proven one identity are streamed.
import { generateAccountSASQueryParameters, AccountSASPermissions, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, Mapping } from '../../shared/model';
import { createProvider } from '../../electron/providers/registry';
import { SyncService } from '../../electron/services/sync-service';
import { MemoryState } from '../../electron/sync/memory-state';
import type { RunEvent } from '../../electron/sync/telemetry';
import { azuriteConnectionString, startAzurite, type AzuriteServer } from '../support/azurite';
import { gcsSettingsFor, startGcsServer, type GcsTestServer } from '../support/gcs-server';
import { instrument, type Instrumented } from '../support/instrumented-provider';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { bytes, readAll, uniqueBucket } from '../support/objects';

const FAST_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
const SIZES = [1, 5_000, 70_000];

type Finished = Extract<RunEvent, { type: 'transfer.finished' }>;

describe('server-side copy between two connections of one identity', () => {
  let s3rver: S3TestServer;
  let moto: S3TestServer;
  let azurite: AzuriteServer;
  let gcs: GcsTestServer;
  beforeAll(async () => {
    [s3rver, moto, azurite, gcs] = await Promise.all([startS3Server(), startMotoServer(), startAzurite(), startGcsServer()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([s3rver?.stop(), moto?.stop(), azurite?.stop(), gcs?.stop()]);
  });

  /**
   * Seeds a source bucket through `source`, runs a mapping from it to a new bucket of `target` twice
   * through a SyncService that knows both connections, and says what happened.
   */
  async function runBetween(source: Connection, target: Connection) {
    const made = new Map<string, Instrumented>();
    const service = new SyncService(new MemoryState(), (id) => [source, target].find((c) => c.id === id), {
      providerFactory: async (c) => {
        const counted = instrument(await createProvider(c));
        made.set(c.id, counted);
        return counted.provider;
      },
    });
    const seed = await createProvider(source);
    const destination = await createProvider(target);
    try {
      const mapping: Mapping = {
        id: `scope-${source.id}-${target.id}`, name: 'scope', sourceConnectionId: source.id, sourceBucket: uniqueBucket('scope-src'), sourcePrefix: '',
        targetConnectionId: target.id, targetBucket: uniqueBucket('scope-dst'), targetPrefix: 'copy/',
        transfers: 2, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
      };
      await seed.createBucket(mapping.sourceBucket);
      await destination.createBucket(mapping.targetBucket);
      for (const [i, size] of SIZES.entries()) await seed.write(mapping.sourceBucket, `o${i}.bin`, async () => Readable.from([bytes(i + 7, size)]), size, { contentType: 'application/x-test' });
      const events: Finished[] = [];
      const logs: string[] = [];
      const { run } = await service.run(mapping, { retry: FAST_RETRY, onEvent: (e) => e.type === 'transfer.finished' && events.push(e), onLog: (l) => logs.push(l.message) });
      const calls = { source: { ...made.get(source.id)!.calls }, target: { ...made.get(target.id)!.calls } };
      const copies = await Promise.all(SIZES.map(async (_, i) => (await readAll(destination, mapping.targetBucket, `copy/o${i}.bin`)).equals(bytes(i + 7, SIZES[i]!))));
      const again = (await service.run(mapping, { retry: FAST_RETRY })).run;
      return { run, again, events, logs, calls, copies };
    } finally {
      await Promise.all([service.close(), seed.close(), destination.close()]);
    }
  }

  const total = SIZES.reduce((a, b) => a + b, 0);

  function expectServerSide(outcome: Awaited<ReturnType<typeof runBetween>>): void {
    expect(outcome.run).toMatchObject({ status: 'success', copied: SIZES.length, bytesCopied: total });
    expect(outcome.copies).toEqual(SIZES.map(() => true));
    expect(outcome.events.map((e) => [e.route, e.serverSide, e.bytes])).toEqual(SIZES.map(() => ['server-side', true, 0]));
    // The target's provider copied; nothing was read from the source connection or written through us.
    expect(outcome.calls.target).toMatchObject({ copy: SIZES.length, write: 0 });
    expect(outcome.calls.source).toMatchObject({ read: 0, copy: 0 });
    expect(outcome.logs).toContain('Source and target connections are one identity at one service: the target copies objects server-side');
    expect(outcome.logs.filter((l) => /^Copied o\d\.bin \(.*, server-side; new\)$/.test(l))).toHaveLength(SIZES.length);
    expect(outcome.again).toMatchObject({ status: 'success', copied: 0, skipped: SIZES.length });
  }

  function expectStreamed(outcome: Awaited<ReturnType<typeof runBetween>>): void {
    expect(outcome.run).toMatchObject({ status: 'success', copied: SIZES.length });
    expect(outcome.copies).toEqual(SIZES.map(() => true));
    expect(outcome.events.map((e) => [e.route, e.bytes]).sort()).toEqual(SIZES.map((size) => ['streamed', size]).sort());
    expect(outcome.calls.target.copy).toBe(0);
  }

  const aws = (server: () => S3TestServer, id: string, keys?: { accessKeyId: string; secretAccessKey: string }): Connection => ({ id, name: id, type: 'aws', aws: { ...awsSettingsFor(server()), ...keys } });

  it('S3 on s3rver: two connections with the same keys, different buckets', async () => {
    expectServerSide(await runBetween(aws(() => s3rver, 'a'), aws(() => s3rver, 'b')));
  });

  it('S3 on moto: two connections with the same keys, different buckets', async () => {
    expectServerSide(await runBetween(aws(() => moto, 'a'), aws(() => moto, 'b')));
  });

  it('S3 on moto: other keys are another identity, streamed (moto takes any key pair)', async () => {
    expectStreamed(await runBetween(aws(() => moto, 'a'), aws(() => moto, 'b', { accessKeyId: 'other-key', secretAccessKey: 'other-secret' })));
  });

  it('Azure on Azurite: an account key and a connection string of the same account', async () => {
    const key: Connection = { id: 'a', name: 'a', type: 'azure', azure: { accountName: azurite.accountName, accountKey: azurite.accountKey, endpointUrl: azurite.endpointUrl } };
    const string: Connection = { id: 'b', name: 'b', type: 'azure', azure: { connectionString: azuriteConnectionString(azurite) } };
    expectServerSide(await runBetween(key, string));
  });

  it('Azure on Azurite: an account key and a SAS of the same account are not proven one identity, streamed', async () => {
    const sas = generateAccountSASQueryParameters(
      { expiresOn: new Date(Date.now() + 3_600_000), permissions: AccountSASPermissions.parse('rwdlacu'), resourceTypes: 'sco', services: 'b' },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
    const key: Connection = { id: 'a', name: 'a', type: 'azure', azure: { accountName: azurite.accountName, accountKey: azurite.accountKey, endpointUrl: azurite.endpointUrl } };
    const viaSas: Connection = { id: 'b', name: 'b', type: 'azure', azure: { sasToken: sas, endpointUrl: azurite.endpointUrl } };
    expectStreamed(await runBetween(key, viaSas));
  });

  it('GCS on the test server: two connections with the same (default) credentials', async () => {
    const conn = (id: string): Connection => ({ id, name: id, type: 'gcs', gcs: gcsSettingsFor(gcs) });
    expectServerSide(await runBetween(conn('a'), conn('b')));
  });

  it('GCS on the test server: a service account beside the default credentials is streamed', async () => {
    const sa = JSON.stringify({ type: 'service_account', client_email: 'copier@p.iam.gserviceaccount.com', private_key: 'unused', project_id: 'p' });
    const a: Connection = { id: 'a', name: 'a', type: 'gcs', gcs: gcsSettingsFor(gcs) };
    const b: Connection = { id: 'b', name: 'b', type: 'gcs', gcs: { ...gcsSettingsFor(gcs), credentialsJson: sa } };
    expectStreamed(await runBetween(a, b));
  });
});
