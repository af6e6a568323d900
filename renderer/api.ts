// The renderer's side of the contract. In the desktop app the preload bridge (window.cloudDataSync)
// carries it over Electron IPC; in a browser (the headless server) a WebSocket to /ws does, with
// the session cookie the server set on the first page load as its credential.
import { unwrapEnvelope, type CommandName, type ContractClient, type Envelope, type EventName, type Events } from '../shared/contract';
import { createSocketClient, type SocketConstructor } from '../shared/socket-client';

/** What electron/shell/preload.ts exposes on `window.cloudDataSync`: exactly these two functions. */
export interface PreloadBridge {
  invoke(name: string, args: unknown): Promise<Envelope<unknown>>;
  on(name: string, listener: (payload: unknown) => void): () => void;
}

type Listener = (payload: unknown) => void;
type Invoke = ContractClient['invoke'];
/** What each client implements; `Invoke` adds the per-command types on top. */
type UntypedInvoke = (name: CommandName, args?: unknown) => Promise<unknown>;

export function createBridgeClient(bridge: PreloadBridge): ContractClient {
  const invoke: UntypedInvoke = async (name, args) => unwrapEnvelope(await bridge.invoke(name, args));
  return {
    invoke: invoke as Invoke,
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
      return bridge.on(name, listener as Listener);
    },
  };
}

function isPreloadBridge(value: unknown): value is PreloadBridge {
  const bridge = value as Partial<PreloadBridge> | null | undefined;
  return typeof bridge === 'object' && bridge !== null && typeof bridge.invoke === 'function' && typeof bridge.on === 'function';
}

/** The preload bridge when running in Electron, else a WebSocket to the page's own server. */
function createDefaultClient(): ContractClient {
  const bridge = (globalThis as { cloudDataSync?: unknown }).cloudDataSync;
  if (isPreloadBridge(bridge)) return createBridgeClient(bridge);
  const { protocol, host } = globalThis.location;
  // The DOM's WebSocket types its events more narrowly than SocketLike; it behaves as SocketLike needs.
  const Socket = globalThis.WebSocket as unknown as SocketConstructor;
  return createSocketClient(`${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`, Socket);
}

let client: ContractClient | undefined;
/** Created on first use, so importing this module (tests, tools) opens nothing. */
const current = (): ContractClient => (client ??= createDefaultClient());

export const api: ContractClient = {
  invoke: ((name, args) => (current().invoke as UntypedInvoke)(name, args)) as UntypedInvoke as Invoke,
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
    return current().on(name, listener);
  },
};

// ---- The selected engine ------------------------------------------------------------------------

/**
 * An answer that arrived after the window switched to another engine: dropped, so one engine's data
 * never lands under another's name. Callers' error paths see it; reportError shows nothing for it.
 */
export class EngineSwitchedError extends Error {
  override readonly name = 'EngineSwitchedError';
  constructor() {
    super('the window switched to another engine before the answer came');
  }
}

export function isEngineSwitched(error: unknown): boolean {
  return error instanceof EngineSwitchedError;
}

/**
 * The contract as the selected engine speaks it, all through `home` (the process that served this
 * window): with `selected()` null, home's own commands and events; with an engine id, each command is
 * relayed by `engines.call` and that engine's events arrive as `engine.event`. The selection is read
 * per call and per event, so listeners survive a switch; an answer to a call made before a switch is
 * refused with EngineSwitchedError.
 */
export function createEngineClient(home: ContractClient, selected: () => string | null): ContractClient {
  const invoke: UntypedInvoke = async (name, args) => {
    const engine = selected();
    const result = engine === null ? await (home.invoke as UntypedInvoke)(name, args) : await home.invoke('engines.call', { engine, name, args });
    if (selected() !== engine) throw new EngineSwitchedError();
    return result;
  };
  return {
    invoke: invoke as Invoke,
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void) {
      const offHome = home.on(name, (payload) => {
        if (selected() === null) listener(payload);
      });
      const offRelayed = home.on('engine.event', ({ engine, event, payload }) => {
        if (event === name && engine === selected()) listener(payload as Events[E]);
      });
      return () => {
        offHome();
        offRelayed();
      };
    },
  };
}
