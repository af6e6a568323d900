// The Docker image's runtime, without Docker (no daemon where the tests run): the runtime stage of the
// repository's Dockerfile is carried out step by step into a clean folder (its COPY lines, its
// `npm ci` of the production dependencies only), then its ENTRYPOINT + CMD start the server as the
// container would, and its HEALTHCHECK command probes it. What stays untested here: the base image,
// apt-get in the build stage, the user switch, the volume and the port publishing (README says so).
//
// The build stage's outputs are made as that stage makes them, from this checkout: better-sqlite3's
// binary is the one `npm ci` built here (same Node, same version), out/cli is built by the same
// script (scripts/build-cli.mjs) from the copied sources, out/renderer by the e2e suite's cached build.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVE_PORT, parseArgs } from '../../electron/headless/args';
import { TOKEN_ENV } from '../../electron/server/serve';
import { ensureRendererBuild } from '../e2e/support/renderer-build';
import { REPO_ROOT, waitFor } from '../support/cli-child';
import { envOf, execForm, healthcheckOf, only, parseDockerfile, type Stage } from './dockerfile';

const DOCKERFILE = path.join(REPO_ROOT, 'Dockerfile');
const TOKEN = 'docker-entry-test-token-0123456789abcdef';
/** npm ci of ~250 packages from the local cache, a CLI build, a renderer build when not cached. */
const SETUP_TIMEOUT_MS = 150_000;
const START_TIMEOUT_MS = 30_000;

const dockerfile = parseDockerfile(DOCKERFILE);
const build = dockerfile.stages.find((s) => s.name === 'build')!;
const runtime = dockerfile.stages.at(-1)!;

let scratch: string;
/** The image's WORKDIR, in the clean folder. */
let app: string;
/** The image's /data. */
let data: string;

/** Environment for child processes: the image's ENV, without npm's per-run variables of this test run. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'NODE_ENV') env[key] = value;
  return { ...env, ...envOf(runtime), ...extra };
}

/** A path of the image, in the clean folder: /app/... and /data/... */
function imagePath(p: string): string {
  if (p === '/data' || p.startsWith('/data/')) return path.join(data, p.slice('/data'.length));
  const workdir = only(runtime, 'WORKDIR').args;
  const absolute = path.posix.isAbsolute(p) ? p : path.posix.join(workdir, p);
  if (absolute !== workdir && !absolute.startsWith(`${workdir}/`)) throw new Error(`a path outside ${workdir} and /data: ${p}`);
  return path.join(app, absolute.slice(workdir.length));
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** What the build stage leaves at a path of its /app, made from this checkout as that stage makes it. */
async function fromBuildStage(p: string, dest: string): Promise<void> {
  const rel = path.posix.relative(only(build, 'WORKDIR').args, p);
  if (rel === 'node_modules/better-sqlite3/build/Release/better_sqlite3.node') {
    // The same version the lock file gives the clean folder: the binary fits its JavaScript.
    const here = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')).version;
    const clean = JSON.parse(readFileSync(path.join(app, 'node_modules/better-sqlite3/package.json'), 'utf8')).version;
    expect(clean).toBe(here);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(path.join(REPO_ROOT, rel), dest);
  } else if (rel === 'out/renderer') {
    cpSync(await ensureRendererBuild(), dest, { recursive: true });
  } else if (rel === 'out/cli') {
    // Built after the sources are copied (see below): the build stage builds it from the same ones.
    deferredCliBuild = dest;
  } else {
    throw new Error(`this test does not know how the build stage makes ${p}: teach fromBuildStage`);
  }
}
let deferredCliBuild: string | null = null;

/** Carries out the runtime stage's COPY and RUN steps in the clean folder. */
async function runRuntimeStage(stage: Stage): Promise<void> {
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'COPY') {
      const parts = args.split(/\s+/);
      const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice('--from='.length) : null;
      const dest = parts.pop()!;
      if (from !== null) {
        expect(from).toBe('build');
        await fromBuildStage(parts[0]!, imagePath(dest));
        continue;
      }
      for (const source of parts) {
        const target = dest.endsWith('/') ? path.posix.join(dest, path.posix.basename(source)) : dest;
        cpSync(path.join(REPO_ROOT, source), imagePath(target), { recursive: true });
      }
    } else if (keyword === 'RUN') {
      for (const command of args.split('&&').map((c) => c.trim())) runStep(command);
    }
  }
  if (deferredCliBuild !== null) {
    const built = spawnSync(process.execPath, [path.join(app, 'scripts/build-cli.mjs')], { cwd: app, env: childEnv({}), encoding: 'utf8', timeout: 60_000 });
    expect(built.status, `${built.stdout}${built.stderr}`).toBe(0);
    expect(path.join(app, 'out/cli')).toBe(deferredCliBuild);
  }
}

