// The contract over a WebSocket, with reconnects: the browser UI's client of its own server, and
// the client a home engine drives a remote `serve` with (electron/remote). The socket class is given,
// so the DOM's WebSocket and the `ws` package's (with TLS pinning and headers) both fit.
import {
  ApiCallError,
  isEventName,
  unwrapEnvelope,
  type CommandName,
  type ContractClient,
  type DataList,
  type Envelope,
  type EventName,
  type Events,
} from './contract';

/** What browsers and Node both provide; shared/ is compiled without either's types. */
const host = globalThis as unknown as {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  TextEncoder: new () => { encode(text: string): Uint8Array };
  console: { error(...values: unknown[]): void };
};

/** The part of the WebSocket API the client uses; the DOM's class and the `ws` package's both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketConstructor = new (url: string) => SocketLike;

/** The largest call a server takes (electron/server/protocol.ts uses this one): larger calls are refused here with a clear error. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

const ALL_LISTS = ['connections', 'mappings', 'runs', 'settings', 'engines'] as const satisfies readonly DataList[];
type MissingList = Exclude<DataList, (typeof ALL_LISTS)[number]>;
const allListsListed: MissingList extends never ? true : MissingList = true;
void allListsListed;

type Listener = (payload: unknown) => void;
type Invoke = ContractClient['invoke'];
/** What each client implements; `Invoke` adds the per-command types on top. */
type UntypedInvoke = (name: CommandName, args?: unknown) => Promise<unknown>;

export interface SocketClientOptions {
  /** First reconnect delay; doubles per failed attempt up to maxDelayMs (with jitter). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface SocketClient extends ContractClient {
  readonly connected: boolean;
  /** Stops reconnecting and closes the socket; calls still pending fail as Transient. */
  close(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: ApiCallError): void;
}

/**
 * A contract client over a WebSocket. Calls made while the socket is still connecting wait for it;
 * calls made while it is down (between reconnect attempts) fail at once with a retryable Transient
 * error, as do calls in flight when it drops. Listeners live here, not on the socket, so they survive
 * reconnects; after a reconnect every list is announced as changed, since events were missed.
 */
export function createSocketClient(url: string, Socket: SocketConstructor, options: SocketClientOptions = {}): SocketClient {
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const pending = new Map<number, Pending>();
  /** Frames of calls made while connecting, sent on open. */
  let outbox: string[] = [];
  const listeners = new Map<string, Set<Listener>>();
  let socket: SocketLike | null = null;
  let open = false;
  let everOpened = false;
  let stopped = false;
  let attempt = 0;
  let retryTimer: unknown;
  let nextId = 1;

  const transient = (message: string) => new ApiCallError({ code: 'Transient', message, retryable: true });

  function connect(): void {
    const ws = new Socket(url);
    socket = ws;
    ws.onopen = () => {
      open = true;
      attempt = 0;
      for (const frame of outbox) ws.send(frame);
      outbox = [];
      if (everOpened) deliver('data.changed', { lists: [...ALL_LISTS] });
      everOpened = true;
    };
    ws.onmessage = (event) => receive(event.data);
    ws.onerror = () => undefined; // a close event follows; it does the work
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      open = false;
      outbox = [];
      const lost = transient('the connection to the server was lost');
      for (const call of pending.values()) call.reject(lost);
      pending.clear();
      if (!stopped) scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    const base = Math.min(maxDelay, minDelay * 2 ** attempt);
    attempt++;
    // Jitter, so many tabs do not hammer a restarting server in step.
    retryTimer = host.setTimeout(connect, base / 2 + Math.random() * (base / 2));
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const frame = message as { id?: unknown; envelope?: unknown; event?: unknown; payload?: unknown };
    if (typeof frame.id === 'number' && frame.envelope !== undefined) {
      const call = pending.get(frame.id);
      if (!call) return;
      pending.delete(frame.id);
      try {
        call.resolve(unwrapEnvelope(frame.envelope as Envelope<unknown>));
      } catch (err) {
        call.reject(err instanceof ApiCallError ? err : transient('the server sent a malformed reply'));
      }
    } else if (isEventName(frame.event)) {
      deliver(frame.event, frame.payload);
    }
  }

  function deliver(event: string, payload: unknown): void {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        // A failing view must not stop other listeners; surface it where developers look.
        host.console.error(`listener of "${event}" failed`, err);
      }
    }
  }

  const invoke: UntypedInvoke = (name, args) => {
    if (stopped) return Promise.reject(transient('the client was closed'));
    if (!socket) return Promise.reject(transient('not connected to the server; retrying'));
    const id = nextId++;
    const frame = JSON.stringify({ id, name, args });
    const bytes = new host.TextEncoder().encode(frame).length;
    if (bytes > MAX_MESSAGE_BYTES) {
      return Promise.reject(new ApiCallError({ code: 'InvalidArgument', message: `the request is too large (${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES})`, retryable: false }));
    }
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (open) socket!.send(frame);
      else outbox.push(frame);
    });
  };

  connect();
  return {
    invoke: invoke as Invoke,
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(name) ?? new Set<Listener>();
      listeners.set(name, set);
      set.add(listener as Listener);
      return () => void set.delete(listener as Listener);
    },
    get connected() {
      return open;
    },
    close() {
      stopped = true;
      host.clearTimeout(retryTimer);
      socket?.close(1000, 'client closed');
    },
  };
}
