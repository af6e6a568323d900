// maxDelete: a count or a percentage of the target's objects, in the file's and in the app's form.
import type { MaxDelete } from '../model';
import { asFields, ConfigError, describe, Report, type Fields } from './report';

const MAX_DELETE_HELP = 'a whole number of objects such as 100, or a percentage of target objects such as "10%"';

/**
 * Parses a max-delete limit: a count (100 or "100") or a percentage ("10%", 0 < p ≤ 100).
 * undefined, null and "" mean no limit (null). Throws ConfigError for anything else.
 */
export function parseMaxDelete(value: unknown, field: string): MaxDelete | null {
  const report = new Report();
  const result = readMaxDelete(value, field, report);
  if (report.issues.length > 0) throw new ConfigError(report.issues);
  return result;
}

export function readMaxDelete(value: unknown, field: string, report: Report): MaxDelete | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { kind: 'count', value };
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { kind: 'count', value: Number(text) };
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
    const p = percent ? Number(percent[1]) : NaN;
    if (p > 0 && p <= 100) return { kind: 'percent', value: p };
    if (percent) {
      report.error(field, `percentage must be more than 0% and at most 100% (got ${describe(value)})`);
      return null;
    }
  }
  report.error(field, `must be ${MAX_DELETE_HELP} (got ${describe(value)})`);
  return null;
}

/** The app's form of a limit: null, { kind: "count", value } or { kind: "percent", value }. */
export function readMaxDeleteInput(f: Fields): MaxDelete | null {
  const value = f.get('maxDelete');
  if (value === undefined) return null;
  const m = asFields(f.report, value, f.at('maxDelete'));
  if (!m) return null;
  const kind = m.oneOf('kind', ['count', 'percent'] as const);
  const limit = m.get('value');
  m.finish();
  if (kind === undefined) {
    if (!m.has('kind')) m.error('kind', 'is required: "count" or "percent"');
    return null;
  }
  if (typeof limit !== 'number') {
    m.error('value', `must be a number (got ${describe(limit)})`);
    return null;
  }
  return readMaxDelete(kind === 'count' ? limit : `${limit}%`, m.at('value'), f.report);
}

/** The config-file form of a limit: 100 or "10%". */
export function formatMaxDelete(maxDelete: MaxDelete): number | `${number}%` {
  return maxDelete.kind === 'count' ? maxDelete.value : `${maxDelete.value}%`;
}
