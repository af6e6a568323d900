// The engines.* commands: the remote engines this process drives (electron/remote/engines.ts) and the
// relay to them. A remote's refusal keeps its code and field (its ApiError passes through whole).
import { ApiCallError } from '../../shared/contract';
import type { EngineRegistry } from '../remote/engines';
import { ApiFailure } from './errors';
import type { ApiDeps, HandlersFor } from './types';

type EngineCommands = 'engines.list' | 'engines.probe' | 'engines.add' | 'engines.update' | 'engines.remove' | 'engines.call';

export function engineHandlers({ engines, emit }: Pick<ApiDeps, 'engines' | 'emit'>): HandlersFor<EngineCommands> {
  const registry = (): EngineRegistry => {
    if (!engines) throw new ApiFailure('InvalidConfig', 'this process drives no remote engines');
    return engines;
  };
  return {
    'engines.list': async () => (engines ? engines.list() : []),
    'engines.probe': ({ url }) => passThrough(() => registry().probe(url)),
    // Every window of this process (other browser tabs on serve) refetches the list.
    'engines.add': (input) => passThrough(() => registry().add(input)).then(announce),
    'engines.update': (changes) => passThrough(() => registry().update(changes)).then(announce),
    'engines.remove': ({ id }) => passThrough(async () => registry().remove(id)).then(announce),
    'engines.call': ({ engine, name, args }) => passThrough(() => registry().call(engine, name, args)),
  };

  function announce<T>(result: T): T {
    emit('data.changed', { lists: ['engines'] });
    return result;
  }
}

/** The registry and the remote answer with ApiCallError; the dispatcher knows ApiFailure. */
async function passThrough<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiCallError) throw new ApiFailure(err.code, err.message, err.field);
    throw err;
  }
}
