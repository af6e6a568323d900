import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalProvider } from '../../electron/providers/local';
import { conformanceTarget, describeProviderConformance } from './conformance';

describeProviderConformance('local', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'cds-local-conformance-'));
  return conformanceTarget(createLocalProvider({ root }), 'bucket-', () => rm(root, { recursive: true, force: true }));
});
