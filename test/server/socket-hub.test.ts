// Back-pressure of the socket hub, with fake sockets whose send buffer we control: a slow client
// loses progress snapshots (a newer one follows), not the events that change what it shows, and a
// stuck one is dropped rather than buffered without end.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { SLOW_SOCKET_BYTES, SocketHub, STUCK_SOCKET_BYTES, MAX_IN_FLIGHT } from '../../electron/server/socket-hub';
import type { Envelope } from '../../shared/contract';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  terminated = false;
  send(text: string): void {
    this.sent.push(text);
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {}
  close(): void {
    this.readyState = 3;
  }
  /** Simulates a text frame from the client. */
  receive(frame: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(frame)), false);
  }
}

const hubs: SocketHub[] = [];
function hubWith(dispatch: (name: unknown, args: unknown) => Promise<Envelope<unknown>>, ...sockets: FakeSocket[]): SocketHub {
  const hub = new SocketHub(dispatch);
  hubs.push(hub);
  for (const s of sockets) hub.add(s as unknown as WebSocket);
  return hub;
}
afterEach(() => hubs.splice(0).forEach((h) => h.closeAll()));

const ok = async (): Promise<Envelope<unknown>> => ({ ok: true, value: null });
const flush = () => new Promise((r) => setImmediate(r));

describe('SocketHub back-pressure', () => {
  it('skips progress for a slow socket but still sends it other events', () => {
    const fast = new FakeSocket();
    const slow = new FakeSocket();
    slow.bufferedAmount = SLOW_SOCKET_BYTES + 1;
    const hub = hubWith(ok, fast, slow);
    hub.broadcast('progress', { mappingId: 'm' });
    hub.broadcast('run.finished', { id: 1 });
    expect(fast.sent.map((s) => JSON.parse(s).event)).toEqual(['progress', 'run.finished']);
    expect(slow.sent.map((s) => JSON.parse(s).event)).toEqual(['run.finished']);
  });

  it("skips a remote engine's relayed progress for a slow socket too, not its other relayed events", () => {
    const slow = new FakeSocket();
    slow.bufferedAmount = SLOW_SOCKET_BYTES + 1;
    const hub = hubWith(ok, slow);
    hub.broadcast('engine.event', { engine: 'vm', event: 'progress', payload: { mappingId: 'm' } });
    hub.broadcast('engine.event', { engine: 'vm', event: 'run.finished', payload: { id: 1 } });
    expect(slow.sent.map((s) => JSON.parse(s).payload.event)).toEqual(['run.finished']);
  });

  it('drops a socket whose buffer keeps growing instead of queueing more', () => {
    const stuck = new FakeSocket();
    stuck.bufferedAmount = STUCK_SOCKET_BYTES + 1;
    const hub = hubWith(ok, stuck);
    hub.broadcast('data.changed', { lists: ['runs'] });
    expect(stuck.terminated).toBe(true);
    expect(stuck.sent).toEqual([]);
    expect(hub.size).toBe(0);
  });

  it('refuses calls beyond the in-flight cap as Throttled (retryable) instead of queueing them', async () => {
    const socket = new FakeSocket();
    const never = () => new Promise<Envelope<unknown>>(() => undefined);
    hubWith(never, socket);
    for (let id = 1; id <= MAX_IN_FLIGHT + 1; id++) socket.receive({ id, name: 'x' });
    await flush();
    expect(socket.sent).toHaveLength(1);
    expect(JSON.parse(socket.sent[0]!)).toMatchObject({ id: MAX_IN_FLIGHT + 1, envelope: { ok: false, error: { code: 'Throttled', retryable: true } } });
  });

  it('answers with a Fatal envelope when a result cannot be serialised', async () => {
    const socket = new FakeSocket();
    hubWith(async () => ({ ok: true, value: 10n }), socket);
    socket.receive({ id: 1, name: 'x' });
    await flush();
    expect(JSON.parse(socket.sent[0]!)).toMatchObject({ id: 1, envelope: { ok: false, error: { code: 'Fatal' } } });
  });

  it('does not let an unserialisable event payload throw into the emitter', () => {
    const socket = new FakeSocket();
    const hub = hubWith(ok, socket);
    expect(() => hub.broadcast('progress', { n: 1n })).not.toThrow();
    expect(socket.sent).toEqual([]);
  });
});
