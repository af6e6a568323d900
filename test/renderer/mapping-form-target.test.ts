// The mapping form's bandwidth limit and target settings (storage class, encryption, kept versions):
// read by the config reader's own rules, so they are refused in the same words, checked against the
// target connection's service, and carried to MappingInput and back unchanged.
import { describe, expect, test } from 'vitest';
import { emptyMappingForm, formToMappingInput, mappingFormFieldOf, mappingToForm, validateMappingForm, type MappingFormState } from '../../renderer/views/mapping-form';
import type { ConnectionView } from '../../shared/contract';
import { localConnection, mapping } from './fixtures';

const s3: ConnectionView = { id: 's3', name: 'S3', type: 'aws', aws: { region: 'eu-west-1' } } as ConnectionView;
const connections = [localConnection('disk', 'Disk', '/data/a'), s3];

function form(patch: Partial<MappingFormState>): MappingFormState {
  return { ...emptyMappingForm(connections), sourceConnectionId: 'disk', targetConnectionId: 's3', sourceBucket: 'photos', targetBucket: 'backup-bucket', ...patch };
}

describe('mapping form: bandwidth limit and target settings', () => {
  test('a new form asks for nothing and sends none of the fields', () => {
    const f = form({});
    expect(validateMappingForm(f, connections)).toEqual({});
    const input = formToMappingInput(f);
    for (const key of ['bwLimit', 'targetStorageClass', 'targetEncryption', 'keepVersions']) expect(input).not.toHaveProperty(key);
  });

  test('sends each as the config file writes it, and shows a saved mapping the same way', () => {
    const f = form({ bwLimit: ' Mon-08:00,2M 19:00,off ', targetStorageClass: 'GLACIER_IR', targetEncryptionMode: 'aws:kms', targetEncryptionKey: 'alias/backup', keepVersions: true });
    expect(validateMappingForm(f, connections)).toEqual({});
    const fields = { bwLimit: 'Mon-08:00,2M 19:00,off', targetStorageClass: 'GLACIER_IR', targetEncryption: { sse: 'aws:kms' as const, kmsKeyId: 'alias/backup' }, keepVersions: true };
    expect(formToMappingInput(f)).toMatchObject(fields);
    const back = mappingToForm(mapping('m1', fields));
    expect(back).toMatchObject({ bwLimit: 'Mon-08:00,2M 19:00,off', targetStorageClass: 'GLACIER_IR', targetEncryptionMode: 'aws:kms', targetEncryptionKey: 'alias/backup', keepVersions: true });
    expect(formToMappingInput(form({ targetEncryptionMode: 'AES256', targetEncryptionKey: 'ignored' })).targetEncryption).toEqual({ sse: 'AES256' });
  });

  test('refuses a malformed limit and what the target service cannot take, at their fields', () => {
    expect(validateMappingForm(form({ bwLimit: 'fast' }), connections).bwLimit).toMatch(/^Bandwidth limit must be a rate such as "512K"/);
    expect(validateMappingForm(form({ targetStorageClass: 'NEARLINE' }), connections).targetStorageClass).toMatch(/^Storage class must be one of "STANDARD"/);
    expect(validateMappingForm(form({ targetEncryptionMode: 'kmsKeyName', targetEncryptionKey: 'k' }), connections).targetEncryptionMode).toMatch(/^Encryption /);
    const toDisk = form({ targetConnectionId: 'disk', targetBucket: 'backup', targetStorageClass: 'STANDARD' });
    expect(validateMappingForm(toDisk, connections).targetStorageClass).toMatch(/no storage classes/);
  });

  test('server errors at these fields land on their form fields', () => {
    expect(mappingFormFieldOf('bwLimit')).toBe('bwLimit');
    expect(mappingFormFieldOf('targetEncryption.kmsKeyId')).toBe('targetEncryptionMode');
    expect(mappingFormFieldOf('keepVersions')).toBe('keepVersions');
  });
});
