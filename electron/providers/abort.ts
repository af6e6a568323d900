// AbortSignal plumbing shared by providers whose SDKs do not (fully) honour signals themselves.
import type { Readable } from 'node:stream';

/** The error an aborted operation rejects with: the signal's reason, or a standard AbortError. */
export function abortReason(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/** Settles like `work`, or rejects with the abort reason as soon as `signal` fires. */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Destroys `stream` with the abort reason when `signal` fires, until the stream closes. */
export function abortable(stream: Readable, signal?: AbortSignal): Readable {
  if (!signal) return stream;
  const onAbort = (): void => void stream.destroy(abortReason(signal));
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return stream;
}
