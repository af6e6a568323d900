#!/usr/bin/env node
// Gives the Electron app its own build of better-sqlite3, beside the Node build.
//
// better-sqlite3 is a native addon, and a .node file only loads into the runtime whose ABI it was
// compiled for. Tests and the CLI run under Node and load the copy that better-sqlite3's own install
// script built (node_modules/better-sqlite3/build/Release/better_sqlite3.node). The desktop app runs
// under Electron, whose ABI differs. Rebuilding in place (electron-rebuild) would break `npm test`,
// so this script makes a SECOND binary at native/electron/better_sqlite3.node and never touches the
// first one; the Electron main passes that path to better-sqlite3 as `nativeBinding`
// (see electron/shell/native-binding.ts).
//
// How: copy the better-sqlite3 package (without build/) to a temp dir, then
//   1. prebuild-install --runtime=electron --target=<electron version> (a prebuilt from the release
//      page of better-sqlite3, which also honours npm_config_better_sqlite3_binary_host[_mirror]);
//   2. failing that, node-gyp against Electron's headers (needs python3, make and a C++ compiler);
// and copy the .node it produced to native/electron/, with version.json recording what it is for.
//
// Usage: node scripts/native-electron.mjs [--require] [--force] [--verbose]
//   (no flag)  the package.json `postinstall`. Never fails: when it cannot get the binary (offline,
//              no compiler) it prints one warning line and exits 0, because tests and the CLI do not
//              need it.
//   --require  run by `npm start` / `npm run dist`: exits 1 with instructions when the binary is
//              missing and cannot be made.
//   --force    rebuild even when version.json says the binary is current.
//   --verbose  show what the helpers print.
// Environment:
//   CDS_PROJECT_ROOT=dir    act on another project layout (tests)
//   CDS_NATIVE_OFFLINE=1    do not try the network at all; only the up-to-date check runs
//   CDS_ELECTRON_HEADERS_URL=url   a mirror of Electron's headers for the source build
//   npm_config_better_sqlite3_binary_host=url   a mirror of better-sqlite3's prebuilts (prebuild-install)
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ELECTRON_HEADERS_URL = process.env.CDS_ELECTRON_HEADERS_URL || 'https://electronjs.org/headers';
// Every step that may touch the network is bounded; a machine that silently drops packets must not
// hang `npm install`.
const PREBUILD_TIMEOUT_MS = 120_000;
const HEADERS_TIMEOUT_MS = 180_000;
const COMPILE_TIMEOUT_MS = 20 * 60_000;

const args = new Set(process.argv.slice(2));
const requireMode = args.has('--require');
const force = args.has('--force');
const verbose = args.has('--verbose');

