// How the CLI bundle (build-cli.mjs) treats npm packages. Loading them is most of a short run's start:
// - The storage SDKs (@aws-sdk, @smithy, @azure) and whatever they import are bundled in. Loaded from
//   node_modules they are hundreds of small modules for Node to resolve, read and link one by one: the
//   Azure SDK took ≈ 400 ms of CPU imported, ≈ 115 ms bundled; the AWS SDK ≈ 290 ms imported.
// - Other packages stay in node_modules (native ones must: better-sqlite3). Of those, a package Node
//   would load as CommonJS is required instead of imported: Node's ESM loader parses every CommonJS
//   module it imports (cjs-module-lexer) to find its named exports, and follows its re-exports.
//
// Which format Node would load is decided as Node decides it: the package's "exports" with the
// conditions an import matches (node, import, default; first listed wins) or its "main", then the
// file's extension or the "type" of its nearest package.json. Anything this cannot tell for sure
// (subpath patterns, a missing file) stays an import.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const IMPORT_CONDITIONS = new Set(['node', 'import', 'default']);
const NAMESPACE = 'require-cjs-package';
/** Package scopes bundled into the CLI, with everything their code imports. */
const BUNDLED_SCOPES = ['@aws-sdk/', '@smithy/', '@azure/'];
/** Never bundled, even when a bundled package imports them: native addons. */
const NEVER_BUNDLED = new Set(['better-sqlite3']);

/** `cjs`, `esm` or null (unknown) for a bare specifier imported from `root`'s node_modules. */
export function formatOfPackageImport(root, specifier) {
  const name = packageName(specifier);
  const subpath = `.${specifier.slice(name.length)}`;
  const dir = path.join(root, 'node_modules', name);
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
  const target = manifest.exports !== undefined ? exportTarget(manifest.exports, subpath) : subpath === '.' ? `./${manifest.main ?? 'index.js'}` : subpath;
  if (typeof target !== 'string') return null;
  const file = path.join(dir, target);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return null;
  if (file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cjs')) return 'cjs';
  if (!file.endsWith('.js')) return null;
  return typeOfNearestPackage(path.dirname(file), dir) === 'module' ? 'esm' : 'cjs';
}

function exportTarget(exports, subpath) {
  const keys = exports && typeof exports === 'object' && !Array.isArray(exports) ? Object.keys(exports) : [];
  if (keys.some((key) => key.startsWith('.'))) return pick(exports[subpath]);
  return subpath === '.' ? pick(exports) : undefined;
}

function pick(entry) {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) return pick(entry[0]);
  if (!entry || typeof entry !== 'object') return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (!IMPORT_CONDITIONS.has(condition)) continue;
    const found = pick(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The "type" of the package.json nearest to `dir`, looking no higher than the package itself. */
function typeOfNearestPackage(dir, packageDir) {
  for (let current = dir; ; current = path.dirname(current)) {
    const file = path.join(current, 'package.json');
    if (fs.existsSync(file)) {
      const type = JSON.parse(fs.readFileSync(file, 'utf8')).type;
      if (type !== undefined || current === packageDir) return type ?? 'commonjs';
    }
    if (current === packageDir || current === path.dirname(current)) return 'commonjs';
  }
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The plugin. The bundle gets a `require` (banner in build-cli.mjs); each CommonJS package import
 * left in node_modules becomes a small CommonJS module of the bundle that requires the package, so
 * esbuild's own interop gives the importer its default and named bindings.
 */
export function bundlePackages(root) {
  const builtins = new Set(builtinModules);
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || builtins.has(args.path.split('/')[0])) return undefined;
        const name = packageName(args.path);
        if (args.namespace === NAMESPACE) return { path: args.path, external: true };
        const fromPackage = args.importer.includes(`${path.sep}node_modules${path.sep}`);
        const bundled = !NEVER_BUNDLED.has(name) && (fromPackage || BUNDLED_SCOPES.some((scope) => name.startsWith(scope)));
        if (bundled) return undefined; // esbuild resolves and bundles it
        if ((args.kind === 'import-statement' || args.kind === 'dynamic-import') && formatOfPackageImport(root, args.path) === 'cjs') {
          return { path: args.path, namespace: NAMESPACE };
        }
        return { path: args.path, external: true };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}
