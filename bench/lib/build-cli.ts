// The CLI as it ships: the bundle that `npm install` and `npm run build` make (scripts/build-cli.mjs,
// the one build of it), so the benchmark measures the product rather than the dev loader. Rebuilt
// here so it always holds the current sources.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../test/support/cli-child';

export const BUNDLED_CLI = path.join(REPO_ROOT, 'out/cli/cli.mjs');

export async function buildCli(): Promise<string> {
  await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts/build-cli.mjs')], { cwd: REPO_ROOT });
  return BUNDLED_CLI;
}
