// A ContractClient for renderer tests, typed by the contract: handlers per command (a missing one
// fails the call like an unknown command would), a log of calls, and emit() for events.
import {
  ApiCallError,
  type ApiError,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type ContractClient,
  type EventName,
  type Events,
} from '../../shared/contract';

export type Handlers = { [N in CommandName]?: (args: CommandArgs<N>) => CommandResult<N> | Promise<CommandResult<N>> };

export interface Call {
  name: CommandName;
  args: unknown;
}

export class FakeClient implements ContractClient {
  readonly calls: Call[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(public handlers: Handlers = {}) {}

  invoke<N extends CommandName>(name: N, ...args: CommandArgs<N> extends void ? [] : [CommandArgs<N>]): Promise<CommandResult<N>> {
    const arg = args[0] as CommandArgs<N>;
    this.calls.push({ name, args: arg });
    const handler = this.handlers[name] as ((a: CommandArgs<N>) => CommandResult<N> | Promise<CommandResult<N>>) | undefined;
    if (!handler) return Promise.reject(new ApiCallError({ code: 'NotFound', message: `no fake handler for ${name}`, retryable: false }));
    try {
      return Promise.resolve(handler(arg));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(name, set);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of this.listeners.get(name) ?? []) listener(payload);
  }

  listenerCount(name: EventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /** Args of every call of `name`, in order. */
  argsOf<N extends CommandName>(name: N): CommandArgs<N>[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args as CommandArgs<N>);
  }
}

/** What a handler throws to fail like the real API. */
export function apiError(error: Partial<ApiError> & { message: string }): ApiCallError {
  return new ApiCallError({ code: 'InvalidArgument', retryable: false, ...error });
}
