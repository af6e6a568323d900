// Which keys a local folder can store exactly, and the names this provider gives its own files.
// A key is stored under exactly its own name or refused: never renamed, never normalised.
import { randomBytes } from 'node:crypto';
import { StorageError } from './errors';

/** Unfinished writes carry this marker; listings leave them out and no key may contain it. */
export const PARTIAL_MARKER = '.cds-partial-';

/** The longest file or folder name Linux, macOS and Windows file systems all accept (ext4 and APFS count bytes). */
const MAX_NAME_BYTES = 255;

/** Why `name` cannot be one path segment of a stored key, or undefined when it can. */
export function segmentProblem(name: string): string | undefined {
  if (name === '') return 'an empty path segment (a leading, trailing or double "/")';
  if (name === '.' || name === '..') return `a "${name}" path segment`;
  if (name.includes('\0')) return 'a NUL character';
  if (name.includes('\\')) return 'a backslash (a folder separator on Windows)';
  if (!roundTripsUtf8(name)) return 'a lone UTF-16 surrogate (no UTF-8 file name can hold it)';
  if (name.includes(PARTIAL_MARKER)) return `"${PARTIAL_MARKER}", the marker of this app's unfinished files`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `a path segment longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/** The path segments of `key`; a key a local folder cannot store exactly is refused (Fatal), naming the key. */
export function keySegments(key: string): string[] {
  const segments = key.split('/');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) throw new StorageError('Fatal', `key "${key}" cannot be stored as a file in a local folder: it has ${problem}`);
  }
  return segments;
}

/** A fresh name for an unfinished write; it does not depend on the target's name, so it is never too long. */
export function partialName(): string {
  return `${PARTIAL_MARKER}${randomBytes(8).toString('hex')}`;
}

/** True for names partialName() gives: the only names abandonUpload may delete. */
export function isPartialName(name: string): boolean {
  return /^\.cds-partial-[0-9a-f]{16}$/.test(name);
}

/** True when the file name given by the file system as bytes is valid UTF-8 (so a key names it exactly). */
export function isUtf8Name(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

function roundTripsUtf8(name: string): boolean {
  return Buffer.from(name, 'utf8').toString('utf8') === name;
}
