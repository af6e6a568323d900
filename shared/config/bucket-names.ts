// Bucket (container, folder) name rules of each provider type.
import type { ProviderType } from '../model';
import { describe } from './report';

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
