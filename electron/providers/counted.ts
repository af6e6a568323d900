// Counting as a wrapper: how many calls of each kind reached the provider inside, and how many of
// them failed. Read by tests, the bench and metrics; innermost in the stack, so it counts what the
// service was asked (every retry attempt), not what the engine asked for.
import type { StorageProvider } from './provider';
import { OPERATIONS, wrap, type Operation } from './wrap';

export class RequestCounts {
  /** Calls started, per operation. */
  readonly calls = zeroes();
  /** Calls that failed (thrown or rejected), per operation. */
  readonly failures = zeroes();

  /** Calls started, of every operation. */
  total(): number {
    return OPERATIONS.reduce((sum, op) => sum + this.calls[op], 0);
  }

  reset(): void {
    for (const op of OPERATIONS) this.calls[op] = this.failures[op] = 0;
  }
}

export function counted(inner: StorageProvider, counts: RequestCounts): StorageProvider {
  return wrap(inner, async (call, run) => {
    counts.calls[call.op]++;
    try {
      return await run();
    } catch (err) {
      counts.failures[call.op]++;
      throw err;
    }
  });
}

function zeroes(): Record<Operation, number> {
  return Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<Operation, number>;
}
