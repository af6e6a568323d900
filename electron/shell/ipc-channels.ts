// The two IPC channels between preload and main; everything else on them is the contract's names.
/** renderer → main: ipcRenderer.invoke(IPC_INVOKE, commandName, args) → Envelope. */
export const IPC_INVOKE = 'cds:invoke';
/** main → renderer: webContents.send(IPC_EVENT, eventName, payload). */
export const IPC_EVENT = 'cds:event';
