// config.json: the original Go tool's format (read unchanged) plus optional new fields. Parsing and
// validation, conversion into the domain model, the generated sample and the export back to the
// format. Imported by Electron main and by the renderer, so pure TypeScript: no Node, no DOM.
export { validateConnectionInput, validateMappingInput } from './app-input';
export { validateBucketName } from './bucket-names';
export { DEFAULT_AWS_REGION, DEFAULT_DATABASE_PATH, DEFAULT_TRANSFERS, MAX_TRANSFERS, PLACEHOLDER_PREFIX } from './defaults';
export { toConfigJson, type ExportOptions } from './export';
export { deriveMappingId, type MappingRoute } from './mapping-ids';
export { formatMaxDelete, parseMaxDelete } from './max-delete';
export { endpointIdentity, lexicalPath, locateByConfig, type BucketLocation, type LocateBucket } from './locations';
export { findMappingConflicts, type MappingConflict, type NamedMapping } from './overlaps';
export { parseConfig, type ParseOptions, type ValidatedConfig } from './parse';
export { ConfigError, type ConfigIssue } from './report';
export { generateSampleConfig } from './sample';
