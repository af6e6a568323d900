// What a write or copy asks of the S3 object it makes (storage class, server-side encryption, tags),
// as the AWS SDK's parameters (s3.ts) and as request headers (minio.ts), and what a HEAD says back.
import type { StorageClass } from '@aws-sdk/client-s3';
import type { TargetEncryption } from '../../shared/model';
import { StorageError } from './errors';
import { checkTags, s3TaggingHeader } from './object-tags';
import type { ObjectTags, TargetObjectOptions } from './provider';

/** The SDK's names for the x-amz-storage-class, x-amz-server-side-encryption(-aws-kms-key-id) and x-amz-tagging headers. */
export interface S3TargetParams {
  StorageClass?: StorageClass;
  ServerSideEncryption?: 'AES256' | 'aws:kms';
  SSEKMSKeyId?: string;
  Tagging?: string;
}

/**
 * The parameters for `options`; a tag S3 cannot store fails (checkTags). Encryption must be the S3
 * form ({ sse }): another service's form is a programming error (the config reader refuses it).
 */
export function s3TargetParams(options: TargetObjectOptions & { tags?: ObjectTags }, what: string): S3TargetParams {
  const params: S3TargetParams = {};
  // The descriptor lists the classes a mapping may name; S3 itself refuses any other (InvalidStorageClass).
  if (options.storageClass) params.StorageClass = options.storageClass as StorageClass;
  const encryption = options.encryption;
  if (encryption) {
    if (!('sse' in encryption)) throw new StorageError('Fatal', `${what}: ${JSON.stringify(encryption)} is not an S3 encryption setting (expected { "sse": "AES256" } or { "sse": "aws:kms" })`);
    params.ServerSideEncryption = encryption.sse;
    if (encryption.sse === 'aws:kms' && encryption.kmsKeyId) params.SSEKMSKeyId = encryption.kmsKeyId;
  }
  const tagging = s3TaggingHeader(checkTags('s3', options.tags, what));
  if (tagging) params.Tagging = tagging;
  return params;
}

/** The same as request headers. */
export function s3TargetHeaders(options: TargetObjectOptions & { tags?: ObjectTags }, what: string): Record<string, string> {
  const params = s3TargetParams(options, what);
  const headers: Record<string, string> = {};
  if (params.StorageClass) headers['x-amz-storage-class'] = params.StorageClass;
  if (params.ServerSideEncryption) headers['x-amz-server-side-encryption'] = params.ServerSideEncryption;
  if (params.SSEKMSKeyId) headers['x-amz-server-side-encryption-aws-kms-key-id'] = params.SSEKMSKeyId;
  if (params.Tagging) headers['x-amz-tagging'] = params.Tagging;
  return headers;
}

/** True for SSE-KMS: the ETag of what is written is not an MD5, so only Content-MD5 lets S3 check the bytes it receives. */
export function etagIsNotMd5(options: TargetObjectOptions): boolean {
  const encryption = options.encryption;
  return encryption !== undefined && 'sse' in encryption && encryption.sse === 'aws:kms';
}

/** A HEAD's x-amz-server-side-encryption (and KMS key id) as a TargetEncryption; undefined for none or an unknown kind. */
export function reportedEncryption(serverSide: string | undefined, kmsKeyId: string | undefined): TargetEncryption | undefined {
  const sse = serverSide?.trim();
  if (sse === 'AES256') return { sse };
  if (sse === 'aws:kms') return kmsKeyId ? { sse, kmsKeyId } : { sse };
  return undefined;
}

/**
 * A HEAD's x-amz-tagging-count: AWS sends it only for an object that has tags, so its absence
 * means none (s3rver never sends it; docs/metadata-fidelity.md says what that costs there).
 */
export function reportedTagCount(count: number | string | undefined): number {
  const n = Number(count ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
