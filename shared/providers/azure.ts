// Azure Blob Storage: an account with one credential (account key, connection string or SAS token).
import { PLACEHOLDER_PREFIX } from '../config/defaults';
import { endpointIdentity, endpointProblem } from '../config/endpoints';
import { describe, quoteList } from '../config/report';
import { EDGES_ALNUM } from './common';
import { defineProvider, type RuleIssue, type SettingsOf } from './descriptor';

const CREDENTIALS = ['accountKey', 'connectionString', 'sasToken'] as const;

export const azureProvider = defineProvider({
  type: 'azure',
  label: 'Azure Blob Storage',
  blurb: 'Containers in an Azure storage account.',
  aliases: ['blob'],
  fields: {
    accountName: {
      kind: 'text',
      label: 'Storage account name',
      placeholder: 'mystorageaccount',
      help: 'The account in the portal (3–24 lowercase letters and digits). Not needed with a connection string, or with a SAS token and an endpoint URL.',
      // Only a warning: the original README's example ("your-azure-account") must still load.
      advise: (v) => (/^[a-z0-9]{3,24}$/.test(v) ? null : `${describe(v)} is not a storage account name (3 to 24 lowercase letters and digits); connecting will fail`),
    },
    accountKey: {
      kind: 'text',
      secret: true,
      label: 'Account key',
      help: 'Storage account → Access keys. Give one of: account key, connection string or SAS token.',
    },
    connectionString: {
      kind: 'multiline',
      secret: true,
      label: 'Connection string',
      placeholder: 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…',
      help: 'Storage account → Access keys → Connection string. Includes the account name and key.',
      check: (v) => (/^\s*[A-Za-z]+=/.test(v) ? null : 'must look like "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=..." (copy it from the portal)'),
    },
    sasToken: {
      kind: 'text',
      secret: true,
      label: 'SAS token',
      placeholder: 'sv=…&sig=…',
      help: 'A shared access signature with list, read, write and delete permissions.',
    },
    endpointUrl: {
      kind: 'text',
      label: 'Endpoint URL',
      placeholder: 'https://mystorageaccount.blob.core.windows.net',
      help: 'Only for Azurite or sovereign clouds. Leave empty.',
      check: (v) => endpointProblem(v, 'required'),
    },
  },
  rules: (s, name) => {
    const issues: RuleIssue[] = [];
    // A SAS token is used on the endpoint's URL as it is ("https://acct.blob.core.windows.net?sv=…"),
    // so an endpoint URL names the account; an account key signs requests with the account's name.
    if (s.accountName === undefined && s.connectionString === undefined && (s.endpointUrl === undefined || s.sasToken === undefined)) {
      issues.push({ level: 'error', field: 'accountName', message: `is required unless a ${name('connectionString')} is given, or a ${name('sasToken')} with an ${name('endpointUrl')}` });
    }
    if (s.connectionString !== undefined && s.endpointUrl !== undefined) {
      issues.push({ level: 'error', field: 'endpointUrl', message: `must be left out with a ${name('connectionString')}: put BlobEndpoint=… in the connection string` });
    }
    const given = CREDENTIALS.filter((k) => s[k] !== undefined);
    const choices = quoteList(CREDENTIALS.map(name));
    if (given.length === 0) {
      issues.push({ level: 'error', field: '', message: `needs one of ${choices}` });
    } else if (given.length > 1) {
      issues.push({ level: 'error', field: given[1] ?? '', message: `must be left out: give only one of ${choices} (found ${quoteList(given.map(name))})` });
    }
    return issues;
  },
  buckets: {
    noun: 'Azure container name',
    rules: [
      [(n) => n.length >= 3 && n.length <= 63, 'must be 3 to 63 characters long'],
      [(n) => /^[a-z0-9-]+$/.test(n), 'may contain only lowercase letters, digits and hyphens'],
      EDGES_ALNUM,
      [(n) => !n.includes('--'), 'must not contain two hyphens in a row'],
    ],
    // Azure's system containers ($web serves static websites) are legal targets despite the "$".
    alwaysValid: ['$root', '$web', '$logs'],
  },
  whereabouts: { kind: 'service', field: 'endpointUrl', service: blobService },
  summary: (s) => (s.accountName ? `Account ${s.accountName}` : (s.endpointUrl ?? 'Connection string')),
  logo: [
    ['path', { d: 'M10.2 3.5h5.1L9 20.5H3.3z', fill: '#0a5cc2' }],
    ['path', { d: 'M16.2 7.8 21 20.5H8.5l7-2.1-3.2-4z', fill: '#3ccbf4' }],
  ],
  target: { storageClasses: ['Hot', 'Cool', 'Cold', 'Archive'], encryption: 'encryptionScope' },
  sample: {
    name: 'Azure Blob Storage',
    settings: { accountName: `${PLACEHOLDER_PREFIX}STORAGE_ACCOUNT_NAME`, accountKey: `${PLACEHOLDER_PREFIX}STORAGE_ACCOUNT_KEY` },
  },
});

export type AzureSettings = SettingsOf<typeof azureProvider.fields>;

/** A connection string's `Key=Value;` parts, keys in lower case (Azure reads them without regard to case). */
export function connectionStringParts(connectionString: string | undefined): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of (connectionString ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return parts;
}

/** The blob service: endpointUrl, the connection string's endpoint, or the account's public one. */
function blobService(s: { endpointUrl?: string; connectionString?: string; accountName?: string }): string {
  if (s.endpointUrl?.trim()) return endpointIdentity(s.endpointUrl, 'https');
  const parts = connectionStringParts(s.connectionString);
  if (parts.get('usedevelopmentstorage') === 'true') return endpointIdentity('http://127.0.0.1:10000/devstoreaccount1', 'http');
  const blobEndpoint = parts.get('blobendpoint');
  if (blobEndpoint) return endpointIdentity(blobEndpoint, 'https');
  const account = (parts.get('accountname') ?? s.accountName ?? '').toLowerCase();
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  return endpointIdentity(`${account}.blob.${suffix}`, 'https');
}
