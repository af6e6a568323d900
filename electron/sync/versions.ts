// keepVersions (issue 11 part 6): an overwrite or a delete at the target keeps the previous version,
// so a bad source change can be undone.
//
// Two ways, chosen by what the target provider can do, never by its name:
// - bucket versioning (providers with `versioning`: S3, MinIO, GCS): the service keeps noncurrent
//   versions itself. The run checks before anything is listed that the bucket has it enabled, and
//   refuses otherwise; it never turns it on for a bucket it did not create (versioning keeps every
//   old version, which costs the bucket's owner storage). A bucket the run creates
//   (createTargetBucket) is created with versioning on.
// - a versions folder (local folders, Azure, whose versioning is an account setting the data API
//   cannot read): before an object is replaced or deleted it is moved (`rename`: a local folder) or
//   copied inside the bucket (server-side where the provider can) to
//   `.cds-versions/<run start>/<its key>`, and only then replaced or deleted. If that fails, the
//   object fails and stays as it was.
//
// `.cds-versions/` at a bucket's root is reserved, whether or not a mapping keeps versions now (so
// turning keepVersions off never makes a mirror delete the history): target keys there are never
// listed, counted, compared or deleted, and a source key there, or one whose target key would be
// there, is never copied (the run says how many it left out). This file is the one place that knows.
import { StorageError, isStorageError } from '../providers/errors';
import type { BucketVersioning, ObjectInfo, StorageProvider } from '../providers/provider';
import type { RetryPolicy } from '../providers/retry';
import { ListingError } from './merge';
import { transferObject } from './transfer';

/** The reserved folder at a bucket's root. */
export const VERSIONS_FOLDER = '.cds-versions/';

/** True for a key (relative to the bucket root) inside the reserved folder. */
export function isVersionsKey(key: string): boolean {
  return key.startsWith(VERSIONS_FOLDER);
}

/** A listing without the keys `leaveOut` picks; each one left out is told to `onLeftOut`. */
export async function* withoutVersions(
  items: AsyncIterable<ObjectInfo>,
  leaveOut: (info: ObjectInfo) => boolean,
  onLeftOut?: (info: ObjectInfo) => void,
): AsyncIterable<ObjectInfo> {
  for await (const info of items) {
    if (!leaveOut(info)) yield info;
    else onLeftOut?.(info);
  }
}

/** The folder one run keeps versions in: `.cds-versions/2026-11-27T19-05-00.123Z/` (no ':' for Windows). */
export function versionsFolderOf(runStartedAt: number): string {
  return `${VERSIONS_FOLDER}${new Date(runStartedAt).toISOString().replace(/:/g, '-')}/`;
}

/** How a run keeps previous versions. */
export type VersionKeeping =
  /** The bucket keeps them: nothing to do per object. */
  | { kind: 'bucket'; bucket: string }
  /** Each object is moved or copied into `folder` (a key prefix at the bucket root) first. */
  | { kind: 'folder'; bucket: string; folder: string; how: 'rename' | 'copy' };

/** A keepVersions run that cannot keep versions: refused before anything is listed, copied or deleted. */
export class VersionsRefusedError extends Error {
  override readonly name = 'VersionsRefusedError';
}

export interface PrepareRequest {
  target: StorageProvider;
  bucket: string;
  targetPrefix: string;
  runStartedAt: number;
  /** False when the bucket does not exist yet (a dry run of createTargetBucket): nothing to ask. */
  bucketExists: boolean;
  signal?: AbortSignal;
}

/**
 * How this run keeps versions. Throws VersionsRefusedError when the bucket's versioning is not
 * enabled or cannot be read, and ListingError('target', NotFound) for a bucket that does not exist
 * (so the run names it as a failed listing would).
 */
export async function prepareVersions(req: PrepareRequest): Promise<VersionKeeping> {
  const { target, bucket } = req;
  if (isVersionsKey(req.targetPrefix)) {
    throw new VersionsRefusedError(`the target prefix "${req.targetPrefix}" is inside ${VERSIONS_FOLDER}, the folder reserved for kept versions. Nothing was copied or deleted.`);
  }
  if (!target.versioning) return { kind: 'folder', bucket, folder: versionsFolderOf(req.runStartedAt), how: target.rename ? 'rename' : 'copy' };
  if (!req.bucketExists) return { kind: 'bucket', bucket };
  let status: BucketVersioning;
  try {
    status = await target.versioning(bucket, req.signal);
  } catch (err) {
    if (isStorageError(err, 'NotFound')) throw new ListingError('target', err);
    if (req.signal?.aborted) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new VersionsRefusedError(
      `keepVersions: the versioning of target bucket "${bucket}" could not be read (${why}); this server may not support bucket versioning. Nothing was copied or deleted.`,
      { cause: err },
    );
  }
  if (status === 'enabled') return { kind: 'bucket', bucket };
  throw new VersionsRefusedError(
    `keepVersions: target bucket "${bucket}" does not keep previous versions (its versioning is ${status}). Nothing was copied or deleted. ` +
      `Enable versioning on the bucket (${enableHint(target.type, bucket)}) or turn keepVersions off. ` +
      'This app never changes the settings of a bucket it did not create: versioning keeps every old version, which costs storage.',
  );
}

/** How to turn versioning on, per service, for the refusal's message. */
function enableHint(type: StorageProvider['type'], bucket: string): string {
  switch (type) {
    case 'aws':
      return `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled, or the S3 console: Properties, Bucket Versioning`;
    case 'minio':
      return `mc version enable ALIAS/${bucket}; MinIO keeps versions only on erasure-coded storage`;
    case 'gcs':
      return `gcloud storage buckets update gs://${bucket} --versioning`;
    default:
      return "in the service's console";
  }
}

export interface KeepRequest {
  target: StorageProvider;
  keeping: Extract<VersionKeeping, { kind: 'folder' }>;
  /** The object's full key in the target bucket. */
  key: string;
  /** What the target listing said about it; absent (a planned delete): asked for with a HEAD when copying. */
  listed?: ObjectInfo;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

/**
 * Keeps the object now at `key` as `<folder><key>`. False when it is gone since it was listed (there
 * is nothing to keep, nor to replace). Any other failure is thrown, and the caller must then leave
 * the object as it is.
 */
export async function keepVersion(req: KeepRequest): Promise<boolean> {
  const { target, keeping, key } = req;
  const versionKey = keeping.folder + key;
  try {
    if (keeping.how === 'rename') {
      await target.rename!(keeping.bucket, key, versionKey, req.signal);
      return true;
    }
    const listed = req.listed ?? (await target.head(keeping.bucket, key, req.signal));
    if (listed === null) return false;
    // A copy inside the bucket, server-side where the provider can (Azure), verified and retried as any copy.
    await transferObject({ source: target, target, sameConnection: true, sourceBucket: keeping.bucket, sourceKey: key, targetBucket: keeping.bucket, targetKey: versionKey, listed, retry: req.retry, signal: req.signal });
    return true;
  } catch (err) {
    if (isStorageError(err, 'NotFound')) return false;
    throw new StorageError(isStorageError(err) ? err.code : 'Fatal', `could not keep its previous version as ${versionKey}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
