// One remote engine: a `serve` elsewhere, driven over its WebSocket with the contract client the
// browser UI uses (shared/socket-client.ts), given the `ws` package's socket so the token travels as
// an Authorization header and the certificate is pinned (tls-pin.ts). The link keeps the engine's
// state (connecting, online, offline, refused) and its mappings as last known, passes its events on,
// and reconnects by itself: quickly after a drop, slowly after a refusal, which retrying cannot fix.
import WebSocket from 'ws';
import {
  ApiCallError,
  EVENT_NAMES,
  type CommandName,
  type DataList,
  type EngineMappingSummary,
  type EngineState,
  type EngineView,
  type EventName,
  type Events,
  type MappingView,
} from '../../shared/contract';
import { createSocketClient, MAX_MESSAGE_BYTES, type SocketClient, type SocketConstructor } from '../../shared/socket-client';
import type { LastKnown } from '../store';
import { engineHealth, summaryOf } from './health';
import { networkError, PinMismatchError, pinnedRequestOptions } from './tls-pin';

export interface EngineTarget {
  id: string;
  name: string;
  url: string;
  fingerprint: string | null;
  token: string;
}

export interface LinkTimings {
  /** The WebSocket handshake (TCP, TLS, upgrade) must end within this. */
  handshakeMs: number;
  /** A relayed call gets this long for its answer; then it fails as Transient. */
  callMs: number;
  /** Reconnect delays after a drop: the first, doubling up to the last (with jitter). */
  minDelayMs: number;
  maxDelayMs: number;
  /** After a refusal (wrong token, another certificate): the next try, unless the engine is updated first. */
  refusedRetryMs: number;
}

export const DEFAULT_LINK_TIMINGS: LinkTimings = {
  handshakeMs: 10_000,
  callMs: 120_000,
  minDelayMs: 500,
  maxDelayMs: 10_000,
  refusedRetryMs: 5 * 60_000,
};

export interface LinkHooks {
  /** The engine's view changed (state, error, version, mappings). */
  status(view: EngineView): void;
  /** An event of the engine, as it sent it. */
  event<E extends EventName>(event: E, payload: Events[E]): void;
}

/** Why a connection attempt failed: refused (token, certificate) or not reached. */
export interface LinkFailure {
  kind: 'token' | 'certificate' | 'unreachable';
  message: string;
}

/** The events a remote engine sends that the home passes on; its own remotes' events are not relayed. */
const RELAYED: readonly EventName[] = EVENT_NAMES.filter((name) => name !== 'engines.status' && name !== 'engine.event');
const ALL_LISTS: DataList[] = ['connections', 'mappings', 'runs', 'settings'];

export class EngineLink {
  private state: EngineState = 'connecting';
  private error: string | null = null;
  private lastSeenAt: number | null = null;
  private version: string | null = null;
  /** null until first reached; kept while offline. */
  private mappings: Map<string, EngineMappingSummary> | null = null;
  private client: SocketClient | null = null;
  /** Bumped per client, so a replaced client's sockets change nothing. */
  private generation = 0;
  private failure: LinkFailure | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private wasOnline = false;
  private readonly settled: Array<(failure: LinkFailure | null) => void> = [];

  constructor(
    private target: EngineTarget,
    private readonly hooks: LinkHooks,
    private readonly timings: LinkTimings = DEFAULT_LINK_TIMINGS,
    /** Set when the link cannot even try (its token cannot be decrypted): refused until retargeted. */
    refusal?: string,
    /** What was known of the engine before this link (stored by the home): shown until it is reached. */
    known?: LastKnown,
  ) {
    if (known) {
      this.lastSeenAt = known.lastSeenAt;
      this.version = known.version;
      this.mappings = known.mappings && new Map(known.mappings.map((m) => [m.id, m]));
    }
    if (refusal === undefined) this.start();
    else {
      this.state = 'refused';
      this.error = refusal;
      this.failure = { kind: 'token', message: refusal };
    }
  }

  get id(): string {
    return this.target.id;
  }

  view(): EngineView {
    const { id, name, url, fingerprint } = this.target;
    const mappings = this.mappings ? [...this.mappings.values()] : [];
    return { id, name, url, fingerprint, state: this.state, error: this.error, lastSeenAt: this.lastSeenAt, version: this.version, mappings, health: engineHealth(this.mappings && mappings) };
  }

