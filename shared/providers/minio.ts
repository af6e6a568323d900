// MinIO and other S3-compatible servers addressed as host:port, through the MinIO client.
import { PLACEHOLDER_PREFIX } from '../config/defaults';
import { endpointIdentity, hostPortProblem, SCHEME } from '../config/endpoints';
import { describe } from '../config/report';
import { regionProblem, S3_BUCKET_RULES } from './common';
import { defineProvider, type SettingsOf } from './descriptor';

export const minioProvider = defineProvider({
  type: 'minio',
  label: 'MinIO / S3-compatible',
  blurb: 'A MinIO server or another S3-compatible service.',
  aliases: ['s3'],
  fields: {
    endpoint: {
      kind: 'text',
      label: 'Server',
      // host:port, as in the original tool (no scheme)
      required: 'the MinIO server as host:port, e.g. "localhost:9000"',
      placeholder: 'localhost:9000',
      help: 'host:port of the server, without http:// — tick "Use HTTPS" for a TLS server.',
      check: (endpoint) => {
        const scheme = SCHEME.exec(endpoint);
        if (scheme) {
          const https = scheme[1]?.toLowerCase() === 'https';
          const rest = endpoint.slice(scheme[0].length).replace(/\/+$/, '');
          return `must be host:port without a scheme: write "${rest}" and set "useSSL": ${https} instead of "${scheme[0]}"`;
        }
        if (endpoint.includes('/')) return `must be host:port without a path (got ${describe(endpoint)})`;
        return hostPortProblem(endpoint);
      },
    },
    accessKey: { kind: 'text', label: 'Access key', required: 'the MinIO access key (user name)', help: 'The user name or access key of the server.' },
    secretKey: {
      kind: 'text',
      secret: true,
      label: 'Secret key',
      required: 'the MinIO secret key (password)',
      help: 'The password or secret key. Stored encrypted; never shown again here.',
    },
    useSSL: { kind: 'checkbox', label: 'Use HTTPS', help: 'Connect over TLS.' },
    region: { kind: 'text', label: 'Region', placeholder: 'us-east-1', help: 'Only if the server is configured with a region. Usually empty.', check: regionProblem },
  },
  buckets: { noun: 'MinIO bucket name', rules: S3_BUCKET_RULES },
  whereabouts: { kind: 'service', field: 'endpoint', service: (s) => endpointIdentity(s.endpoint, s.useSSL ? 'https' : 'http') },
  summary: (s) => `${s.useSSL ? 'https' : 'http'}://${s.endpoint}`,
  logo: [
    ['rect', { x: 3, y: 3, width: 18, height: 18, rx: 4, fill: '#c72c48' }],
    ['path', { d: 'M7 17V8l5 5 5-5v9', fill: 'none', stroke: '#fff', strokeWidth: 2, strokeLinejoin: 'round', strokeLinecap: 'round' }],
  ],
  target: { storageClasses: ['STANDARD', 'REDUCED_REDUNDANCY'], encryption: 'sse' },
  sample: {
    name: 'MinIO on this machine',
    settings: { endpoint: 'localhost:9000', accessKey: `${PLACEHOLDER_PREFIX}MINIO_ACCESS_KEY`, secretKey: `${PLACEHOLDER_PREFIX}MINIO_SECRET_KEY`, useSSL: false },
  },
});

export type MinioSettings = SettingsOf<typeof minioProvider.fields>;
