// The contract's command arguments, one valibot schema per shape: the TypeScript types of
// shared/contract.ts are inferred from them (Commands[N]['args']), electron/api/validate.ts checks
// whatever arrives over IPC or the WebSocket with them, and their entries are the field lists. Bounds
// live here too. Messages are plain and say what the value must be; the field path is the issue's.
//
// Only main imports this module at run time: the renderer imports the inferred types alone, so its
// bundle carries no valibot.
//
// ConnectionInput and MappingInput are checked here as far as their shape: the keys, and each value's
// JSON type. Their contents (a settings object's fields, bucket names, prefixes, the connections a
// mapping names, transfers and maxDelete bounds) are shared/config's rules, the same as for a
// config.json entry; the handlers apply them, because they need the store.
import * as v from 'valibot';
import { ALERT_EVENTS, MAX_WEBHOOKS } from './alerts';
import { bwLimitProblem } from './bandwidth';
import { quoteList } from './config/report';
import { isLoopbackName, metricsAddrProblem } from './metrics-addr';
import { DELETE_MODES, LOG_LEVELS, type TargetEncryption } from './model';
import { PAGE_LIMITS } from './page-limits';
import { PROVIDER_TYPES, type ProviderType, type SettingsFor } from './providers';

export { PAGE_LIMITS };

/** Accepted ranges of the app settings that are numbers. */
export const SETTINGS_LIMITS = {
  globalConcurrency: { min: 1, max: 256 },
  maxConcurrentRuns: { min: 1, max: 32 },
} as const;

// ---- Building blocks ------------------------------------------------------------------------------

type Message = (issue: v.BaseIssue<unknown>) => string;

/** "is required" for a value that is not there, else what it must be and what it was. */
const mustBe =
  (what: string): Message =>
  (issue) =>
    issue.input === undefined ? 'is required' : `must be ${what} (got ${describe(issue.input)})`;

/** For a choice, "is required" also says what to choose. */
const mustChoose =
  (what: string): Message =>
  (issue) =>
    issue.input === undefined ? `is required: ${what}` : mustBe(what)(issue);

const notAnObject: Message = (issue) => `must be an object (got ${describe(issue.input)})`;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `schema` given a plain object only: valibot's object schemas take an array for one. */
function plainObject<S extends v.GenericSchema>(schema: S) {
  return v.pipe(v.custom<unknown>(isPlainObject, notAnObject), schema);
}

/** An object with exactly these keys (the optional ones may be absent); any other key is refused by name. */
function strict<E extends v.ObjectEntries>(entries: E) {
  const keys = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    if (issue.path === undefined) return notAnObject(issue);
    if (issue.expected === 'never') return `unknown argument; ${keys.length > 0 ? `expected ${keys.join(', ')}` : 'this command takes no arguments'}`;
    return 'is required';
  });
}

/** An object argument (the command's arguments themselves, or one nested in them). */
const record = <E extends v.ObjectEntries>(entries: E) => plainObject(strict(entries));

/** A string that may be empty (a prefix, a file's text). */
const anyString = v.string(mustBe('a string'));

/** A string with something other than spaces in it (an id, a bucket, a name). */
const nonEmpty = v.pipe(v.string(mustBe('a non-empty string')), v.check((s) => s.trim() !== '', mustBe('a non-empty string')));

const flag = v.boolean(mustBe('true or false'));

function wholeNumber(min: number, max?: number) {
  const message = mustBe(`a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}`);
  return v.pipe(v.number(message), v.safeInteger(message), v.minValue(min, message), v.maxValue(max ?? Number.MAX_SAFE_INTEGER, message));
}

const number = v.number(mustBe('a number'));

function oneOf<const T extends readonly string[]>(options: T) {
  return v.picklist(options, mustChoose(`one of ${quoteList(options)}`));
}

/** A page size: 1 to `max`; absent means the command's default (PAGE_LIMITS). */
const pageLimit = (max: number) => v.optional(wholeNumber(1, max));

/** A database id (runs, log lines): 1 or more. */
const rowId = wholeNumber(1);

/**
 * `{ <fields>, type: T, [T]: settings }`. The settings object is checked only as an object here: its
 * fields are the provider's descriptor's (shared/providers/<type>.ts), checked by shared/config.
 */
