// app.status and sync.*: the scheduler decides when runs happen; these commands only ask it.
import { requireMapping } from './lookup';
import type { ApiDeps, HandlersFor } from './types';

type SyncCommands = 'app.status' | 'sync.now' | 'sync.cancel' | 'sync.pauseAll' | 'sync.resumeAll';

export function syncHandlers({ store, scheduler, version, mode }: ApiDeps): HandlersFor<SyncCommands> {
  return {
    'app.status': async () => ({ version, mode, paused: scheduler.paused, running: scheduler.runningIds() }),

    // One mapping runs even when disabled (an explicit request); "all" means all enabled ones. A
    // mapping already running gets exactly one follow-up run.
    'sync.now': async ({ mappingId }) => {
      if (mappingId !== undefined) requireMapping(store, mappingId, 'mappingId');
      return { queued: scheduler.syncNow(mappingId), paused: scheduler.paused };
    },

    'sync.cancel': async ({ mappingId }) => {
      requireMapping(store, mappingId, 'mappingId');
      scheduler.cancel(mappingId);
    },

    'sync.pauseAll': async () => scheduler.pause(),
    'sync.resumeAll': async () => scheduler.resume(),
  };
}
