// The authenticated WebSockets: answers command frames through the dispatcher and fans events out.
// Memory stays bounded per socket: frames are size-limited, calls in flight are capped, progress
// events are dropped for a socket that does not keep up, and a socket whose send buffer still grows
// is closed (its client reconnects and refetches).
import type { RawData, WebSocket } from 'ws';
import type { Envelope } from '../../shared/contract';
import { errorEnvelope, MAX_MESSAGE_BYTES, parseFrame, type WireEvent, type WireReply } from './protocol';

export type Dispatch = (name: unknown, args: unknown) => Promise<Envelope<unknown>>;

/** Calls one socket may have in flight; more are refused as Throttled rather than queued. */
export const MAX_IN_FLIGHT = 32;
/** Above this many unsent bytes, progress snapshots to that socket are skipped (a newer one follows). */
export const SLOW_SOCKET_BYTES = 256 * 1024;
/** Above this, the socket is dropped instead of buffering more. */
export const STUCK_SOCKET_BYTES = 16 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

/** Events whose loss costs nothing: the next one carries the whole state again. */
const DROPPABLE_EVENTS = new Set(['progress']);

/** A droppable event, also when a remote engine's is relayed inside `engine.event` (electron/remote). */
function isDroppable(event: string, payload: unknown): boolean {
  if (DROPPABLE_EVENTS.has(event)) return true;
  const relayed = event === 'engine.event' ? (payload as { event?: unknown } | null)?.event : undefined;
  return typeof relayed === 'string' && DROPPABLE_EVENTS.has(relayed);
}

interface Client {
  inFlight: number;
  alive: boolean;
}

export class SocketHub {
  private readonly clients = new Map<WebSocket, Client>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly dispatch: Dispatch) {
    // A peer that vanished without a close frame (sleep, network change) is found by ping/pong.
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(ws: WebSocket): void {
    const client: Client = { inFlight: 0, alive: true };
    this.clients.set(ws, client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => void this.onMessage(ws, client, data, isBinary));
    ws.on('close', () => this.clients.delete(ws));
    // ws emits 'error' for protocol violations (e.g. a frame above maxPayload) before closing;
    // without a listener that would be an uncaught exception.
    ws.on('error', () => ws.terminate());
  }

  broadcast(event: string, payload: unknown): void {
    if (this.clients.size === 0) return;
    const message: WireEvent = { event, payload };
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch {
      return; // an unserialisable payload is a bug on the emitting side; never take the server down
    }
    const droppable = isDroppable(event, payload);
    for (const ws of this.clients.keys()) this.send(ws, text, droppable);
  }

  /** Closes every socket (server shutdown): 1001 "going away" tells clients to reconnect later. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const ws of this.clients.keys()) ws.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private async onMessage(ws: WebSocket, client: Client, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return this.reply(ws, { id: null, envelope: errorEnvelope('InvalidArgument', 'binary frames are not accepted; send JSON text') });
    const bytes = rawLength(data);
    if (bytes > MAX_MESSAGE_BYTES) {
      const message = `the message is too large (${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES})`;
      return this.reply(ws, { id: null, envelope: errorEnvelope('InvalidArgument', message) });
    }
    const parsed = parseFrame(rawText(data));
    if (!parsed.ok) return this.reply(ws, parsed.reply);
    const { id, name, args } = parsed.request;
    if (client.inFlight >= MAX_IN_FLIGHT) {
      return this.reply(ws, { id, envelope: errorEnvelope('Throttled', `more than ${MAX_IN_FLIGHT} calls in flight on this connection`, true) });
    }
    client.inFlight++;
    let envelope: Envelope<unknown>;
    try {
      envelope = await this.dispatch(name, args);
    } catch {
      // The dispatcher promises never to throw; if it does anyway, the caller still gets an answer.
      envelope = errorEnvelope('Fatal', 'internal error while handling the command');
    } finally {
      client.inFlight--;
    }
    this.reply(ws, { id, envelope });
  }

  private reply(ws: WebSocket, reply: WireReply): void {
    let text: string;
    try {
      text = JSON.stringify(reply);
    } catch {
      text = JSON.stringify({ id: reply.id, envelope: errorEnvelope('Fatal', 'the result could not be serialised') } satisfies WireReply);
    }
    this.send(ws, text, false);
  }

  private send(ws: WebSocket, text: string, droppable: boolean): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > STUCK_SOCKET_BYTES) {
      ws.terminate();
      this.clients.delete(ws);
      return;
    }
    if (droppable && ws.bufferedAmount > SLOW_SOCKET_BYTES) return;
    ws.send(text);
  }

  private checkAlive(): void {
    for (const [ws, client] of this.clients) {
      if (!client.alive) {
        ws.terminate();
        this.clients.delete(ws);
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}