  /** What is known of the engine now, for the home to keep across its restarts. */
  known(): LastKnown {
    return { lastSeenAt: this.lastSeenAt, version: this.version, mappings: this.mappings && [...this.mappings.values()] };
  }

  /** The first outcome of the current attempt: null once online, else why it failed. */
  outcome(): Promise<LinkFailure | null> {
    if (this.state === 'online') return Promise.resolve(null);
    if (this.state !== 'connecting') return Promise.resolve(this.failure ?? { kind: 'unreachable', message: this.error ?? 'not connected' });
    return new Promise((resolve) => this.settled.push(resolve));
  }

  /** A new name only: no reconnect. */
  rename(name: string): void {
    this.target = { ...this.target, name };
    this.announce();
  }

  /** Another address, token or pin: starts over with them. */
  retarget(target: EngineTarget): void {
    this.target = target;
    this.stopClient();
    this.start();
  }

  /** Runs `name` on the engine. Fails at once while it is not online; a call is bounded by callMs. */
  async call(name: CommandName, args: unknown): Promise<unknown> {
    const client = this.client;
    if (this.state !== 'online' || !client) {
      throw new ApiCallError({ code: 'Transient', message: `engine "${this.target.name}" is ${this.state}${this.error ? ` (${this.error})` : ''}; try again when it is online`, retryable: true });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ApiCallError({ code: 'Transient', message: `engine "${this.target.name}" did not answer ${name} within ${this.timings.callMs / 1000} s`, retryable: true })),
        this.timings.callMs,
      );
    });
    try {
      const invoke = client.invoke as (name: CommandName, args?: unknown) => Promise<unknown>;
      return await Promise.race([invoke(name, args), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    // Connected until now: that is when it was last heard from (as when the connection drops).
    if (this.state === 'online') this.lastSeenAt = Date.now();
    this.closed = true;
    this.stopClient();
    this.settle({ kind: 'unreachable', message: 'the link was closed' });
  }

  private start(): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.failure = null;
    this.setState('connecting', null);
    const generation = ++this.generation;
    const link = this;
    const { url, fingerprint, token } = this.target;
    const options: WebSocket.ClientOptions = {
      headers: { Authorization: `Bearer ${token}` },
      handshakeTimeout: this.timings.handshakeMs,
      maxPayload: 64 * MAX_MESSAGE_BYTES,
      ...(fingerprint !== null && url.startsWith('https:') ? pinnedRequestOptions(url, fingerprint) : {}),
    };
    // The client makes one socket per attempt; each reports its own end here.
    class LinkSocket extends WebSocket {
      constructor(address: string) {
        super(address, options);
        link.watch(this, generation);
      }
    }
    const client = createSocketClient(socketUrl(url), LinkSocket as unknown as SocketConstructor, { minDelayMs: this.timings.minDelayMs, maxDelayMs: this.timings.maxDelayMs });
    this.client = client;
    for (const event of RELAYED) client.on(event, (payload) => this.received(generation, event, payload));
  }

  private watch(socket: WebSocket, generation: number): void {
    let failure: LinkFailure | null = null;
    let opened = false;
    socket.on('error', (err) => {
      failure = classify(this.target.url, err);
    });
    socket.on('open', () => {
      if (generation !== this.generation) return;
      opened = true;
      // After the client's own open handler, which sends what waited for the socket.
      setImmediate(() => void this.reached(generation));
    });
    socket.on('close', () => {
      if (generation !== this.generation || this.closed) return;
      if (failure && failure.kind !== 'unreachable') return this.refused(failure);
      const lost = opened ? 'the connection was lost' : 'not reachable';
      if (this.state === 'online') this.lastSeenAt = Date.now();
      this.failure = failure ?? { kind: 'unreachable', message: lost };
      this.setState('offline', this.failure.message);
      this.settle(this.failure);
    });
  }

  /** The upgrade was accepted, so the token was: read its version and mappings, then it is online. */
  private async reached(generation: number): Promise<void> {
    const client = this.client;
    if (!client || generation !== this.generation) return;
    try {
      const status = await client.invoke('app.status');
      const mappings = await client.invoke('mappings.list');
      if (generation !== this.generation) return;
      this.version = status.version;
      this.replaceMappings(mappings);
    } catch {
      return; // the socket dropped meanwhile: its close handler says so
    }
    const reconnected = this.wasOnline;
    this.wasOnline = true;
    this.lastSeenAt = Date.now();
    this.setState('online', null, true);
    this.settle(null);
    // A new client after a refusal or a retarget missed events; the client says so itself only after its own reconnects.
    if (reconnected) this.hooks.event('data.changed', { lists: ALL_LISTS });
  }

  private refused(failure: LinkFailure): void {
    this.failure = failure;
    this.stopClient();
    this.setState('refused', failure.message);
    this.settle(failure);
    this.retryTimer = setTimeout(() => this.start(), this.timings.refusedRetryMs);
    this.retryTimer.unref();
  }

  private received(generation: number, event: EventName, payload: unknown): void {
    if (generation !== this.generation) return;
    this.lastSeenAt = Date.now();
    let changed = false;
    if (event === 'mapping.status') changed = this.statusChanged(payload as Events['mapping.status']);
    else if (event === 'run.finished') changed = this.runFinished(payload as Events['run.finished']);
    else if (event === 'data.changed' && (payload as Events['data.changed']).lists.includes('mappings')) void this.refreshMappings(generation);
    this.hooks.event(event, payload as Events[typeof event]);
    if (changed) this.announce();
  }

  private statusChanged(status: Events['mapping.status']): boolean {
    const known = this.mappings?.get(status.mappingId);
    if (!known) return false;
    this.mappings!.set(status.mappingId, summaryOf(known.id, known.name, status));
    return true;
  }

  private runFinished(run: Events['run.finished']): boolean {
    const known = this.mappings?.get(run.mappingId);
    if (!known) return false;
    this.mappings!.set(run.mappingId, { ...known, lastRunStatus: run.status, lastRunAt: run.finishedAt ?? run.startedAt });
    return true;
  }

  private async refreshMappings(generation: number): Promise<void> {
    try {
      const mappings = await this.client?.invoke('mappings.list');
      if (!mappings || generation !== this.generation) return;
      this.replaceMappings(mappings);
      this.announce();
    } catch {
      // offline again: the last known list stays
    }
  }

  private replaceMappings(mappings: MappingView[]): void {
    this.mappings = new Map(mappings.map((m) => [m.id, summaryOf(m.id, m.name, m.status)]));
  }

  private setState(state: EngineState, error: string | null, force = false): void {
    if (!force && state === this.state && error === this.error) return;
    this.state = state;
    this.error = error;
    this.announce();
  }

  private announce(): void {
    if (!this.closed) this.hooks.status(this.view());
  }

  private settle(failure: LinkFailure | null): void {
    for (const resolve of this.settled.splice(0)) resolve(failure);
  }

  private stopClient(): void {
    clearTimeout(this.retryTimer);
    this.generation++;
    this.client?.close();
    this.client = null;
  }
}

/** serve's WebSocket is /ws at the address it prints. */
function socketUrl(url: string): string {
  const parsed = new URL(url);
  parsed.protocol = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
  parsed.pathname = '/ws';
  return parsed.toString();
}

/** What an attempt's error means: a refusal the user must fix, or a network problem that may pass. */
export function classify(url: string, err: Error): LinkFailure {
  const where = new URL(url).host;
  if (err instanceof PinMismatchError) return { kind: 'certificate', message: err.message };
  const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
  if (status === '401') return { kind: 'token', message: `the engine at ${url} refused the token (HTTP 401)` };
  if (status === '403') return { kind: 'token', message: `the engine at ${url} refused the connection (HTTP 403: the address is not one it answers to, or the token is not accepted)` };
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return { kind: 'certificate', message: `the certificate at ${url} is not trusted (${code}): pin its fingerprint (compare it with the one serve printed)` };
  }
  if (status !== undefined) return { kind: 'unreachable', message: `${where} answered HTTP ${status} instead of the engine's WebSocket` };
  if (code) return { kind: 'unreachable', message: networkError(where, err) };
  return { kind: 'unreachable', message: `cannot connect to ${where}: ${err.message}` };
}
