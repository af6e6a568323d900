// A `bwLimit` field: in a mapping entry and at the top of config.json (the same form in the file and the app).
import { bwLimitProblem } from '../bandwidth';
import type { Fields } from './report';

/** Reads `bwLimit` of `f`: the limit's text (checked by shared/bandwidth.ts), or undefined when absent or invalid. */
export function readBwLimit(f: Fields): string | undefined {
  const text = f.string('bwLimit');
  if (text === undefined) return undefined;
  const problem = bwLimitProblem(text);
  if (problem) f.error('bwLimit', problem);
  return problem ? undefined : text.trim();
}
