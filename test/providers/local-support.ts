// Temp roots and small file-system helpers for the local-folder provider tests.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DirAnchor } from '../../electron/providers/local-dirs';
import type { StorageProvider } from '../../electron/providers/provider';

/** Both ways the provider holds checked folders: each symlink test runs on both (Linux has both). */
export const ANCHORS: readonly DirAnchor[] = ['fd', 'path'];

export interface TempRoots {
  make(): Promise<string>;
  cleanup(): Promise<void>;
}

/** Fresh temp folders for a test file, all removed by cleanup(). */
export function tempRoots(label: string): TempRoots {
  const made: string[] = [];
  return {
    make: async () => {
      const root = await mkdtemp(path.join(tmpdir(), `cds-${label}-`));
      made.push(root);
      return root;
    },
    cleanup: async () => {
      await Promise.all(made.splice(0).map((root) => rm(root, { recursive: true, force: true })));
    },
  };
}

export function writeBytes(p: StorageProvider, bucket: string, key: string, data: Buffer | string) {
  const bytes = Buffer.from(data);
  return p.write(bucket, key, async () => Readable.from([bytes]), bytes.length);
}

/** Every file below `dir`, relative, sorted (partial files included: tests look for leftovers). */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