/** One command of a RUN line: the ones the runtime stage has, each done as the image would. */
function runStep(command: string): void {
  const words = command.split(/\s+/);
  if (words[0] === 'npm' && words[1] === 'ci') {
    expect(words).toContain('--omit=dev');
    // From the npm cache when it has the packages (CI's own `npm ci` filled it), else the registry.
    const npm = spawnSync('npm', [...words.slice(1), '--prefer-offline'], { cwd: app, env: childEnv({}), encoding: 'utf8', timeout: 120_000 });
    expect(npm.status, `${command}: ${npm.stdout}${npm.stderr}`).toBe(0);
  } else if (words[0] === 'npm' && words[1] === 'cache' && words[2] === 'clean') {
    // Empties the image layer's cache; here it would empty this machine's: not done.
  } else if (words[0] === 'ln' && words[1] === '-s') {
    // The ENTRYPOINT's command: a link to the bin, resolved the same way below.
    expect(words[2]).toBe(`${only(runtime, 'WORKDIR').args}/bin/cloud-data-sync.mjs`);
    expect(words[3]).toBe('/usr/local/bin/cloud-data-sync');
    mkdirSync(path.join(scratch, 'usr-local-bin'), { recursive: true });
    symlinkSync(imagePath(words[2]!), path.join(scratch, 'usr-local-bin', 'cloud-data-sync'));
  } else if (words[0] === 'mkdir' && words[1] === '-p') {
    for (const dir of words.slice(2)) mkdirSync(imagePath(dir), { recursive: true });
  } else if (words[0] === 'chown') {
    // The image's user owns /data; here the test's user owns the folder already.
    expect(words.at(-1)).toBe('/data');
  } else {
    throw new Error(`this test does not know the runtime step "${command}": teach runStep`);
  }
}

interface Started {
  child: ReturnType<typeof spawn>;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
  port: number;
  url: string;
}

