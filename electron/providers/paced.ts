// Pacing as a wrapper: every call (every attempt, under retrying) waits for the connection's Pacer,
// and a Throttled answer slows the whole connection (pacer.ts says why).
import { isStorageError } from './errors';
import { Pacer } from './pacer';
import type { StorageProvider } from './provider';
import { wrap } from './wrap';

/** `pacer` is the connection's: share it between every wrapper of one connection. */
export function paced(inner: StorageProvider, pacer: Pacer): StorageProvider {
  return wrap(inner, async (call, run) => {
    await pacer.wait(call.signal);
    try {
      const result = await run();
      pacer.succeeded();
      return result;
    } catch (err) {
      if (isStorageError(err, 'Throttled')) pacer.throttled();
      throw err;
    }
  });
}
