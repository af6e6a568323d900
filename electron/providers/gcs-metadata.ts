// GCS object resources ↔ ObjectInfo, and the resource sent with an upload.
import type { FileMetadata } from '@google-cloud/storage';
import { StorageError } from './errors';
import type { Checksums, ObjectInfo, ObjectMetadata, TargetObjectOptions } from './provider';

/**
 * The ObjectInfo etag of a GCS object is its `generation`: GCS gives every new content of a name a
 * new generation (an upload, a rewrite, a compose), while metadata edits only bump `metageneration`.
 * The resource's `etag` field changes with both, so a metadata-only change (an ACL update, a label)
 * would make the engine copy unchanged bytes again; and the generation is the value preconditions
 * take (ifGenerationMatch, ifSourceGenerationMatch), so the version we compare is the one we can pin.
 * Upload responses, object GETs and listings all carry it, as the same string.
 */
export function versionTag(resource: FileMetadata): string {
  return resource.generation === undefined ? '' : String(resource.generation);
}

/** Lower-case hex of a base64 `md5Hash`; undefined when absent (composite objects) or malformed. */
export function md5HexFromBase64(md5Hash: string | undefined): string | undefined {
  if (!md5Hash) return undefined;
  const bytes = Buffer.from(md5Hash, 'base64');
  return bytes.length === 16 && bytes.toString('base64') === md5Hash ? bytes.toString('hex') : undefined;
}

/** ObjectInfo from an object resource (listing item, metadata GET, upload or rewrite response). */
export function objectInfo(key: string, resource: FileMetadata): ObjectInfo {
  const info: ObjectInfo = {
    key,
    size: Number(resource.size ?? 0),
    etag: versionTag(resource),
    md5: md5HexFromBase64(resource.md5Hash),
    lastModified: resource.updated ? Date.parse(resource.updated) : 0,
  };
  // Every GCS object has a CRC32C, composite objects (which have no MD5) included.
  if (resource.crc32c) info.checksums = { crc32c: resource.crc32c };
  if (resource.contentType) info.contentType = resource.contentType;
  if (resource.cacheControl) info.cacheControl = resource.cacheControl;
  if (resource.contentEncoding) info.contentEncoding = resource.contentEncoding;
  if (resource.contentDisposition) info.contentDisposition = resource.contentDisposition;
  info.metadata = userMetadata(resource.metadata);
  if (resource.storageClass) info.storageClass = resource.storageClass;
  // GCS answers the key version that encrypted the object: the key is the name without it.
  if (resource.kmsKeyName) info.encryption = { kmsKeyName: resource.kmsKeyName.replace(/\/cryptoKeyVersions\/[^/]+$/, '') };
  return info;
}

/**
 * The storage class and Cloud KMS key of a write or rewrite. Encryption must be GCS's form
 * ({ kmsKeyName }): another is a programming error (the config reader refuses it).
 */
export function gcsTarget(options: TargetObjectOptions, what: string): { storageClass?: string; kmsKeyName?: string } {
  const target: { storageClass?: string; kmsKeyName?: string } = {};
  if (options.storageClass) target.storageClass = options.storageClass;
  if (options.encryption) {
    if (!('kmsKeyName' in options.encryption)) throw new StorageError('Fatal', `${what}: ${JSON.stringify(options.encryption)} is not a GCS encryption setting (expected { "kmsKeyName": "projects/…/cryptoKeys/…" })`);
    target.kmsKeyName = options.encryption.kmsKeyName;
  }
  return target;
}

/** User metadata with lower-case names (the interface's rule); GCS keeps names as given. */
function userMetadata(metadata: FileMetadata['metadata']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (value !== null && value !== undefined) out[name.toLowerCase()] = String(value);
  }
  return out;
}

/**
 * The object resource of an upload. With a known MD5 the resource carries `md5Hash`, and with the
 * source's CRC32C `crc32c`, so GCS itself refuses to commit bytes that do not match (the SDK's own
 * check runs only after the commit, and on a mismatch deletes the object, which would lose the
 * previous version too).
 */
export function uploadResource(options: ObjectMetadata & { md5?: string; crc32c?: string; storageClass?: string }): FileMetadata {
  const resource: FileMetadata = {};
  if (options.contentType) resource.contentType = options.contentType;
  if (options.cacheControl) resource.cacheControl = options.cacheControl;
  if (options.contentEncoding) resource.contentEncoding = options.contentEncoding;
  if (options.contentDisposition) resource.contentDisposition = options.contentDisposition;
  if (options.metadata && Object.keys(options.metadata).length > 0) resource.metadata = { ...options.metadata };
  if (options.md5) resource.md5Hash = Buffer.from(options.md5, 'hex').toString('base64');
  if (options.crc32c) resource.crc32c = options.crc32c;
  if (options.storageClass) resource.storageClass = options.storageClass;
  return resource;
}

/**
 * The source's CRC32C from WriteOptions.checksums, checked to be what GCS takes (base64 of the 4
 * big-endian bytes); undefined when the source declared none.
 */
export function expectedCrc32c(checksums: Checksums | undefined, what: string): string | undefined {
  const value = checksums?.crc32c;
  if (value === undefined) return undefined;
  if (Buffer.from(value, 'base64').length !== 4 || Buffer.from(value, 'base64').toString('base64') !== value) {
    throw new StorageError('Fatal', `${what}: options.checksums.crc32c must be base64 of 4 bytes, got "${value}"`);
  }
  return value;
}
