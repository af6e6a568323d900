// The fault suite on S3, on both implementations: s3rver and moto's server.
// s3rver cannot list open multipart uploads (ListMultipartUploads answers NotImplemented), so the
// "nothing left open" check runs on moto only.
import { describe } from 'vitest';
import { createS3Provider } from '../../electron/providers/s3';
import { s3OpenUploads } from '../support/invariants';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { describeFaultSuite, type FaultyService } from './fault-scenarios';

const MiB = 1024 * 1024;
/** Small parts, so the 20 MB object goes up in four parts. */
const PARTS = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };

function s3Service(label: string, server: S3TestServer): FaultyService {
  const settings = (origin: string) => ({ ...awsSettingsFor(server), endpoint: origin });
  return {
    label,
    kind: 's3',
    upstream: server.endpoint,
    provider: (origin) => createS3Provider(settings(origin), PARTS),
    largeBytes: 20 * MiB,
    openUploads: (bucket) => s3OpenUploads(awsSettingsFor(server), bucket),
    // Neither server checks SigV4 signatures, so the proxy may shorten listing pages.
    unsignedQueries: true,
    stop: () => server.stop(),
  };
}

describe('fault suite: S3 (s3rver)', () => {
  describeFaultSuite(async () => s3Service('s3rver', await startS3Server()), 5_301);
});

describe('fault suite: S3 (moto)', () => {
  describeFaultSuite(async () => s3Service('moto', await startMotoServer()), 5_302);
});
