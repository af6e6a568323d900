// The one entry point for both transports (Electron IPC and the headless server's WebSocket): checks
// the command name and its arguments, runs the handler, and answers with an Envelope. Never throws
// and never lets an error's stack or a secret value cross the boundary.
import { isCommandName, type CommandName, type CommandResult, type Envelope } from '../../shared/contract';
import { ApiFailure, toApiError } from './errors';
import { scrubSecrets, secretValuesIn } from './secrets';
import type { ApiHandlers } from './types';
import { ARG_VALIDATORS } from './validate';

export type Dispatch = (name: unknown, args: unknown) => Promise<Envelope<unknown>>;

export interface DispatcherOptions {
  /** Secret values to blank out of error messages (besides those found in the arguments), e.g. the stored ones. */
  secretValues?: () => Iterable<string>;
}

export function createDispatcher(handlers: ApiHandlers, options: DispatcherOptions = {}): Dispatch {
  return async (name, args) => {
    try {
      if (!isCommandName(name)) {
        const shown = typeof name === 'string' ? `"${name.slice(0, 80)}"` : typeof name;
        throw new ApiFailure('InvalidArgument', `unknown command ${shown}`, 'command');
      }
      return { ok: true, value: await run(handlers, name, args) };
    } catch (err) {
      const error = toApiError(err);
      return { ok: false, error: { ...error, message: scrubSecrets(error.message, secretsFor(args, options)) } };
    }
  };
}

function run<N extends CommandName>(handlers: ApiHandlers, name: N, raw: unknown): Promise<CommandResult<N>> {
  const args = ARG_VALIDATORS[name](raw);
  return handlers[name](args);
}

function secretsFor(args: unknown, options: DispatcherOptions): string[] {
  const found = secretValuesIn(args);
  try {
    return [...found, ...(options.secretValues?.() ?? [])];
  } catch {
    return found; // e.g. the store is closed during shutdown: still answer
  }
}
