// The sandboxed preload: exposes `window.cloudDataSync` = { invoke, on }, checked against the
// contract's names (preload-bridge.ts), and nothing else — no ipcRenderer, no sendSync.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './preload-bridge';

contextBridge.exposeInMainWorld('cloudDataSync', createBridge(ipcRenderer));
