import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalProvider } from '../../electron/providers/local';
import { describeProviderConformance } from './conformance';

describeProviderConformance('local', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'cds-local-conformance-'));
  const provider = createLocalProvider({ root });
  let n = 0;
  return {
    provider,
    newBucket: async () => {
      const bucket = `bucket-${++n}`;
      await provider.createBucket(bucket);
      return bucket;
    },
    teardown: async () => {
      await provider.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
