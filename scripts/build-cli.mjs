#!/usr/bin/env node
// `npm run build:cli`, also run by `prepare` (every `npm install`/`npm ci`), by `npm run build` and by
// the benchmark: the headless CLI, electron/cli.ts, as one ES module bundle in out/cli/cli.mjs, which
// bin/cloud-data-sync.mjs runs. Plain JavaScript starts in a fraction of the time tsx needs to
// compile the sources at every start.
//
// - the storage SDKs are bundled in; other npm packages stay in node_modules, imported (CommonJS ones
//   required), see bundle-packages.mjs; the providers stay separate
//   chunks loaded on first use (as registry.ts loads them), as in the library build.
// - out/cli/sources.json, written last, lists the bundle's files, and every file it was built from
//   (esbuild's metafile, plus this script) with its size, mtime and SHA-256. The bin runs the bundle
//   only while every one of those is unchanged, and the sources otherwise, so an edit or a `git pull`
//   without a rebuild can never run stale code. The mtime spares the bin the hashing while it still
//   matches; a copy with new dates (npm unpacks a git or tarball install with fixed mtimes) is still
//   recognised by content. A file that changed while the build ran (mtime between its start and end)
//   fails the build and leaves no sources.json: the bundle is then never used.
//
// esbuild is a dependency of tsx, so `npm ci --omit=dev` has it too. Should it be missing, `prepare`
// skips the build with a note (the bin then runs the sources through tsx); asked for directly, it fails.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'out', 'cli');
const script = path.relative(root, fileURLToPath(import.meta.url)).split(path.sep).join('/');

let esbuildPath;
try {
  esbuildPath = createRequire(import.meta.url).resolve('esbuild', { paths: [root] });
} catch {
  if (process.env.npm_lifecycle_event === 'prepare') {
    console.log('build-cli: skipped, esbuild not installed; `cloud-data-sync` runs from the sources (slower start). `npm run build:cli` builds it once esbuild is installed.');
    process.exit(0);
  }
  console.error('build-cli: esbuild not installed');
  process.exit(1);
}
const { build } = await import(esbuildPath);
const { bundlePackages } = await import('./bundle-packages.mjs');

// The previous build's files stay until the next one: a `cloud-data-sync` that was already running
// when this build started still finds the provider chunks it loads on first use. sources.json goes
// first, so the bin runs the sources while the files are rewritten.
const record = path.join(outDir, 'sources.json');
let previousOutputs = [];
try {
  previousOutputs = JSON.parse(fs.readFileSync(record, 'utf8')).outputs ?? [];
} catch {
  // never built, or an unfinished build: nothing to keep
}
fs.rmSync(record, { force: true });
const started = Date.now();
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'electron/cli.ts' },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The storage SDKs are bundled in, other packages stay in node_modules (bundle-packages.mjs);
  // CommonJS code needs a require in every file.
  plugins: [bundlePackages(root)],
  banner: { js: "import { createRequire as __cdsCreateRequire } from 'node:module'; const require = __cdsCreateRequire(import.meta.url);" },
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

const sources = {};
// The bundled packages are recorded by the lock file (npm changes it whenever it installs others),
// rather than file by file: a start would otherwise stat a thousand files of node_modules.
const inputs = Object.keys(metafile.inputs).filter((input) => !input.includes(':') && !input.startsWith('node_modules/'));
const lockFile = fs.existsSync(path.join(root, 'package-lock.json')) ? ['package-lock.json'] : [];
for (const file of [...inputs, script, 'scripts/bundle-packages.mjs', ...lockFile]) {
  const { size, mtimeMs } = fs.statSync(path.join(root, file));
  const sha256 = createHash('sha256').update(fs.readFileSync(path.join(root, file))).digest('hex');
  // Not merely "after the start": a file dated in the future (clock skew) must not fail every build.
  if (mtimeMs >= started && mtimeMs <= Date.now()) {
    console.error(`build-cli: ${file} changed during the build; run it again (until then the bin runs the sources)`);
    process.exit(1);
  }
  sources[file] = { size, mtimeMs, sha256 };
}
const outputs = Object.keys(metafile.outputs).map((file) => path.relative(outDir, path.join(root, file)));
const keep = new Set([...outputs, ...previousOutputs]);
for (const file of fs.readdirSync(outDir)) if (!keep.has(file)) fs.rmSync(path.join(outDir, file), { recursive: true, force: true });
// Written whole, then renamed: the bin never reads half a record.
fs.writeFileSync(`${record}.tmp`, `${JSON.stringify({ sources, outputs }, null, 1)}\n`);
fs.renameSync(`${record}.tmp`, record);
console.log(`build-cli: ${path.relative(root, outDir)}/cli.mjs from ${Object.keys(sources).length} files`);
