// What a mapping asks of the objects it writes: storage class and server-side encryption, checked
// against the target service's descriptor (shared/providers/<type>.ts, `target`), and keepVersions.
import type { ProviderType, TargetEncryption } from '../model';
import { descriptorOf } from '../providers';
import { asFields, describe, quoteList, type Fields } from './report';

export interface TargetSettings {
  targetStorageClass?: string;
  targetEncryption?: TargetEncryption;
  keepVersions?: boolean;
}

/**
 * Reads targetStorageClass, targetEncryption and keepVersions of a mapping entry whose target is a
 * connection of `targetType` (undefined when the target connection is unknown: only the shapes are
 * checked). Only fields that ask for something are returned.
 */
export function readTargetSettings(f: Fields, targetType: ProviderType | undefined): TargetSettings {
  const out: TargetSettings = {};
  const target = targetType && descriptorOf(targetType);
  const options = target ? target.target : undefined;
  const noun = target ? targetNoun(target.label) : '';

  const storageClass = f.string('targetStorageClass');
  if (storageClass !== undefined && target) {
    if (!options) f.error('targetStorageClass', `is not supported: ${noun} has no storage classes; remove it`);
    else {
      // Services spell classes differently (STANDARD_IA, Cool): any case is read as the service's spelling.
      const match = options.storageClasses.find((c) => c.toLowerCase() === storageClass.trim().toLowerCase());
      if (match) out.targetStorageClass = match;
      else f.error('targetStorageClass', `must be one of ${quoteList(options.storageClasses)} for ${noun} (got ${describe(storageClass)})`);
    }
  } else if (storageClass !== undefined) out.targetStorageClass = storageClass.trim();

  const encryption = readEncryption(f, targetType);
  if (encryption) out.targetEncryption = encryption;

  if (f.bool('keepVersions') === true) out.keepVersions = true;
  return out;
}

/** "an Amazon S3 target", "a local folder target". */
function targetNoun(label: string): string {
  return `${/^[AEIOU]/i.test(label) ? 'an' : 'a'} ${label} target`;
}

const ENCRYPTION_HELP: Record<'sse' | 'kmsKeyName' | 'encryptionScope', string> = {
  sse: '{ "sse": "AES256" } or { "sse": "aws:kms", "kmsKeyId": "<key id or ARN, optional>" }',
  kmsKeyName: '{ "kmsKeyName": "projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>" }',
  encryptionScope: '{ "encryptionScope": "<scope name>" }',
};

const GCS_KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

function readEncryption(mapping: Fields, targetType: ProviderType | undefined): TargetEncryption | undefined {
  const value = mapping.get('targetEncryption');
  if (value === undefined) return undefined;
  const f = asFields(mapping.report, value, mapping.at('targetEncryption'));
  if (!f) return undefined;
  const target = targetType && descriptorOf(targetType);
  const form = target ? target.target?.encryption : undefined;
  if (target && !form) {
    mapping.error('targetEncryption', `is not supported: ${targetNoun(target.label)} has no server-side encryption settings; remove it`);
    f.finish('error');
    return undefined;
  }
  // A misspelt key would write unencrypted objects: refused, like the mapping's own unknown keys.
  const finish = (encryption: TargetEncryption | undefined): TargetEncryption | undefined => {
    f.finish('error');
    return encryption;
  };
  const shape = form ?? (f.has('sse') ? 'sse' : f.has('kmsKeyName') ? 'kmsKeyName' : f.has('encryptionScope') ? 'encryptionScope' : undefined);
  if (shape === undefined) {
    mapping.error('targetEncryption', `must be one of ${Object.values(ENCRYPTION_HELP).join(', ')}`);
    return finish(undefined);
  }
  const help = `for ${target ? targetNoun(target.label) : 'this target'} write ${ENCRYPTION_HELP[shape]}`;
  if (shape === 'sse') {
    const sse = f.oneOf('sse', ['AES256', 'aws:kms'] as const);
    const kmsKeyId = f.string('kmsKeyId');
    if (sse === undefined) {
      if (!f.has('sse')) f.error('sse', `is required: ${help}`);
      return finish(undefined);
    }
    if (sse === 'AES256') {
      if (kmsKeyId !== undefined) f.error('kmsKeyId', 'needs "sse": "aws:kms" (a KMS key does not apply to SSE-S3)');
      return finish({ sse });
    }
    return finish(kmsKeyId === undefined ? { sse } : { sse, kmsKeyId: kmsKeyId.trim() });
  }
  if (shape === 'kmsKeyName') {
    const kmsKeyName = f.string('kmsKeyName', `is required: ${help}`);
    if (kmsKeyName !== undefined && !GCS_KMS_KEY.test(kmsKeyName.trim())) {
      f.error('kmsKeyName', `must be a Cloud KMS key name such as "projects/my-project/locations/europe-west1/keyRings/my-ring/cryptoKeys/my-key" (got ${describe(kmsKeyName)})`);
      return finish(undefined);
    }
    return finish(kmsKeyName === undefined ? undefined : { kmsKeyName: kmsKeyName.trim() });
  }
  const encryptionScope = f.string('encryptionScope', `is required: ${help}`);
  return finish(encryptionScope === undefined ? undefined : { encryptionScope: encryptionScope.trim() });
}
