// Dry run as a wrapper: a safety belt under previews. Every call that would change the service
// (write, copy, remove, bucket changes, aborting an upload) is refused before it reaches the
// provider; listings, heads and reads pass.
import { StorageError } from './errors';
import type { StorageProvider } from './provider';
import { WRITE_OPERATIONS, wrap } from './wrap';

/** A change refused under a dry run: Fatal, never retried. */
export class DryRunRefusedError extends StorageError {
  constructor(what: string) {
    super('Fatal', `${what}: refused, this is a dry run (a preview never changes anything)`);
  }
}

export function dryRun(inner: StorageProvider): StorageProvider {
  return wrap(inner, (call, run) => (WRITE_OPERATIONS.has(call.op) ? Promise.reject(new DryRunRefusedError(call.what)) : run()));
}
