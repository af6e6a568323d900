// The connection form's fields per provider type: labels, help, client-side checks (the server
// checks again and has the last word), and the conversion to and from ConnectionInput.
import type { ConnectionInput, ConnectionView } from '../../shared/contract';
import { connectionSettings, SECRET_FIELDS, type ProviderType } from '../../shared/model';
import { secretInputValue, secretWillBeSet, type SecretValue } from '../components/secret-field';

export type FieldKind = 'text' | 'secret' | 'secret-multiline' | 'checkbox' | 'select';

export interface FieldDef {
  key: string;
  label: string;
  help: string;
  kind: FieldKind;
  placeholder?: string;
  required?: boolean;
  options?: readonly { value: string; label: string }[];
  /** A problem with this value alone (cross-field rules are in validateConnectionForm). */
  check?: (value: string) => string | null;
}

export interface ConnectionFormState {
  id: string | null;
  name: string;
  type: ProviderType;
  /** Non-secret settings: strings, or booleans for checkboxes. */
  values: Record<string, string | boolean>;
  secrets: Record<string, SecretValue>;
  /** Which secrets the stored connection has (from ConnectionView.secretsSet). */
  storedSecrets: Record<string, boolean>;
}

export type FormErrors = Record<string, string>;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(\d{1,5}))?$/;
const REGION = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;

function hostPortProblem(authority: string): string | null {
  const m = HOST_PORT.exec(authority);
  if (!m) return 'must be host[:port], e.g. "localhost:9000" or "s3.example.com"';
  const port = m[2] === undefined ? undefined : Number(m[2]);
  return port !== undefined && (port < 1 || port > 65535) ? 'port must be from 1 to 65535' : null;
}

function urlProblem(text: string, schemeRequired: boolean): string | null {
  const match = SCHEME.exec(text);
  const scheme = match?.[1]?.toLowerCase();
  if (match && scheme !== 'http' && scheme !== 'https') return 'must use http:// or https://';
  if (!match && schemeRequired) return 'must be a URL such as "https://host:port"';
  const rest = match ? text.slice(match[0].length) : text;
  const slash = rest.indexOf('/');
  if (!match && slash >= 0) return 'must be a URL (with http:// or https://) or host[:port] without a path';
  return hostPortProblem(slash >= 0 ? rest.slice(0, slash) : rest);
}

const regionCheck = (v: string) => (REGION.test(v) ? null : 'must be a region name such as "us-east-1" (lowercase letters, digits and hyphens)');

