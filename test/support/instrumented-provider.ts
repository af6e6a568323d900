// Test wrappers around a real provider, from the outside (the provider itself stays untouched):
// counting calls, and injecting failures into chosen calls.
import type { StorageProvider } from '../../electron/providers/provider';

type Method = 'listBuckets' | 'createBucket' | 'deleteBucket' | 'list' | 'head' | 'read' | 'write' | 'remove' | 'copy';
const METHODS: readonly Method[] = ['listBuckets', 'createBucket', 'deleteBucket', 'list', 'head', 'read', 'write', 'remove', 'copy'];

export interface Instrumented {
  provider: StorageProvider;
  calls: Record<Method, number>;
  reset(): void;
  /** The next `times` calls of `method` throw what `error()` returns, before reaching the real provider. */
  failNext(method: Method, times: number, error: () => Error): void;
}

export function instrument(inner: StorageProvider): Instrumented {
  const calls = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<Method, number>;
  const faults = new Map<Method, { remaining: number; error: () => Error }>();
  const take = (method: Method): void => {
    calls[method]++;
    const fault = faults.get(method);
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      throw fault.error();
    }
  };
  const provider: StorageProvider = {
    type: inner.type,
    capabilities: inner.capabilities,
    listBuckets: async (...a) => (take('listBuckets'), inner.listBuckets(...a)),
    createBucket: async (...a) => (take('createBucket'), inner.createBucket(...a)),
    deleteBucket: async (...a) => (take('deleteBucket'), inner.deleteBucket(...a)),
    list: (...a) => {
      take('list');
      return inner.list(...a);
    },
    listPage: (...a) => inner.listPage(...a),
    head: async (...a) => (take('head'), inner.head(...a)),
    read: async (...a) => (take('read'), inner.read(...a)),
    write: async (...a) => (take('write'), inner.write(...a)),
    remove: async (...a) => (take('remove'), inner.remove(...a)),
    copy: inner.copy ? async (...a) => (take('copy'), inner.copy!(...a)) : undefined,
    close: () => inner.close(),
  };
  return {
    provider,
    calls,
    reset: () => METHODS.forEach((m) => (calls[m] = 0)),
    failNext: (method, times, error) => faults.set(method, { remaining: times, error }),
  };
}