function connectionOf<T extends ProviderType, E extends v.ObjectEntries>(type: T, fields: E) {
  const settings = v.custom<SettingsFor<T>>(isPlainObject, (issue) => `must be an object with the ${type} settings (got ${describe(issue.input)})`);
  return strict({ ...fields, type: v.literal(type), ...({ [type]: settings } as { [K in T]: typeof settings }) });
}

/** One object schema per provider type, each typed with its own settings (a map over the types cannot say which goes with which). */
type ConnectionOptions<E extends v.ObjectEntries> = { [T in ProviderType]: ReturnType<typeof connectionOf<T, E>> }[ProviderType];

/** `{ ...fields, type, <type>: settings }`: the type picks which settings key belongs (a variant on "type"). */
function connection<E extends v.ObjectEntries>(fields: E) {
  const options = PROVIDER_TYPES.map((type) => connectionOf(type, fields)) as ConnectionOptions<E>[];
  return plainObject(v.variant('type', options, mustChoose(`one of ${quoteList(PROVIDER_TYPES)}`)));
}

const MAX_DELETE = v.nullable(
  plainObject(
    v.variant(
      'kind',
      [strict({ kind: v.literal('count'), value: number }), strict({ kind: v.literal('percent'), value: number })],
      mustChoose('"count" or "percent"'),
    ),
  ),
);


/**
 * Alerts as the renderer sends them (shared/alerts.ts AlertsInput): the structure whole, credentials
 * (URLs, the secret) left out to keep the stored ones. Their contents (http(s) URLs, known events) are
 * shared/config/alerts.ts's rules, applied once the kept values are filled in (electron/api/alerts.ts).
 */
export const ALERTS_INPUT = record({
  webhooks: v.optional(
    v.pipe(
      v.array(
        record({
          id: v.optional(nonEmpty),
          url: v.optional(anyString),
          on: v.optional(v.array(oneOf(ALERT_EVENTS), mustBe(`an array of ${quoteList(ALERT_EVENTS)}`))),
          secret: v.optional(anyString),
        }),
        mustBe('an array of webhook objects'),
      ),
      v.maxLength(MAX_WEBHOOKS, `must list at most ${MAX_WEBHOOKS} webhooks`),
    ),
  ),
  healthchecks: v.optional(v.nullable(record({ start: v.optional(anyString), success: v.optional(anyString), fail: v.optional(anyString) }))),
});

/** Every field of a Mapping but its id, in its order (shared/contract.ts checks they are Mapping's). */
export const MAPPING_FIELDS = {
  name: anyString, // '' takes the default name (shared/config)
  sourceConnectionId: anyString,
  sourceBucket: anyString,
  sourcePrefix: anyString,
  targetConnectionId: anyString,
  targetBucket: anyString,
  targetPrefix: anyString,
  transfers: number,
  deleteMode: oneOf(DELETE_MODES),
  maxDelete: MAX_DELETE,
  dryRun: flag,
  enabled: flag,
  intervalSeconds: v.nullable(number),
  createTargetBucket: v.optional(flag),
  // Filters, optional (absent = none); their contents (valid patterns, min ≤ max) are shared/config's rules.
  include: v.optional(v.array(anyString, mustBe('an array of glob patterns'))),
  exclude: v.optional(v.array(anyString, mustBe('an array of glob patterns'))),
  includeRegex: v.optional(v.array(anyString, mustBe('an array of regular expressions'))),
  excludeRegex: v.optional(v.array(anyString, mustBe('an array of regular expressions'))),
  minSize: v.optional(v.nullable(number)),
  maxSize: v.optional(v.nullable(number)),
  minAge: v.optional(v.nullable(number)),
  maxAge: v.optional(v.nullable(number)),
  deleteExcluded: v.optional(flag),
  // Hooks, optional (absent = none); shared/config/hooks.ts checks their argv and timeout.
  hooks: v.optional(strict({
    before: v.optional(v.array(anyString, mustBe('an array of strings: the command and its arguments'))),
    after: v.optional(v.array(anyString, mustBe('an array of strings: the command and its arguments'))),
    timeoutSeconds: v.optional(number),
  })),
  // Optional (absent = none); shared/config checks the limit's syntax and the class/encryption against the target's service.
  bwLimit: v.optional(v.nullable(anyString)),
  targetStorageClass: v.optional(v.nullable(anyString)),
  targetEncryption: v.optional(v.nullable(v.custom<TargetEncryption>(isPlainObject, (issue) => `must be an object such as { "sse": "AES256" } (got ${describe(issue.input)})`))),
  keepVersions: v.optional(flag),
  // Optional (absent or null = none); see ALERTS_INPUT.
  alerts: v.optional(v.nullable(ALERTS_INPUT)),
};

