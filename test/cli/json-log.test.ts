// --log-format json (electron/headless/console-log.ts, electron/ops/json-log.ts): every line a JSON
// object with time, level and msg, run lines naming mapping, run, key, event and error code, filtered
// by level as text lines are; results on stdout as JSON too. Through ConsoleLog, the CLI in process,
// and the real command (whose streams and exit are the process's own).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleLog, openConsoleLog } from '../../electron/headless/console-log';
import { EXIT } from '../../electron/headless/exit-codes';
import { REPO_ROOT } from '../support/cli-child';
import { cli } from './in-process';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Line = Record<string, unknown>;

/** Every line of `text` as JSON; fails (naming the line) if one is not a JSON object with time, level and msg. */
function jsonLines(text: string): Line[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // every line ends with a newline
  return lines.map((raw) => {
    let line: unknown;
    try {
      line = JSON.parse(raw);
    } catch {
      throw new Error(`not a JSON line: ${raw}`);
    }
    expect(line, raw).toMatchObject({ time: expect.stringMatching(ISO_TIME), level: expect.stringMatching(/^(debug|info|warn|error)$/), msg: expect.any(String) });
    return line as Line;
  });
}

function fakeStreams() {
  const out = { stdout: '', stderr: '' };
  return { out, streams: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
}

describe('ConsoleLog in json mode', () => {
  it('names the run, key, event and code of run lines, and the component of the process’s own', async () => {
    const { out, streams } = fakeStreams();
    const log = await openConsoleLog(streams, 'debug', 'json');
    log.line('photos', { level: 'info', message: 'Copied a.jpg (3 B)', key: 'a.jpg', event: 'object.copied' }, { mappingId: 'm1', runId: 7 });
    log.line('photos', { level: 'error', message: 'Failed to copy b.jpg: denied\nsecond line', key: 'b.jpg', event: 'object.failed', code: 'AccessDenied' }, { mappingId: 'm1', runId: 7 });
    log.line('photos', { level: 'info', message: 'a note before the run is recorded' }, { mappingId: 'm1', runId: 0 });
    log.info('Marked 1 run(s) as interrupted');
    log.line('config', { level: 'warn', message: 'unknown field "x"' });
    const lines = jsonLines(out.stderr);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({ time: expect.any(String), level: 'info', mapping: 'm1', mapping_name: 'photos', run: 7, key: 'a.jpg', event: 'object.copied', msg: 'Copied a.jpg (3 B)' });
    expect(lines[1]).toEqual({ time: expect.any(String), level: 'error', mapping: 'm1', mapping_name: 'photos', run: 7, key: 'b.jpg', event: 'object.failed', code: 'AccessDenied', msg: 'Failed to copy b.jpg: denied\nsecond line' });
    expect(lines[2]).toEqual({ time: expect.any(String), level: 'info', mapping: 'm1', mapping_name: 'photos', msg: 'a note before the run is recorded' });
    expect(lines[3]).toEqual({ time: expect.any(String), level: 'info', component: 'cli', msg: 'Marked 1 run(s) as interrupted' });
    expect(lines[4]).toEqual({ time: expect.any(String), level: 'warn', component: 'config', msg: 'unknown field "x"' });
    expect(Math.abs(Date.parse(lines[0]!.time as string) - Date.now())).toBeLessThan(60_000);
    expect(out.stdout).toBe('');
  });

  it('filters as text mode does: object lines at info are debug detail, object warnings and errors always show', async () => {
    for (const format of ['text', 'json'] as const) {
      const { out, streams } = fakeStreams();
      const log = await openConsoleLog(streams, 'info', format);
      const run = { mappingId: 'm1', runId: 2 };
      log.line('photos', { level: 'info', message: 'Copied a.jpg', key: 'a.jpg', event: 'object.copied' }, run);
      log.line('photos', { level: 'warn', message: 'Retrying b.jpg in 100 ms', key: 'b.jpg', event: 'object.retry', code: 'Transient' }, run);
      log.line('photos', { level: 'info', message: 'Run started', event: 'run.started' }, run);
      log.line('photos', { level: 'debug', message: 'detail' }, run);
      const shown = out.stderr.trimEnd().split('\n');
      expect(shown, format).toHaveLength(2);
      if (format === 'json') {
        expect(jsonLines(out.stderr).map((l) => [l.level, l.event, l.code])).toEqual([
          ['warn', 'object.retry', 'Transient'],
          ['info', 'run.started', undefined],
        ]);
      } else {
        expect(shown[0]).toMatch(/^\S+ WARN {2}\[photos\] Retrying b\.jpg in 100 ms$/);
      }
    }
  });

  it('writes results on stdout as JSON; text mode writes them as they are', async () => {
    const json = fakeStreams();
    (await openConsoleLog(json.streams, 'error', 'json')).result('Cloud Data Sync is running at http://127.0.0.1:1/');
    expect(jsonLines(json.out.stdout)).toEqual([{ time: expect.any(String), level: 'info', msg: 'Cloud Data Sync is running at http://127.0.0.1:1/' }]);
    const text = fakeStreams();
    new ConsoleLog(text.streams, 'error').result('done');
    expect(text.out.stdout).toBe('done\n');
  });
});

describe('the CLI with --log-format json', () => {
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-json-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** src holds a.txt, b.txt, x.txt; dst holds a folder named x.txt, so copying x.txt fails (Fatal). */
  beforeEach(async () => {
    await rm(path.join(dir, 'disk'), { recursive: true, force: true });
    await rm(path.join(dir, 'state.db'), { force: true });
    await mkdir(path.join(dir, 'disk', 'src'), { recursive: true });
    await mkdir(path.join(dir, 'disk', 'dst', 'x.txt'), { recursive: true });
    for (const name of ['a.txt', 'b.txt', 'x.txt']) await writeFile(path.join(dir, 'disk', 'src', name), `${name} body`);
    configPath = path.join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        databasePath: path.join(dir, 'state.db'),
        providers: [{ id: 'disk', type: 'local', local: { root: path.join(dir, 'disk') } }],
        mappings: [{ id: 'm1', name: 'photos', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
      }),
    );
  });

  it('logs a run as JSON lines (--log-level debug: every object) and prints its summary as JSON', async () => {
    const r = await cli(['--config', configPath, '--once', '--log-format', 'json', '--log-level', 'debug']);
    expect(r.code).toBe(EXIT.failed);
    const [summary, ...more] = jsonLines(r.stdout);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ level: 'warn', event: 'run.summary', mapping: 'm1', mapping_name: 'photos', status: 'partial', dry_run: false, copied: 2, failed: 1, code: 'Fatal', msg: expect.stringMatching(/^photos: partial/) });
    const runId = summary!.run as number;
    expect(runId).toBeGreaterThan(0);

    const lines = jsonLines(r.stderr);
    const runLines = lines.filter((l) => l.mapping !== undefined);
    expect(runLines.length).toBeGreaterThan(0);
    for (const line of runLines) expect(line).toMatchObject({ mapping: 'm1', mapping_name: 'photos', run: runId });
    expect(lines.filter((l) => l.mapping === undefined).every((l) => typeof l.component === 'string')).toBe(true);
    const events = runLines.map((l) => l.event);
    expect(events[0]).toBe('run.started');
    expect(events.at(-1)).toBe('run.finished');
    expect(runLines.at(-1)).toMatchObject({ level: 'warn', code: 'Fatal' });

    const copied = runLines.filter((l) => l.event === 'object.copied');
    expect(copied.map((l) => l.key).sort()).toEqual(['a.txt', 'b.txt']);
    for (const line of copied) expect(line).toMatchObject({ level: 'info', msg: expect.stringMatching(/^Copied /) });
    expect(runLines.filter((l) => l.event === 'object.failed')).toEqual([
      expect.objectContaining({ level: 'error', key: 'x.txt', code: 'Fatal', msg: expect.stringContaining('x.txt') }),
    ]);
  });

  it('at the default level shows no per-object info lines, but the failure; deletions are object.deleted at debug', async () => {
    const quiet = await cli(['--config', configPath, '--once', '--log-format', 'json']);
    const lines = jsonLines(quiet.stderr);
    expect(lines.filter((l) => l.event === 'object.copied')).toEqual([]);
    expect(lines.filter((l) => l.event === 'object.failed').map((l) => l.key)).toEqual(['x.txt']);

    await rm(path.join(dir, 'disk', 'dst', 'x.txt'), { recursive: true });
    await unlink(path.join(dir, 'disk', 'src', 'b.txt'));
    const next = await cli(['--config', configPath, '--once', '--log-format', 'json', '--log-level', 'debug']);
    expect(next.code).toBe(EXIT.ok);
    const again = jsonLines(next.stderr);
    expect(again.filter((l) => l.event === 'object.deleted')).toEqual([expect.objectContaining({ level: 'info', key: 'b.txt' })]);
    expect(jsonLines(next.stdout)).toEqual([expect.objectContaining({ level: 'info', event: 'run.summary', status: 'success', deleted: 1, copied: 1, code: null, error: null })]);
  });

  it('reports configuration errors as JSON lines', async () => {
    const r = await cli(['--config', path.join(dir, 'absent.json'), '--once', '--log-format', 'json']);
    expect(r.code).toBe(EXIT.usage);
    expect(jsonLines(r.stderr)).toEqual([expect.objectContaining({ level: 'error', component: 'cli', msg: expect.stringContaining('absent.json not found') })]);
  });

  // The real command: the process's own stdout and stderr, and its exit, with nothing left unwritten.
  // A preload tells which of pino and OpenTelemetry the process loaded (CommonJS modules, as the bundle
  // and the sources both load them).
  async function command(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
    const preload = path.join(dir, 'loaded.cjs');
    const loadedFile = path.join(dir, 'loaded.json');
    await rm(loadedFile, { force: true });
    await writeFile(
      preload,
      `process.on('exit', () => {
        const names = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](pino|@opentelemetry)[\\\\/]/.test(f)).map((f) => f.split(/node_modules[\\\\/]/).pop().split(/[\\\\/]/).slice(0, f.includes('@opentelemetry') ? 2 : 1).join('/'));
        require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify([...new Set(names)].sort()));
      });\n`,
    );
    const child = spawn(process.execPath, ['--require', preload, path.join(REPO_ROOT, 'bin/cloud-data-sync.mjs'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr, loaded: JSON.parse(await readFile(loadedFile, 'utf8')) as string[] };
  }

  it('the command writes every line before it exits, all JSON', async () => {
    const r = await command(['--config', configPath, '--once', '--log-format', 'json', '--log-level', 'debug']);
    expect(r.code).toBe(EXIT.failed);
    const lines = jsonLines(r.stderr);
    expect(lines.map((l) => l.event).filter((e) => e === 'run.started' || e === 'run.finished')).toEqual(['run.started', 'run.finished']);
    expect(jsonLines(r.stdout)).toEqual([expect.objectContaining({ event: 'run.summary', status: 'partial' })]);
    expect(r.loaded).toContain('pino');
    expect(r.loaded.filter((name) => name.startsWith('@opentelemetry'))).toEqual([]);
  }, 60_000);

  it('--version and --help answer in plain text and load neither pino nor OpenTelemetry', async () => {
    const version = await command(['--version', '--log-format', 'json', '--otlp-endpoint', 'http://127.0.0.1:9']);
    expect(version.code).toBe(EXIT.ok);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(version.loaded).toEqual([]);
    const help = await command(['--help', '--log-format', 'json']);
    expect(help.stdout).toMatch(/^Usage: cloud-data-sync/);
    expect(help.loaded).toEqual([]);
  }, 60_000);
});
