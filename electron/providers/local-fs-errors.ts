// File-system errors mapped to the provider error set.
import { StorageError } from './errors';

/**
 * What a file-system error code means, in words a user reads without knowing Node (the code stays in
 * the message, in parentheses, and the original error is the cause).
 */
const PLAIN_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder where a file was expected',
  ENOTDIR: 'a part of the path is a file where a folder was expected',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EEXIST: 'already exists',
  ENOTEMPTY: 'the folder is not empty',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'is in use by another program',
  ELOOP: 'leads through too many symbolic links',
  ENAMETOOLONG: 'the name is too long for this file system',
  EIO: 'input/output error: the disk or network share may be failing',
};

/** "reading a.txt: /data/a.txt does not exist (ENOENT)"; an error without a known code keeps its own message. */
function plainMessage(e: NodeJS.ErrnoException | undefined, err: unknown, what: string): string {
  const plain = e?.code ? PLAIN_WORDS[e.code] : undefined;
  if (!plain) return `${what}: ${e?.message ?? String(err)}`;
  return `${what}: ${e?.path ? `${e.path} ` : ''}${plain} (${e!.code})`;
}

export function mapFsError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = plainMessage(e, err, what);
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
