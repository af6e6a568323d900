import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENT, IPC_INVOKE } from '../../electron/shell/ipc-channels';
import { isTrustedSender, rendererEntry } from '../../electron/shell/window-policy';

const fake = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipcMain = {
    handle: vi.fn((channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
  };
  return { ipcMain, handlers };
});
vi.mock('electron', () => ({ ipcMain: fake.ipcMain }));

const { forwardEvent, registerIpc } = await import('../../electron/shell/ipc');

const entry = rendererEntry(undefined, '/app/out/renderer/index.html');
const APP_URL = 'file:///app/out/renderer/index.html';

/** A webContents with its main frame, as IpcMainInvokeEvent.sender / senderFrame present them. */
function contents(id: number, url = APP_URL) {
  const mainFrame = { url };
  return { id, mainFrame, send: vi.fn(), isDestroyed: vi.fn(() => false) };
}

function invokeEvent(sender: ReturnType<typeof contents>, frame: { url: string } | null = sender.mainFrame) {
  return { sender, senderFrame: frame };
}

function setup() {
  const appWindow = contents(1);
  const dispatch = vi.fn(async (name: unknown) => ({ ok: true as const, value: `ran ${String(name)}` }));
  const off = registerIpc({ dispatch, windows: () => [appWindow as never], entry });
  const handler = fake.handlers.get(IPC_INVOKE)!;
  return { appWindow, dispatch, off, handler };
}

describe('registerIpc (electron mocked)', () => {
  it('dispatches a command from the main frame of the app window', async () => {
    const { appWindow, dispatch, handler, off } = setup();
    await expect(handler(invokeEvent(appWindow), 'app.status', undefined)).resolves.toEqual({ ok: true, value: 'ran app.status' });
    expect(dispatch).toHaveBeenCalledWith('app.status', undefined);
    off();
    expect(fake.handlers.has(IPC_INVOKE)).toBe(false);
  });

  it('refuses another webContents, a sub-frame, a frame on another page and a vanished frame', async () => {
    const { appWindow, dispatch, handler, off } = setup();
    const refused = { ok: false, error: { code: 'AccessDenied', message: expect.any(String), retryable: false } };
    const stranger = contents(2);
    await expect(handler(invokeEvent(stranger), 'app.status', undefined)).resolves.toEqual(refused);
    await expect(handler(invokeEvent(appWindow, { url: APP_URL }), 'app.status', undefined)).resolves.toEqual(refused); // an iframe
    const navigated = contents(1, 'https://evil.example/');
    await expect(handler(invokeEvent(navigated), 'app.status', undefined)).resolves.toEqual(refused);
    await expect(handler(invokeEvent(appWindow, null), 'app.status', undefined)).resolves.toEqual(refused);
    expect(dispatch).not.toHaveBeenCalled();
    off();
  });

  it('passes unknown names and bad arguments to the dispatcher, which answers with an envelope', async () => {
    const { appWindow, dispatch, handler, off } = setup();
    await handler(invokeEvent(appWindow), { not: 'a name' }, [1, 2]);
    expect(dispatch).toHaveBeenCalledWith({ not: 'a name' }, [1, 2]);
    off();
  });
});

describe('forwardEvent (electron mocked)', () => {
  it('sends the event to every live window on the event channel', () => {
    const a = contents(1);
    const gone = contents(2);
    gone.isDestroyed.mockReturnValue(true);
    forwardEvent([a, gone] as never, 'alert', { mappingId: 'm1', title: 't', message: 'm' });
    expect(a.send).toHaveBeenCalledWith(IPC_EVENT, 'alert', { mappingId: 'm1', title: 't', message: 'm' });
    expect(gone.send).not.toHaveBeenCalled();
  });
});

describe('isTrustedSender', () => {
  const ids = new Set([1]);
  it('needs a known window, its main frame and the app URL', () => {
    expect(isTrustedSender({ webContentsId: 1, frame: { url: APP_URL, isMainFrame: true } }, ids, entry)).toBe(true);
    expect(isTrustedSender({ webContentsId: 3, frame: { url: APP_URL, isMainFrame: true } }, ids, entry)).toBe(false);
    expect(isTrustedSender({ webContentsId: 1, frame: { url: APP_URL, isMainFrame: false } }, ids, entry)).toBe(false);
    expect(isTrustedSender({ webContentsId: 1, frame: { url: 'file:///tmp/x.html', isMainFrame: true } }, ids, entry)).toBe(false);
    expect(isTrustedSender({ webContentsId: 1, frame: null }, ids, entry)).toBe(false);
  });
});
