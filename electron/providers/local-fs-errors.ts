// File-system errors mapped to the provider error set.
import { StorageError } from './errors';

export function mapFsError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = `${what}: ${e?.message ?? String(err)}`;
  switch (e?.code) {
    case 'ENOENT':
      return new StorageError('NotFound', message, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new StorageError('AccessDenied', message, { cause: err });
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
    case 'EAGAIN':
      return new StorageError('Transient', message, { cause: err });
    default:
      return new StorageError('Fatal', message, { cause: err });
  }
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
