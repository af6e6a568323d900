// Input from the app's forms: the same rules as a config entry, field paths relative to the input
import { PROVIDER_TYPES, type Connection, type Mapping } from '../model';
import { locateByConfig, type LocateBucket } from './locations';
import { routeKey } from './mapping-ids';
import { readMapping } from './mappings';
import { findMappingConflicts } from './overlaps';
import { readConnection, type ProviderList } from './providers';
import { asFields, ConfigError, quoteList, Report } from './report';

/**
 * Validates a connection entered in the app ({ id?, name, type, <type>: settings }, the shape of a
 * providers[] entry) and returns it under `id` (the caller assigns ids). Unknown keys are errors.
 * Throws ConfigError with paths such as "aws.endpoint".
 */
export function validateConnectionInput(value: unknown, id: string): Connection {
  const report = new Report('error');
  const f = asFields(report, value, '');
  if (!f) throw new ConfigError(report.issues);
  f.skip('id');
  const name = f.string('name', 'is required: a name for the connection');
  const type = f.oneOf('type', PROVIDER_TYPES);
  if (!f.has('type')) f.error('type', `is required: one of ${quoteList(PROVIDER_TYPES)}`);
  const connection = type && readConnection(f, id, name ?? '', type);
  f.finish();
  if (!connection || report.issues.length > 0) throw new ConfigError(report.issues);
  return connection;
}

/**
 * Validates a mapping entered in the app (MappingInput) against the existing connections, and
 * against the other mappings: the same route twice is refused, and so is an overlap by what the
 * sides resolve to (overlaps.ts): a mapping into itself, a mirror that would delete what another
 * mapping writes, a loop with deletes. `locate` defaults to the settings alone (locations.ts); main
 * passes one that resolves local folders on disk. The id is the given one or deriveMappingId.
 * Throws ConfigError.
 */
export function validateMappingInput(
  value: unknown,
  connections: readonly Connection[],
  others: readonly Mapping[] = [],
  locate: LocateBucket = locateByConfig(connections),
): Mapping {
  const report = new Report('error');
  const f = asFields(report, value, '');
  const providers: ProviderList = { valid: [...connections], types: new Map(connections.map((c) => [c.id, c.type])) };
  const mapping = f && readMapping(f, providers, 'app');
  f?.finish();
  if (mapping) checkAgainstOthers(report, mapping, others, locate);
  if (!mapping || report.issues.length > 0) throw new ConfigError(report.issues);
  return mapping;
}

/** The rules of overlaps.ts between `m` and the saved mappings; conflicts among the saved ones alone are not this input's. */
function checkAgainstOthers(report: Report, m: Mapping, others: readonly Mapping[], locate: LocateBucket): void {
  const rest = others.filter((other) => other.id !== m.id);
  for (const other of rest) {
    if (routeKey(other) === routeKey(m)) report.error('(root)', `syncs the same source and target as mapping "${other.name}"`);
  }
  const named = [...rest, m].map((mapping) => ({ mapping, label: `mapping "${mapping.name}"` }));
  const self = named.length - 1;
  for (const conflict of findMappingConflicts(named, locate)) {
    if (conflict.level !== 'error' || !conflict.involves.includes(self)) continue;
    // The form shows a field's error beside it: a target is fixed at its prefix; a loop has no one field.
    report.error(conflict.kind === 'cycle' ? '(root)' : 'targetPrefix', conflict.message);
  }
}
