// config.json: the original Go tool's format (read unchanged) plus optional new fields. Parsing and
// validation, conversion into the domain model, the generated sample and the export back to the
// format. Imported by Electron main and by the renderer, so pure TypeScript: no Node, no DOM.
import {
  connectionSettings,
  DELETE_MODES,
  PROVIDER_TYPES,
  SECRET_FIELDS,
  type AwsSettings,
  type AzureSettings,
  type Connection,
  type GcsSettings,
  type LocalSettings,
  type Mapping,
  type MaxDelete,
  type MinioSettings,
  type ProviderType,
} from './model';

export const DEFAULT_DATABASE_PATH = 'data.db';
export const DEFAULT_AWS_REGION = 'us-east-1';
export const DEFAULT_TRANSFERS = 8;
export const MAX_TRANSFERS = 256;
/**
 * Values starting with this are placeholders (generated sample, redacted export): they pass
 * validation so the file loads, and each one is reported in `warnings` until it is filled in.
 */
export const PLACEHOLDER_PREFIX = 'REPLACE_WITH_';
const REDACTED_SECRET = `${PLACEHOLDER_PREFIX}SECRET`;
const CHECKSUM_MODES = ['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const;

export interface ConfigIssue {
  /** JSON path of the offending value, e.g. "providers[1].minio.endpoint"; "(file)" for syntax errors. */
  field: string;
  message: string;
}

/** Every problem found in a config, not only the first, so the user can fix the file in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The first issue's field: what a caller showing a single error points at. */
  readonly field: string;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('\n'));
    this.issues = issues;
    this.field = issues[0]?.field ?? '';
  }
}

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

// ---------------------------------------------------------------------------------------------
// Reading JSON values with collected issues

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Report {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];
  /** A file tolerates unknown keys (written by a newer version); input from the app's forms does not. */
  constructor(readonly unknownKeys: 'warn' | 'error' = 'warn') {}
  error(field: string, message: string): void {
    this.issues.push({ field, message });
  }
  warn(field: string, message: string): void {
    const line = `${field}: ${message}`;
    if (!this.warnings.includes(line)) this.warnings.push(line);
  }
}

