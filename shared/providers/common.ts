// Rules that more than one provider's descriptor uses: S3 bucket names (AWS and MinIO), region names.
import { describe } from '../config/report';
import type { BucketRule } from './descriptor';

export const IP_LIKE = /^\d+\.\d+\.\d+\.\d+$/;
export const EDGES_ALNUM: BucketRule = [(n) => /^[a-z0-9](.*[a-z0-9])?$/s.test(n), 'must start and end with a lowercase letter or digit'];

export const S3_BUCKET_RULES: readonly BucketRule[] = [
  [(n) => n.length >= 3 && n.length <= 63, 'must be 3 to 63 characters long'],
  [(n) => /^[a-z0-9.-]+$/.test(n), 'may contain only lowercase letters, digits, dots and hyphens'],
  EDGES_ALNUM,
  [(n) => !n.includes('..'), 'must not contain two dots in a row'],
  [(n) => !IP_LIKE.test(n), 'must not look like an IP address'],
];

/** Region names of AWS and of S3-compatible services ("auto", "nyc3", "garage"): lowercase words. */
export const REGION = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;

export function regionProblem(region: string): string | null {
  return REGION.test(region) ? null : `must be a region name such as "us-east-1" (lowercase letters, digits and hyphens; got ${describe(region)})`;
}
