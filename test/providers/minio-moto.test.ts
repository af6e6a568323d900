// The provider conformance suite for minio against moto, the second S3 implementation (see moto-server.ts).
import { afterAll, beforeAll } from 'vitest';
import { createMinioProvider } from '../../electron/providers/minio';
import { minioSettingsFor, type S3TestServer } from '../support/s3-server';
import { startMotoServer } from '../support/moto-server';
import { conformanceTarget, describeProviderConformance } from './conformance';
import { describeS3Integrity } from './s3-integrity';

let server: S3TestServer;
beforeAll(async () => {
  server = await startMotoServer();
});
afterAll(async () => {
  await server?.stop();
});

describeProviderConformance('minio on moto', async () => conformanceTarget(createMinioProvider(minioSettingsFor(server)), 'minio-moto-'));
describeS3Integrity('minio on moto', {
  server: () => server,
  create: (s, options) => createMinioProvider(minioSettingsFor(s), options),
  traits: { multipartEtags: true, partNumberHead: true, uploadPartCopy: true, checksContentMd5: false },
});
