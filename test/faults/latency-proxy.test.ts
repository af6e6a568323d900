// The bench's latency proxy (test/support/latency-proxy.ts) moves bytes intact, in order, both ways, passes
// a close through, and holds a bounded number of bytes when a reader is slow. Its delay is measured by
// `npm run bench -- --wan`, not asserted here.
import { createHash } from 'node:crypto';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../support/latency-proxy';
import { mulberry32 } from '../support/prng';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server on 127.0.0.1 that hands each accepted socket to `onSocket`. */
async function startServer(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return (server.address() as AddressInfo).port;
}

async function proxyTo(port: number, maxQueuedBytes?: number): Promise<LatencyProxy> {
  const proxy = await startLatencyProxy({ target: { host: '127.0.0.1', port }, rttMs: 2, maxQueuedBytes });
  cleanups.push(() => proxy.close());
  return proxy;
}

function randomBytes(length: number, seed: number): Buffer {
  const random = mulberry32(seed);
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buffer[i] = Math.floor(random() * 256);
  return buffer;
}

/** Writes `data` in uneven chunks, honouring backpressure, then ends the socket. */
async function writeAll(socket: Socket, data: Buffer): Promise<void> {
  let offset = 0;
  let size = 1;
  while (offset < data.length) {
    const chunk = data.subarray(offset, offset + size);
    offset += chunk.length;
    size = (size * 7) % 200_003 + 1;
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
}

/** Everything the socket receives until its peer ends. */
function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Waits (on events of the loop, not on a clock) until `state()` holds. */
async function until(state: () => boolean): Promise<void> {
  while (!state()) await new Promise((resolve) => setImmediate(resolve));
}

describe('latency proxy', () => {
  it('carries large transfers intact and in order both ways at once, over many connections', async () => {
    // The server echoes while it reads, so both directions carry each connection's own bytes at once.
    const port = await startServer((socket) => socket.pipe(socket));
    const proxy = await proxyTo(port);
    const runs = Array.from({ length: 12 }, async (_, i) => {
      const upload = randomBytes(2 * 2 ** 20 + i * 4099, 1000 + i);
      const socket = await connect(proxy.port);
      const echoed = readAll(socket);
      await writeAll(socket, upload);
      return { upload, echoed: await echoed };
    });
    for (const { upload, echoed } of await Promise.all(runs)) {
      expect(echoed.length).toBe(upload.length);
      expect(sha(echoed)).toBe(sha(upload));
    }
  });

  it('passes a close from either side to the other', async () => {
    const serverSockets: Socket[] = [];
    const port = await startServer((socket) => serverSockets.push(socket));
    const proxy = await proxyTo(port);

    // Server closes: the client sees the end after the bytes sent before it.
    const a = await connect(proxy.port);
    const aReceived = readAll(a);
    await until(() => serverSockets.length === 1);
    serverSockets[0]!.end('last words');
    expect((await aReceived).toString()).toBe('last words');

    // Client closes: the server sees its end.
    const b = await connect(proxy.port);
    await until(() => serverSockets.length === 2);
    const bReceived = readAll(serverSockets[1]!);
    b.end('bye');
    expect((await bReceived).toString()).toBe('bye');

    // Client resets: the server's socket is reset too.
    const c = await connect(proxy.port);
    await until(() => serverSockets.length === 3);
    const closed = new Promise((resolve) => serverSockets[2]!.once('close', resolve));
    serverSockets[2]!.on('error', () => undefined);
    c.resetAndDestroy();
    await closed;
    // Once every side has closed, the proxy holds no connection.
    a.destroy();
    b.destroy();
    serverSockets[1]!.end();
    await until(() => proxy.stats().connections === 0);
  });

  it('holds a bounded number of bytes when the reader is slow, then delivers them all', async () => {
    const limit = 256 * 1024;
    const total = 48 * 2 ** 20;
    const payload = randomBytes(total, 7);
    let sent = false;
    const port = await startServer((socket) => void writeAll(socket, payload).then(() => (sent = true)));
    const proxy = await proxyTo(port, limit);
    const client = await connect(proxy.port);
    client.pause(); // reads nothing until the proxy has had to stop reading

    await until(() => proxy.stats().pauses > 0);
    // Not everything can have left the server while the client reads nothing (kernel buffers are
    // a few MB at most), so the proxy is what holds the rest back.
    expect(sent).toBe(false);

    const received = readAll(client);
    client.resume();
    const data = await received;
    expect(data.length).toBe(total);
    expect(sha(data)).toBe(sha(payload));
    // One direction holds at most the limit, plus one read chunk that crosses it and what the writing
    // socket buffered before it refused more (its high-water mark plus one chunk).
    const chunk = 64 * 1024;
    expect(proxy.stats().peakDirectionBytes).toBeLessThanOrEqual(limit + chunk + (16 * 1024 + chunk));
  });
});
