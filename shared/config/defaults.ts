// Defaults and limits of config.json, shared by parsing, the app's forms, the sample and the export.
export const DEFAULT_DATABASE_PATH = 'data.db';
export const DEFAULT_AWS_REGION = 'us-east-1';
export const DEFAULT_TRANSFERS = 8;
export const MAX_TRANSFERS = 256;
/**
 * Values starting with this are placeholders (generated sample, redacted export): they pass
 * validation so the file loads, and each one is reported in `warnings` until it is filled in.
 */
export const PLACEHOLDER_PREFIX = 'REPLACE_WITH_';
