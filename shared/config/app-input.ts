// Input from the app's forms: the same rules as a config entry, field paths relative to the input
import { PROVIDER_TYPES, type Connection, type Mapping } from '../model';
import { routeKey } from './mapping-ids';
import { prefixesOverlap, readMapping } from './mappings';
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
 * against the other mappings: the same route twice, or a mirror that would delete what another
 * mapping writes, is refused. The id is the given one or deriveMappingId. Throws ConfigError.
 */
export function validateMappingInput(value: unknown, connections: readonly Connection[], others: readonly Mapping[] = []): Mapping {
  const report = new Report('error');
  const f = asFields(report, value, '');
  const providers: ProviderList = { valid: [...connections], types: new Map(connections.map((c) => [c.id, c.type])) };
  const mapping = f && readMapping(f, providers, 'app');
  f?.finish();
  if (mapping) checkAgainstOthers(report, mapping, others);
  if (!mapping || report.issues.length > 0) throw new ConfigError(report.issues);
  return mapping;
}

function checkAgainstOthers(report: Report, m: Mapping, others: readonly Mapping[]): void {
  for (const other of others) {
    if (other.id === m.id) continue;
    if (routeKey(other) === routeKey(m)) {
      report.error('(root)', `syncs the same source and target as mapping "${other.name}"`);
    } else if (
      other.targetConnectionId === m.targetConnectionId &&
      other.targetBucket === m.targetBucket &&
      prefixesOverlap(other.targetPrefix, m.targetPrefix) &&
      (other.deleteMode === 'mirror' || m.deleteMode === 'mirror')
    ) {
      report.error(
        'targetPrefix',
        `writes into the same area as mapping "${other.name}" (prefixes "${m.targetPrefix}" and "${other.targetPrefix}"), and "mirror" mode ` +
          `would delete the other mapping's objects; use separate target prefixes or deleteMode "synced"`,
      );
    }
  }
}
