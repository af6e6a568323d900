// The CLI bundle (scripts/build-cli.mjs) with traces and JSON logs on: the OpenTelemetry packages and
// pino stay in node_modules and are loaded on first use, so what works from the sources must work
// from the bundle too (a dynamic import() of a CommonJS package once gave the bundle its `default`
// only). Builds the real CLI into a temporary layout and runs the bundle against a local receiver.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli-child';
import { startReceiver } from './tracing-receiver';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cds-tracing-bundle-'));
  mkdirSync(path.join(dir, 'scripts'));
  for (const script of ['build-cli.mjs', 'bundle-packages.mjs']) copyFileSync(path.join(REPO_ROOT, 'scripts', script), path.join(dir, 'scripts', script));
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
  for (const folder of ['electron', 'shared', 'node_modules']) symlinkSync(path.join(REPO_ROOT, folder), path.join(dir, folder), 'dir');
  const build = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-cli.mjs')], { cwd: dir, encoding: 'utf8' });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runBundle(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [path.join(dir, 'out', 'cli', 'cli.mjs'), ...args], { cwd: dir }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    ),
  );
}

describe('the CLI bundle', () => {
  it('sends the traces of a run and logs it as JSON', async () => {
    const data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'disk', 'src'), { recursive: true });
    mkdirSync(path.join(data, 'disk', 'dst'));
    writeFileSync(path.join(data, 'disk', 'src', 'a.txt'), 'a');
    writeFileSync(
      path.join(data, 'config.json'),
      JSON.stringify({
        databasePath: path.join(data, 'state.db'),
        providers: [{ id: 'disk', type: 'local', local: { root: path.join(data, 'disk') } }],
        mappings: [{ id: 'm', name: 'docs', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
      }),
    );
    const receiver = await startReceiver();
    try {
      const r = await runBundle(['--config', path.join(data, 'config.json'), '--once', '--log-format', 'json', '--log-level', 'debug', '--otlp-endpoint', receiver.base]);
      expect(r.stderr).not.toMatch(/Traces|TypeError/);
      expect(r.code).toBe(0);
      const lines = r.stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((l) => l.event)).toEqual(['run.started', 'object.copied', 'run.finished']);
      expect(JSON.parse(r.stdout)).toMatchObject({ event: 'run.summary', status: 'success', copied: 1 });
      expect(receiver.errors).toEqual([]);
      expect(receiver.spans.map((s) => s.name).sort()).toEqual(['copy', 'list source', 'list target', 'sync docs']);
    } finally {
      await receiver.close();
    }
  });
});
