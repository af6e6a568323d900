// A mapping's filter fields, in the file's form (sizes "10M" or bytes, ages "7d" or seconds, a regex
// list or one string) and in the app's (the model's units: bytes, seconds, arrays).
import { filtersOf, globProblem, parseAge, parseSize, regexProblem, sizeText, formatAge, type MappingFilters } from '../filters';
import { describe, type Fields } from './report';

type Form = 'file' | 'app';

const SIZE_HELP = 'a whole number of bytes, or a size such as "10M" or "1.5G" (K, M, G, T, P: base 1024)';
const AGE_HELP = 'an age such as "7d", "12h", "30m" or "90s" (w, d, h, m, s; combined as "1d12h"), or a whole number of seconds';

/** Reads the filter fields of a mapping entry; every problem is reported at its field ("exclude[2]"). */
export function readFilters(f: Fields, form: Form): MappingFilters {
  const include = readPatterns(f, 'include', 'glob', false);
  const exclude = readPatterns(f, 'exclude', 'glob', false);
  const includeRegex = readPatterns(f, 'includeRegex', 'regex', form === 'file');
  const excludeRegex = readPatterns(f, 'excludeRegex', 'regex', form === 'file');
  const minSize = readAmount(f, 'minSize', form, parseSize, SIZE_HELP);
  const maxSize = readAmount(f, 'maxSize', form, parseSize, SIZE_HELP);
  const minAge = readAmount(f, 'minAge', form, parseAge, AGE_HELP);
  const maxAge = readAmount(f, 'maxAge', form, parseAge, AGE_HELP);
  const deleteExcluded = f.bool('deleteExcluded');
  if (minSize != null && maxSize != null && minSize > maxSize) {
    f.error('minSize', `must not be larger than maxSize (${sizeText(minSize)} > ${sizeText(maxSize)}): no object would be copied`);
  }
  if (minAge != null && maxAge != null && minAge > maxAge) {
    f.error('minAge', `must not be larger than maxAge (${formatAge(minAge)} > ${formatAge(maxAge)}): no object would be copied`);
  }
  return filtersOf({ include, exclude, includeRegex, excludeRegex, minSize, maxSize, minAge, maxAge, deleteExcluded });
}

function readPatterns(f: Fields, key: string, kind: 'glob' | 'regex', oneStringAllowed: boolean): string[] | undefined {
  const value = f.get(key);
  if (value === undefined) return undefined;
  const what = kind === 'glob' ? 'glob patterns such as "**/*.tmp"' : 'regular expressions';
  const list = oneStringAllowed && typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    f.error(key, `must be an array of ${what}${oneStringAllowed ? ' (or one)' : ''} (got ${describe(value)})`);
    return undefined;
  }
  const patterns: string[] = [];
  list.forEach((pattern: unknown, index) => {
    const at = Array.isArray(value) ? `${f.at(key)}[${index}]` : f.at(key);
    if (typeof pattern !== 'string') {
      f.report.error(at, `must be a string (got ${describe(pattern)})`);
      return;
    }
    const problem = kind === 'glob' ? globProblem(pattern) : regexProblem(pattern);
    if (problem) f.report.error(at, `invalid ${kind === 'glob' ? 'glob' : 'regular expression'} ${describe(pattern)}: ${problem}`);
    else patterns.push(pattern);
  });
  return patterns;
}

/** A size or age: in a file a number or a string with a unit, in the app a number in the model's unit or null. */
function readAmount(f: Fields, key: string, form: Form, parse: (value: number | string) => number | null, help: string): number | undefined {
  const value = f.get(key);
  if (value === undefined) return undefined;
  const parsed = typeof value === 'number' || (form === 'file' && typeof value === 'string') ? parse(value) : null;
  if (parsed === null) f.error(key, `must be ${form === 'file' ? help : `a whole number of ${key.endsWith('Size') ? 'bytes' : 'seconds'} of at least 0, or null`} (got ${describe(value)})`);
  return parsed ?? undefined;
}
