// The "providers" entries: ids, types and each type's settings, read into Connections. What each
// type's settings are, and their checks, comes from its descriptor (shared/providers/).
import type { Connection } from '../model';
import { connectionSettings, descriptorOf, PROVIDER_TYPES, providerTypeOf, settingsIssues, typesCalled, type FieldSpec, type ProviderType } from '../providers';
import { asFields, describe, isPlaceholder, quoteList, type Fields } from './report';

export interface ProviderList {
  valid: Connection[];
  /** Every id that appears, with its type when the type is valid: mappings are checked against it. */
  types: Map<string, ProviderType | undefined>;
}

export function readProviders(root: Fields): ProviderList {
  const result: ProviderList = { valid: [], types: new Map() };
  const firstIndex = new Map<string, number>();
  root.list('providers', 'provider objects')?.forEach((value, index) => {
    const f = asFields(root.report, value, `providers[${index}]`);
    if (!f) return;
    const id = f.string('id', 'is required: a unique, non-empty id that mappings refer to');
    const name = f.string('name') ?? id;
    const typeValue = f.get('type');
    const type = providerTypeOf(typeValue);
    if (typeValue === undefined) {
      f.error('type', `is required: one of ${quoteList(PROVIDER_TYPES)}`);
    } else if (type === undefined) {
      const [hint, ...others] = typeof typeValue === 'string' ? typesCalled(typeValue) : [];
      const meant = hint === undefined ? '' : `; did you mean "${hint}"${others.length > 0 ? ` (or ${quoteList(others)})` : ''}?`;
      f.error('type', `must be one of ${quoteList(PROVIDER_TYPES)} (got ${describe(typeValue)})${meant}`);
    }
    for (const other of PROVIDER_TYPES) {
      if (other !== type) f.skip(other, type ? `type is "${type}"` : undefined);
    }

    // Settings are checked even without a usable id, so one run reports everything.
    const connection = type ? readConnection(f, id ?? '', name ?? '', type) : undefined;
    f.finish();

    if (id === undefined) return;
    const first = firstIndex.get(id);
    if (first !== undefined) {
      f.error('id', `duplicate id "${id}": already used by providers[${first}]`);
      return;
    }
    firstIndex.set(id, index);
    result.types.set(id, type);
    if (connection) result.valid.push(connection);
  });
  return result;
}

export function readConnection(f: Fields, id: string, name: string, type: ProviderType): Connection | undefined {
  const value = f.get(type);
  if (value === undefined) {
    f.errorHere(`type is "${type}" but the "${type}" settings object is missing`);
    return undefined;
  }
  const s = asFields(f.report, value, f.at(type));
  if (!s) return undefined;
  const connection = { id, name, type, [type]: readSettings(s, type) } as Connection;
  s.finish();
  for (const [key, setting] of Object.entries(connectionSettings(connection))) {
    if (typeof setting === 'string' && isPlaceholder(setting)) s.warn(key, `still holds the placeholder "${setting}"; fill in the real value`);
  }
  return connection;
}

/**
 * The settings object by the descriptor: each field read with its kind, then the descriptor's checks
 * and rules (settingsIssues). Absent optional settings are left out, defaults filled in. A missing
 * required field comes back as "": the result is then discarded, because an issue has been recorded
 * and the caller throws.
 */
function readSettings(s: Fields, type: ProviderType): Record<string, string | boolean> {
  const { fields } = descriptorOf(type);
  const given: Record<string, string | boolean> = {};
  // A value of the wrong kind is reported once, by its read, not again as missing.
  const unreadable = new Set<string>();
  for (const [key, field] of Object.entries(fields)) {
    const before = s.report.issues.length;
    const value = readField(s, key, field);
    if (value !== undefined) given[key] = value;
    else if (s.report.issues.length > before) unreadable.add(key);
  }
  for (const issue of settingsIssues(type, given)) {
    if (unreadable.has(issue.field)) continue;
    const at = issue.field === '' ? s.path || '(root)' : s.at(issue.field);
    if (issue.level === 'error') s.report.error(at, issue.message);
    else s.report.warn(at, issue.message);
  }
  const settings: Record<string, string | boolean> = {};
  for (const [key, field] of Object.entries(fields)) {
    const value = given[key] ?? ('default' in field ? field.default : undefined) ?? (field.required === undefined ? undefined : '');
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

function readField(s: Fields, key: string, field: FieldSpec): string | boolean | undefined {
  switch (field.kind) {
    case 'checkbox':
      return s.bool(key);
    case 'select':
      return s.oneOf(key, field.options.map((o) => o.value).filter((v) => v !== ''));
    case 'text':
    case 'multiline':
      return s.string(key);
  }
}
