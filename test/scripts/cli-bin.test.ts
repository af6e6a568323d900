// bin/cloud-data-sync.mjs, run against a stub electron/cli.ts in a temp copy of the layout, before and
// after scripts/build-cli.mjs bundled it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;

// TypeScript-only syntax, an extensionless relative import and top-level await, like the real
// cli.ts. Top-level await works only while package.json says "type": "module" (tsx compiles .ts
// files of a CommonJS package to CommonJS), so the stub project takes the real package.json.
const STUB_CLI = `
import { exitCodeOf } from './exit-code';
const args: string[] = process.argv.slice(2);
await Promise.resolve();
process.stdout.write(JSON.stringify({ args, argv1: process.argv[1], module: new URL(import.meta.url).pathname }) + '\\n');
if (args[0] === 'wait') {
  const timer = setInterval(() => {}, 1000);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    process.stdout.write('cli.ts got SIGTERM\\n');
    process.exitCode = 7;
  });
  process.stdout.write('ready\\n');
} else {
  process.exitCode = exitCodeOf(args);
}
// A module loaded on first use, as the providers are: a chunk of its own in the bundle.
if (args[1] === 'lazy') await import('./lazy');
`;
const STUB_HELPER = 'export const exitCodeOf = (args: readonly string[]): number => Number(args[0] ?? 0);\n';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cds-bin-test-'));
  for (const sub of ['bin', 'electron', 'scripts']) fs.mkdirSync(path.join(dir, sub));
  fs.copyFileSync(path.join(repoRoot, 'bin', 'cloud-data-sync.mjs'), path.join(dir, 'bin', 'cloud-data-sync.mjs'));
  fs.copyFileSync(path.join(repoRoot, 'scripts', 'build-cli.mjs'), path.join(dir, 'scripts', 'build-cli.mjs'));
  fs.copyFileSync(path.join(repoRoot, 'scripts', 'bundle-packages.mjs'), path.join(dir, 'scripts', 'bundle-packages.mjs'));
  fs.writeFileSync(path.join(dir, 'electron', 'cli.ts'), STUB_CLI);
  fs.writeFileSync(path.join(dir, 'electron', 'exit-code.ts'), STUB_HELPER);
  fs.writeFileSync(path.join(dir, 'electron', 'lazy.ts'), 'export const lazy = 1;\n');
  fs.writeFileSync(path.join(dir, 'electron', 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }');
  fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]) {
  // Run from an unrelated folder: the bin must not depend on the working directory.
  const child = spawn(process.execPath, [path.join(dir, 'bin', 'cloud-data-sync.mjs'), ...args], { cwd: os.tmpdir() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout };
}

function buildCli() {
  const result = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-cli.mjs')], { cwd: dir, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

const sources = () => path.join(dir, 'electron', 'cli.ts');
const bundle = () => path.join(dir, 'out', 'cli', 'cli.mjs');

/** Runs the bin and checks which file ran as the CLI; process.argv[1] stays the bin either way. */
async function expectRun(args: string[], module: string, code: number) {
  const result = await start(args).done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(code);
  expect(JSON.parse(result.stdout)).toEqual({ args, argv1: path.join(dir, 'bin', 'cloud-data-sync.mjs'), module });
}

async function expectSigtermHandled() {
  const run = start(['wait']);
  await expect.poll(run.stdout, { timeout: 30_000 }).toContain('ready');
  run.child.kill('SIGTERM');
  const result = await run.done;
  expect(result.stdout).toContain('cli.ts got SIGTERM');
  expect(result.code).toBe(7);
}

// The tests share one layout and build on each other, in order.
describe('not built: runs electron/cli.ts from the sources', () => {
  test('with the arguments, exiting with its exit code', async () => {
    await expectRun(['3', '--once', 'a b'], sources(), 3);
  });

  test('SIGTERM reaches the handler in cli.ts, which decides the exit code', async () => {
    await expectSigtermHandled();
  });
});

describe('built: runs out/cli/cli.mjs while every source it was built from is unchanged', () => {
  beforeAll(buildCli);

  test('with the arguments, exiting with its exit code', async () => {
    await expectRun(['3', '--once', 'a b'], bundle(), 3);
    await expectRun([], bundle(), 0);
  });

  test('SIGTERM reaches the handler in the bundle, which decides the exit code', async () => {
    await expectSigtermHandled();
  });

  test('a changed source runs the sources, with the change, until the next build', async () => {
    fs.writeFileSync(path.join(dir, 'electron', 'exit-code.ts'), STUB_HELPER.replace('Number(args[0] ?? 0)', 'Number(args[0] ?? 0) + 1'));
    await expectRun(['3'], sources(), 4);
    buildCli();
    await expectRun(['3'], bundle(), 4);
  });

  test('a source changed without a change in size counts as changed', async () => {
    const helper = path.join(dir, 'electron', 'exit-code.ts');
    fs.writeFileSync(helper, fs.readFileSync(helper, 'utf8').replace('+ 1', '+ 2'));
    await expectRun(['3'], sources(), 5);
    buildCli();
    await expectRun(['3'], bundle(), 5);
  });

  test('sources with new dates and the same content (as npm unpacks a package) still run the bundle', async () => {
    const earlier = new Date('1985-10-26T08:15:00Z'); // npm's date for every file of a package
    for (const file of ['cli.ts', 'exit-code.ts', 'lazy.ts']) fs.utimesSync(path.join(dir, 'electron', file), earlier, earlier);
    await expectRun(['3'], bundle(), 5);
  });

  test('a bundle without its record of sources (a build that did not finish) is not run', async () => {
    fs.rmSync(path.join(dir, 'out', 'cli', 'sources.json'));
    await expectRun(['3'], sources(), 5);
  });
});

test('a rebuild keeps the previous build\'s files, for a command already running, and drops older ones', () => {
  const outputs = () => (JSON.parse(fs.readFileSync(path.join(dir, 'out', 'cli', 'sources.json'), 'utf8')) as { outputs: string[] }).outputs;
  const onDisk = () => fs.readdirSync(path.join(dir, 'out', 'cli')).filter((file) => file !== 'sources.json').sort();
  const lazy = path.join(dir, 'electron', 'lazy.ts');
  buildCli();
  const first = outputs();
  fs.writeFileSync(lazy, 'export const lazy = 2;\n');
  buildCli();
  const second = outputs();
  expect(second).not.toEqual(first); // the lazy chunk's name carries its content hash
  expect(onDisk()).toEqual([...new Set([...first, ...second])].sort());
  fs.writeFileSync(lazy, 'export const lazy = 3;\n');
  buildCli();
  expect(onDisk()).toEqual([...new Set([...second, ...outputs()])].sort());
});
