// The web UI as the headless server serves it, built once and shared by every e2e file (and by later
// runs while the sources stay the same): vite's JS API with the renderer's own settings, in a child
// process with NODE_ENV=production (inside a vitest worker NODE_ENV is "test", which would give a
// development build of React).
//
// The output folder is named after a hash of everything the build reads, so a changed source builds
// afresh and an unchanged one is reused. Concurrent test files take a lock (mkdir is atomic); the
// one holding it builds into a scratch folder and renames it into place, so a folder that exists is
// always complete.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../support/cli-child';

const BUILD_TIMEOUT_MS = 60_000;
/** A lock older than this belongs to a builder that died: take it over. */
const STALE_LOCK_MS = 2 * BUILD_TIMEOUT_MS;
/** Builds of older sources are removed after this long unused. */
const KEEP_OLD_BUILDS_MS = 24 * 60 * 60 * 1000;
const CACHE_ROOT = path.join(tmpdir(), 'cloud-data-sync-e2e');

/** Run in the child: the renderer section of electron.vite.config.ts, with relative asset URLs. */
const BUILD_SCRIPT = `
const { build } = await import('vite');
const { default: react } = await import('@vitejs/plugin-react');
await build({
  configFile: false,
  root: 'renderer',
  base: './',
  mode: 'production',
  logLevel: 'warn',
  plugins: [react()],
  build: { outDir: process.env.CDS_E2E_OUT_DIR, emptyOutDir: true },
});
`;

/** What the build reads: the renderer, the shared code it imports, the locked dependency versions. */
const INPUTS = ['renderer', 'shared', 'package-lock.json'];

function filesUnder(relative: string): string[] {
  const full = path.join(REPO_ROOT, relative);
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() || entry.isFile() ? filesUnder(path.join(relative, entry.name)) : []));
}

function sourceHash(): string {
  const hash = createHash('sha256').update(BUILD_SCRIPT);
  for (const file of INPUTS.flatMap(filesUnder)) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(path.join(REPO_ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

function runBuild(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', BUILD_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'production', CDS_E2E_OUT_DIR: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && existsSync(path.join(outDir, 'index.html'))) resolve();
      else reject(new Error(`the renderer build failed (${signal ? `killed after ${BUILD_TIMEOUT_MS} ms` : `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

function removeOldBuilds(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(CACHE_ROOT)) {
    const full = path.join(CACHE_ROOT, name);
    if (full === keep || !name.startsWith('renderer-')) continue;
    try {
      if (now - statSync(full).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(full, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The folder of a complete renderer build of the current sources (index.html and assets/). */
export async function ensureRendererBuild(): Promise<string> {
  mkdirSync(CACHE_ROOT, { recursive: true });
  const outDir = path.join(CACHE_ROOT, `renderer-${sourceHash()}`);
  const lock = `${outDir}.lock`;
  const deadline = Date.now() + STALE_LOCK_MS + BUILD_TIMEOUT_MS;
  while (!existsSync(path.join(outDir, 'index.html'))) {
    try {
      mkdirSync(lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() > deadline) throw new Error(`timed out waiting for another process to build the renderer (lock ${lock})`);
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(200);
      continue;
    }
    try {
      if (existsSync(path.join(outDir, 'index.html'))) break;
      const scratch = `${outDir}.tmp-${process.pid}`;
      rmSync(scratch, { recursive: true, force: true });
      try {
        await runBuild(scratch);
        try {
          renameSync(scratch, outDir);
        } catch (err) {
          // A builder that took over a lock it thought stale finished first: its build is as good.
          if (!existsSync(path.join(outDir, 'index.html'))) throw err;
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      removeOldBuilds(outDir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return outDir;
}
