// Logging as a wrapper: every call reported to a callback when it settles, with how long it took
// and how it ended, e.g. for a debug log.
import type { StorageProvider } from './provider';
import { wrap, type Operation } from './wrap';

export interface CallRecord {
  op: Operation;
  /** The call in words: "head photos/a.jpg". */
  what: string;
  durationMs: number;
  /** What the call failed with; absent when it succeeded. */
  error?: unknown;
}

export function logged(inner: StorageProvider, log: (record: CallRecord) => void): StorageProvider {
  return wrap(inner, async (call, run) => {
    const started = performance.now();
    const done = (error?: unknown): void =>
      log({ op: call.op, what: call.what, durationMs: performance.now() - started, ...(error === undefined ? {} : { error }) });
    try {
      const result = await run();
      done();
      return result;
    } catch (err) {
      done(err);
      throw err;
    }
  });
}