/** Typed reads from one JSON object. Remembers which keys were read so the rest can be reported. */
class Fields {
  private readonly used = new Set<string>();
  constructor(
    readonly report: Report,
    readonly path: string,
    private readonly obj: JsonObject,
  ) {}

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }
  error(key: string, message: string): void {
    this.report.error(this.at(key), message);
  }
  warn(key: string, message: string): void {
    this.report.warn(this.at(key), message);
  }
  errorHere(message: string): void {
    this.report.error(this.path || '(root)', message);
  }

  /** The raw value; null counts as absent, as it did for the original tool (Go zero values). */
  get(key: string): unknown {
    let actual = key;
    if (!Object.hasOwn(this.obj, key)) {
      // Go's encoding/json matched keys case-insensitively, so files it accepted may say "ProjectId".
      const variant = Object.keys(this.obj).find((k) => k.toLowerCase() === key.toLowerCase());
      if (variant === undefined) return undefined;
      this.warn(variant, `read as "${key}"; keys are case-sensitive here, so spell it "${key}"`);
      actual = variant;
    }
    this.used.add(actual);
    const value = this.obj[actual];
    return value === null ? undefined : value;
  }

  /** A string; "" counts as absent (Go zero value). `required` is the message when it is absent. */
  string(key: string, required?: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      if (required !== undefined) this.error(key, required);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error(key, `must be a string (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === 'boolean') return value;
    this.error(key, `must be true or false (got ${describe(value)})`);
    return undefined;
  }

  int(key: string, min: number, max?: number): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max)) {
      return value;
    }
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    this.error(key, `must be a whole number ${range} (got ${describe(value)})`);
    return undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    const match = allowed.find((a) => a === value);
    if (match === undefined) this.error(key, `must be one of ${quoteList(allowed)} (got ${describe(value)})`);
    return match;
  }

  /** A non-empty array; `what` names its elements in the message. */
  list(key: string, what: string): unknown[] | undefined {
    const value = this.get(key);
    if (Array.isArray(value) && value.length > 0) return value;
    this.error(key, `must be a non-empty array of ${what} (got ${describe(value)})`);
    return undefined;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.obj, key);
  }
  /** Marks a key as known without reading it; with a reason, tells the user it is ignored. */
  skip(key: string, reason?: string): void {
    if (!this.has(key)) return;
    this.used.add(key);
    if (reason !== undefined) this.warn(key, `ignored: ${reason}`);
  }
  /** Reports unknown keys: warnings in a file (it may come from a newer version), errors in app input. */
  finish(): void {
    for (const key of Object.keys(this.obj)) {
      if (this.used.has(key)) continue;
      if (this.report.unknownKeys === 'error') this.error(key, 'unknown key');
      else this.warn(key, 'unknown key, ignored');
    }
  }
}

function asFields(report: Report, value: unknown, path: string): Fields | undefined {
  if (isObject(value)) return new Fields(report, path, value);
  report.error(path || '(root)', `must be a JSON object (got ${describe(value)})`);
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function quoteList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

function isPlaceholder(value: string): boolean {
  return value.startsWith(PLACEHOLDER_PREFIX);
}

// ---------------------------------------------------------------------------------------------
// JSON syntax errors

function jsonSyntaxIssue(text: string, err: unknown): ConfigIssue {
  const raw = err instanceof Error ? err.message : String(err);
  const reported = /at position (\d+)/.exec(raw);
  // V8 gives no position for "Unexpected token" errors, so find the offset ourselves.
  const offset = reported ? Number(reported[1]) : syntaxErrorOffset(text);
  const reason = raw.replace(/,? *(in JSON )?at position \d+.*$/s, '').replace(/, ("|\.\.\.").*is not valid JSON$/s, '');
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { field: '(file)', message: `invalid JSON at line ${line}, column ${offset - lineStart + 1}: ${reason}` };
}

/** Offset of the first syntax error, by walking the JSON grammar (only called on failure). */
function syntaxErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i++;
  };
  const token = (re: RegExp): boolean => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) i += m[0].length;
    return m !== null;
  };
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const items = (close: string, item: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ',') fail();
      i++;
    }
  };
  const value = (): void => {
    skipSpace();
    if (text[i] === '{') {
      items('}', () => {
        skipSpace();
        if (!token(STRING)) fail();
        skipSpace();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    } else if (text[i] === '[') {
      items(']', value);
    } else if (!token(STRING) && !token(SCALAR)) {
      // Point past the part of a misspelt literal that matched ("tru}" fails at "}"), as V8 does.
      const matched = ['true', 'false', 'null'].map((word) => [...word].findIndex((ch, k) => text[i + k] !== ch));
      i += Math.max(0, ...matched);
      fail();
    }
  };
  try {
    value();
    skipSpace();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Providers

interface ProviderList {
  valid: Connection[];
  /** Every id that appears, with its type when the type is valid: mappings are checked against it. */
  types: Map<string, ProviderType | undefined>;
}

const TYPE_HINTS = new Map([['s3', '"aws" (or "minio")'], ['gcp', '"gcs"'], ['google', '"gcs"'], ['blob', '"azure"'], ['file', '"local"']]);

function readProviders(root: Fields): ProviderList {
  const result: ProviderList = { valid: [], types: new Map() };
  const firstIndex = new Map<string, number>();
  root.list('providers', 'provider objects')?.forEach((value, index) => {
    const f = asFields(root.report, value, `providers[${index}]`);
    if (!f) return;
    const id = f.string('id', 'is required: a unique, non-empty id that mappings refer to');
    const name = f.string('name') ?? id;
    const typeValue = f.get('type');
    const type = PROVIDER_TYPES.find((t) => t === typeValue);
    if (typeValue === undefined) {
      f.error('type', `is required: one of ${quoteList(PROVIDER_TYPES)}`);
    } else if (type === undefined) {
      const hint = typeof typeValue === 'string' ? TYPE_HINTS.get(typeValue.toLowerCase()) : undefined;
      f.error('type', `must be one of ${quoteList(PROVIDER_TYPES)} (got ${describe(typeValue)})${hint ? `; did you mean ${hint}?` : ''}`);
    }
    for (const other of PROVIDER_TYPES) {
      if (other !== type) f.skip(other, type ? `type is "${type}"` : undefined);
    }

    // Settings are checked even without a usable id, so one run reports everything.
    const connection = type ? readConnection(f, id ?? '', name ?? '', type) : undefined;
    f.finish();

    if (id === undefined) return;
    const first = firstIndex.get(id);
    if (first !== undefined) {
      f.error('id', `duplicate id "${id}": already used by providers[${first}]`);
      return;
    }
    firstIndex.set(id, index);
    result.types.set(id, type);
    if (connection) result.valid.push(connection);
  });
  return result;
}

function readConnection(f: Fields, id: string, name: string, type: ProviderType): Connection | undefined {
  const value = f.get(type);
  if (value === undefined) {
    f.errorHere(`type is "${type}" but the "${type}" settings object is missing`);
    return undefined;
  }
  const s = asFields(f.report, value, f.at(type));
  if (!s) return undefined;
  const connection = buildConnection(s, id, name, type);
  s.finish();
  for (const [key, setting] of Object.entries(connectionSettings(connection))) {
    if (typeof setting === 'string' && isPlaceholder(setting)) s.warn(key, `still holds the placeholder "${setting}"; fill in the real value`);
  }
  return connection;
}

// Required fields that are missing come back as "": the result is then discarded, because an
// issue has been recorded and parseConfig throws.
function buildConnection(s: Fields, id: string, name: string, type: ProviderType): Connection {
  switch (type) {
    case 'local':
      return { id, name, type, local: readLocal(s) };
    case 'aws':
      return { id, name, type, aws: readAws(s) };
    case 'minio':
      return { id, name, type, minio: readMinio(s) };
    case 'gcs':
      return { id, name, type, gcs: readGcs(s) };
    case 'azure':
      return { id, name, type, azure: readAzure(s) };
  }
}

/** Drops keys whose value is undefined, so optional settings are absent rather than present-but-undefined. */
function defined<T extends object>(settings: T): T {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as T;
}

function readLocal(s: Fields): LocalSettings {
  const root = s.string('root', 'is required: the absolute path of the folder whose subfolders are the buckets');
  if (root !== undefined && !isAbsolutePath(root)) {
    const tilde = root.startsWith('~') ? ' ("~" is not expanded: write the full path)' : '';
    s.error('root', `must be an absolute path such as "/data/buckets" or "C:\\data\\buckets" (got ${describe(root)})${tilde}`);
  }
  return { root: root ?? '' };
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^\\\\[^\\]+\\[^\\]+/.test(p);
}

// Region names of AWS and of S3-compatible services ("auto", "nyc3", "garage"): lowercase words.
const REGION = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function readRegion(s: Fields): string | undefined {
  const region = s.string('region');
  if (region !== undefined && !REGION.test(region)) {
    s.error('region', `must be a region name such as "us-east-1" (lowercase letters, digits and hyphens; got ${describe(region)})`);
  }
  return region;
}

function readAws(s: Fields): AwsSettings {
  const region = readRegion(s);
  const endpoint = s.string('endpoint');
  if (endpoint !== undefined) {
    const problem = endpointProblem(endpoint, 'optional');
    if (problem) s.error('endpoint', problem);
  } else if (region !== undefined && REGION.test(region) && !AWS_REGION.test(region)) {
    s.warn('region', `"${region}" does not look like an AWS region (e.g. "eu-west-1"); for another S3-compatible service set "endpoint"`);
  }
  const accessKeyId = s.string('accessKeyId');
  const secretAccessKey = s.string('secretAccessKey');
  const sessionToken = s.string('sessionToken');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const [missing, present] = accessKeyId === undefined ? ['accessKeyId', 'secretAccessKey'] : ['secretAccessKey', 'accessKeyId'];
    s.error(missing, `is required because ${present} is set (give both, or neither to use the default AWS credential chain)`);
  }
  if (sessionToken !== undefined && (accessKeyId === undefined || secretAccessKey === undefined)) {
    s.error('sessionToken', 'needs accessKeyId and secretAccessKey too (a session token belongs to temporary keys)');
  }
  return defined({
    region: region ?? DEFAULT_AWS_REGION,
    accessKeyId,
    secretAccessKey,
    sessionToken,
    endpoint,
    forcePathStyle: s.bool('forcePathStyle'),
    disableSSL: s.bool('disableSSL'),
    checksumMode: s.oneOf('checksumMode', CHECKSUM_MODES),
  });
}

function readMinio(s: Fields): MinioSettings {
  const endpoint = s.string('endpoint', 'is required: the MinIO server as host:port, e.g. "localhost:9000"');
  if (endpoint !== undefined) {
    const scheme = SCHEME.exec(endpoint);
    if (scheme) {
      const https = scheme[1]?.toLowerCase() === 'https';
      const rest = endpoint.slice(scheme[0].length).replace(/\/+$/, '');
      s.error('endpoint', `must be host:port without a scheme: write "${rest}" and set "useSSL": ${https} instead of "${scheme[0]}"`);
    } else if (endpoint.includes('/')) {
      s.error('endpoint', `must be host:port without a path (got ${describe(endpoint)})`);
    } else {
      const problem = hostPortProblem(endpoint);
      if (problem) s.error('endpoint', problem);
    }
  }
  const accessKey = s.string('accessKey', 'is required: the MinIO access key (user name)');
  const secretKey = s.string('secretKey', 'is required: the MinIO secret key (password)');
  return defined({
    endpoint: endpoint ?? '',
    accessKey: accessKey ?? '',
    secretKey: secretKey ?? '',
    useSSL: s.bool('useSSL'),
    region: readRegion(s),
  });
}

function readGcs(s: Fields): GcsSettings {
  const keyFile = s.string('keyFile');
  const credentialsJson = s.string('credentialsJson');
  if (credentialsJson !== undefined && !isPlaceholder(credentialsJson) && !isObject(tryParseJson(credentialsJson))) {
    s.error('credentialsJson', 'must hold the service-account key file contents as a JSON object string');
  }
  if (keyFile !== undefined && credentialsJson !== undefined) {
    s.error('credentialsJson', 'give either keyFile or credentialsJson, not both');
  }
  const apiEndpoint = s.string('apiEndpoint');
  if (apiEndpoint !== undefined) {
    const problem = endpointProblem(apiEndpoint, 'optional');
    if (problem) s.error('apiEndpoint', problem);
  }
  return defined({ projectId: s.string('projectId'), keyFile, credentialsJson, apiEndpoint });
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const AZURE_CREDENTIALS = ['accountKey', 'connectionString', 'sasToken'] as const;

function readAzure(s: Fields): AzureSettings {
  const settings: AzureSettings = {
    accountName: s.string('accountName'),
    accountKey: s.string('accountKey'),
    connectionString: s.string('connectionString'),
    sasToken: s.string('sasToken'),
    endpointUrl: s.string('endpointUrl'),
  };
  const { accountName, connectionString, endpointUrl } = settings;
  if (accountName === undefined && connectionString === undefined) {
    s.error('accountName', 'is required unless a connectionString is given');
  } else if (accountName !== undefined && !isPlaceholder(accountName) && !/^[a-z0-9]{3,24}$/.test(accountName)) {
    // Only a warning: the original README's example ("your-azure-account") must still load.
    s.warn('accountName', `${describe(accountName)} is not a storage account name (3 to 24 lowercase letters and digits); connecting will fail`);
  }
  if (connectionString !== undefined && !isPlaceholder(connectionString) && !/^\s*[A-Za-z]+=/.test(connectionString)) {
    s.error('connectionString', 'must look like "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=..." (copy it from the portal)');
  }
  const given = AZURE_CREDENTIALS.filter((k) => settings[k] !== undefined);
  if (given.length === 0) {
    s.errorHere(`needs one of ${quoteList(AZURE_CREDENTIALS)}`);
  } else if (given.length > 1) {
    s.error(given[1] ?? '', `give only one of ${quoteList(AZURE_CREDENTIALS)} (found ${quoteList(given)})`);
  }
  if (endpointUrl !== undefined) {
    const problem = endpointProblem(endpointUrl, 'required');
    if (problem) s.error('endpointUrl', problem);
  }
  return defined(settings);
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Checks "http(s)://host[:port][/path]" or, when the scheme is optional, "host[:port]". */
function endpointProblem(text: string, scheme: 'optional' | 'required'): string | null {
  const match = SCHEME.exec(text);
  const name = match?.[1]?.toLowerCase();
  if (match && name !== 'http' && name !== 'https') return `must use http:// or https:// (got "${match[0]}")`;
  if (!match && scheme === 'required') return `must be a URL such as "https://host:port" (got ${describe(text)})`;
  const rest = match ? text.slice(match[0].length) : text;
  const slash = rest.indexOf('/');
  if (!match && slash >= 0) return `must be a URL (with http:// or https://) or host[:port] without a path (got ${describe(text)})`;
  return hostPortProblem(slash >= 0 ? rest.slice(0, slash) : rest);
}

function hostPortProblem(authority: string): string | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return `must be host[:port], e.g. "localhost:9000" or "s3.example.com" (got ${describe(authority)})`;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return `port must be from 1 to 65535 (got ${port})`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Bucket names

type Rule = readonly [ok: (name: string) => boolean, problem: string];

const IP_LIKE = /^\d+\.\d+\.\d+\.\d+$/;
const edgesAlnum: Rule = [(n) => /^[a-z0-9](.*[a-z0-9])?$/s.test(n), 'must start and end with a lowercase letter or digit'];

const S3_RULES: readonly Rule[] = [
  [(n) => n.length >= 3 && n.length <= 63, 'must be 3 to 63 characters long'],
  [(n) => /^[a-z0-9.-]+$/.test(n), 'may contain only lowercase letters, digits, dots and hyphens'],
  edgesAlnum,
  [(n) => !n.includes('..'), 'must not contain two dots in a row'],
  [(n) => !IP_LIKE.test(n), 'must not look like an IP address'],
];

const GCS_RULES: readonly Rule[] = [
  [(n) => n.length >= 3 && n.length <= (n.includes('.') ? 222 : 63), 'must be 3 to 63 characters long (up to 222 if it contains dots)'],
  [(n) => /^[a-z0-9._-]+$/.test(n), 'may contain only lowercase letters, digits, dots, hyphens and underscores'],
  edgesAlnum,
  [(n) => n.split('.').every((part) => part.length <= 63), 'each dot-separated part must be at most 63 characters long'],
  [(n) => !IP_LIKE.test(n), 'must not look like an IP address'],
  [(n) => !n.startsWith('goog') && !n.includes('google'), 'must not start with "goog" or contain "google"'],
];

// Azure's system containers ($web serves static websites) are legal targets despite the "$".
const AZURE_SPECIAL_CONTAINERS = ['$root', '$web', '$logs'];
const AZURE_RULES: readonly Rule[] = [
  [(n) => n.length >= 3 && n.length <= 63, 'must be 3 to 63 characters long'],
  [(n) => /^[a-z0-9-]+$/.test(n), 'may contain only lowercase letters, digits and hyphens'],
  edgesAlnum,
  [(n) => !n.includes('--'), 'must not contain two hyphens in a row'],
];

const LOCAL_RULES: readonly Rule[] = [
  [(n) => n.length > 0, 'must not be empty'],
  [(n) => n !== '.' && n !== '..', 'must not be "." or ".."'],
  [(n) => !/[/\\\u0000]/.test(n), 'must be a single folder name (no "/", "\\" or NUL)'],
  [(n) => n.length <= 255, 'must be at most 255 characters long'],
];

const BUCKET_RULES: { [T in ProviderType]: { label: string; rules: readonly Rule[] } } = {
  aws: { label: 'S3 bucket name', rules: S3_RULES },
  minio: { label: 'MinIO bucket name', rules: S3_RULES },
  gcs: { label: 'GCS bucket name', rules: GCS_RULES },
  azure: { label: 'Azure container name', rules: AZURE_RULES },
  local: { label: 'local bucket (folder) name', rules: LOCAL_RULES },
};

/** null when `name` is a valid bucket (container, folder) name for the provider type, else why not. */
export function validateBucketName(type: ProviderType, name: string): string | null {
  if (type === 'azure' && AZURE_SPECIAL_CONTAINERS.includes(name)) return null;
  const { label, rules } = BUCKET_RULES[type];
  const broken = rules.find(([ok]) => !ok(name));
  return broken ? `invalid ${label} ${describe(name)}: ${broken[1]}` : null;
}

// ---------------------------------------------------------------------------------------------
// Mappings

/**
 * The id a mapping gets when the config gives none. Derived only from what the mapping syncs, so
 * it is the same on every run and the sync state recorded under it is found again.
 */
export function deriveMappingId(m: MappingRoute): string {
  return `${m.sourceConnectionId}:${m.sourceBucket}/${m.sourcePrefix}->${m.targetConnectionId}:${m.targetBucket}/${m.targetPrefix}`;
}

/** What a mapping syncs: from where to where. */
export type MappingRoute = Pick<Mapping, 'sourceConnectionId' | 'sourceBucket' | 'sourcePrefix' | 'targetConnectionId' | 'targetBucket' | 'targetPrefix'>;

function defaultMappingName(m: MappingRoute): string {
  return `${m.sourceConnectionId}:${m.sourceBucket}/${m.sourcePrefix} → ${m.targetConnectionId}:${m.targetBucket}/${m.targetPrefix}`.replace(/\/(?= →|$)/g, '');
}

/** An exact comparable key of a route (the derived id could collide on odd names). */
function routeKey(m: MappingRoute): string {
  return JSON.stringify([m.sourceConnectionId, m.sourceBucket, m.sourcePrefix, m.targetConnectionId, m.targetBucket, m.targetPrefix]);
}

interface ReadMapping {
  index: number;
  mapping: Mapping;
  tuple: string;
}

function readMappings(root: Fields, providers: ProviderList): Mapping[] {
  const mappings: ReadMapping[] = [];
  root.list('mappings', 'mapping objects')?.forEach((value, index) => {
    const f = asFields(root.report, value, `mappings[${index}]`);
    const mapping = f && readMapping(f, providers);
    f?.finish();
    if (mapping) mappings.push({ index, mapping, tuple: routeKey(mapping) });
  });
  checkMappingPairs(root.report, mappings);
  return mappings.map((m) => m.mapping);
}

/**
 * Where a mapping comes from: a config.json entry ("sourceProviderId", maxDelete 100 or "10%") or the
 * app's MappingInput ("sourceConnectionId", maxDelete { kind, value } or null).
 */
type MappingForm = 'file' | 'app';

function readMapping(f: Fields, providers: ProviderList, form: MappingForm = 'file'): Mapping | undefined {
  const source = readSide(f, 'source', providers, form);
  const target = readSide(f, 'target', providers, form);
  const maxDelete = form === 'file' ? readMaxDelete(f.get('maxDelete'), f.at('maxDelete'), f.report) : readMaxDeleteInput(f);
  const deleteMode = f.oneOf('deleteMode', DELETE_MODES) ?? 'synced';
  if (maxDelete && deleteMode === 'never') f.warn('maxDelete', 'has no effect because deleteMode is "never"');
  const explicitId = f.string('id');
  const explicitName = f.string('name');
  const transfers = f.int('transfers', 1, MAX_TRANSFERS) ?? DEFAULT_TRANSFERS;
  const dryRun = f.bool('dryRun') ?? false;
  const enabled = f.bool('enabled') ?? true;
  const intervalSeconds = f.int('intervalSeconds', 1) ?? null;
  if (!source || !target) return undefined;

  const route: MappingRoute = {
    sourceConnectionId: source.id,
    sourceBucket: source.bucket,
    sourcePrefix: source.prefix,
    targetConnectionId: target.id,
    targetBucket: target.bucket,
    targetPrefix: target.prefix,
  };
  if (source.id === target.id && source.bucket === target.bucket && prefixesOverlap(source.prefix, target.prefix)) {
    f.errorHere(
      `source and target are the same bucket (${source.id}:${source.bucket}) with overlapping prefixes ` +
        `"${source.prefix}" and "${target.prefix}": the mapping would sync into itself; use another bucket or non-overlapping prefixes`,
    );
  }
  return {
    id: explicitId ?? deriveMappingId(route),
    name: explicitName ?? defaultMappingName(route),
    ...route,
    transfers,
    deleteMode,
    maxDelete,
    dryRun,
    enabled,
    intervalSeconds,
  };
}

function readSide(
  f: Fields,
  side: 'source' | 'target',
  providers: ProviderList,
  form: MappingForm,
): { id: string; bucket: string; prefix: string } | undefined {
  const [idKey, noun] = form === 'file' ? [`${side}ProviderId`, 'provider'] : [`${side}ConnectionId`, 'connection'];
  const id = f.string(idKey, `is required: the id of the ${side} ${noun}`);
  if (id !== undefined && !providers.types.has(id)) {
    const known = [...providers.types.keys()];
    f.error(idKey, `no ${noun} has id "${id}"; known ids: ${known.length ? quoteList(known) : '(none)'}`);
  }
  const type = id === undefined ? undefined : providers.types.get(id);

  const bucketKey = `${side}Bucket`;
  const bucket = f.string(bucketKey, `is required: the ${side} bucket (container, folder) name`);
  const bucketProblem = bucket !== undefined && type !== undefined ? validateBucketName(type, bucket) : null;
  if (bucketProblem) f.error(bucketKey, bucketProblem);

  const prefixKey = `${side}Prefix`;
  const prefix = f.string(prefixKey) ?? '';
  const prefixProblem = prefixProblemFor(prefix, type);
  if (prefixProblem) f.error(prefixKey, prefixProblem);

  if (id === undefined || bucket === undefined) return undefined;
  return { id, bucket, prefix };
}

function prefixProblemFor(prefix: string, type: ProviderType | undefined): string | null {
  if (prefix.startsWith('/')) return `must not start with "/" (keys have no leading slash): write "${prefix.replace(/^\/+/, '')}"`;
  // A local prefix becomes folders: "." or ".." segments would alias or escape the bucket folder.
  if (type === 'local' && (/[\\\u0000]/.test(prefix) || prefix.split('/').some((seg) => seg === '.' || seg === '..'))) {
    return 'for a local folder must not contain "\\", NUL, or "." and ".." path segments';
  }
  return null;
}

function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** Checks between mappings: duplicates, duplicate ids, and targets that two mappings write to. */
function checkMappingPairs(report: Report, mappings: readonly ReadMapping[]): void {
  const byTuple = new Map<string, number>();
  const byId = new Map<string, number>();
  for (const { index, mapping: m, tuple } of mappings) {
    const sameTuple = byTuple.get(tuple);
    if (sameTuple !== undefined) {
      report.error(`mappings[${index}]`, `duplicate of mappings[${sameTuple}]: same source, target and prefixes`);
    } else {
      byTuple.set(tuple, index);
    }
    const sameId = byId.get(m.id);
    if (sameId !== undefined) {
      report.error(`mappings[${index}].id`, `duplicate mapping id "${m.id}": already used by mappings[${sameId}]`);
    } else {
      byId.set(m.id, index);
    }
  }
  // Two mappings writing into overlapping target areas: in mirror mode one deletes what the other copies.
  for (const [i, a] of mappings.entries()) {
    for (const b of mappings.slice(i + 1)) {
      const ma = a.mapping;
      const mb = b.mapping;
      if (ma.targetConnectionId !== mb.targetConnectionId || ma.targetBucket !== mb.targetBucket) continue;
      if (!prefixesOverlap(ma.targetPrefix, mb.targetPrefix) || a.tuple === b.tuple) continue; // duplicates: reported above
      const area = `${mb.targetConnectionId}:${mb.targetBucket} (prefixes "${ma.targetPrefix}" and "${mb.targetPrefix}")`;
      if (ma.deleteMode === 'mirror' || mb.deleteMode === 'mirror') {
        report.error(`mappings[${b.index}]`, `writes into the same area as mappings[${a.index}], ${area}, and "mirror" mode would delete the other mapping's objects; use separate target prefixes or deleteMode "synced"`);
      } else {
        report.warn(`mappings[${b.index}]`, `writes into the same area as mappings[${a.index}], ${area}; objects with the same key overwrite each other`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Input from the app's forms: the same rules as a config entry, field paths relative to the input

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

// ---------------------------------------------------------------------------------------------
// maxDelete

const MAX_DELETE_HELP = 'a whole number of objects such as 100, or a percentage of target objects such as "10%"';

/**
 * Parses a max-delete limit: a count (100 or "100") or a percentage ("10%", 0 < p ≤ 100).
 * undefined, null and "" mean no limit (null). Throws ConfigError for anything else.
 */
export function parseMaxDelete(value: unknown, field: string): MaxDelete | null {
  const report = new Report();
  const result = readMaxDelete(value, field, report);
  if (report.issues.length > 0) throw new ConfigError(report.issues);
  return result;
}

function readMaxDelete(value: unknown, field: string, report: Report): MaxDelete | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { kind: 'count', value };
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { kind: 'count', value: Number(text) };
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
    const p = percent ? Number(percent[1]) : NaN;
    if (p > 0 && p <= 100) return { kind: 'percent', value: p };
    if (percent) {
      report.error(field, `percentage must be more than 0% and at most 100% (got ${describe(value)})`);
      return null;
    }
  }
  report.error(field, `must be ${MAX_DELETE_HELP} (got ${describe(value)})`);
  return null;
}

/** The app's form of a limit: null, { kind: "count", value } or { kind: "percent", value }. */
function readMaxDeleteInput(f: Fields): MaxDelete | null {
  const value = f.get('maxDelete');
  if (value === undefined) return null;
  const m = asFields(f.report, value, f.at('maxDelete'));
  if (!m) return null;
  const kind = m.oneOf('kind', ['count', 'percent'] as const);
  const limit = m.get('value');
  m.finish();
  if (kind === undefined) {
    if (!m.has('kind')) m.error('kind', 'is required: "count" or "percent"');
    return null;
  }
  if (typeof limit !== 'number') {
    m.error('value', `must be a number (got ${describe(limit)})`);
    return null;
  }
  return readMaxDelete(kind === 'count' ? limit : `${limit}%`, m.at('value'), f.report);
}

/** The config-file form of a limit: 100 or "10%". */
export function formatMaxDelete(maxDelete: MaxDelete): number | `${number}%` {
  return maxDelete.kind === 'count' ? maxDelete.value : `${maxDelete.value}%`;
}

// ---------------------------------------------------------------------------------------------
// Writing the format: export and sample

export interface ExportOptions {
  /** Replace every secret with a placeholder: for a file that leaves the machine. It still loads. */
  redactSecrets?: boolean;
}

/**
 * The app state as config.json text. parseConfig reads it back to the same connections and
 * mappings. Mapping ids and names are written only when they differ from the derived ones, so
 * editing a bucket or prefix in the file yields a new mapping (with fresh sync state).
 */
export function toConfigJson(
  connections: readonly Connection[],
  mappings: readonly Mapping[],
  databasePath: string = DEFAULT_DATABASE_PATH,
  options: ExportOptions = {},
): string {
  const providers = connections.map((c) => {
    const settings: JsonObject = { ...connectionSettings(c) };
    if (options.redactSecrets) {
      for (const key of SECRET_FIELDS[c.type]) {
        if (settings[key] !== undefined) settings[key] = REDACTED_SECRET;
      }
    }
    return { id: c.id, ...(c.name !== c.id ? { name: c.name } : {}), type: c.type, [c.type]: settings };
  });
  const mappingJson = mappings.map((m) => ({
    ...(m.id !== deriveMappingId(m) ? { id: m.id } : {}),
    ...(m.name !== defaultMappingName(m) ? { name: m.name } : {}),
    sourceProviderId: m.sourceConnectionId,
    sourceBucket: m.sourceBucket,
    sourcePrefix: m.sourcePrefix,
    targetProviderId: m.targetConnectionId,
    targetBucket: m.targetBucket,
    targetPrefix: m.targetPrefix,
    transfers: m.transfers,
    deleteMode: m.deleteMode,
    ...(m.maxDelete ? { maxDelete: formatMaxDelete(m.maxDelete) } : {}),
    dryRun: m.dryRun,
    enabled: m.enabled,
    ...(m.intervalSeconds !== null ? { intervalSeconds: m.intervalSeconds } : {}),
  }));
  return `${JSON.stringify({ databasePath, providers, mappings: mappingJson }, null, 2)}\n`;
}

/**
 * The file written by --generate-config: one provider of each type, placeholders where secrets go
 * (each reported as a warning until filled in), and mappings that refer to providers that exist.
 * The cloud mapping starts disabled so a first run does not try placeholder keys.
 */
export function generateSampleConfig(): string {
  const sample = {
    databasePath: DEFAULT_DATABASE_PATH,
    providers: [
      { id: 'local', name: 'Local folder (each subfolder is a bucket)', type: 'local', local: { root: '/tmp/cloud-data-sync/local' } },
      {
        id: 'minio',
        name: 'MinIO on this machine',
        type: 'minio',
        minio: { endpoint: 'localhost:9000', accessKey: `${PLACEHOLDER_PREFIX}MINIO_ACCESS_KEY`, secretKey: `${PLACEHOLDER_PREFIX}MINIO_SECRET_KEY`, useSSL: false },
      },
      {
        id: 'aws',
        name: 'Amazon S3',
        type: 'aws',
        aws: { region: DEFAULT_AWS_REGION, accessKeyId: `${PLACEHOLDER_PREFIX}AWS_ACCESS_KEY_ID`, secretAccessKey: `${PLACEHOLDER_PREFIX}AWS_SECRET_ACCESS_KEY` },
      },
      {
        id: 'gcs',
        name: 'Google Cloud Storage',
        type: 'gcs',
        gcs: { projectId: `${PLACEHOLDER_PREFIX}GCP_PROJECT_ID`, keyFile: `${PLACEHOLDER_PREFIX}PATH_TO_SERVICE_ACCOUNT_KEY_JSON` },
      },
      {
        id: 'azure',
        name: 'Azure Blob Storage',
        type: 'azure',
        azure: { accountName: `${PLACEHOLDER_PREFIX}STORAGE_ACCOUNT_NAME`, accountKey: `${PLACEHOLDER_PREFIX}STORAGE_ACCOUNT_KEY` },
      },
    ],
    mappings: [
      {
        name: 'Local photos to MinIO',
        sourceProviderId: 'local',
        sourceBucket: 'photos',
        sourcePrefix: '',
        targetProviderId: 'minio',
        targetBucket: 'photos-backup',
        targetPrefix: 'laptop/',
        transfers: DEFAULT_TRANSFERS,
        deleteMode: 'synced',
        maxDelete: '10%',
        dryRun: false,
        enabled: true,
      },
      {
        name: 'GCS to S3, hourly (enable once the credentials are filled in)',
        sourceProviderId: 'gcs',
        sourceBucket: 'example-source-bucket',
        sourcePrefix: 'exports/',
        targetProviderId: 'aws',
        targetBucket: 'example-target-bucket',
        targetPrefix: 'exports/',
        transfers: 16,
        deleteMode: 'mirror',
        maxDelete: 100,
        dryRun: true,
        enabled: false,
        intervalSeconds: 3600,
      },
    ],
  };
  return `${JSON.stringify(sample, null, 2)}\n`;
}