const root = path.resolve(process.env.CDS_PROJECT_ROOT || path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const outDir = path.join(root, 'native', 'electron');
const outBinary = path.join(outDir, 'better_sqlite3.node');
const outVersion = path.join(outDir, 'version.json');
const tag = 'cloud-data-sync:';

function log(message) {
  if (requireMode || verbose) console.log(`${tag} ${message}`);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The architecture Electron's own installer picks (it prefers arm64 under Rosetta). */
function electronArch() {
  if (process.env.npm_config_arch) return process.env.npm_config_arch;
  if (process.platform === 'darwin' && process.arch === 'x64') {
    try {
      if (execFileSync('sysctl', ['-in', 'sysctl.proc_translated'], { encoding: 'utf8' }).trim() === '1') return 'arm64';
    } catch {
      // not under Rosetta, or no sysctl: keep x64
    }
  }
  return process.arch;
}

/** Environment for helpers: without npm's per-package variables, which would describe this project. */
function childEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('npm_package_') && !key.startsWith('npm_lifecycle_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a helper with a deadline; resolves { ok, output, reason }. Output is kept, not streamed. */
function run(command, commandArgs, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const detached = process.platform !== 'win32';
    let output = '';
    let timedOut = false;
    const child = spawn(command, commandArgs, { cwd, env, detached, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => {
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
      if (verbose) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        // The whole group: node-gyp starts make and the compiler.
        if (detached) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, output, reason: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) return resolve({ ok: true, output, reason: '' });
      const reason = timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : lastMeaningfulLine(output) || `exit code ${code}`;
      resolve({ ok: false, output, reason });
    });
  });
}

/** One short reason from a helper's output, for the single warning line. */
function lastMeaningfulLine(output) {
  const lines = output.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  // node-gyp: the first stack line holds the error; the rest is trace and boilerplate.
  const gypIndex = lines.findIndex((line) => /^gyp ERR! stack \w*Error\b/.test(line));
  if (gypIndex >= 0) {
    const stack = lines.slice(gypIndex).filter((line) => line.startsWith('gyp ERR! stack') && !/^gyp ERR! stack\s+at /.test(line));
    const text = stack.map((line) => line.replace(/^gyp ERR! stack\s*/, '')).join(' ');
    return shorten(/network connectivity/.test(text) ? 'download failed (network unreachable?)' : text.replace(/^\w*Error\b[^:]*:\s*/, ''));
  }
  const telling = lines.filter((line) => /err|warn|fail|not found|enotfound|timed out|no prebuilt/i.test(line) && !/\bnot ok\b/.test(line));
  return shorten((telling.at(-1) ?? lines.at(-1) ?? '').replace(/^(prebuild-install|gyp) (warn|info|ERR!|error)\s*/i, ''));
}

function shorten(line) {
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
      } catch {
        return undefined;
      }
    })(),
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((file) => file && fs.existsSync(file));
}

/** Copies the package sources, minus the Node build, to a fresh temp dir. */
function stage(packageDir) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cds-native-'));
  const staged = path.join(dir, 'better-sqlite3');
  fs.cpSync(packageDir, staged, {
    recursive: true,
    filter: (source) => {
      const rel = path.relative(packageDir, source);
      return rel !== 'build' && rel !== 'node_modules' && rel !== 'prebuilds';
    },
  });
  return { dir, staged };
}

async function viaPrebuild(packageDir, staged, target) {
  let bin;
  try {
    bin = createRequire(path.join(packageDir, 'package.json')).resolve('prebuild-install/bin.js');
  } catch {
    return { ok: false, reason: 'prebuild-install is not installed' };
  }
  log(`downloading a prebuilt better-sqlite3 for Electron ${target.electron} (${target.platform}-${target.arch})...`);
  return run(process.execPath, [bin, '--runtime=electron', `--target=${target.electron}`, `--arch=${target.arch}`, `--platform=${target.platform}`, '--verbose'], {
    cwd: staged,
    env: childEnv({}),
    timeoutMs: PREBUILD_TIMEOUT_MS,
  });
}

async function viaNodeGyp(staged, target) {
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return { ok: false, reason: 'node-gyp not found' };
  const gypArgs = [
    `--target=${target.electron}`,
    `--arch=${target.arch}`,
    `--dist-url=${ELECTRON_HEADERS_URL}`,
    `--devdir=${path.join(os.homedir(), '.electron-gyp')}`,
  ];
  const env = childEnv({
    npm_config_runtime: 'electron',
    npm_config_target: target.electron,
    npm_config_disturl: ELECTRON_HEADERS_URL,
  });
  // Headers first, on their own deadline: this is the only part of the source build that downloads.
  log(`fetching Electron ${target.electron} headers...`);
  const headers = await run(process.execPath, [nodeGyp, 'install', '--ensure', ...gypArgs], { cwd: staged, env, timeoutMs: HEADERS_TIMEOUT_MS });
  if (!headers.ok) return { ok: false, reason: `Electron headers: ${headers.reason}` };
  log('compiling better-sqlite3 for Electron (a few minutes)...');
  return run(process.execPath, [nodeGyp, 'rebuild', '--release', ...gypArgs], { cwd: staged, env, timeoutMs: COMPILE_TIMEOUT_MS });
}