export const CONNECTION_FIELDS: Record<ProviderType, readonly FieldDef[]> = {
  local: [
    {
      key: 'root',
      label: 'Folder',
      kind: 'text',
      required: true,
      placeholder: '/home/me/buckets',
      help: 'Absolute path of a folder on this machine. Each folder inside it is a bucket; create one (for example "photos") to sync into.',
      check: (v) =>
        v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v) || /^\\\\[^\\]+\\[^\\]+/.test(v)
          ? null
          : `must be an absolute path such as "/data/buckets" or "C:\\data\\buckets"${v.startsWith('~') ? ' ("~" is not expanded: write the full path)' : ''}`,
    },
    {
      key: 'symlinks',
      label: 'Symlinks',
      kind: 'select',
      help: 'Symlinks inside a bucket folder when it is a source. Skip: each one is reported in the log and nothing is read through it. Follow: the file or folder it points to is synced. Writes never follow a symlink.',
      // An empty form value (a connection saved without the setting) shows as the first option, the default.
      options: [
        { value: 'skip', label: 'Skip (default)' },
        { value: 'follow', label: 'Follow' },
      ],
    },
  ],
  aws: [
    { key: 'region', label: 'Region', kind: 'text', placeholder: 'us-east-1', help: 'The AWS region of your buckets, e.g. "eu-west-1". Empty means us-east-1.', check: regionCheck },
    {
      key: 'accessKeyId',
      label: 'Access key ID',
      kind: 'text',
      placeholder: 'AKIA…',
      help: 'From IAM → Users → Security credentials. Leave both keys empty to use the default AWS credentials of this machine (environment, ~/.aws, instance role).',
    },
    { key: 'secretAccessKey', label: 'Secret access key', kind: 'secret', help: 'Shown once by AWS when the access key was created. Stored encrypted; never shown again here.' },
    { key: 'sessionToken', label: 'Session token', kind: 'secret', help: 'Only for temporary credentials (STS, SSO). Leave empty for long-term keys.' },
    {
      key: 'endpoint',
      label: 'Custom endpoint',
      kind: 'text',
      placeholder: 'https://s3.example.com',
      help: 'Only for other S3-compatible services (Ceph, Wasabi, R2, …): the service URL. Leave empty for AWS.',
      check: (v) => urlProblem(v, false),
    },
    { key: 'forcePathStyle', label: 'Path-style addressing', kind: 'checkbox', help: 'Address buckets as https://host/bucket instead of https://bucket.host. Most S3-compatible services need it.' },
    { key: 'disableSSL', label: 'Plain HTTP for an endpoint without scheme', kind: 'checkbox', help: 'When the custom endpoint is written as host:port, connect with http:// instead of https://.' },
    {
      key: 'checksumMode',
      label: 'Checksums',
      kind: 'select',
      help: 'When the client sends request checksums. Some S3-compatible services reject the newer checksums: choose "Only when required" for them.',
      options: [
        { value: '', label: 'Automatic' },
        { value: 'WHEN_SUPPORTED', label: 'Whenever supported' },
        { value: 'WHEN_REQUIRED', label: 'Only when required' },
      ],
    },
  ],
  minio: [
    {
      key: 'endpoint',
      label: 'Server',
      kind: 'text',
      required: true,
      placeholder: 'localhost:9000',
      help: 'host:port of the server, without http:// — tick "Use HTTPS" for a TLS server.',
      check: (v) => {
        const scheme = SCHEME.exec(v);
        if (scheme) return `must be host:port without a scheme: write "${v.slice(scheme[0].length).replace(/\/+$/, '')}" and use the HTTPS option instead`;
        if (v.includes('/')) return 'must be host:port without a path';
        return hostPortProblem(v);
      },
    },
    { key: 'accessKey', label: 'Access key', kind: 'text', required: true, help: 'The user name or access key of the server.' },
    { key: 'secretKey', label: 'Secret key', kind: 'secret', required: true, help: 'The password or secret key. Stored encrypted; never shown again here.' },
    { key: 'useSSL', label: 'Use HTTPS', kind: 'checkbox', help: 'Connect over TLS.' },
    { key: 'region', label: 'Region', kind: 'text', placeholder: 'us-east-1', help: 'Only if the server is configured with a region. Usually empty.', check: regionCheck },
  ],
  gcs: [
    { key: 'projectId', label: 'Project ID', kind: 'text', placeholder: 'my-project-123456', help: 'The Google Cloud project that owns the buckets (listing buckets needs it).' },
    {
      key: 'credentialsJson',
      label: 'Service-account key (JSON)',
      kind: 'secret-multiline',
      placeholder: '{ "type": "service_account", … }',
      help: 'Paste the contents of a service-account key file (IAM → Service accounts → Keys). Stored encrypted. Leave empty to use a key file or this machine’s default Google credentials.',
      check: (v) => {
        try {
          const parsed: unknown = JSON.parse(v);
          return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? null : 'must be the key file’s JSON object';
        } catch {
          return 'is not valid JSON: paste the whole key file';
        }
      },
    },
    { key: 'keyFile', label: 'Key file path', kind: 'text', placeholder: '/home/me/key.json', help: 'Instead of pasting: the path of the key file on this machine.' },
    { key: 'apiEndpoint', label: 'API endpoint', kind: 'text', placeholder: 'https://storage.googleapis.com', help: 'Only for emulators or private endpoints. Leave empty.', check: (v) => urlProblem(v, false) },
  ],
  azure: [
    { key: 'accountName', label: 'Storage account name', kind: 'text', placeholder: 'mystorageaccount', help: 'The account in the portal (3–24 lowercase letters and digits). Not needed with a connection string.' },
    { key: 'accountKey', label: 'Account key', kind: 'secret', help: 'Storage account → Access keys. Give one of: account key, connection string or SAS token.' },
    {
      key: 'connectionString',
      label: 'Connection string',
      kind: 'secret-multiline',
      placeholder: 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…',
      help: 'Storage account → Access keys → Connection string. Includes the account name and key.',
      check: (v) => (/^\s*[A-Za-z]+=/.test(v) ? null : 'must look like "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=..."'),
    },
    { key: 'sasToken', label: 'SAS token', kind: 'secret', placeholder: 'sv=…&sig=…', help: 'A shared access signature with list, read, write and delete permissions.' },
    { key: 'endpointUrl', label: 'Endpoint URL', kind: 'text', placeholder: 'https://mystorageaccount.blob.core.windows.net', help: 'Only for Azurite or sovereign clouds. Leave empty.', check: (v) => urlProblem(v, true) },
  ],
};

const isSecret = (type: ProviderType, key: string) => SECRET_FIELDS[type].includes(key);

export function emptyConnectionForm(type: ProviderType): ConnectionFormState {
  const values: Record<string, string | boolean> = {};
  const secrets: Record<string, SecretValue> = {};
  for (const f of CONNECTION_FIELDS[type]) {
    if (isSecret(type, f.key)) secrets[f.key] = { kind: 'replace', value: '' };
    else values[f.key] = f.kind === 'checkbox' ? false : '';
  }
  return { id: null, name: '', type, values, secrets, storedSecrets: {} };
}

