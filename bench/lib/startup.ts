// How long `cloud-data-sync --version` takes from a cold process, beside a bare `node -e 0` measured
// the same way (one run at a time, alternating), so the figure says what the CLI adds to Node's own start.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../test/support/cli-child';
import { median } from './measure';

export interface StartupResult {
  /** Median wall time of `node bin/cloud-data-sync.mjs --version`, in seconds. */
  versionSeconds: number;
  /** Median wall time of `node -e 0`, in seconds. */
  bareNodeSeconds: number;
  runs: number;
}

function wallSeconds(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function measureStartup(runs = 15): StartupResult {
  const bin = path.join(REPO_ROOT, 'bin/cloud-data-sync.mjs');
  const version: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    version.push(wallSeconds([bin, '--version']));
    bare.push(wallSeconds(['-e', '0']));
  }
  return { versionSeconds: median(version), bareNodeSeconds: median(bare), runs };
}
