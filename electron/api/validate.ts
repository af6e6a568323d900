// Run-time checks of each command's arguments: whatever arrives over IPC or the WebSocket is
// `unknown` until it passes here. One validator per command, through a mapped type, so a missing
// validator does not compile. Each returns the arguments in the contract's type or throws an
// InvalidArgument ApiFailure naming the field; unknown keys are refused (a typo is not silently
// ignored).
//
// ConnectionInput and MappingInput are checked here only as far as their shape; their contents are
// checked by the handlers with shared/config/'s rules (the same as for config.json), because
// those need the store: the connections that exist, and stored secrets an edit leaves out.
import type { AppSettings, CommandArgs, CommandName, ConnectionInput, MappingInput } from '../../shared/contract';
import { LOG_LEVELS, type LogLevel, type Mapping } from '../../shared/model';
import { PROVIDER_TYPES, providerTypeOf } from '../../shared/providers';
import { ApiFailure, invalidArgument } from './errors';
import { SETTINGS_LIMITS } from './settings';

type ArgValidators = { [N in CommandName]: (raw: unknown) => CommandArgs<N> };

/** Page sizes: the default when a command's `limit` is absent, and the largest accepted. */
export const PAGE_LIMITS = {
  objects: { default: 200, max: 1000 },
  runs: { default: 50, max: 1000 },
  logs: { default: 200, max: 1000 },
  preview: { default: 20, max: 1000 },
} as const;

type Raw = Record<string, unknown>;

const MAPPING_FIELDS = [
  'id', 'name', 'sourceConnectionId', 'sourceBucket', 'sourcePrefix', 'targetConnectionId', 'targetBucket', 'targetPrefix',
  'transfers', 'deleteMode', 'maxDelete', 'dryRun', 'enabled', 'intervalSeconds',
] as const satisfies readonly (keyof Mapping)[];
type MissingMappingField = Exclude<keyof Mapping, (typeof MAPPING_FIELDS)[number]>;
const allMappingFieldsListed: MissingMappingField extends never ? true : MissingMappingField = true;
void allMappingFieldsListed;

const SETTINGS_FIELDS = ['globalConcurrency', 'maxConcurrentRuns', 'startAtLogin', 'closeToTray', 'notifications'] as const satisfies readonly (keyof AppSettings)[];

