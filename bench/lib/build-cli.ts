// The CLI as it ships: one bundled ES module (as in a packaged app), not TypeScript compiled on
// every start by tsx, so the benchmark measures the product rather than the dev loader.
import path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../test/support/cli-child';

export const BUNDLED_CLI = path.join(REPO_ROOT, 'bench/.build/cli.mjs');

export async function buildCli(): Promise<string> {
  await build({
    entryPoints: [path.join(REPO_ROOT, 'electron/cli.ts')],
    outdir: path.dirname(BUNDLED_CLI),
    entryNames: 'cli',
    outExtension: { '.js': '.mjs' },
    // Provider modules stay separate chunks, loaded on first use as in the app.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies load from node_modules, as in the app (better-sqlite3 is native anyway).
    packages: 'external',
    logLevel: 'warning',
  });
  return BUNDLED_CLI;
}
