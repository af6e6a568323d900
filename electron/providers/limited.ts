// Work over many items with a bound on how much runs at once: multipart copies' parts, and deletes
// on services that take one key per request.
import { PartialRemoveError, StorageError } from './errors';

/**
 * Runs `task` for every item, at most `limit` at once; the first failure stops new tasks and is
 * thrown once the running ones have settled (so a caller's cleanup never races them).
 */
export async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        signal?.throwIfAborted();
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

/**
 * Deletes `keys` one request each (`removeOne`, which resolves once its key is gone, deleted or
 * already missing), `concurrency` at a time. After the first failure, or once `signal` fired, no new
 * delete starts and the ones in flight finish. A failure before any key was deleted is thrown as it
 * is; after some were, PartialRemoveError names every key that is gone, classed like the failure.
 */
export async function removeEach(keys: readonly string[], concurrency: number, signal: AbortSignal | undefined, removeOne: (key: string) => Promise<void>): Promise<void> {
  const removed: string[] = [];
  try {
    await eachLimited(keys, concurrency, async (key) => {
      await removeOne(key);
      removed.push(key);
    }, signal);
  } catch (err) {
    if (removed.length === 0) throw err;
    const failure = err instanceof Error ? err : new Error(String(err));
    const code = failure instanceof StorageError ? failure.code : 'Transient';
    throw new PartialRemoveError(code, `${failure.message} (${removed.length} of ${keys.length} keys were deleted)`, removed, { cause: failure });
  }
}