/** ENTRYPOINT + CMD as the container runs them, with the test's loopback address, free port and folder. */
async function startEntry(extra: string[] = []): Promise<Started> {
  const entrypoint = execForm(only(runtime, 'ENTRYPOINT').args);
  const cmd = execForm(only(runtime, 'CMD').args);
  expect(entrypoint).toEqual(['cloud-data-sync']);
  expect(cmd).toEqual(['serve', '--host', '0.0.0.0', '--allow-remote', '--db', '/data/data.db']);
  // Tests listen on loopback only; the rest of the command stays as the file has it.
  const argv = cmd.map((word, i) => (cmd[i - 1] === '--host' ? '127.0.0.1' : word.startsWith('/data/') ? imagePath(word) : word));
  const child = spawn(path.join(scratch, 'usr-local-bin', 'cloud-data-sync'), [...argv, '--port', '0', ...extra], {
    cwd: app,
    // HOME elsewhere: the server must need nothing of the user's (npm above keeps HOME, for its cache).
    env: childEnv({ [TOKEN_ENV]: TOKEN, HOME: scratch }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let exited = false;
  void exit.then(() => (exited = true));
  await waitFor(() => exited || /running at \S+/.test(out), START_TIMEOUT_MS, `the entry command to print its URL (stderr: ${err})`);
  if (exited) throw new Error(`the entry command exited: ${err}`);
  const url = /running at (https?:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out)!;
  return { child, out: () => out, err: () => err, exit, port: Number(url[2]), url: url[1]! };
}

function get(port: number, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HEALTHCHECK's command, pointed at the test's port (the image's is the default port). */
function healthcheck(port: number): Promise<{ code: number | null; stderr: string }> {
  const [command, ...args] = healthcheckOf(runtime).command;
  expect(command).toBe('node');
  const script = args.map((a) => (a.startsWith('/') ? imagePath(a) : a));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, script, { env: childEnv({ CDS_HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz` }), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'cds-docker-'));
  app = path.join(scratch, 'app');
  data = path.join(scratch, 'data');
  mkdirSync(app);
  await runRuntimeStage(runtime);
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('builds on node:20-slim and runs as a non-root user with one volume, the default port and the updater notice off', () => {
    expect(build.from).toBe('node:20-slim');
    expect(runtime.from).toBe('node:20-slim');
    expect(only(runtime, 'USER').args).toBe('node');
    expect(only(runtime, 'VOLUME').args).toBe('/data');
    expect(only(runtime, 'EXPOSE').args).toBe(String(DEFAULT_SERVE_PORT));
    expect(envOf(runtime)).toMatchObject({ NODE_ENV: 'production', NPM_CONFIG_UPDATE_NOTIFIER: 'false' });
    // The build stage never fetches Electron (no Docker build reaches its download, nor needs it).
    expect(envOf(build)).toMatchObject({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CDS_NATIVE_OFFLINE: '1' });
    // The CMD is a valid serve command line, with the database in the volume.
    expect(parseArgs(execForm(only(runtime, 'CMD').args))).toMatchObject({ command: 'serve', host: '0.0.0.0', allowRemote: true, dbPath: '/data/data.db' });
  });

  it('probes /healthz on the default port, within the health check timeout', () => {
    const { options, command } = healthcheckOf(runtime);
    expect(command).toEqual(['node', '/app/deploy/healthcheck.mjs']);
    const script = readFileSync(path.join(REPO_ROOT, 'deploy/healthcheck.mjs'), 'utf8');
    expect(script).toContain(`'http://127.0.0.1:${DEFAULT_SERVE_PORT}/healthz'`);
    const timeoutMs = Number(/const TIMEOUT_MS = (\d+);/.exec(script)![1]);
    expect(timeoutMs).toBeLessThan(Number.parseInt(options.timeout!, 10) * 1000);
    expect(Number.parseInt(options['start-period']!, 10)).toBeGreaterThanOrEqual(START_TIMEOUT_MS / 1000);
  });
});

describe("the image's runtime, from a clean folder with production dependencies only", () => {
  it('has no package that only development needs, and runs the CLI bundle (every source it was built from is in the image)', () => {
    // The lock file marks what only development needs ("dev": true); none of it is installed.
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([where, entry]) => where !== '' && entry.dev === true);
    expect(devOnly.map(([where]) => where)).toContain('node_modules/electron');
    for (const [where] of devOnly) expect(existsSync(path.join(app, where)), where).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/selfsigned'))).toBe(true);
    const { sources } = JSON.parse(readFileSync(path.join(app, 'out/cli/sources.json'), 'utf8')) as { sources: Record<string, { sha256: string }> };
    for (const [file, built] of Object.entries(sources)) {
      expect(existsSync(path.join(app, file)), `${file} is in the image`).toBe(true);
      expect(sha256(path.join(app, file)), file).toBe(built.sha256);
    }
  });

  it('starts with the ENTRYPOINT and CMD, answers /healthz, the HEALTHCHECK passes, the UI is served, and SIGTERM exits 0', async () => {
    const server = await startEntry();
    try {
      expect(server.url).toMatch(/^http:/);
      expect(server.out()).toContain(`?token=${TOKEN}`);
      expect(existsSync(path.join(data, 'data.db'))).toBe(true);
      expect(existsSync(path.join(data, 'secret.key'))).toBe(true);
      const health = await get(server.port, '/healthz');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
      expect(await healthcheck(server.port)).toMatchObject({ code: 0 });
      const page = await get(server.port, '/', { Authorization: `Bearer ${TOKEN}` });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root">');
      expect(server.err()).not.toContain('No web UI build');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
    expect(server.err()).toContain('SIGTERM received');
    // Nothing answers now: the health check says so.
    expect(await healthcheck(server.port)).toMatchObject({ code: 1 });
  });

  it('serves TLS with --tls-self-signed (its package is a production dependency), and the HEALTHCHECK follows it to https', async () => {
    const server = await startEntry(['--tls-self-signed']);
    try {
      expect(server.url).toMatch(/^https:/);
      // The fingerprint line follows the URL line, in a write of its own: wait for it, not for the URL.
      await waitFor(() => /^SHA-256 fingerprint: [0-9A-F:]{95}$/m.test(server.out()), START_TIMEOUT_MS, 'the fingerprint line after the URL');
      expect(existsSync(path.join(data, 'tls-cert.pem'))).toBe(true);
      expect(await healthcheck(server.port)).toMatchObject({ code: 0 });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exit).toBe(0);
  });
});