function install(builtBinary, target) {
  fs.mkdirSync(outDir, { recursive: true });
  const temp = `${outBinary}.${process.pid}.tmp`;
  fs.copyFileSync(builtBinary, temp);
  fs.renameSync(temp, outBinary);
  // Written last: its presence says the binary beside it is complete.
  fs.writeFileSync(outVersion, `${JSON.stringify(target, null, 2)}\n`);
}

function removeStale() {
  fs.rmSync(outVersion, { force: true });
  fs.rmSync(outBinary, { force: true });
}

function isCurrent(target) {
  const recorded = readJson(outVersion);
  if (!recorded || !fs.existsSync(outBinary) || fs.statSync(outBinary).size === 0) return false;
  return Object.keys(target).every((key) => recorded[key] === target[key]);
}

function fail(summary) {
  const fix = 'go online and run `npm run rebuild:electron` (or `node scripts/native-electron.mjs --require --verbose`)';
  if (requireMode) {
    console.error(`${tag} error: the Electron build of better-sqlite3 (native/electron/better_sqlite3.node) is missing.`);
    console.error(`${tag} ${summary}`);
    console.error(`${tag} To fix: ${fix}. A source build needs python3, make and a C++ compiler.`);
    process.exit(1);
  }
  console.warn(`${tag} warning: no Electron build of better-sqlite3 yet (${summary}); tests and the CLI are unaffected; before \`npm start\`, ${fix}.`);
  process.exit(0);
}

async function main() {
  const packageDir = path.join(root, 'node_modules', 'better-sqlite3');
  const electronPkg = readJson(path.join(root, 'node_modules', 'electron', 'package.json'));
  const sqlitePkg = readJson(path.join(packageDir, 'package.json'));
  if (!electronPkg || !sqlitePkg) {
    const missing = !electronPkg ? 'electron' : 'better-sqlite3';
    if (requireMode) fail(`${missing} is not installed in node_modules: run \`npm install\` first.`);
    // e.g. `npm ci --omit=dev` for the CLI only: nothing to do, nothing to warn about.
    log(`skipped: ${missing} is not installed.`);
    return;
  }

  const target = { electron: electronPkg.version, betterSqlite3: sqlitePkg.version, platform: process.platform, arch: electronArch() };
  if (!force && isCurrent(target)) {
    if (verbose) log(`native/electron/better_sqlite3.node is current (Electron ${target.electron}, better-sqlite3 ${target.betterSqlite3}).`);
    return;
  }
  removeStale();

  if (process.env.CDS_NATIVE_OFFLINE === '1') {
    fail(`for Electron ${target.electron}: offline (CDS_NATIVE_OFFLINE=1)`);
  }

  // The real folder, in case node_modules holds a link (pnpm, workspaces).
  const packageSource = fs.realpathSync(packageDir);
  const { dir, staged } = stage(packageSource);
  const reasons = [];
  try {
    const built = path.join(staged, 'build', 'Release', 'better_sqlite3.node');
    let result = await viaPrebuild(packageSource, staged, target);
    if (!result.ok || !fs.existsSync(built)) {
      reasons.push(`prebuilt: ${result.reason || 'no binary in the download'}`);
      result = await viaNodeGyp(staged, target);
      if (!result.ok || !fs.existsSync(built)) reasons.push(`source build: ${result.reason || 'no binary produced'}`);
    }
    if (reasons.length < 2) install(built, target);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (reasons.length === 2) fail(`for Electron ${target.electron}: ${reasons.join('; ')}`);
  const how = reasons.length === 0 ? 'prebuilt' : 'built from source';
  console.log(`${tag} native/electron/better_sqlite3.node ready for Electron ${target.electron} (${how}).`);
}

main().catch((error) => fail(`unexpected error: ${error?.message ?? error}`));
