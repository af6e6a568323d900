// The fault suite on GCS (the in-repo JSON-API test server). Resumable upload sessions point at the
// server's own URL; the proxy rewrites that Location so the chunks go through it too.
import { describe } from 'vitest';
import { createGcsProvider } from '../../electron/providers/gcs';
import { gcsSettingsFor, startGcsServer } from '../support/gcs-server';
import { describeFaultSuite } from './fault-scenarios';

const MiB = 1024 * 1024;

describe('fault suite: GCS (test server)', () => {
  describeFaultSuite(async () => {
    const server = await startGcsServer();
    return {
      label: 'GCS test server',
      kind: 'gcs',
      upstream: server.apiEndpoint,
      provider: (origin) => createGcsProvider({ ...gcsSettingsFor(server), apiEndpoint: origin }, { multipartThreshold: 5 * MiB, chunkSize: 1 * MiB }),
      largeBytes: 8 * MiB,
      openUploads: undefined,
      unsignedQueries: true,
      stop: () => server.stop(),
    };
  }, 5_304);
});
