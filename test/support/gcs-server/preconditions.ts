// Generation preconditions, given as query parameters as the JSON API takes them.
import { errors, type StoredObject } from './resource';

const CONDITIONS = ['GenerationMatch', 'GenerationNotMatch', 'MetagenerationMatch', 'MetagenerationNotMatch'] as const;

/**
 * Throws 412 (or 304 for a failed *NotMatch on a read, as GCS answers a conditional GET) unless
 * every `if{prefix}…` parameter holds for `current`. `ifGenerationMatch=0` means "must not exist".
 * `prefix` is '' for the target object, 'Source' for a rewrite's source.
 */
export function checkPreconditions(current: StoredObject | undefined, query: URLSearchParams, options: { prefix?: '' | 'Source'; read?: boolean } = {}): void {
  const prefix = options.prefix ?? '';
  for (const condition of CONDITIONS) {
    const name = `if${prefix}${condition}`;
    const raw = query.get(name);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw)) throw errors.invalid(`Invalid argument: ${name}=${raw}`);
    const wanted = Number(raw);
    const meta = condition.startsWith('Metageneration');
    // A metageneration condition on a missing object never holds.
    if (meta && current === undefined) throw errors.preconditionFailed();
    const actual = current === undefined ? 0 : meta ? current.metageneration : current.generation;
    const notMatch = condition.endsWith('NotMatch');
    if (notMatch ? actual !== wanted : actual === wanted) continue;
    throw options.read && notMatch ? errors.notModified() : errors.preconditionFailed();
  }
}
