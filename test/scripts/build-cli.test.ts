// `prepare` runs scripts/build-cli.mjs on every `npm install`/`npm ci` of a clone. Without esbuild it
// must step aside (the bin then runs the sources) instead of failing the install; asked for directly
// (`npm run build:cli`), it must fail. Its output is tested through the bin, in cli-bin.test.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.resolve(__dirname, '../../scripts/build-cli.mjs');
// A folder with the script and no node_modules: an install without esbuild, as this script sees it.
const bare = mkdtempSync(path.join(tmpdir(), 'cds-build-cli-'));
mkdirSync(path.join(bare, 'scripts'));
copyFileSync(script, path.join(bare, 'scripts', 'build-cli.mjs'));
afterAll(() => rmSync(bare, { recursive: true, force: true }));

function runScript(lifecycle: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: '' };
  delete env.npm_lifecycle_event;
  if (lifecycle) env.npm_lifecycle_event = lifecycle;
  return spawnSync(process.execPath, [path.join(bare, 'scripts', 'build-cli.mjs')], { cwd: bare, env, encoding: 'utf8' });
}

describe('build-cli without esbuild', () => {
  it('skips with a note under prepare, so the install goes on', () => {
    const result = runScript('prepare');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('build-cli: skipped, esbuild not installed');
  });

  it('fails when asked for directly', () => {
    const result = runScript(undefined);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('build-cli: esbuild not installed');
  });
});
