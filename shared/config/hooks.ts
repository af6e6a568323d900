// A mapping's `hooks` object, as the config file and the app's input give it (the same form in both).
import type { MappingHooks } from '../hooks';
import { MAX_HOOK_TIMEOUT_SECONDS } from '../hooks';
import { asFields, describe, type Fields } from './report';

/** Reads `hooks` of a mapping entry; undefined when absent. Every problem names its field ("hooks.before[1]"). */
export function readHooks(mapping: Fields): MappingHooks | undefined {
  const value = mapping.get('hooks');
  if (value === undefined) return undefined;
  const f = asFields(mapping.report, value, mapping.at('hooks'));
  if (f === undefined) return undefined;
  const before = readArgv(f, 'before');
  const after = readArgv(f, 'after');
  const timeoutSeconds = f.int('timeoutSeconds', 1, MAX_HOOK_TIMEOUT_SECONDS);
  // Unknown keys are errors, as in the mapping: a misspelt "befor" would silently skip the hook.
  f.finish('error');
  const hooks: MappingHooks = {};
  if (before) hooks.before = before;
  if (after) hooks.after = after;
  if (timeoutSeconds !== undefined) hooks.timeoutSeconds = timeoutSeconds;
  return hooks;
}

function readArgv(f: Fields, key: 'before' | 'after'): string[] | undefined {
  const value = f.get(key);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    f.error(key, `must be a non-empty array of strings: the command and its arguments, run without a shell (got ${describe(value)})`);
    return undefined;
  }
  const argv: string[] = [];
  value.forEach((arg: unknown, index) => {
    if (typeof arg !== 'string' || (index === 0 && arg.trim() === '')) {
      f.report.error(`${f.at(key)}[${index}]`, `must be ${index === 0 ? 'a non-empty string (the command)' : 'a string'} (got ${describe(arg)})`);
    } else argv.push(arg);
  });
  return argv.length === value.length ? argv : undefined;
}
