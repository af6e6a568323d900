// What a mapping asks of the objects it writes (targetStorageClass, targetEncryption): checked against
// the target service's descriptor for library callers (config files and the API are checked when
// read), and said in words for the run log.
import type { Mapping, ProviderType, TargetEncryption } from '../../shared/model';
import { descriptorOf } from '../../shared/providers';
import type { TargetObjectOptions } from '../providers/provider';

/**
 * Classes whose objects cannot be read back at once (S3 GLACIER and DEEP_ARCHIVE, Azure Archive: a
 * restore first) or only at a retrieval fee with a long minimum term (GCS ARCHIVE). The engine never
 * reads a target object's bytes after the write (its checks use what the write answered), so they
 * work as sync targets; restoring is the user's business.
 */
const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE', 'Archive', 'ARCHIVE']);

/**
 * The mapping's target options for the providers; throws when the target service cannot take them
 * (a class it does not have, another service's encryption form, any option on a local folder).
 */
export function targetObjectOptions(mapping: Mapping, targetType: ProviderType): TargetObjectOptions {
  const options: TargetObjectOptions = {};
  const storageClass = mapping.targetStorageClass ?? undefined;
  const encryption = mapping.targetEncryption ?? undefined;
  if (storageClass === undefined && encryption === undefined) return options;
  const descriptor = descriptorOf(targetType);
  const takes = descriptor.target;
  if (storageClass !== undefined) {
    if (!takes?.storageClasses.includes(storageClass)) {
      const known = takes ? `one of ${takes.storageClasses.join(', ')}` : 'absent: it has no storage classes';
      throw new Error(`targetStorageClass "${storageClass}" cannot be used with a ${descriptor.label} target (must be ${known})`);
    }
    options.storageClass = storageClass;
  }
  if (encryption !== undefined) {
    if (!takes || encryptionForm(encryption) !== takes.encryption) {
      throw new Error(`targetEncryption ${JSON.stringify(encryption)} cannot be used with a ${descriptor.label} target`);
    }
    options.encryption = encryption;
  }
  return options;
}

function encryptionForm(encryption: TargetEncryption): 'sse' | 'kmsKeyName' | 'encryptionScope' {
  return 'sse' in encryption ? 'sse' : 'kmsKeyName' in encryption ? 'kmsKeyName' : 'encryptionScope';
}

/** The run log's words for the options, or null when the bucket's defaults apply. */
export function targetOptionsText(options: TargetObjectOptions): string | null {
  const parts: string[] = [];
  if (options.storageClass) {
    const archive = ARCHIVE_CLASSES.has(options.storageClass) ? ' (an archive class: objects are never read back after they are written)' : '';
    parts.push(`storage class ${options.storageClass}${archive}`);
  }
  if (options.encryption) parts.push(encryptionText(options.encryption));
  return parts.length === 0 ? null : `Objects written to the target get ${parts.join(' and ')}`;
}

function encryptionText(encryption: TargetEncryption): string {
  if ('sse' in encryption) {
    if (encryption.sse === 'AES256') return 'SSE-S3 encryption (AES256)';
    // The ETag under SSE-KMS is no MD5: s3.ts sends a Content-MD5 with every request or part instead.
    return `SSE-KMS encryption (${encryption.kmsKeyId ? `key ${encryption.kmsKeyId}` : "the account's default key"}; ETags are not MD5s, so the bytes are checked by Content-MD5 on upload)`;
  }
  if ('kmsKeyName' in encryption) return `Cloud KMS encryption with key ${encryption.kmsKeyName}`;
  return `encryption scope ${encryption.encryptionScope}`;
}

/** The run's closing warning when objects lost their tags on the way, or null. */
export function droppedTagsText(count: number, targetType: ProviderType): string | null {
  if (count === 0) return null;
  const label = descriptorOf(targetType).label;
  return `${count} object(s) had tags that ${label} cannot store (${label} objects have no tags); they were copied without them`;
}
