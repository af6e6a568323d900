// Amazon S3, and other services that speak S3 through a custom endpoint (Ceph, Wasabi, R2, …).
import { DEFAULT_AWS_REGION, PLACEHOLDER_PREFIX } from '../config/defaults';
import { AWS_S3_SERVICE, endpointIdentity, endpointProblem } from '../config/endpoints';
import { REGION, regionProblem, S3_BUCKET_RULES } from './common';
import { defineProvider, type RuleIssue, type SettingsOf } from './descriptor';

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export const awsProvider = defineProvider({
  type: 'aws',
  label: 'Amazon S3',
  blurb: 'Buckets in Amazon Web Services.',
  aliases: ['s3'],
  fields: {
    region: {
      kind: 'text',
      label: 'Region',
      placeholder: 'us-east-1',
      help: `The AWS region of your buckets, e.g. "eu-west-1". Empty means ${DEFAULT_AWS_REGION}.`,
      check: regionProblem,
      default: DEFAULT_AWS_REGION,
    },
    accessKeyId: {
      kind: 'text',
      label: 'Access key ID',
      placeholder: 'AKIA…',
      help: 'From IAM → Users → Security credentials. Leave both keys empty to use the default AWS credentials of this machine (environment, ~/.aws, instance role).',
    },
    secretAccessKey: {
      kind: 'text',
      secret: true,
      label: 'Secret access key',
      help: 'Shown once by AWS when the access key was created. Stored encrypted; never shown again here.',
    },
    sessionToken: { kind: 'text', secret: true, label: 'Session token', help: 'Only for temporary credentials (STS, SSO). Leave empty for long-term keys.' },
    endpoint: {
      kind: 'text',
      label: 'Custom endpoint',
      placeholder: 'https://s3.example.com',
      help: 'Only for other S3-compatible services (Ceph, Wasabi, R2, …): the service URL. Leave empty for AWS.',
      check: (v) => endpointProblem(v, 'optional'),
    },
    forcePathStyle: {
      kind: 'checkbox',
      label: 'Path-style addressing',
      help: 'Address buckets as https://host/bucket instead of https://bucket.host. Most S3-compatible services need it.',
    },
    disableSSL: {
      kind: 'checkbox',
      label: 'Plain HTTP for an endpoint without scheme',
      help: 'When the custom endpoint is written as host:port, connect with http:// instead of https://.',
    },
    checksumMode: {
      kind: 'select',
      label: 'Checksums',
      help: 'When the client sends request checksums. Some S3-compatible services reject the newer checksums: choose "Only when required" for them.',
      // Not set: the SDK's default for AWS, WHEN_REQUIRED for a custom endpoint.
      options: [
        { value: '', label: 'Automatic' },
        { value: 'WHEN_SUPPORTED', label: 'Whenever supported' },
        { value: 'WHEN_REQUIRED', label: 'Only when required' },
      ],
    },
  },
  rules: (s, name) => {
    const issues: RuleIssue[] = [];
    const id = s.accessKeyId !== undefined;
    const secret = s.secretAccessKey !== undefined;
    if (id !== secret) {
      const [missing, present] = id ? ['secretAccessKey', 'accessKeyId'] : ['accessKeyId', 'secretAccessKey'];
      issues.push({ level: 'error', field: missing, message: `is required because ${name(present)} is set (give both, or neither to use the default AWS credential chain)` });
    }
    if (s.sessionToken !== undefined && !(id && secret)) {
      issues.push({ level: 'error', field: 'sessionToken', message: `needs ${name('accessKeyId')} and ${name('secretAccessKey')} too (a session token belongs to temporary keys)` });
    }
    const region = s.region;
    if (s.endpoint === undefined && region !== undefined && REGION.test(region) && !AWS_REGION.test(region)) {
      issues.push({ level: 'warn', field: 'region', message: `"${region}" does not look like an AWS region (e.g. "eu-west-1"); for another S3-compatible service set "${name('endpoint')}"` });
    }
    return issues;
  },
  buckets: { noun: 'S3 bucket name', rules: S3_BUCKET_RULES },
  whereabouts: {
    kind: 'service',
    field: 'endpoint',
    service: (s) => (s.endpoint?.trim() ? endpointIdentity(s.endpoint, s.disableSSL ? 'http' : 'https') : AWS_S3_SERVICE),
  },
  summary: (s) => s.endpoint || `AWS ${s.region ?? DEFAULT_AWS_REGION}${s.accessKeyId ? '' : ' · default credentials'}`,
  logo: [
    ['path', { d: 'M4 6h16l-2 13.5a1.5 1.5 0 0 1-1.5 1.3h-9A1.5 1.5 0 0 1 6 19.5z', fill: '#e25444' }],
    ['ellipse', { cx: 12, cy: 6, rx: 8, ry: 2.4, fill: '#7b1d13' }],
    ['path', { d: 'M6.6 11.5h10.8M7.1 15h9.8', stroke: '#fff', strokeWidth: 1.4, strokeLinecap: 'round', opacity: 0.85 }],
  ],
  target: {
    storageClasses: ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY'],
    encryption: 'sse',
  },
  sample: {
    name: 'Amazon S3',
    settings: { region: DEFAULT_AWS_REGION, accessKeyId: `${PLACEHOLDER_PREFIX}AWS_ACCESS_KEY_ID`, secretAccessKey: `${PLACEHOLDER_PREFIX}AWS_SECRET_ACCESS_KEY` },
  },
});

export type AwsSettings = SettingsOf<typeof awsProvider.fields>;