// ---- The argument shapes ------------------------------------------------------------------------

/**
 * Create input of a connection. Secret fields: a string sets it, '' clears it, absent keeps the stored
 * value (an edit form only knows "set / replace").
 */
export const CONNECTION_INPUT = connection({ id: v.optional(nonEmpty), name: nonEmpty });

/** Create input of a mapping: every field except the id, which is derived from the route when absent. */
export const MAPPING_INPUT = record({ id: v.optional(nonEmpty), ...MAPPING_FIELDS });

export const APP_SETTINGS = strict({
  /** Object transfers across all mappings at once. */
  globalConcurrency: wholeNumber(SETTINGS_LIMITS.globalConcurrency.min, SETTINGS_LIMITS.globalConcurrency.max),
  /** Mappings running at once. */
  maxConcurrentRuns: wholeNumber(SETTINGS_LIMITS.maxConcurrentRuns.min, SETTINGS_LIMITS.maxConcurrentRuns.max),
  startAtLogin: flag,
  closeToTray: flag,
  notifications: flag,
  /** Bandwidth limit shared by every mapping's transfers, as config.json's top-level bwLimit (shared/bandwidth.ts); null: none. */
  bwLimit: v.nullable(
    v.pipe(
      v.string(mustBe('a rate such as "2M", a timetable such as "Mon-08:00,2M 19:00,off", or null')),
      v.check((text) => bwLimitProblem(text) === null, (issue) => bwLimitProblem(String(issue.input)) ?? ''),
    ),
  ),
  /** The global alerts: sent for every mapping's runs besides its own (AlertsInput; null: none). */
  alerts: v.nullable(ALERTS_INPUT),
  /** HOST:PORT of the desktop's Prometheus listener (loopback only, no token); null: none. */
  metricsAddr: v.nullable(
    v.pipe(
      v.string(mustBe('HOST:PORT such as "127.0.0.1:9464", or null')),
      v.check((text) => metricsAddrProblem(text) === null, (issue) => metricsAddrProblem(String(issue.input)) ?? ''),
    ),
  ),
});

/** What is wrong with a remote engine's address, or null: http(s)://host[:port] as serve prints it, plain http on loopback only (the token would cross the network in clear). */
function engineUrlProblem(text: string): string | null {
  const match = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#\s:@[\]]+)(?::(\d{1,5}))?\/?$/i.exec(text);
  if (!match || Number(match[3] ?? 0) > 65535) return 'must be an http:// or https:// address with a host and port only, as serve prints it (without ?token=)';
  const host = match[2]!.replace(/^\[(.*)\]$/, '$1');
  if (match[1]!.toLowerCase() === 'http' && !isLoopbackName(host)) {
    return `must be https:// for ${host}: plain http:// is allowed on this machine only (127.0.0.1, [::1], localhost), since the token would cross the network unencrypted (start serve with --tls-self-signed)`;
  }
  return null;
}
/** A remote engine's address: the URL `serve` prints, without its ?token= (the token is a field of its own). */
const ENGINE_URL = v.pipe(
  nonEmpty,
  v.check((text) => engineUrlProblem(text) === null, (issue) => `${engineUrlProblem(String(issue.input)) ?? ''} (got ${describe(issue.input)})`),
);
/** serve's token: at least 16 characters (serve refuses shorter ones). */
const ENGINE_TOKEN = v.pipe(v.string(mustBe('a string')), v.minLength(16, () => 'must be the engine\'s token (at least 16 characters)'));
/** SHA-256 fingerprint as serve prints it: 32 hex pairs separated by colons; null: none pinned (a CA vouches for the certificate, or plain http on loopback). */
const FINGERPRINT = v.nullable(
  v.pipe(v.string(mustBe('a SHA-256 fingerprint or null')), v.regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$/, mustBe('a SHA-256 fingerprint: 32 hex pairs separated by colons (AB:CD:…), as serve prints it'))),
);
const ENGINE_FIELDS = { name: nonEmpty, url: ENGINE_URL, token: ENGINE_TOKEN, fingerprint: FINGERPRINT };

