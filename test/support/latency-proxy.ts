// A latency-injecting TCP proxy for the bench's WAN rows and for engine tests on a slow link (netem is not available here): listens on
// 127.0.0.1, forwards every connection to one target host:port and holds each direction's bytes for
// half the round trip, so a request and its response pay one RTT; a new connection also pays one RTT
// for its handshake before its first byte goes out. Order within a direction is kept (one FIFO each).
//
// Memory is bounded: a direction of a connection holds at most `maxQueuedBytes` (queued, plus what
// the writing socket has not handed to the kernel) before its reading side is paused; it resumes once
// the queue is down to half. That cap is also the connection's window: with the default 8 MiB and a
// 40 ms one-way delay a single connection can move at most ~200 MiB/s. The proxy imitates latency,
// not a bandwidth limit or packet loss.
import net, { type AddressInfo, type Socket } from 'node:net';

export interface LatencyProxyOptions {
  target: { host: string; port: number };
  /** Round trip added to every exchange, in ms; each direction waits half of it. */
  rttMs: number;
  /** Bytes one direction of one connection may hold before it stops reading (default 8 MiB). */
  maxQueuedBytes?: number;
}

export interface LatencyProxyStats {
  /** Connections open now. */
  connections: number;
  /** Bytes held now over all connections and directions. */
  heldBytes: number;
  /** The most one direction of one connection ever held (queued + unsent in its writing socket). */
  peakDirectionBytes: number;
  /** How many times a reading side was paused because its direction was full. */
  pauses: number;
}

export interface LatencyProxy {
  port: number;
  /** The same http URL with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  stats(): LatencyProxyStats;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** One direction of one connection: bytes read from `from`, written to `to` once due. */
class DelayedDirection {
  private readonly queue: { data: Buffer | null; due: number }[] = []; // null marks the end (FIN)
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForDrain = false;
  private paused = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayMs: number,
    /** Nothing leaves before this time (the handshake's round trip for the client's first bytes). */
    private readonly notBefore: number,
    private readonly limit: number,
    private readonly onPeak: (held: number) => void,
    private readonly onPause: () => void,
  ) {
    from.on('data', (chunk: Buffer) => {
      this.push(chunk, chunk.length);
      if (this.held() >= this.limit && !this.paused) {
        this.paused = true;
        from.pause();
        this.onPause();
      }
    });
    from.on('end', () => this.push(null, 0));
  }

  held(): number {
    return this.queued + (this.to.destroyed ? 0 : this.to.writableLength);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.queued = 0;
  }

  private push(data: Buffer | null, length: number): void {
    this.queue.push({ data, due: Math.max(Date.now(), this.notBefore) + this.delayMs });
    this.queued += length;
    this.onPeak(this.held());
    if (this.queue.length === 1) this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    while (this.queue.length > 0 && !this.waitingForDrain && !this.to.destroyed) {
      const head = this.queue[0]!;
      if (head.due > now) {
        this.timer = setTimeout(() => this.flush(), head.due - now);
        break;
      }
      this.queue.shift();
      if (head.data === null) {
        this.to.end();
        continue;
      }
      this.queued -= head.data.length;
      if (!this.to.write(head.data)) {
        this.waitingForDrain = true;
        this.to.once('drain', () => {
          this.waitingForDrain = false;
          this.flush();
        });
      }
    }
    if (this.paused && !this.waitingForDrain && this.queued <= this.limit / 2) {
      this.paused = false;
      this.from.resume();
    }
  }
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const oneWay = options.rttMs / 2;
  const limit = options.maxQueuedBytes ?? 8 * 2 ** 20;
  const open = new Set<{ client: Socket; upstream: Socket; directions: DelayedDirection[] }>();
  let peakDirectionBytes = 0;
  let pauses = 0;
  const onPeak = (held: number) => (peakDirectionBytes = Math.max(peakDirectionBytes, held));
  const onPause = () => pauses++;

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const openedAt = Date.now();
    const upstream = net.connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true, noDelay: true });
    const directions = [
      new DelayedDirection(client, upstream, oneWay, openedAt + options.rttMs, limit, onPeak, onPause),
      new DelayedDirection(upstream, client, oneWay, 0, limit, onPeak, onPause),
    ];
    const connection = { client, upstream, directions };
    open.add(connection);
    // A reset or error on one side resets the other; a clean FIN travels through the queue instead.
    const teardown = (other: Socket) => (hadError: boolean) => {
      if (hadError) other.resetAndDestroy();
      else if (!other.writable) other.destroy();
      if (client.destroyed && upstream.destroyed) {
        for (const d of directions) d.stop();
        open.delete(connection);
      }
    };
    client.on('error', () => client.destroy());
    upstream.on('error', () => upstream.destroy());
    client.on('close', teardown(upstream));
    upstream.on('close', teardown(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    rewrite(url) {
      const u = new URL(url);
      u.hostname = HOST;
      u.port = String(port);
      return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
    },
    stats: () => ({
      connections: open.size,
      heldBytes: [...open].reduce((sum, c) => sum + c.directions.reduce((s, d) => s + d.held(), 0), 0),
      peakDirectionBytes,
      pauses,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of open) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
