// scripts/native-electron.mjs, run against a fake project layout in a temp dir: no network is used.
// The prebuilt download goes to a local mirror (prebuild-install's documented
// npm_config_better_sqlite3_binary_host), so the real prebuild-install runs.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ELECTRON_NATIVE_BINDING, electronNativeBindingPath } from '../../electron/shell/native-binding.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = path.join(repoRoot, 'scripts', 'native-electron.mjs');
const electronVersion = readVersion(path.join(repoRoot, 'node_modules', 'electron', 'package.json'));
const sqliteVersion = readVersion(path.join(repoRoot, 'node_modules', 'better-sqlite3', 'package.json'));
const NODE_BUILD = 'node build: must never change';
const ELECTRON_BUILD = 'electron build from the mirror';

function readVersion(file: string): string {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

let project: string;

/** node_modules with electron, a tiny better-sqlite3 (with its "Node build") and prebuild-install. */
function makeProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cds-native-test-'));
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, 'electron'), { recursive: true });
  fs.writeFileSync(path.join(modules, 'electron', 'package.json'), JSON.stringify({ name: 'electron', version: electronVersion }));
  const sqlite = path.join(modules, 'better-sqlite3');
  fs.mkdirSync(path.join(sqlite, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(sqlite, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: sqliteVersion }));
  fs.writeFileSync(path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'), NODE_BUILD);
  fs.symlinkSync(path.join(repoRoot, 'node_modules', 'prebuild-install'), path.join(modules, 'prebuild-install'), 'dir');
  return dir;
}

interface Run {
  code: number | null;
  output: string;
}

function runScript(args: string[], env: Record<string, string> = {}): Promise<Run> {
  // Async, not spawnSync: the mirror below answers from this same process.
  return new Promise((resolve) => {
    const base: Record<string, string | undefined> = { ...process.env };
    for (const key of Object.keys(base)) if (key.startsWith('npm_config_')) delete base[key];
    const child = spawn(process.execPath, [script, ...args], {
      env: {
        ...base,
        CDS_PROJECT_ROOT: project,
        HOME: path.join(project, 'home'),
        USERPROFILE: path.join(project, 'home'),
        npm_config_cache: path.join(project, 'npm-cache'),
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Serves a .tar.gz holding build/Release/better_sqlite3.node for any prebuilt URL. */
async function startMirror(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const src = path.join(project, 'tarball');
  fs.mkdirSync(path.join(src, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(src, 'build', 'Release', 'better_sqlite3.node'), ELECTRON_BUILD);
  const tarball = path.join(project, 'prebuilt.tar.gz');
  execFileSync('tar', ['-czf', tarball, '-C', src, 'build']);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (!req.url?.endsWith('.tar.gz')) {
      res.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(tarball);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const nativeDir = () => path.join(project, 'native', 'electron');
const nodeBuild = () => fs.readFileSync(path.join(project, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), 'utf8');

beforeEach(() => {
  project = makeProject();
});

afterEach(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

describe('scripts/native-electron.mjs', () => {
  test('as postinstall, offline, prints one warning line and exits 0', async () => {
    const run = await runScript([], { CDS_NATIVE_OFFLINE: '1' });
    expect(run.code).toBe(0);
    const lines = run.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning: .*Electron.*npm run rebuild:electron/);
    expect(fs.existsSync(path.join(nativeDir(), 'better_sqlite3.node'))).toBe(false);
  });

  test('with --require, offline, exits non-zero and says how to fix it', async () => {
    const run = await runScript(['--require'], { CDS_NATIVE_OFFLINE: '1' });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/error: the Electron build of better-sqlite3/);
    expect(run.output).toMatch(/npm run rebuild:electron/);
  });

  test('puts the prebuilt Electron binary in native/electron and leaves the Node build alone', async () => {
    const mirror = await startMirror();
    try {
      const run = await runScript(['--require'], { npm_config_better_sqlite3_binary_host: mirror.url });
      expect(run.output).toMatch(/ready for Electron/);
      expect(run.code).toBe(0);
      expect(mirror.requests).toHaveLength(1);
      expect(mirror.requests[0]).toMatch(new RegExp(`^/v${sqliteVersion}/better-sqlite3-v${sqliteVersion}-electron-v\\d+-`));
    } finally {
      await mirror.close();
    }
    expect(fs.readFileSync(path.join(nativeDir(), 'better_sqlite3.node'), 'utf8')).toBe(ELECTRON_BUILD);
    expect(JSON.parse(fs.readFileSync(path.join(nativeDir(), 'version.json'), 'utf8'))).toEqual({
      electron: electronVersion,
      betterSqlite3: sqliteVersion,
      platform: process.platform,
      arch: process.arch,
    });
    expect(nodeBuild()).toBe(NODE_BUILD);

    // Current now: even offline and with --require it succeeds, without a word.
    const again = await runScript(['--require'], { CDS_NATIVE_OFFLINE: '1' });
    expect(again).toEqual({ code: 0, output: '' });
  });

  test('a binary for another Electron version is removed and not taken as current', async () => {
    fs.mkdirSync(nativeDir(), { recursive: true });
    fs.writeFileSync(path.join(nativeDir(), 'better_sqlite3.node'), 'old');
    const stale = { electron: '1.0.0', betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch };
    fs.writeFileSync(path.join(nativeDir(), 'version.json'), JSON.stringify(stale));
    const run = await runScript(['--require'], { CDS_NATIVE_OFFLINE: '1' });
    expect(run.code).not.toBe(0);
    expect(fs.existsSync(path.join(nativeDir(), 'better_sqlite3.node'))).toBe(false);
    expect(nodeBuild()).toBe(NODE_BUILD);
  });

  test('without electron installed, postinstall is quiet and --require fails', async () => {
    fs.rmSync(path.join(project, 'node_modules', 'electron'), { recursive: true });
    expect(await runScript([])).toEqual({ code: 0, output: '' });
    const run = await runScript(['--require']);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/electron is not installed/);
  });
});

describe('electronNativeBindingPath', () => {
  test('is undefined until the Electron build exists, then points at it', () => {
    expect(electronNativeBindingPath(project)).toBeUndefined();
    const file = path.join(project, ELECTRON_NATIVE_BINDING);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    expect(electronNativeBindingPath(project)).toBe(file);
  });

  test('in a packaged app, points into app.asar.unpacked', () => {
    const asar = path.join(project, 'resources', 'app.asar');
    const unpacked = path.join(`${asar}.unpacked`, ELECTRON_NATIVE_BINDING);
    fs.mkdirSync(path.dirname(unpacked), { recursive: true });
    fs.writeFileSync(unpacked, '');
    expect(electronNativeBindingPath(asar)).toBe(unpacked);
  });
});