export const ARG_VALIDATORS: ArgValidators = {
  'app.status': noArgs,

  'connections.list': noArgs,
  'connections.create': (raw) => connectionInput(raw),
  'connections.update': (raw) => withId(raw, connectionInput(raw)),
  'connections.delete': (raw) => ({ id: requiredString(argsObject(raw, ['id']), 'id') }),
  'connections.test': (raw) => {
    const o = argsObject(raw, ['id', 'input', 'bucket']);
    const id = optionalString(o, 'id');
    const input = o.input === undefined ? undefined : connectionInput(o.input, 'input.');
    if (id === undefined && input === undefined) throw invalidArgument('id', 'give the id of a saved connection, or the input of an unsaved one');
    return { ...optional('id', id), ...optional('input', input), ...optional('bucket', optionalString(o, 'bucket')) };
  },

  'buckets.list': (raw) => ({ connectionId: requiredString(argsObject(raw, ['connectionId']), 'connectionId') }),
  'objects.list': (raw) => {
    const o = argsObject(raw, ['connectionId', 'bucket', 'prefix', 'pageToken', 'limit']);
    return {
      connectionId: requiredString(o, 'connectionId'),
      bucket: requiredString(o, 'bucket'),
      prefix: anyString(o, 'prefix'),
      ...optional('pageToken', optionalString(o, 'pageToken')),
      ...optional('limit', optionalInt(o, 'limit', 1, PAGE_LIMITS.objects.max)),
    };
  },

  'mappings.list': noArgs,
  'mappings.create': (raw) => mappingInput(raw),
  'mappings.update': (raw) => withId(raw, mappingInput(raw)),
  'mappings.delete': (raw) => ({ id: requiredString(argsObject(raw, ['id']), 'id') }),
  'mappings.setEnabled': (raw) => {
    const o = argsObject(raw, ['id', 'enabled']);
    return { id: requiredString(o, 'id'), enabled: requiredBool(o, 'enabled') };
  },
  'mappings.preview': (raw) => {
    const o = argsObject(raw, ['id', 'input', 'limit']);
    const id = optionalString(o, 'id');
    const input = o.input === undefined ? undefined : mappingInput(o.input, 'input.');
    if ((id === undefined) === (input === undefined)) throw invalidArgument('id', 'give either the id of a saved mapping or the input of an unsaved one');
    return { ...optional('id', id), ...optional('input', input), ...optional('limit', optionalInt(o, 'limit', 1, PAGE_LIMITS.preview.max)) };
  },

  'sync.now': (raw) => (raw === undefined || raw === null ? {} : optional('mappingId', optionalString(argsObject(raw, ['mappingId']), 'mappingId'))),
  'sync.cancel': (raw) => ({ mappingId: requiredString(argsObject(raw, ['mappingId']), 'mappingId') }),
  'sync.pauseAll': noArgs,
  'sync.resumeAll': noArgs,

  'runs.list': (raw) => {
    const o = argsObject(raw, ['mappingId', 'limit', 'beforeId']);
    return {
      mappingId: requiredString(o, 'mappingId'),
      ...optional('limit', optionalInt(o, 'limit', 1, PAGE_LIMITS.runs.max)),
      ...optional('beforeId', optionalInt(o, 'beforeId', 1)),
    };
  },
  'runs.get': (raw) => ({ id: requiredInt(argsObject(raw, ['id']), 'id', 1) }),

  'logs.query': (raw) => {
    const o = argsObject(raw, ['mappingId', 'runId', 'minLevel', 'text', 'limit', 'beforeId']);
    return {
      ...logFilter(o),
      ...optional('limit', optionalInt(o, 'limit', 1, PAGE_LIMITS.logs.max)),
      ...optional('beforeId', optionalInt(o, 'beforeId', 1)),
    };
  },
  'logs.export': (raw) => logFilter(argsObject(raw, ['mappingId', 'runId', 'minLevel', 'text'])),

  'settings.get': noArgs,
  'settings.set': (raw) => {
    const o = argsObject(raw, SETTINGS_FIELDS);
    const { globalConcurrency: g, maxConcurrentRuns: r } = SETTINGS_LIMITS;
    return {
      ...optional('globalConcurrency', optionalInt(o, 'globalConcurrency', g.min, g.max)),
      ...optional('maxConcurrentRuns', optionalInt(o, 'maxConcurrentRuns', r.min, r.max)),
      ...optional('startAtLogin', optionalBool(o, 'startAtLogin')),
      ...optional('closeToTray', optionalBool(o, 'closeToTray')),
      ...optional('notifications', optionalBool(o, 'notifications')),
    };
  },

  'config.import': (raw) => {
    const o = argsObject(raw, ['json', 'apply']);
    return { json: anyString(o, 'json'), apply: requiredBool(o, 'apply') };
  },
  'config.export': noArgs,
};

// ---- Shapes of the inputs (contents: shared/config/, in the handlers) ---------------------------

/** `{ id?, name, type, <type>: {...} }`; the settings object's contents are left to the handler. */
function connectionInput(raw: unknown, path = ''): ConnectionInput {
  // The type first: it decides which settings key belongs.
  const typeValue = asObject(raw, path).type;
  const type = providerTypeOf(typeValue);
  if (type === undefined) throw invalidArgument(`${path}type`, `must be one of ${PROVIDER_TYPES.map((t) => `"${t}"`).join(', ')} (got ${describe(typeValue)})`);
  const o = argsObject(raw, ['id', 'name', 'type', type], path);
  optionalString(o, 'id', path);
  requiredString(o, 'name', path);
  const settings = o[type];
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw invalidArgument(`${path}${type}`, `must be an object with the ${type} settings (got ${describe(settings)})`);
  }
  return o as unknown as ConnectionInput;
}

