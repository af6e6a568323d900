#!/usr/bin/env node
// `npm test`: typecheck, make sure the Node build of better-sqlite3 loads, run vitest, and close with
// one line `N passed, N failed` taken from vitest's JSON report.
//
// Extra arguments go to vitest: `npm test -- test/store` or `npm test -- -t "plan"`.
// Exit code: 0 only when the typecheck passed, vitest passed and its report says nothing failed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = path.join(root, '.vitest-report.json');
const say = (message) => console.log(`[test] ${message}`);

/** The file of a package's bin, run with this node rather than through npx or a shell shim. */
function binOf(pkg, name) {
  const dir = path.join(root, 'node_modules', pkg);
  const { bin } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return path.join(dir, typeof bin === 'string' ? bin : bin[name]);
}

/** Runs a command with inherited stdio (output streams as it comes); resolves its exit code. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (error) => {
      console.error(`[test] could not start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function typecheck() {
  say('typecheck: tsc -b');
  return run(process.execPath, [binOf('typescript', 'tsc'), '-b']);
}

/** Opens an in-memory database with the default (Node) binding, in a child so a crash stays there. */
function probeSqlite() {
  const probe = "const D = require('better-sqlite3'); new D(':memory:').close();";
  const result = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
  return { ok: result.status === 0, error: `${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

/**
 * Tests and the CLI need better-sqlite3 built for Node. Someone who ran electron-rebuild (or an
 * interrupted install) leaves a binary for another ABI, or none: rebuild it once, then go on.
 */
function ensureNodeSqlite() {
  const first = probeSqlite();
  if (first.ok) return;
  const wrongAbi = /NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(first.error);
  const missing = /Could not locate the bindings file|Cannot find module/.test(first.error);
  if (!wrongAbi && !missing) {
    say(`warning: better-sqlite3 does not load; tests that use it will fail:\n${first.error.trim()}`);
    return;
  }
  const why = wrongAbi ? 'is built for another runtime (NODE_MODULE_VERSION mismatch, e.g. after electron-rebuild)' : 'has no compiled binary';
  say(`better-sqlite3 ${why}: running \`npm rebuild better-sqlite3\` once...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const rebuild = spawnSync(npm, ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  const second = probeSqlite();
  say(second.ok ? 'better-sqlite3 rebuilt for Node: it loads now.' : `warning: better-sqlite3 still does not load (npm rebuild exit ${rebuild.status}):\n${second.error.trim()}`);
}

/**
 * Counts from vitest's JSON report. A file that failed outside any test (an import error, a
 * throwing beforeAll) has no failed test in it, so it counts as one failure of its own.
 */
function countReport() {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch (error) {
    return { error: `no readable vitest report at ${path.relative(root, report)} (${error.code ?? error.message})` };
  }
  const passed = data.numPassedTests ?? 0;
  const failedTests = data.numFailedTests ?? 0;
  let failed = failedTests;
  const brokenFiles = [];
  for (const file of data.testResults ?? []) {
    const failedInFile = (file.assertionResults ?? []).filter((test) => test.status === 'failed').length;
    if (file.status === 'failed' && failedInFile === 0) {
      failed += 1;
      brokenFiles.push(`${path.relative(root, file.name)}: ${(file.message || 'an import or hook error, see above').split('\n')[0]}`);
    }
  }
  const skipped = (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
  return { passed, failed, failedTests, skipped, total: data.numTotalTests ?? 0, brokenFiles };
}

async function main() {
  const started = Date.now();
  const typecheckCode = await typecheck();
  if (typecheckCode !== 0) say('typecheck FAILED (errors above); running the tests anyway.');

  ensureNodeSqlite();

  fs.rmSync(report, { force: true });
  const vitest = binOf('vitest', 'vitest');
  const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)];
  say(`vitest ${vitestArgs.join(' ')}`);
  const vitestCode = await run(process.execPath, [vitest, ...vitestArgs]);

  const counts = countReport();
  let passed = 0;
  let failed = 0;
  if ('error' in counts) {
    say(`${counts.error}: counting the run as one failure.`);
    failed = 1;
  } else {
    ({ passed, failed } = counts);
    for (const line of counts.brokenFiles) say(`file failed outside its tests: ${line}`);
    say(
      `${counts.total} tests: ${counts.passed} passed, ${counts.failedTests} failed, ${counts.skipped} skipped or todo; ` +
        `${counts.brokenFiles.length} file(s) failed outside their tests, counted as one failure each`,
    );
    if (vitestCode !== 0 && failed === 0) {
      // No test file matched, or an unhandled error after the tests: vitest fails the run, the JSON counts nothing.
      say(`vitest exited with ${vitestCode} though its report counts no failure (no test files, or an unhandled error: see above): counting one failure.`);
      failed = 1;
    }
  }
  if (typecheckCode !== 0) {
    say('typecheck failed: counted as one failure.');
    failed += 1;
  }
  say(`finished in ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || vitestCode !== 0 || typecheckCode !== 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
