// renderer/api.ts's WebSocket client against the real server, with the `ws` class standing in for
// the browser's WebSocket (sending Origin and the session cookie, as a browser page would).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiCallError, type ContractClient } from '../../shared/contract';
import { createBridgeClient } from '../../renderer/api';
import { createSocketClient, type SocketClient, type SocketConstructor } from '../../shared/socket-client';
import { cookieHeader, startTestServer, type TestServer } from './helpers';

/** A `ws` socket that presents itself like a page of the server: its Origin and its cookie. */
function browserLike(server: { port: number }): SocketConstructor {
  const origin = `http://127.0.0.1:${server.port}`;
  class BrowserSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin, headers: { Cookie: cookieHeader(server.port) } });
    }
  }
  return BrowserSocket as unknown as SocketConstructor;
}

// The fake dispatcher knows 'echo', 'fail' and 'slow', which are not contract commands: the client
// is typed by the contract, so these tests call it through an untyped view.
type Loose = { invoke(name: string, args?: unknown): Promise<unknown> };
const loose = (client: ContractClient) => client as unknown as Loose;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ server: TestServer; client: SocketClient }> {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  const client = createSocketClient(`ws://127.0.0.1:${server.port}/ws`, browserLike(server), { minDelayMs: 20, maxDelayMs: 100 });
  cleanups.push(() => client.close());
  return { server, client };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('createSocketClient', () => {
  it('waits for the socket to open, then resolves a call with the result', async () => {
    const { client } = await setup();
    expect(client.connected).toBe(false);
    await expect(loose(client).invoke('echo', { n: 1 })).resolves.toEqual({ n: 1 });
    expect(client.connected).toBe(true);
  });

  it('rejects with an ApiCallError carrying the error fields', async () => {
    const { client } = await setup();
    const err = await loose(client).invoke('fail').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({ code: 'NotFound', message: 'no such thing', field: 'id', retryable: false });
  });

  it('delivers contract events to listeners until they unsubscribe, and ignores unknown events', async () => {
    const { server, client } = await setup();
    await loose(client).invoke('echo');
    const seen: unknown[] = [];
    const off = client.on('data.changed', (payload) => seen.push(payload));
    server.emit('not.an.event', {});
    server.emit('data.changed', { lists: ['runs'] });
    await until(() => seen.length === 1, 'the event');
    off();
    server.emit('data.changed', { lists: ['settings'] });
    await loose(client).invoke('echo'); // a round trip later, the second event has surely arrived
    expect(seen).toEqual([{ lists: ['runs'] }]);
  });

  it('refuses an oversized call locally with InvalidArgument', async () => {
    const { client } = await setup();
    const err = await loose(client).invoke('echo', 'x'.repeat(1024 * 1024)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidArgument', retryable: false });
    await expect(loose(client).invoke('echo', 'small')).resolves.toBe('small');
  });

  it('fails calls as Transient while the server is gone, reconnects, and announces every list changed', async () => {
    const { server, client } = await setup();
    await loose(client).invoke('echo');
    const changed: unknown[] = [];
    client.on('data.changed', (payload) => changed.push(payload));

    const inFlight = loose(client).invoke('slow').catch((e: unknown) => e);
    await server.server.close();
    expect(await inFlight).toMatchObject({ code: 'Transient', retryable: true });
    await until(() => !client.connected, 'the client to notice');
    expect(await loose(client).invoke('echo').catch((e: unknown) => e)).toMatchObject({ code: 'Transient', retryable: true });

    const again = await startTestServer({ port: server.port });
    cleanups.push(() => again.close());
    await until(() => client.connected, 'the reconnect');
    await expect(loose(client).invoke('echo', 'back')).resolves.toBe('back');
    expect(changed).toEqual([{ lists: ['connections', 'mappings', 'runs', 'settings', 'engines'] }]);
  });

  it('fails a pending call and stops reconnecting once closed', async () => {
    const { server, client } = await setup();
    await loose(client).invoke('echo');
    const pending = loose(client).invoke('slow').catch((e: unknown) => e);
    client.close();
    expect(await pending).toMatchObject({ code: 'Transient' });
    expect(await loose(client).invoke('echo').catch((e: unknown) => e)).toMatchObject({ code: 'Transient' });
    await new Promise((r) => setTimeout(r, 150));
    expect(server.calls.filter((c) => c.name === 'echo')).toHaveLength(1);
  });
});

describe('createBridgeClient', () => {
  it('unwraps the preload bridge envelopes and forwards listeners', async () => {
    const listeners: Array<(payload: unknown) => void> = [];
    const client = createBridgeClient({
      invoke: async (name, args) =>
        name === 'settings.get' ? { ok: true, value: { args } } : { ok: false, error: { code: 'Conflict', message: 'in use', retryable: false } },
      on: (_name, listener) => {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    });
    await expect(client.invoke('settings.get')).resolves.toEqual({ args: undefined });
    await expect(client.invoke('connections.delete', { id: 'c' })).rejects.toMatchObject({ name: 'ApiCallError', code: 'Conflict' });
    const seen: unknown[] = [];
    const off = client.on('alert', (p) => seen.push(p));
    listeners.forEach((l) => l({ title: 't' }));
    off();
    expect(listeners).toHaveLength(0);
    expect(seen).toEqual([{ title: 't' }]);
  });
});
