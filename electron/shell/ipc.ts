// The contract over Electron IPC: commands in through one invoke channel, events out to the app's
// windows. Only the main frame of one of the app's own windows, showing the app's page, is heard.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { Envelope, EventName, Events } from '../../shared/contract';
import { IPC_EVENT, IPC_INVOKE } from './ipc-channels';
import { isTrustedSender, type RendererEntry, type SenderInfo } from './window-policy';

export interface IpcOptions {
  /** The api dispatcher: validates the name and the arguments, never throws. */
  dispatch(name: unknown, args: unknown): Promise<Envelope<unknown>>;
  /** The app's windows' webContents at the time of the call (windows come and go). */
  windows(): WebContents[];
  entry: RendererEntry;
}

const REFUSED: Envelope<never> = {
  ok: false,
  error: { code: 'AccessDenied', message: 'This command may only come from the Cloud Data Sync window.', retryable: false },
};

function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    webContentsId: event.sender.id,
    frame: frame === null ? null : { url: frame.url, isMainFrame: frame === event.sender.mainFrame },
  };
}

/** Registers the invoke handler; returns its removal. */
export function registerIpc(options: IpcOptions): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, name: unknown, args: unknown) => {
    const ids = new Set(options.windows().map((contents) => contents.id));
    if (!isTrustedSender(senderInfo(event), ids, options.entry)) return REFUSED;
    return options.dispatch(name, args);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

/** Sends an event to every live window (hidden ones too, so they are current when shown). */
export function forwardEvent<E extends EventName>(windows: WebContents[], name: E, payload: Events[E]): void {
  for (const contents of windows) {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT, name, payload);
  }
}
