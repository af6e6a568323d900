// `prepare` runs scripts/build-library.mjs on every `npm install`/`npm ci` of a clone, including
// `npm ci --omit=dev` (a CLI-only install) where esbuild and typescript are absent: there it must step
// aside instead of failing the install; asked for directly (`npm run build:lib`), it must fail.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.resolve(__dirname, '../../scripts/build-library.mjs');
// A folder with the script and no node_modules: what an install without devDependencies looks like to it.
const bare = mkdtempSync(path.join(tmpdir(), 'cds-build-lib-'));
mkdirSync(path.join(bare, 'scripts'));
copyFileSync(script, path.join(bare, 'scripts', 'build-library.mjs'));
afterAll(() => rmSync(bare, { recursive: true, force: true }));

function runScript(lifecycle: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: '' };
  delete env.npm_lifecycle_event;
  if (lifecycle) env.npm_lifecycle_event = lifecycle;
  return spawnSync(process.execPath, [path.join(bare, 'scripts', 'build-library.mjs')], { cwd: bare, env, encoding: 'utf8' });
}

describe('build-library without its dev dependencies', () => {
  it('skips with a note under prepare, so the install goes on', () => {
    const result = runScript('prepare');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('build-library: skipped, esbuild and typescript not installed');
  });

  it('fails when asked for directly', () => {
    const result = runScript(undefined);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('esbuild and typescript not installed');
  });
});
