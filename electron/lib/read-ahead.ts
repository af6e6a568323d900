// Small async-iteration helpers shared by the engine and the providers.

/**
 * Pulls `source` in the background into a buffer of at most `capacity` items. An error of the source
 * is delivered after the items read before it. Calling return() stops the pump.
 */
export function readAhead<T>(source: AsyncIterable<T>, capacity: number): AsyncIterator<T> {
  const buffer: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakePump: (() => void) | undefined;
  const iterator = source[Symbol.asyncIterator]();

  const pump = (async () => {
    try {
      while (!stopped) {
        while (buffer.length >= capacity && !stopped) await new Promise<void>((r) => (wakePump = r));
        if (stopped) break;
        const next = await iterator.next();
        if (next.done) break;
        buffer.push(next.value);
        wakeConsumer?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      wakeConsumer?.();
    }
  })();

  return {
    async next(): Promise<IteratorResult<T>> {
      while (buffer.length === 0 && !done) await new Promise<void>((r) => (wakeConsumer = r));
      wakeConsumer = undefined;
      if (buffer.length > 0) {
        const value = buffer.shift()!;
        wakePump?.();
        return { value, done: false };
      }
      if (failure) throw failure.error;
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T>> {
      stopped = true;
      wakePump?.();
      await iterator.return?.().catch(() => undefined);
      await pump;
      return { value: undefined, done: true };
    },
  };
}
