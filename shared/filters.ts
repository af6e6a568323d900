// A mapping's filters (rclone's --include/--exclude, --min-size/--max-size, --min-age/--max-age): the
// settings, their text forms ("10M", "7d") and one compiled form that decides each key. Pure
// TypeScript (picomatch runs in the browser too), so the config reader, the engine and the mapping
// editor all check and apply the same rules.
import picomatch from 'picomatch';
import type { Mapping } from './model';

/** The filter fields of a Mapping, each absent when it filters nothing. */
export type MappingFilters = Pick<Mapping, (typeof FILTER_FIELDS)[number]>;

export const FILTER_FIELDS = ['include', 'exclude', 'includeRegex', 'excludeRegex', 'minSize', 'maxSize', 'minAge', 'maxAge', 'deleteExcluded'] as const;

/**
 * The filter fields of `m` that do something, and only those: empty lists, null limits and a false
 * deleteExcluded are left out, so a mapping without filters has none of the fields (as the original
 * config format) and two mappings with the same filters have the same fields.
 */
export function filtersOf(m: Partial<MappingFilters>): MappingFilters {
  const out: MappingFilters = {};
  for (const key of ['include', 'exclude', 'includeRegex', 'excludeRegex'] as const) {
    const list = m[key];
    if (list && list.length > 0) out[key] = [...list];
  }
  for (const key of ['minSize', 'maxSize', 'minAge', 'maxAge'] as const) {
    const value = m[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  if (m.deleteExcluded === true) out.deleteExcluded = true;
  return out;
}

/** True when some filter of `m` can exclude an object (deleteExcluded alone excludes nothing). */
export function hasFilters(m: Partial<MappingFilters>): boolean {
  const f = filtersOf(m);
  return Object.keys(f).some((key) => key !== 'deleteExcluded');
}

// ---- Patterns --------------------------------------------------------------------------------------

/**
 * A glob as rclone reads it, on the key relative to the mapping's prefix: `*` and `?` stop at "/",
 * `**` crosses it, `{a,b}` is either, `[a-z]` a class. A pattern starting with "/" is anchored at the
 * prefix; any other matches the end of the key at a "/" boundary ("*.tmp" matches "a/b/x.tmp",
 * "logs/*" matches "x/logs/1"). Dot files are matched like any other. Throws on an unbalanced
 * bracket or brace.
 */
export function compileGlob(pattern: string): (key: string) => boolean {
  if (pattern.trim() === '') throw new Error('an empty pattern matches nothing');
  const anchored = pattern.startsWith('/');
  const body = anchored ? pattern.slice(1) : pattern.startsWith('**') ? pattern : `**/${pattern}`;
  // makeRe throws for an unbalanced pattern (strictBrackets). Keys use "/" on every platform: windows
  // false, also in a browser on Windows.
  const re = picomatch.makeRe(body, { dot: true, strictBrackets: true, windows: false });
  return (key) => re.test(key);
}

/** A regular expression (JavaScript syntax, Unicode mode), searched anywhere in the relative key: anchor it with ^ and $. */
export function compileRegex(pattern: string): RegExp {
  if (pattern === '') throw new Error('an empty expression matches every key');
  return new RegExp(pattern, 'u');
}

/** Why `pattern` is not a valid glob (or regex), or null. */
export function globProblem(pattern: string): string | null {
  return problemOf(() => compileGlob(pattern));
}
export function regexProblem(pattern: string): string | null {
  return problemOf(() => compileRegex(pattern));
}
function problemOf(compile: () => unknown): string | null {
  try {
    compile();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

// ---- Sizes and ages ---------------------------------------------------------------------------------

const SIZE_UNITS = ['', 'K', 'M', 'G', 'T', 'P'] as const;

/**
 * A size in bytes from a whole number of bytes, or a string: a number with an optional unit K, M, G,
 * T or P (base 1024 like rclone, either case, "i"/"iB"/"B" after it allowed: "10M" = "10MiB" =
 * 10485760, "1.5G"). Unlike rclone a string without a unit is bytes. A fraction of a byte is dropped.
 * Null for anything else.
 */
export function parseSize(value: number | string): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(value.trim());
  if (!match) return null;
  const unit = SIZE_UNITS.indexOf(match[2]!.toUpperCase() as (typeof SIZE_UNITS)[number]);
  const bytes = Math.floor(Number(match[1]) * 1024 ** unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The config form of a size: the largest unit that divides it ("10M"), else the number of bytes. */
export function formatSize(bytes: number): number | string {
  for (let unit = SIZE_UNITS.length - 1; unit > 0; unit--) {
    const scale = 1024 ** unit;
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${SIZE_UNITS[unit]}`;
  }
  return bytes;
}

/** A size for people: "10 MiB", "1.5 GiB", "700 B" (base 1024, as the filters count). */
export function sizeText(bytes: number): string {
  for (let unit = SIZE_UNITS.length - 1; unit > 0; unit--) {
    const scale = 1024 ** unit;
    if (bytes >= scale) return `${Number((bytes / scale).toFixed(2))} ${SIZE_UNITS[unit]}iB`;
  }
  return `${bytes} B`;
}

const AGE_UNITS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

/**
 * An age in seconds from a string of numbers with units s, m, h, d, w ("7d", "12h", "30m", "90s",
 * "1d12h", "1.5h"), or a whole number of seconds. Null for anything else.
 */
export function parseAge(value: number | string): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const text = value.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?[wdhms])+$/.test(text)) return null;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([wdhms])/g)) seconds += Number(amount) * AGE_UNITS[unit!]!;
  seconds = Math.floor(seconds);
  return Number.isSafeInteger(seconds) ? seconds : null;
}

/** The config form of an age: the largest unit that divides it ("7d", "90s"). */
export function formatAge(seconds: number): string {
  for (const [unit, scale] of Object.entries(AGE_UNITS)) {
    if (seconds >= scale && seconds % scale === 0) return `${seconds / scale}${unit}`;
  }
  return `${seconds}s`;
}

// ---- Deciding ----------------------------------------------------------------------------------------

/** The rule that excluded an object, as people read it: `exclude "*.tmp"`, `maxSize 10 MiB`. */
export type FilterRule = string;

export interface CompiledFilters {
  /** False when nothing can be excluded: the engine skips deciding. */
  readonly active: boolean;
  readonly deleteExcluded: boolean;
  /**
   * Null when the object passes every filter, else the first rule that excluded it. `key` is relative
   * to the mapping's prefix, `lastModified` and `now` are ms since epoch. Rules apply in this order:
   * the includes (include and includeRegex together: a key must match one of them when there are
   * any), each exclude glob, each excludeRegex, minSize, maxSize, minAge, maxAge.
   */
  decide(key: string, size: number, lastModified: number, now: number): FilterRule | null;
}

export const NOT_INCLUDED: FilterRule = 'include (matched none)';

/**
 * Compiles the filters once per run. Throws an Error naming the field ("exclude[1]: invalid glob …")
 * on an invalid pattern: the config reader refuses those first, but a library user's Mapping object
 * comes straight here.
 */
export function compileFilters(m: Partial<MappingFilters>): CompiledFilters {
  const f = filtersOf(m);
  const glob = (field: string) => (p: string, i: number) => compiled(field, i, p, 'glob', () => compileGlob(p));
  const regex = (field: string) => (p: string, i: number) => compiled(field, i, p, 'regular expression', () => keyTest(compileRegex(p)));
  const includes = [...(f.include ?? []).map(glob('include')), ...(f.includeRegex ?? []).map(regex('includeRegex'))];
  const excludes: { rule: FilterRule; test: (key: string) => boolean }[] = [
    ...(f.exclude ?? []).map((p, i) => ({ rule: `exclude ${JSON.stringify(p)}`, test: glob('exclude')(p, i) })),
    ...(f.excludeRegex ?? []).map((p, i) => ({ rule: `excludeRegex ${JSON.stringify(p)}`, test: regex('excludeRegex')(p, i) })),
  ];
  // Size and age limits, each with its rule's text; age is in seconds, from lastModified to now.
  const limits: { rule: FilterRule; excludes: (size: number, ageSeconds: number) => boolean }[] = [];
  const { minSize, maxSize, minAge, maxAge } = f;
  if (minSize != null) limits.push({ rule: `minSize ${sizeText(minSize)}`, excludes: (size) => size < minSize });
  if (maxSize != null) limits.push({ rule: `maxSize ${sizeText(maxSize)}`, excludes: (size) => size > maxSize });
  if (minAge != null) limits.push({ rule: `minAge ${formatAge(minAge)}`, excludes: (_, age) => age < minAge });
  if (maxAge != null) limits.push({ rule: `maxAge ${formatAge(maxAge)}`, excludes: (_, age) => age > maxAge });
  return {
    active: includes.length + excludes.length + limits.length > 0,
    deleteExcluded: f.deleteExcluded === true,
    decide(key, size, lastModified, now) {
      if (includes.length > 0 && !includes.some((test) => test(key))) return NOT_INCLUDED;
      for (const exclude of excludes) if (exclude.test(key)) return exclude.rule;
      const ageSeconds = (now - lastModified) / 1000;
      for (const limit of limits) if (limit.excludes(size, ageSeconds)) return limit.rule;
      return null;
    },
  };
}

function compiled<T>(field: string, index: number, pattern: string, kind: string, compile: () => T): T {
  try {
    return compile();
  } catch (err) {
    throw new Error(`${field}[${index}]: invalid ${kind} ${JSON.stringify(pattern)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function keyTest(re: RegExp): (key: string) => boolean {
  return (key) => re.test(key);
}

/** Counts of excluded objects per rule, in the order first seen: for the run log and the preview. */
export class ExclusionCounts {
  private readonly counts = new Map<FilterRule, number>();
  add(rule: FilterRule): void {
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + 1);
  }
  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
  list(): { rule: FilterRule; count: number }[] {
    return [...this.counts].map(([rule, count]) => ({ rule, count }));
  }
}

/** "12 by exclude \"*.tmp\", 3 by maxSize 10 MiB". */
export function exclusionText(counts: readonly { rule: FilterRule; count: number }[]): string {
  return counts.map(({ rule, count }) => `${count} by ${rule}`).join(', ');
}
