// Loading a configuration: the original tool's config.json format (shared/config), with the rules
// between mappings checked against where their buckets really are on disk (local folders by real
// path), as the CLI and the app check them.
import { readFile } from 'node:fs/promises';
import { parseConfig as parseConfigText, type ValidatedConfig } from '../../shared/config';
import { locateOnDisk } from '../api/bucket-locations';

export type { ValidatedConfig as SyncConfig } from '../../shared/config';

/**
 * Parses and validates config.json text. Throws ConfigError listing every problem (`issues`, each
 * naming its field, e.g. `mappings[0].targetBucket`). Warnings (unknown keys, placeholders) do not
 * throw: they are in the result's `warnings`.
 */
export function parseConfig(text: string): ValidatedConfig {
  return parseConfigText(text, { locate: locateOnDisk });
}

/**
 * Reads and validates a config.json file. A file that cannot be read rejects with the file system's
 * error (`code` 'ENOENT' when missing); an invalid one with ConfigError.
 */
export async function loadConfig(path: string): Promise<ValidatedConfig> {
  return parseConfig(await readFile(path, 'utf8'));
}
