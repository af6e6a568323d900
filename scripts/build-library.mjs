#!/usr/bin/env node
// `npm run build:lib`, also run by `prepare` (so `npm install` in a clone, or of the package from git,
// builds it): the public library, electron/library/index.ts, as plain JavaScript and declarations in
// out/library/, where package.json "exports" points.
//
// - JavaScript: one ES module bundle (esbuild) of our own code. npm packages stay imports, resolved
//   from node_modules at run time, and the providers stay separate chunks loaded on first use (as
//   registry.ts loads them), so syncing local folders never loads a cloud SDK. better-sqlite3 loads
//   its native binary only when a database is opened: the memory state never loads it.
// - Declarations: tsc over the library's sources. The sources import without file extensions
//   (moduleResolution "Bundler"); each relative import in the .d.ts files gets the extension Node's
//   own resolution needs, so consumers on "moduleResolution": "NodeNext" see the types too.
//   Declarations marked @internal are left out (stripInternal): the app core's createEngine, which
//   hands out the sync service a library user never sees.
//
// Type errors are not this script's business (`npm test` runs `tsc -b`): the declarations are emitted
// with --noCheck, so a type error never stops `npm install` before the tests could report it.
// `npm ci --omit=dev` (a CLI-only install) has no esbuild or typescript: `prepare` then skips the
// build with a note instead of failing the install; `npm run build:lib` without them fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const missing = ['esbuild', 'typescript'].filter((name) => {
  try {
    require.resolve(name, { paths: [root] });
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  const why = `${missing.join(' and ')} not installed (devDependencies left out?)`;
  if (process.env.npm_lifecycle_event === 'prepare') {
    console.log(`build-library: skipped, ${why}; the app and the CLI do not need it. Run \`npm install\` with dev dependencies, then \`npm run build:lib\`, to use the package as a library.`);
    process.exit(0);
  }
  console.error(`build-library: ${why}`);
  process.exit(1);
}
const { build } = await import('esbuild');
const outDir = path.join(root, 'out', 'library');
const typesDir = path.join(outDir, 'types');

fs.rmSync(outDir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { index: 'electron/library/index.ts' },
  outdir: outDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'electron', 'library', 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build-library: tsc failed to write the declarations');
  process.exit(result.status ?? 1);
}

/** `./x` → `./x.js` or `./x/index.js`, whichever declaration file exists next to `file`. */
function withExtension(file, specifier) {
  const target = path.resolve(path.dirname(file), specifier);
  if (fs.existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (fs.existsSync(path.join(target, 'index.d.ts'))) return `${specifier}/index.js`;
  return specifier;
}

for (const entry of fs.readdirSync(typesDir, { recursive: true })) {
  const file = path.join(typesDir, entry);
  if (!file.endsWith('.d.ts')) continue;
  const text = fs.readFileSync(file, 'utf8');
  // `from './x'` and `import('./x')`: the only forms tsc writes.
  const fixed = text.replace(/(from |import\()(['"])(\.{1,2}\/[^'"]*)\2/g, (_, lead, quote, spec) => `${lead}${quote}${withExtension(file, spec)}${quote}`);
  if (fixed !== text) fs.writeFileSync(file, fixed);
}
console.log(`build-library: ${path.relative(root, outDir)}/index.js and ${path.relative(root, typesDir)}/`);
