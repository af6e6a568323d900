// Object names GCS cannot store exactly, refused with a clear per-object error instead of failing
// obscurely or, worse, reaching another resource. Pure, so the rules are tested without a server.
import { StorageError } from './errors';

/** GCS names are 1 to 1,024 bytes of UTF-8. */
export const MAX_OBJECT_NAME_BYTES = 1024;
const ACME_CHALLENGE = '.well-known/acme-challenge/';

/**
 * Why GCS cannot store `key` under exactly that name, or undefined when it can (GCS's naming rules):
 *   - "." and "..": GCS refuses them, and the SDK puts the name into the URL path unescaped, where it
 *     is resolved away: a HEAD of ".." asks for the bucket and a DELETE of ".." deletes the bucket.
 *   - carriage return or line feed anywhere: GCS refuses them.
 *   - a name starting with ".well-known/acme-challenge/": reserved by GCS.
 *   - empty, longer than 1,024 bytes of UTF-8, or not valid Unicode (a lone surrogate): refused.
 * Everything else is stored exactly through the JSON API: "/" and "\" are plain characters,
 * "#", "?", "%" and other control characters are escaped by the SDK.
 */
export function gcsObjectNameProblem(key: string): string | undefined {
  if (key === '') return 'the name is empty';
  // A lone surrogate has no UTF-8 form: encoding replaces it.
  if (Buffer.from(key, 'utf8').toString('utf8') !== key) return 'the name is not valid Unicode (it has a lone surrogate)';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_OBJECT_NAME_BYTES) return `the name is ${bytes} bytes of UTF-8, more than the ${MAX_OBJECT_NAME_BYTES} GCS allows`;
  if (key === '.' || key === '..') return 'GCS does not allow the names "." and ".." (their URL would name the bucket itself)';
  if (/[\r\n]/.test(key)) return 'GCS does not allow carriage returns or line feeds in names';
  if (key.startsWith(ACME_CHALLENGE)) return `GCS reserves names starting with "${ACME_CHALLENGE}"`;
  return undefined;
}

/** Throws StorageError('Fatal') naming the key and the reason when GCS cannot store `key` exactly. */
export function checkObjectName(key: string, what: string): void {
  const problem = gcsObjectNameProblem(key);
  if (problem !== undefined) {
    throw new StorageError('Fatal', `${what}: GCS cannot store the name ${JSON.stringify(key)}: ${problem}; refused rather than renamed`);
  }
}

