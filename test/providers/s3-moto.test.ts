// The provider conformance suite for s3 against moto, the second S3 implementation (see moto-server.ts).
import { afterAll, beforeAll } from 'vitest';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
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

describeProviderConformance('s3 on moto', async () => conformanceTarget(createS3Provider(awsSettingsFor(server)), 's3-moto-'));
describeS3Integrity('s3 on moto', {
  server: () => server,
  create: (s, options) => createS3Provider(awsSettingsFor(s), options),
  traits: { multipartEtags: true, partNumberHead: true, uploadPartCopy: true },
});