/** The form for an existing connection: settings filled in, secrets only as "set" or not. */
export function connectionToForm(c: ConnectionView): ConnectionFormState {
  const form = emptyConnectionForm(c.type);
  const settings = connectionSettings(c) as Record<string, unknown>;
  for (const f of CONNECTION_FIELDS[c.type]) {
    if (isSecret(c.type, f.key)) {
      form.secrets[f.key] = c.secretsSet[f.key] ? { kind: 'keep' } : { kind: 'replace', value: '' };
      continue;
    }
    const value = settings[f.key];
    form.values[f.key] = f.kind === 'checkbox' ? value === true : typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  }
  return { ...form, id: c.id, name: c.name, storedSecrets: { ...c.secretsSet } };
}

const text = (form: ConnectionFormState, key: string) => {
  const v = form.values[key];
  return typeof v === 'string' ? v.trim() : '';
};
const secretSet = (form: ConnectionFormState, key: string) => secretWillBeSet(form.secrets[key] ?? { kind: 'keep' }, form.storedSecrets[key] === true);

/** Problems the user can fix before saving, by field key ('name' or a settings key; '' for the whole form). */
export function validateConnectionForm(form: ConnectionFormState): FormErrors {
  const errors: FormErrors = {};
  if (form.name.trim() === '') errors.name = 'Give the connection a name, e.g. "Work S3" or "Photos folder".';
  for (const f of CONNECTION_FIELDS[form.type]) {
    if (isSecret(form.type, f.key)) {
      const secret = form.secrets[f.key];
      const typed = secret?.kind === 'replace' ? secret.value.trim() : '';
      if (f.required && !secretSet(form, f.key)) errors[f.key] = `${f.label} is required.`;
      else if (typed !== '' && f.check) {
        const problem = f.check(typed);
        if (problem) errors[f.key] = `${f.label} ${problem}.`;
      }
      continue;
    }
    if (f.kind !== 'text') continue;
    const value = text(form, f.key);
    if (value === '') {
      if (f.required) errors[f.key] = `${f.label} is required.`;
      continue;
    }
    const problem = f.check?.(value);
    if (problem) errors[f.key] = `${f.label} ${problem}.`;
  }
  switch (form.type) {
    case 'aws': {
      const id = text(form, 'accessKeyId') !== '';
      const secret = secretSet(form, 'secretAccessKey');
      if (id && !secret) errors.secretAccessKey ??= 'Secret access key is required with an access key ID (or leave both empty).';
      if (!id && secret) errors.accessKeyId ??= 'Access key ID is required with a secret access key (or leave both empty).';
      if (secretSet(form, 'sessionToken') && !(id && secret)) errors.sessionToken ??= 'A session token needs the access key ID and secret access key too.';
      break;
    }
    case 'gcs':
      if (secretSet(form, 'credentialsJson') && text(form, 'keyFile') !== '') errors.keyFile ??= 'Give either a pasted key or a key file path, not both.';
      break;
    case 'azure': {
      const given = (['accountKey', 'connectionString', 'sasToken'] as const).filter((k) => secretSet(form, k));
      if (given.length === 0) errors.accountKey ??= 'Give one of: account key, connection string or SAS token.';
      if (given.length > 1) errors[given[1]!] ??= 'Give only one of: account key, connection string or SAS token.';
      if (text(form, 'accountName') === '' && !secretSet(form, 'connectionString')) errors.accountName ??= 'Storage account name is required unless a connection string is given.';
      break;
    }
    default:
      break;
  }
  return errors;
}

/** The create/update input: empty optional settings left out; secrets only when set or cleared. */
export function formToConnectionInput(form: ConnectionFormState): ConnectionInput {
  const settings: Record<string, string | boolean> = {};
  for (const f of CONNECTION_FIELDS[form.type]) {
    if (isSecret(form.type, f.key)) {
      const value = secretInputValue(form.secrets[f.key] ?? { kind: 'keep' });
      // On create, '' (clear) means nothing: leave it out.
      if (value !== undefined && !(value === '' && form.id === null)) settings[f.key] = value;
      continue;
    }
    const value = form.values[f.key];
    if (typeof value === 'boolean') {
      settings[f.key] = value;
    } else if (typeof value === 'string' && value.trim() !== '') {
      settings[f.key] = value.trim();
    }
  }
  const base = { name: form.name.trim(), ...(form.id === null ? {} : { id: form.id }) };
  return { ...base, type: form.type, [form.type]: settings } as ConnectionInput;
}

/** A server error's field ("aws.endpoint", "minio.secretKey", "name") as the form's field key. */
export function formFieldOf(serverField: string | undefined, type: ProviderType): string {
  if (!serverField) return '';
  const prefix = `${type}.`;
  return serverField.startsWith(prefix) ? serverField.slice(prefix.length) : serverField;
}
