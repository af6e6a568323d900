import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalProvider, type LocalProviderOptions } from '../../electron/providers/local';
import { conformanceTarget, describeProviderConformance } from './conformance';

// The default (symlinks skipped, folders fd-anchored on Linux), the portable way of holding folders,
// and the 'follow' policy: each must behave as an object store on plain files and folders.
const VARIANTS: [label: string, options: LocalProviderOptions][] = [
  ['local', {}],
  ['local (dirAnchor path)', { dirAnchor: 'path' }],
  ['local (symlinks follow)', { symlinks: 'follow' }],
];

for (const [label, options] of VARIANTS) {
  describeProviderConformance(label, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cds-local-conformance-'));
    return conformanceTarget(createLocalProvider({ root }, options), 'bucket-', () => rm(root, { recursive: true, force: true }));
  });
}
