// What the preload exposes to the page as `window.cloudDataSync`: invoke and on, checked against
// the contract's names, and nothing else. Electron-free (ipcRenderer is injected) so it is tested
// under Node; bundled into the sandboxed preload, so it must import nothing from node_modules.
import { isCommandName, isEventName, type CommandName, type Envelope, type EventName } from '../../shared/contract';
import { IPC_EVENT, IPC_INVOKE } from './ipc-channels';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface CloudDataSyncBridge {
  invoke(name: CommandName, args?: unknown): Promise<Envelope<unknown>>;
  on(name: EventName, listener: (payload: unknown) => void): () => void;
}

export function createBridge(ipc: IpcRendererLike): CloudDataSyncBridge {
  // One IPC listener for all subscriptions: one per subscription would hit EventEmitter's
  // max-listener warning as soon as a dozen components subscribe to 'progress'.
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const onEvent = (_event: unknown, name: unknown, payload: unknown): void => {
    if (!isEventName(name)) return;
    // A copy: a listener may unsubscribe while we iterate.
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        console.error(`cloudDataSync: a listener for "${name}" threw`, err);
      }
    }
  };
  let attached = false;

  return {
    invoke(name, args) {
      if (!isCommandName(name)) return Promise.reject(new Error(`cloudDataSync.invoke: unknown command ${describe(name)}`));
      return ipc.invoke(IPC_INVOKE, name, args) as Promise<Envelope<unknown>>;
    },
    on(name, listener) {
      if (!isEventName(name)) throw new Error(`cloudDataSync.on: unknown event ${describe(name)}`);
      if (typeof listener !== 'function') throw new TypeError('cloudDataSync.on: listener must be a function');
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      // A wrapper, so subscribing the same function twice gives two independent subscriptions.
      const entry = (payload: unknown): void => listener(payload);
      set.add(entry);
      if (!attached) {
        ipc.on(IPC_EVENT, onEvent as (event: unknown, ...args: unknown[]) => void);
        attached = true;
      }
      return () => {
        set.delete(entry);
        if (set.size === 0) listeners.delete(name);
        if (listeners.size === 0 && attached) {
          ipc.removeListener(IPC_EVENT, onEvent as (event: unknown, ...args: unknown[]) => void);
          attached = false;
        }
      };
    },
  };
}

/** Names a bad argument without calling into it (String() would run a page-supplied toString). */
function describe(name: unknown): string {
  return typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : `(${typeof name})`;
}
