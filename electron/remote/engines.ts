// The remote engines a home engine drives: the stored list (store/remote-engines.ts), one link per
// engine (engine-link.ts), and the relay the window uses: engines.call runs a command there, every
// event of a remote comes back as engine.event, every change of its state as engines.status. What is
// last known of each engine (mappings, last seen, version) is kept in the store, so a restarted home
// shows an unreachable engine as it last was. The arguments and answers of relayed calls (a remote connection's secrets among them) pass through
// here and are never stored, logged or cached.
import { randomUUID } from 'node:crypto';
import { ApiCallError, isCommandName, type ApiErrorCode, type EngineProbe, type EngineView, type EventName, type Events } from '../../shared/contract';
import { StoreError, type LastKnown, type RemoteEnginesRepository, type StoredEngine } from '../store';
import { DEFAULT_LINK_TIMINGS, EngineLink, type EngineTarget, type LinkFailure, type LinkTimings } from './engine-link';
import { engineHealth } from './health';
import { probeEngine, sameFingerprint } from './tls-pin';

export type EngineEmit = <E extends 'engines.status' | 'engine.event'>(name: E, payload: Events[E]) => void;

export interface EngineRegistryOptions {
  engines: RemoteEnginesRepository;
  emit: EngineEmit;
  timings?: Partial<LinkTimings>;
}

export interface EngineInput {
  name: string;
  url: string;
  token: string;
  fingerprint: string | null;
}

export interface EngineChanges {
  id: string;
  name?: string;
  url?: string;
  token?: string;
  fingerprint?: string | null;
}

/** Changes of what is known of an engine are written at most this often (a burst of status events is one write). */
const REMEMBER_MS = 1_000;

const fail = (code: ApiErrorCode, message: string, field?: string): ApiCallError =>
  new ApiCallError({ code, message, ...(field ? { field } : {}), retryable: code === 'Transient' });

