#!/usr/bin/env node
// The `cloud-data-sync` command. It runs the bundle out/cli/cli.mjs (scripts/build-cli.mjs, built by
// `npm install` and `npm run build`) while that bundle is current, and electron/cli.ts from the
// sources through tsx otherwise: the bundle starts in a fraction of the time tsx takes to compile the
// sources, and the sources are never older than themselves.
//
// "Current" means every file the bundle was built from still has the content out/cli/sources.json
// recorded: the same size, and the same mtime or else the same SHA-256. While the mtimes match (a
// built checkout) that is a stat per file, a few ms; after an install that re-dated the files, the
// hashing costs some 10 ms more. An edit or a `git pull` without a rebuild therefore runs the
// sources (correct, only slower to start), with a note when a person is watching; scripts and tests
// reading stderr get the same output either way.
//
// Either way the CLI runs inside this process (not in a child), so cli.ts itself receives SIGINT and
// SIGTERM, and its exit code is the command's.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'out', 'cli', 'cli.mjs');

function sha256Of(file) {
  // Loaded only when an mtime differs: node:crypto costs some 8 ms of every start otherwise.
  const { createHash } = createRequire(import.meta.url)('node:crypto');
  return createHash('sha256').update(fs.readFileSync(path.join(root, file))).digest('hex');
}

/** 'current', 'stale' (built from sources that changed since) or 'missing' (never built, or the build did not finish). */
function bundleState() {
  let sources;
  try {
    ({ sources } = JSON.parse(fs.readFileSync(path.join(root, 'out', 'cli', 'sources.json'), 'utf8')));
  } catch {
    return 'missing';
  }
  for (const [file, built] of Object.entries(sources)) {
    const now = fs.statSync(path.join(root, file), { throwIfNoEntry: false });
    if (!now || now.size !== built.size) return 'stale';
    if (now.mtimeMs !== built.mtimeMs && sha256Of(file) !== built.sha256) return 'stale';
  }
  return 'current';
}

const state = bundleState();
// process.argv[1] stays this file, whichever runs: the command line a user sees (the database lock
// names its holder by it) does not depend on whether the bundle was current.
if (state === 'current') {
  await import(pathToFileURL(bundle).href);
} else {
  if (state === 'stale' && process.stderr.isTTY) {
    process.stderr.write('cloud-data-sync: out/cli is older than the sources, running the sources (slower start); `npm run build:cli` rebuilds it.\n');
  }
  const cli = path.join(root, 'electron', 'cli.ts');
  // The compiler settings of the main-process code, wherever the command is run from.
  process.env.TSX_TSCONFIG_PATH ??= path.join(root, 'electron', 'tsconfig.json');
  // Both hooks, as the `tsx` command installs them, so `npm run cli` and this command behave alike:
  // ES modules (import), and CommonJS (require of a .ts or .cts file).
  const { register: registerEsm } = await import('tsx/esm/api');
  const { register: registerCjs } = await import('tsx/cjs/api');
  registerEsm();
  registerCjs();
  await import(pathToFileURL(cli).href);
}
