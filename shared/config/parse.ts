// Parsing config.json text: syntax, then providers and mappings, every issue collected.
import type { Connection, Mapping } from '../model';
import { DEFAULT_DATABASE_PATH } from './defaults';
import { jsonSyntaxIssue } from './json-errors';
import { readMappings } from './mappings';
import { readProviders } from './providers';
import { asFields, ConfigError, Report } from './report';

export interface ValidatedConfig {
  databasePath: string;
  connections: Connection[];
  mappings: Mapping[];
  /** Things that load but deserve attention: unknown keys, placeholders, ignored settings. */
  warnings: string[];
}

/** Parses and validates config.json text. Throws ConfigError listing every problem. */
export function parseConfig(jsonText: string): ValidatedConfig {
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
  const providers = readProviders(f);
  const mappings = readMappings(f, providers);
  f.finish();
  if (report.issues.length > 0) throw new ConfigError(report.issues);
  return { databasePath, connections: providers.valid, mappings, warnings: report.warnings };
}
