// The "providers" entries: ids, types and each type's settings, read into Connections.
import {
  connectionSettings,
  PROVIDER_TYPES,
  type AwsSettings,
  type AzureSettings,
  type Connection,
  type GcsSettings,
  type LocalSettings,
  type MinioSettings,
  type ProviderType,
} from '../model';
import { DEFAULT_AWS_REGION } from './defaults';
import { endpointProblem, hostPortProblem, SCHEME } from './endpoints';
import { asFields, describe, isObject, isPlaceholder, quoteList, type Fields } from './report';

const CHECKSUM_MODES = ['WHEN_SUPPORTED', 'WHEN_REQUIRED'] as const;

export interface ProviderList {
  valid: Connection[];
  /** Every id that appears, with its type when the type is valid: mappings are checked against it. */
  types: Map<string, ProviderType | undefined>;
}

const TYPE_HINTS = new Map([['s3', '"aws" (or "minio")'], ['gcp', '"gcs"'], ['google', '"gcs"'], ['blob', '"azure"'], ['file', '"local"']]);

export function readProviders(root: Fields): ProviderList {
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

export function readConnection(f: Fields, id: string, name: string, type: ProviderType): Connection | undefined {
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
  const symlinks = s.oneOf('symlinks', SYMLINK_POLICIES);
  return defined({ root: root ?? '', symlinks });
}

const SYMLINK_POLICIES: readonly NonNullable<LocalSettings['symlinks']>[] = ['skip', 'follow'];

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