export class EngineRegistry {
  private readonly links = new Map<string, EngineLink>();
  private readonly timings: LinkTimings;
  private started = false;
  /** Engines whose last-known state changed since it was written. */
  private readonly unwritten = new Set<string>();
  private rememberTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EngineRegistryOptions) {
    this.timings = { ...DEFAULT_LINK_TIMINGS, ...options.timings };
  }

  /** Connects to every stored engine; each then keeps itself connected. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const stored of this.options.engines.list()) this.links.set(stored.id, this.link(stored));
  }

  list(): EngineView[] {
    return this.options.engines.list().map((stored) => this.links.get(stored.id)?.view() ?? idleView(stored, this.options.engines.lastKnown(stored.id)));
  }

  probe(url: string): Promise<EngineProbe> {
    return probeEngine(normalUrl(url), this.timings.handshakeMs);
  }

  /** Connects with the token (checked by app.status) and saves only when that worked. */
  async add(input: EngineInput): Promise<EngineView> {
    if (!this.options.engines.seals) throw fail('InvalidConfig', 'this process cannot encrypt a token, so it cannot keep remote engines');
    const url = normalUrl(input.url);
    const same = this.options.engines.list().find((e) => e.url === url);
    if (same) throw fail('Conflict', `${url} is already added, as "${same.name}"`, 'url');
    const target: EngineTarget = { id: randomUUID(), name: input.name.trim(), url, fingerprint: normalPin(input.fingerprint), token: input.token };
    const link = await this.tryLink(target);
    this.options.engines.save(storedOf(target), target.token);
    this.adopt(link);
    return link.view();
  }

  /** A new name applies at once; a new address, token or pin is tried first, and saved only if it works. */
  async update(changes: EngineChanges): Promise<EngineView> {
    const stored = this.options.engines.get(changes.id);
    if (!stored) throw fail('NotFound', `no remote engine ${changes.id}`, 'id');
    const url = changes.url === undefined ? stored.url : normalUrl(changes.url);
    const same = this.options.engines.list().find((e) => e.url === url && e.id !== stored.id);
    if (same) throw fail('Conflict', `${url} is already added, as "${same.name}"`, 'url');
    const fingerprint = changes.fingerprint === undefined ? stored.fingerprint : normalPin(changes.fingerprint);
    const name = changes.name === undefined ? stored.name : changes.name.trim();
    const reconnect = url !== stored.url || fingerprint !== stored.fingerprint || changes.token !== undefined;
    if (!reconnect) {
      // A rename needs no token: one that cannot be decrypted here must not block it.
      this.options.engines.rename(stored.id, name);
      const link = this.links.get(stored.id);
      link?.rename(name);
      return link?.view() ?? idleView({ ...stored, name }, this.options.engines.lastKnown(stored.id));
    }
    const token = changes.token ?? this.storedToken(stored);
    const target: EngineTarget = { id: stored.id, name, url, fingerprint, token };
    const link = await this.tryLink(target);
    this.options.engines.save(storedOf(target), token);
    this.links.get(stored.id)?.close();
    this.adopt(link);
    return link.view();
  }

  remove(id: string): void {
    this.links.get(id)?.close();
    this.links.delete(id);
    this.unwritten.delete(id);
    if (!this.options.engines.remove(id)) throw fail('NotFound', `no remote engine ${id}`, 'id');
  }

  /** Runs `name` on engine `engine`; its answer or its error comes back as it gave them. */
  async call(engine: string, name: string, args: unknown): Promise<unknown> {
    if (name.startsWith('engines.')) throw fail('InvalidArgument', `name: ${name} is not relayed: a remote engine's own remotes are not driven through it`, 'name');
    if (!isCommandName(name)) throw fail('InvalidArgument', `name: unknown command "${name.slice(0, 80)}"`, 'name');
    const link = this.links.get(engine);
    if (!link) throw fail('NotFound', `no remote engine ${engine}`, 'engine');
    return link.call(name, args);
  }

  /** Stops every link and writes what is known of each (shutdown: before the store closes). */
  close(): void {
    for (const link of this.links.values()) {
      link.close();
      this.unwritten.add(link.id);
    }
    this.writeKnown();
    this.links.clear();
  }

  /** The stored token, for a change that reconnects without a new one. */
  private storedToken(stored: StoredEngine): string {
    try {
      return this.options.engines.token(stored.id);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'SecretsUnavailable') {
        throw fail('InvalidConfig', `token: the stored token of "${stored.name}" cannot be decrypted here; give the token again with the new address or fingerprint`, 'token');
      }
      throw err;
    }
  }

  /** Marks the engine's last-known state for writing, soon (one write for a burst of changes). */
  private remember(id: string): void {
    this.unwritten.add(id);
    if (this.rememberTimer) return;
    this.rememberTimer = setTimeout(() => this.writeKnown(), REMEMBER_MS);
    this.rememberTimer.unref();
  }

  private writeKnown(): void {
    clearTimeout(this.rememberTimer);
    this.rememberTimer = undefined;
    for (const id of this.unwritten) {
      const link = this.links.get(id);
      if (link) this.options.engines.remember(id, link.known());
    }
    this.unwritten.clear();
  }

  /** Checks the address first (nothing is sent to a certificate that does not match), then connects with the token. */
  private async tryLink(target: EngineTarget): Promise<EngineLink> {
    const secure = target.url.startsWith('https:');
    if (!secure && target.fingerprint !== null) throw fail('InvalidArgument', `fingerprint: ${target.url} is plain http, which has no certificate to pin; use https (serve --tls-self-signed) or leave the fingerprint empty`, 'fingerprint');
    if (secure) {
      const probe = await probeEngine(target.url, this.timings.handshakeMs);
      if (probe.error !== null) throw fail('Transient', `cannot reach ${target.url}: ${probe.error}`, 'url');
      if (target.fingerprint === null && !probe.trusted) {
        throw fail('InvalidArgument', `fingerprint: the certificate at ${target.url} (fingerprint ${probe.fingerprint}) is not vouched for by a certificate authority this machine trusts; pin its fingerprint after comparing it with the one serve printed`, 'fingerprint');
      }
      if (target.fingerprint !== null && !sameFingerprint(probe.fingerprint, target.fingerprint)) {
        throw fail('InvalidArgument', `fingerprint: the certificate at ${target.url} has fingerprint ${probe.fingerprint}, not the pinned ${target.fingerprint}`, 'fingerprint');
      }
    }
    const link = this.link(target, false);
    let failure: LinkFailure | null;
    try {
      failure = await withTimeout(link.outcome(), this.timings.handshakeMs + this.timings.callMs, { kind: 'unreachable', message: 'no answer in time' });
    } catch (err) {
      link.close();
      throw err;
    }
    if (failure === null) return link;
    link.close();
    if (failure.kind === 'token') throw fail('AccessDenied', `token: ${failure.message}`, 'token');
    if (failure.kind === 'certificate') throw fail('InvalidArgument', `fingerprint: ${failure.message}`, 'fingerprint');
    throw fail('Transient', `cannot reach ${target.url}: ${failure.message}`, 'url');
  }

  /** A link whose announcements go out only while it is the registered one (a trial link is silent). */
  private link(target: StoredEngine & { token?: string }, stored = true): EngineLink {
    let link: EngineLink | undefined;
    const registered = (): boolean => link !== undefined && this.links.get(target.id) === link;
    const hooks = {
      status: (view: EngineView) => {
        if (!registered()) return;
        this.options.emit('engines.status', view);
        this.remember(target.id);
      },
      event: <E extends EventName>(event: E, payload: Events[E]) => {
        if (registered()) this.options.emit('engine.event', { engine: target.id, event, payload });
      },
    };
    let token = target.token ?? '';
    let refusal: string | undefined;
    if (stored && target.token === undefined) {
      try {
        token = this.options.engines.token(target.id);
      } catch (err) {
        refusal = (err as Error).message;
      }
    }
    const known = stored ? this.options.engines.lastKnown(target.id) : undefined;
    link = new EngineLink({ ...target, token }, hooks, this.timings, refusal, known);
    return link;
  }

  private adopt(link: EngineLink): void {
    this.links.set(link.id, link);
    this.options.emit('engines.status', link.view());
    this.remember(link.id);
  }
}

/** What is listed for a stored engine before start(): what was last known of it. */
function idleView(stored: StoredEngine, known: LastKnown): EngineView {
  return { ...stored, state: 'connecting', error: null, lastSeenAt: known.lastSeenAt, version: known.version, mappings: known.mappings ?? [], health: engineHealth(known.mappings) };
}

function storedOf(target: EngineTarget): StoredEngine {
  return { id: target.id, name: target.name, url: target.url, fingerprint: target.fingerprint };
}

/** scheme://host:port/ as URL writes it: one spelling per address, so duplicates are found. */
function normalUrl(url: string): string {
  const parsed = new URL(url.trim());
  return `${parsed.protocol}//${parsed.host}/`;
}

function normalPin(pin: string | null): string | null {
  return pin === null ? null : pin.toUpperCase();
}

async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
