// The Azure provider never reuses a keep-alive socket the server has closed. The conformance case
// "a write whose source is shorter or longer than the declared size..." failed in CI with "socket
// hang up" on its read, and so did the next test's first request: Azurite closes a connection idle
// for 5 s, the test process was busy generating and hashing 65 MiB sources on a loaded machine and
// read those FINs late, and the SDK's default keep-alive pool (a plain Node agent) handed out the
// dead sockets (seen in /proc/net/tcp as CLOSE_WAIT when the request took them). Here the process
// is blocked on purpose until the kernel shows every idle connection closed by the server, as in
// minio-keep-alive.test.ts, which covers the same agent (electron/providers/keep-alive-agent.ts)
// for S3 and MinIO.
import { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureAgents, createAzureProvider } from '../../electron/providers/azure';
import { isStorageError } from '../../electron/providers/errors';
import { azureSettingsFor, startAzurite, type AzuriteServer } from '../support/azurite';
import { readAll, rejection } from './helpers';
import { busyUntilServerClosed, connectionsTo } from '../support/tcp-states';

let server: AzuriteServer;
beforeAll(async () => {
  server = await startAzurite();
});
afterAll(async () => {
  await server?.stop();
});

function text(value: string): () => Promise<Readable> {
  return async () => Readable.from([Buffer.from(value)]);
}

/** busyUntilServerClosed for every connection we hold open now (all idle); returns how many there were. */
function busyUntilServerClosedAll(port: number): number {
  const idle = connectionsTo(port).established;
  busyUntilServerClosed(port, idle);
  return idle;
}

describe.runIf(process.platform === 'linux')('azure keep-alive after the server closed idle connections', () => {
  it("sends the next requests of a busy process (head, write, read) on new connections, where the SDK's default pool resets", async () => {
    const provider = createAzureProvider(azureSettingsFor(server));
    // The control: a client on the SDK's own pool, which the provider used before (without retries,
    // as the provider's: the SDK's would hide the reset by sending the request again).
    const sdk = new BlobServiceClient(server.endpointUrl, new StorageSharedKeyCredential(server.accountName, server.accountKey), { retryOptions: { maxTries: 1 } });
    const bucket = 'keep-alive';
    try {
      await provider.createBucket(bucket);
      // Connections in the pool (concurrent writes), then the CI case: a write that fails
      // because its source is shorter than declared (its request is aborted).
      await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => provider.write(bucket, `${name}.txt`, text(name), 1)));
      const short = await rejection(provider.write(bucket, 'a.txt', text('short'), 100));
      expect(isStorageError(short, 'Fatal'), String(short)).toBe(true);
      await sdk.getContainerClient(bucket).getProperties();

      // At least one dead socket for each request below (they all shared the SDK's pool before).
      expect(busyUntilServerClosedAll(server.port)).toBeGreaterThanOrEqual(4);
      // All in the same turn of the event loop, before it reads a FIN: each takes a socket now.
      const [control, head, write, read] = await Promise.allSettled([
        sdk.getContainerClient(bucket).getProperties(),
        provider.head(bucket, 'a.txt'),
        provider.write(bucket, 'new.txt', text('written'), 7),
        provider.read(bucket, 'b.txt').then(readAll),
      ]);

      // The failure this guards against is real: the SDK's pool hands out a socket the server closed.
      expect(control).toMatchObject({ status: 'rejected', reason: { code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) } });
      expect(head).toMatchObject({ status: 'fulfilled', value: { size: 1 } });
      expect(write).toMatchObject({ status: 'fulfilled', value: { size: 7 } });
      expect(read).toMatchObject({ status: 'fulfilled', value: Buffer.from('b') });
      expect((await readAll(await provider.read(bucket, 'a.txt'))).toString()).toBe('a');
    } finally {
      await provider.close();
    }
  });
});

describe('AzureAgents', () => {
  it('gives each request the keep-alive pool of its protocol, and leaves a request that has an agent (a proxy) alone', async () => {
    const agents = new AzureAgents();
    const sent: unknown[] = [];
    const policy = agents.policy.create({ sendRequest: async (request) => (sent.push(request.agent), {}) as never }, undefined as never);
    const request = (url: string, agent?: unknown) => ({ url, agent }) as never;
    const proxy = { destroy: () => undefined };
    await policy.sendRequest(request('http://127.0.0.1:10000/devstoreaccount1/c?restype=container'));
    await policy.sendRequest(request('https://acct.blob.core.windows.net/c/b'));
    await policy.sendRequest(request('https://acct.blob.core.windows.net/c/b', proxy));
    expect(sent[0]).toBe(agents.for('http://127.0.0.1:10000/'));
    expect(sent[1]).toBe(agents.for('https://acct.blob.core.windows.net/'));
    expect(sent[0]).not.toBe(sent[1]);
    expect(sent[2]).toBe(proxy);
    expect([sent[0], sent[1]].map((a) => (a as { keepAlive?: boolean }).keepAlive)).toEqual([true, true]);
    agents.destroy();
  });
});
