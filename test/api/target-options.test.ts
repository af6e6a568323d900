// targetStorageClass and targetEncryption through the API: a local target takes neither (refused at
// the field), and a mapping from a local folder to moto writes objects with the class and encryption
// it names, as a HEAD on moto shows; the run's log says what they get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Provider } from '../../electron/providers/s3';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
import { localApi } from './local-api';

describe('api: targetStorageClass and targetEncryption', () => {
  let moto: S3TestServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('a local target takes no storage class and no encryption: refused naming the field', async () => {
    const { fail, input } = await localApi();
    expect(await fail('mappings.create', input({ targetStorageClass: 'STANDARD_IA' }))).toMatchObject({ code: 'InvalidArgument', field: 'targetStorageClass' });
    expect(await fail('mappings.create', input({ targetEncryption: { sse: 'AES256' } }))).toMatchObject({ code: 'InvalidArgument', field: 'targetEncryption' });
  });

  it('a run to moto writes the class and SSE-KMS asked for, and logs them', async () => {
    const { call, fail, input, finishedRun } = await localApi();
    const s3 = createS3Provider(awsSettingsFor(moto));
    await s3.createBucket('api-target');
    try {
      const { id: targetConnectionId } = await call('connections.create', {
        name: 'moto', type: 'aws', aws: { region: 'us-east-1', endpoint: moto.endpoint, accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
      });
      // Azure's spelling of a class is not S3's.
      expect(await fail('mappings.create', input({ targetConnectionId, targetBucket: 'api-target', targetStorageClass: 'Cool' }))).toMatchObject({ field: 'targetStorageClass' });
      const created = await call('mappings.create', input({ targetConnectionId, targetBucket: 'api-target', targetStorageClass: 'ONEZONE_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'api-key' } }));
      expect(created).toMatchObject({ targetStorageClass: 'ONEZONE_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'api-key' } });
      const line = 'Objects written to the target get storage class ONEZONE_IA and SSE-KMS encryption (key api-key; ETags are not MD5s, so the bytes are checked by Content-MD5 on upload)';
      // The preview says it too, and writes nothing.
      expect(await call('mappings.preview', { id: created.id })).toMatchObject({ status: 'success', copies: 2, targetOptions: line });
      expect((await s3.listPage('api-target', '', null)).items).toEqual([]);
      expect(await call('mappings.preview', { input: input() })).not.toHaveProperty('targetOptions');
      const run = await finishedRun(created.id);
      expect(run.status, run.firstError ?? '').toBe('success');
      for (const key of ['a.jpg', 'b/1.jpg']) {
        expect(await s3.head('api-target', key)).toMatchObject({ storageClass: 'ONEZONE_IA', encryption: { sse: 'aws:kms', kmsKeyId: 'api-key' } });
      }
      const logs = await call('logs.query', { mappingId: created.id, text: 'Objects written to the target' });
      // Once for the preview's dry run, once for the run.
      expect(logs.map((l) => l.message)).toEqual([line, line]);
    } finally {
      await s3.close();
    }
  });
});
