// One SDK call with its errors mapped to StorageError: the shape of every provider's request.
import { unlessAborted } from './abort';

/**
 * Runs `request` and throws what it throws mapped by `mapError`. With `signal` (for SDKs that
 * cannot cancel their requests), nothing starts once it has fired and the wait ends as soon as it
 * fires; the request itself then finishes unobserved. SDKs that take the signal themselves pass none.
 */
export async function sdkCall<T>(request: () => Promise<T>, mapError: (err: unknown) => Error, signal?: AbortSignal): Promise<T> {
  signal?.throwIfAborted();
  try {
    return await unlessAborted(request(), signal);
  } catch (err) {
    throw mapError(err);
  }
}
