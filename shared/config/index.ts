// config.json: the original Go tool's format (read unchanged) plus optional new fields. Parsing and
// validation, conversion into the domain model, the generated sample and the export back to the
// format. Imported by Electron main and by the renderer, so pure TypeScript: no Node, no DOM.
export { validateConnectionInput, validateMappingInput } from './app-input';
export { alertUrlProblem } from './alerts';
export { validateBucketName } from './bucket-names';
export { DEFAULT_AWS_REGION, DEFAULT_DATABASE_PATH, DEFAULT_TRANSFERS, MAX_TRANSFERS, PLACEHOLDER_PREFIX } from './defaults';
export { toConfigJson, type ExportOptions } from './export';
export { defaultMappingName, deriveMappingId, placeOf, ROUTE_FIELDS, routeText, sameRoute, type MappingRoute, type RouteSide } from './mapping-ids';
export { formatMaxDelete, parseMaxDelete } from './max-delete';
export { endpointIdentity } from './endpoints';
export { bucketsFolderOf, lexicalPath, locateByConfig, type BucketLocation, type LocateBucket } from './locations';
export { prefixProblem } from './mappings';
export { findMappingConflicts, placeHolds, placeKey, type MappingConflict, type NamedMapping } from './overlaps';
export { parseConfig, type ParseOptions, type ValidatedConfig } from './parse';
export { ConfigError, type ConfigIssue } from './report';
export { generateSampleConfig } from './sample';
