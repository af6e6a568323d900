// Presigned GETs of S3 objects, for a target that fetches them itself (Azure's Put Blob From URL,
// issue 15). Its own module so the presigner is loaded only when a copy-from-URL needs it (s3.ts
// imports it dynamically): the CLI's start does not pay for it.
//
// The URL is a credential until it expires: callers never log it. It names no version: a presigned
// GET cannot carry If-Match (the fetching service sends no header of ours), so the target's MD5 or
// multipart-ETag check is what catches an object that changed after it was listed.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedRead } from './provider';

/** SigV4 presigned URLs live at most 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * A GET of `bucket/key` signed with the client's credentials for `ttlSeconds` (at most 7 days).
 * Temporary credentials (a role, SSO) stop the URL working when they expire, whatever the TTL.
 */
export async function presignGet(client: S3Client, bucket: string, key: string, ttlSeconds: number): Promise<PresignedRead> {
  const expiresIn = Math.max(1, Math.min(Math.floor(ttlSeconds), MAX_PRESIGN_SECONDS));
  const signedAt = Date.now();
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
  return { url, expiresAt: signedAt + expiresIn * 1000 };
}
