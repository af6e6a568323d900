// Google Cloud Storage, through a service-account key (pasted or a file) or the machine's credentials.
import { PLACEHOLDER_PREFIX } from '../config/defaults';
import { endpointIdentity, endpointProblem } from '../config/endpoints';
import { isObject } from '../config/report';
import { EDGES_ALNUM, IP_LIKE } from './common';
import { defineProvider, type SettingsOf } from './descriptor';

const GOOGLE_STORAGE = 'storage.googleapis.com:443';

export const gcsProvider = defineProvider({
  type: 'gcs',
  label: 'Google Cloud Storage',
  blurb: 'Buckets in Google Cloud.',
  aliases: ['gcp', 'google'],
  fields: {
    projectId: {
      kind: 'text',
      label: 'Project ID',
      placeholder: 'my-project-123456',
      help: 'The Google Cloud project that owns the buckets (listing buckets needs it).',
    },
    credentialsJson: {
      kind: 'multiline',
      secret: true,
      label: 'Service-account key (JSON)',
      placeholder: '{ "type": "service_account", … }',
      help: 'Paste the contents of a service-account key file (IAM → Service accounts → Keys). Stored encrypted. Leave empty to use a key file or this machine’s default Google credentials.',
      check: (v) => (isObject(tryParseJson(v)) ? null : 'must hold the service-account key file contents as a JSON object string'),
    },
    keyFile: { kind: 'text', label: 'Key file path', placeholder: '/home/me/key.json', help: 'Instead of pasting: the path of the key file on this machine.' },
    apiEndpoint: {
      kind: 'text',
      label: 'API endpoint',
      placeholder: 'https://storage.googleapis.com',
      help: 'Only for emulators or private endpoints. Leave empty.',
      check: (v) => endpointProblem(v, 'optional'),
    },
  },
  rules: (s, name) =>
    s.keyFile !== undefined && s.credentialsJson !== undefined
      ? [{ level: 'error', field: 'credentialsJson', message: `must be left out with ${name('keyFile')}: give either ${name('keyFile')} or ${name('credentialsJson')}, not both` }]
      : [],
  buckets: {
    noun: 'GCS bucket name',
    rules: [
      [(n) => n.length >= 3 && n.length <= (n.includes('.') ? 222 : 63), 'must be 3 to 63 characters long (up to 222 if it contains dots)'],
      [(n) => /^[a-z0-9._-]+$/.test(n), 'may contain only lowercase letters, digits, dots, hyphens and underscores'],
      EDGES_ALNUM,
      [(n) => n.split('.').every((part) => part.length <= 63), 'each dot-separated part must be at most 63 characters long'],
      [(n) => !IP_LIKE.test(n), 'must not look like an IP address'],
      [(n) => !n.startsWith('goog') && !n.includes('google'), 'must not start with "goog" or contain "google"'],
    ],
  },
  whereabouts: {
    kind: 'service',
    field: 'apiEndpoint',
    service: (s) => (s.apiEndpoint?.trim() ? endpointIdentity(s.apiEndpoint, 'https') : GOOGLE_STORAGE),
  },
  summary: (s) => (s.projectId ? `Project ${s.projectId}` : (s.apiEndpoint ?? 'Default project')),
  logo: [
    ['path', { d: 'M7.2 3.5h9.6L21.6 12l-4.8 8.5H7.2L2.4 12z', fill: '#4285f4' }],
    ['rect', { x: 7.5, y: 8.5, width: 9, height: 2.6, rx: 0.6, fill: '#fff' }],
    ['rect', { x: 7.5, y: 12.9, width: 9, height: 2.6, rx: 0.6, fill: '#aecbfa' }],
  ],
  target: { storageClasses: ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'], encryption: 'kmsKeyName' },
  sample: {
    name: 'Google Cloud Storage',
    settings: { projectId: `${PLACEHOLDER_PREFIX}GCP_PROJECT_ID`, keyFile: `${PLACEHOLDER_PREFIX}PATH_TO_SERVICE_ACCOUNT_KEY_JSON` },
  },
});

export type GcsSettings = SettingsOf<typeof gcsProvider.fields>;

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