/** Commands without arguments accept nothing, null or {} (transports differ in how they send "none"). */
const NO_ARGS = v.pipe(
  v.nullish(record({})),
  v.transform((): void => undefined),
);

const LOG_FILTER = { mappingId: nonEmpty, runId: v.optional(rowId), minLevel: v.optional(oneOf(LOG_LEVELS)), text: v.optional(nonEmpty) };

/** Each command's arguments; shared/contract.ts's Commands takes its `args` from here, so a command without a schema does not compile. */
export const COMMAND_ARGS = {
  'app.status': NO_ARGS,

  'connections.list': NO_ARGS,
  'connections.create': CONNECTION_INPUT,
  /** An update's arguments: the create input with the id of what it changes. */
  'connections.update': connection({ id: nonEmpty, name: nonEmpty }),
  'connections.delete': record({ id: nonEmpty }),
  /** A saved connection (id), or unsaved input (a form before saving; with the id of the one it edits). `bucket` enables read/write checks. */
  'connections.test': v.pipe(
    record({ id: v.optional(nonEmpty), input: v.optional(CONNECTION_INPUT), bucket: v.optional(nonEmpty) }),
    v.forward(
      v.check((args) => args.id !== undefined || args.input !== undefined, 'give the id of a saved connection, or the input of an unsaved one'),
      ['id'],
    ),
  ),

  'buckets.list': record({ connectionId: nonEmpty }),
  'objects.list': record({ connectionId: nonEmpty, bucket: nonEmpty, prefix: anyString, pageToken: v.optional(nonEmpty), limit: pageLimit(PAGE_LIMITS.objects.max) }),

  'mappings.list': NO_ARGS,
  'mappings.create': MAPPING_INPUT,
  'mappings.update': record({ id: nonEmpty, ...MAPPING_FIELDS }),
  'mappings.delete': record({ id: nonEmpty }),
  'mappings.setEnabled': record({ id: nonEmpty, enabled: flag }),
  /** Exactly one of a saved mapping's id and unsaved input. */
  'mappings.preview': v.pipe(
    record({ id: v.optional(nonEmpty), input: v.optional(MAPPING_INPUT), limit: pageLimit(PAGE_LIMITS.preview.max) }),
    v.forward(
      v.check((args) => (args.id === undefined) !== (args.input === undefined), 'give either the id of a saved mapping or the input of an unsaved one'),
      ['id'],
    ),
  ),

  /** One mapping, or every enabled one when mappingId is absent. */
  'sync.now': v.nullish(record({ mappingId: v.optional(nonEmpty) }), {}),
  'sync.cancel': record({ mappingId: nonEmpty }),
  'sync.pauseAll': NO_ARGS,
  'sync.resumeAll': NO_ARGS,

  'runs.list': record({ mappingId: nonEmpty, limit: pageLimit(PAGE_LIMITS.runs.max), beforeId: v.optional(rowId) }),
  'runs.get': record({ id: rowId }),

  'logs.query': record({ ...LOG_FILTER, limit: pageLimit(PAGE_LIMITS.logs.max), beforeId: v.optional(rowId) }),
  'logs.export': record(LOG_FILTER),

  'settings.get': NO_ARGS,
  /** The settings to change; the others keep their values. */
  'settings.set': plainObject(v.partial(APP_SETTINGS)),

  'config.import': record({ json: anyString, apply: flag }),
  'config.export': NO_ARGS,

  'engines.list': NO_ARGS,
  /** Reads a remote engine's certificate (no token is sent): what the user compares before pinning. */
  'engines.probe': record({ url: ENGINE_URL }),
  'engines.add': record(ENGINE_FIELDS),
  /** The fields given change; `token` absent keeps the stored one. */
  'engines.update': record({ id: nonEmpty, name: v.optional(nonEmpty), url: v.optional(ENGINE_URL), token: v.optional(ENGINE_TOKEN), fingerprint: v.optional(FINGERPRINT) }),
  'engines.remove': record({ id: nonEmpty }),
  /** One command of the contract, run by that engine (`engines.*` are refused: no relaying through a remote). */
  'engines.call': record({ engine: nonEmpty, name: nonEmpty, args: v.optional(v.unknown()) }),
};

/** A short description of a value for a message; strings are cut so a pasted secret is not echoed whole. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
