// The API behind shared/contract.ts: one implementation, used by Electron IPC (ipc.ts) and by the
// headless server. createApi builds every handler (the ApiHandlers mapped type makes a missing one
// a compile error); createDispatcher puts run-time argument checks and error conversion in front.
import { browseHandlers } from './browse';
import { configFileHandlers } from './config-file';
import { connectionHandlers } from './connections';
import { createDispatcher, type Dispatch } from './dispatch';
import { engineHandlers } from './engines';
import { historyHandlers } from './history';
import { mappingHandlers } from './mappings';
import { storedSecretValues } from './secrets';
import { settingsHandlers } from './settings';
import { syncHandlers } from './sync';
import type { ApiDeps, ApiHandlers } from './types';

export function createApi(deps: ApiDeps): ApiHandlers {
  return {
    ...syncHandlers(deps),
    ...connectionHandlers(deps),
    ...browseHandlers(deps),
    ...mappingHandlers(deps),
    ...historyHandlers(deps),
    ...settingsHandlers(deps),
    ...configFileHandlers(deps),
    ...engineHandlers(deps),
  };
}

/** createApi behind a dispatcher that also scrubs every stored secret value from error messages. */
export function createApiDispatcher(deps: ApiDeps): Dispatch {
  return createDispatcher(createApi(deps), { secretValues: () => storedSecretValues(deps.store) });
}

export { createDispatcher, type Dispatch, type DispatcherOptions } from './dispatch';
export { ApiFailure, toApiError } from './errors';
export { DEFAULT_SETTINGS, loadAppSettings } from './settings';
export type { ApiDeps, ApiHandlers, Emit, HandlersFor } from './types';
