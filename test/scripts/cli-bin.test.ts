// bin/cloud-data-sync.mjs, run against a stub electron/cli.ts in a temp copy of the layout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;

// TypeScript-only syntax, an extensionless relative import and top-level await, like the real
// cli.ts. Top-level await works only while package.json says "type": "module" (tsx compiles .ts
// files of a CommonJS package to CommonJS), so the stub project takes the real package.json.
const STUB_CLI = `
import { exitCodeOf } from './exit-code';
const args: string[] = process.argv.slice(2);
await Promise.resolve();
process.stdout.write(JSON.stringify({ args, entry: process.argv[1] }) + '\\n');
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
`;
const STUB_HELPER = 'export const exitCodeOf = (args: readonly string[]): number => Number(args[0] ?? 0);\n';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cds-bin-test-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(path.join(dir, 'electron'));
  fs.copyFileSync(path.join(repoRoot, 'bin', 'cloud-data-sync.mjs'), path.join(dir, 'bin', 'cloud-data-sync.mjs'));
  fs.writeFileSync(path.join(dir, 'electron', 'cli.ts'), STUB_CLI);
  fs.writeFileSync(path.join(dir, 'electron', 'exit-code.ts'), STUB_HELPER);
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

test('runs electron/cli.ts from source with the arguments, and exits with its exit code', async () => {
  const { done } = start(['3', '--once', 'a b']);
  const result = await done;
  expect(result.stderr).toBe('');
  expect(result.code).toBe(3);
  expect(JSON.parse(result.stdout)).toEqual({ args: ['3', '--once', 'a b'], entry: path.join(dir, 'electron', 'cli.ts') });
});

test('SIGTERM reaches the handler in cli.ts, which decides the exit code', async () => {
  const run = start(['wait']);
  await expect.poll(run.stdout, { timeout: 30_000 }).toContain('ready');
  run.child.kill('SIGTERM');
  const result = await run.done;
  expect(result.stdout).toContain('cli.ts got SIGTERM');
  expect(result.code).toBe(7);
});
