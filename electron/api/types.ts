// The shape of the API layer: one handler per contract command (a mapped type, so a missing or
// mistyped handler does not compile) and what the handlers need from the rest of main.
import type { AppSettings, CommandArgs, CommandName, CommandResult, EventName, Events } from '../../shared/contract';
import type { EngineRegistry } from '../remote/engines';
import type { SyncService } from '../services/sync-service';
import type { Store } from '../store';
import type { Scheduler } from '../sync/scheduler';

export type ApiHandlers = { [N in CommandName]: (args: CommandArgs<N>) => Promise<CommandResult<N>> };

/** The handlers of one area of the contract (connections, mappings, ...). */
export type HandlersFor<N extends CommandName> = Pick<ApiHandlers, N>;

export type Emit = <E extends EventName>(name: E, payload: Events[E]) => void;

export interface ApiDeps {
  /** Opened with a SecretCipher in the app, so connection secrets are stored encrypted. */
  store: Store;
  syncService: SyncService;
  scheduler: Scheduler;
  emit: Emit;
  version: string;
  mode: 'desktop' | 'server';
  /** Applies start-at-login and the like; provided by the Electron shell only. */
  applyDesktopSetting?: (settings: AppSettings) => void;
  /** The remote engines this process drives (electron/remote); absent: none (engines.list answers []). */
  engines?: EngineRegistry;
}