/** An object with only Mapping's fields; their values are checked by the handler. */
function mappingInput(raw: unknown, path = ''): MappingInput {
  const o = argsObject(raw, MAPPING_FIELDS, path);
  optionalString(o, 'id', path);
  return o as unknown as MappingInput;
}

function logFilter(o: Raw): { mappingId: string; runId?: number; minLevel?: LogLevel; text?: string } {
  const minLevel = o.minLevel;
  if (minLevel !== undefined && !LOG_LEVELS.includes(minLevel as LogLevel)) {
    throw invalidArgument('minLevel', `must be one of ${LOG_LEVELS.map((l) => `"${l}"`).join(', ')} (got ${describe(minLevel)})`);
  }
  return {
    mappingId: requiredString(o, 'mappingId'),
    ...optional('runId', optionalInt(o, 'runId', 1)),
    ...optional('minLevel', minLevel as LogLevel | undefined),
    ...optional('text', optionalString(o, 'text')),
  };
}

// ---- Readers -------------------------------------------------------------------------------------

/** An update's arguments: the create input (already checked) with the id of what it changes. */
function withId<T>(raw: unknown, input: T): T & { id: string } {
  return { ...input, id: requiredString(raw as Raw, 'id') };
}

/** Commands without arguments accept nothing, null or {} (transports differ in how they send "none"). */
function noArgs(raw: unknown): void {
  if (raw === undefined || raw === null) return;
  argsObject(raw, []);
}

/** `raw` as an object with no keys but `allowed`. `path` prefixes field names of a nested object ("input."). */
function argsObject(raw: unknown, allowed: readonly string[], path = ''): Raw {
  const o = asObject(raw, path);
  const extra = Object.keys(o).find((key) => !allowed.includes(key));
  if (extra !== undefined) {
    const expected = allowed.length > 0 ? `expected ${allowed.join(', ')}` : 'this command takes no arguments';
    throw invalidArgument(`${path}${extra}`, `unknown argument; ${expected}`);
  }
  return o;
}

function asObject(raw: unknown, path: string): Raw {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Raw;
  const field = path.slice(0, -1); // "input." → "input"; "" for the arguments themselves
  throw new ApiFailure('InvalidArgument', `${field || 'arguments'} must be an object (got ${describe(raw)})`, field || undefined);
}

/** Adds `{ key: value }` only when value is defined, so absent stays absent (exactOptional-friendly). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function requiredString(o: Raw, key: string, path = ''): string {
  const value = o[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidArgument(`${path}${key}`, value === undefined ? 'is required' : `must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

function optionalString(o: Raw, key: string, path = ''): string | undefined {
  return o[key] === undefined ? undefined : requiredString(o, key, path);
}

/** A string that may be empty (a prefix, a file's text). */
function anyString(o: Raw, key: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw invalidArgument(key, value === undefined ? 'is required' : `must be a string (got ${describe(value)})`);
  return value;
}

function requiredInt(o: Raw, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw invalidArgument(key, value === undefined ? 'is required' : `must be a whole number ${range} (got ${describe(value)})`);
  }
  return value;
}

function optionalInt(o: Raw, key: string, min: number, max?: number): number | undefined {
  return o[key] === undefined ? undefined : requiredInt(o, key, min, max);
}

function requiredBool(o: Raw, key: string): boolean {
  const value = o[key];
  if (typeof value !== 'boolean') throw invalidArgument(key, value === undefined ? 'is required' : `must be true or false (got ${describe(value)})`);
  return value;
}

function optionalBool(o: Raw, key: string): boolean | undefined {
  return o[key] === undefined ? undefined : requiredBool(o, key);
}

/** A short description of a value for a message; strings are cut so a pasted secret is not echoed whole. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
