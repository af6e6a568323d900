import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, EVENT_NAMES } from '../../shared/contract';
import { IPC_EVENT, IPC_INVOKE } from '../../electron/shell/ipc-channels';

// A fake ipcRenderer (an EventEmitter-like with invoke) and contextBridge that records what is exposed.
const fake = vi.hoisted(() => {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const listeners = new Map<string, Set<Listener>>();
  const ipcRenderer = {
    invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 'pong' })),
    sendSync: vi.fn(),
    send: vi.fn(),
    on: vi.fn((channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => listeners.get(channel)?.delete(listener)),
  };
  /** What main's webContents.send(channel, ...args) would deliver. */
  const deliver = (channel: string, ...args: unknown[]) => {
    for (const l of [...(listeners.get(channel) ?? [])]) l({ sender: ipcRenderer, senderId: 0 }, ...args);
  };
  const exposed = new Map<string, unknown>();
  const contextBridge = { exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.set(key, api)) };
  return { ipcRenderer, contextBridge, deliver, exposed, listeners };
});
vi.mock('electron', () => ({ ipcRenderer: fake.ipcRenderer, contextBridge: fake.contextBridge }));

await import('../../electron/shell/preload');

interface Bridge {
  invoke(name: unknown, args?: unknown): Promise<unknown>;
  on(name: unknown, listener: (payload: unknown) => void): () => void;
}
const bridge = fake.exposed.get('cloudDataSync') as Bridge;

describe('preload (electron mocked)', () => {
  it('exposes exactly one object, window.cloudDataSync, with exactly invoke and on', () => {
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect([...fake.exposed.keys()]).toEqual(['cloudDataSync']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
  });

  it('invokes every contract command over the one invoke channel and returns main’s envelope', async () => {
    for (const name of COMMAND_NAMES) {
      await expect(bridge.invoke(name, { x: 1 })).resolves.toEqual({ ok: true, value: 'pong' });
      expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_INVOKE, name, { x: 1 });
    }
    expect(fake.ipcRenderer.sendSync).not.toHaveBeenCalled();
    expect(fake.ipcRenderer.send).not.toHaveBeenCalled();
  });

  it('rejects unknown command names without sending anything', async () => {
    fake.ipcRenderer.invoke.mockClear();
    for (const name of ['fs.readFile', '__proto__', 'constructor', '', 42, null, { toString: () => 'app.status' }]) {
      await expect(bridge.invoke(name)).rejects.toThrow(/unknown command/);
    }
    expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('refuses to subscribe to unknown event names', () => {
    for (const name of ['progress2', 'cds:event', 'toString', 7]) expect(() => bridge.on(name, () => {})).toThrow(/unknown event/);
    expect(() => bridge.on('progress', 'not a function' as never)).toThrow(/listener must be a function/);
  });

  it('delivers only the subscribed event, with the payload alone (never the IPC event object)', () => {
    const progress = vi.fn();
    const alerts = vi.fn();
    const offProgress = bridge.on('progress', progress);
    const offAlert = bridge.on('alert', alerts);
    fake.deliver(IPC_EVENT, 'progress', { runId: 1 });
    fake.deliver(IPC_EVENT, 'alert', { title: 't' });
    fake.deliver(IPC_EVENT, 'not-an-event', { evil: true });
    fake.deliver('some-other-channel', 'progress', { runId: 2 });
    expect(progress.mock.calls).toEqual([[{ runId: 1 }]]);
    expect(alerts.mock.calls).toEqual([[{ title: 't' }]]);
    offProgress();
    fake.deliver(IPC_EVENT, 'progress', { runId: 3 });
    expect(progress).toHaveBeenCalledTimes(1);
    offAlert();
  });

  it('shares one IPC listener among subscriptions and removes it after the last unsubscribe', () => {
    const offs = EVENT_NAMES.flatMap((name) => [bridge.on(name, () => {}), bridge.on(name, () => {})]);
    expect(fake.listeners.get(IPC_EVENT)?.size).toBe(1);
    for (const off of offs) off();
    expect(fake.listeners.get(IPC_EVENT)?.size ?? 0).toBe(0);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const good = vi.fn();
    const off1 = bridge.on('run.finished', () => {
      throw new Error('boom');
    });
    const off2 = bridge.on('run.finished', good);
    fake.deliver(IPC_EVENT, 'run.finished', { id: 1 });
    expect(good).toHaveBeenCalledWith({ id: 1 });
    expect(errors).toHaveBeenCalled();
    off1();
    off2();
    errors.mockRestore();
  });
});
