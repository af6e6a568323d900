// Parsing config.json text: syntax, then providers and mappings, every issue collected.
import type { AlertsConfig } from '../alerts';
import type { Connection, Mapping } from '../model';
import { readAlerts } from './alerts';
import { DEFAULT_DATABASE_PATH } from './defaults';
import { readBwLimit } from './bandwidth';
import { jsonSyntaxIssue } from './json-errors';
import { locateByConfig, type LocateBucket } from './locations';
import { readMappings } from './mappings';
import { readProviders } from './providers';
import { asFields, ConfigError, Report } from './report';

export interface ValidatedConfig {
  databasePath: string;
  connections: Connection[];
  mappings: Mapping[];
  /** The top-level bwLimit: a bandwidth limit shared by every mapping's transfers (shared/bandwidth.ts); undefined = none. */
  bwLimit?: string;
  /** The top-level alerts: sent for every mapping's runs, besides each mapping's own (shared/alerts.ts); undefined = none. */
  alerts?: AlertsConfig;
  /** Things that load but deserve attention: unknown keys, placeholders, ignored settings. */
  warnings: string[];
}

export interface ParseOptions {
  /**
   * Where the connections' buckets really are, for the rules between mappings (overlaps.ts). The
   * default reads the settings alone; main passes one that resolves local folders on disk.
   */
  locate?: (connections: readonly Connection[]) => LocateBucket;
}

/** Parses and validates config.json text. Throws ConfigError listing every problem. */
export function parseConfig(jsonText: string, options: ParseOptions = {}): ValidatedConfig {
  // Editors on Windows may save a UTF-8 byte-order mark, which JSON.parse rejects.
  const text = jsonText.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw new ConfigError([{ field: '(file)', message: 'is empty: expected a JSON object with "providers" and "mappings" (--generate-config writes a sample)' }]);
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([jsonSyntaxIssue(text, err)]);
  }

  const report = new Report();
  const f = asFields(report, root, '');
  if (!f) throw new ConfigError(report.issues);
  const databasePath = f.string('databasePath') ?? DEFAULT_DATABASE_PATH;
  const bwLimit = readBwLimit(f);
  const alerts = readAlerts(f);
  const providers = readProviders(f);
  const mappings = readMappings(f, providers, (options.locate ?? locateByConfig)(providers.valid));
  f.finish();
  if (report.issues.length > 0) throw new ConfigError(report.issues);
  return { databasePath, connections: providers.valid, mappings, ...(bwLimit !== undefined ? { bwLimit } : {}), ...(alerts ? { alerts } : {}), warnings: report.warnings };
}
