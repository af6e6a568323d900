// `serve --log-format json`: the runs serve makes (here one asked for over the contract) are logged on
// stderr as JSON lines naming their mapping and run, as the CLI's are; serve's own lines and its URL
// (stdout) are JSON too. In process: the real core behind the real server.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveDefaults } from '../../electron/headless/args';
import { openConsoleLog } from '../../electron/headless/console-log';
import type { CliEnvironment } from '../../electron/headless/exit-codes';
import { runServe } from '../../electron/server/serve';
import { waitFor } from '../support/cli-child';

const TOKEN = 'serve-json-log-token-0123456789abcdef';
let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

type Line = Record<string, unknown>;

function jsonLines(text: string): Line[] {
  return text
    .split('\n')
    .filter((raw) => raw !== '')
    .map((raw) => {
      const line = JSON.parse(raw) as Line;
      expect(line, raw).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), level: expect.any(String), msg: expect.any(String) });
      return line;
    });
}

describe('serve --log-format json', () => {
  it('logs its runs as JSON lines with their run ids', async () => {
    home = mkdtempSync(path.join(tmpdir(), 'cds-serve-json-'));
    const root = path.join(home, 'disk');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    mkdirSync(path.join(root, 'dst'));
    for (const name of ['a.txt', 'b.txt']) writeFileSync(path.join(root, 'src', name), `${name} body`);

    let out = '';
    let err = '';
    let stop!: (signal: string) => void;
    const cli: CliEnvironment = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      version: '9.9.9',
      onShutdownRequest(listener) {
        stop = listener;
        return () => undefined;
      },
    };
    let listening!: (info: { port: number }) => void;
    const ready = new Promise<{ port: number }>((resolve) => (listening = resolve));
    const args = { ...serveDefaults(), port: 0, dbPath: path.join(home, 'app.db'), logLevel: 'debug' as const, logFormat: 'json' as const };
    const exit = runServe(args, await openConsoleLog(cli, args.logLevel, args.logFormat), cli, { env: { CDS_SERVER_TOKEN: TOKEN }, rendererBuild: path.join(home, 'no-build'), onListening: listening });
    const { port } = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${err}`)))]);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let nextId = 1;
    const call = (name: string, callArgs?: unknown): Promise<{ ok: boolean; value?: any }> => {
      const id = nextId++;
      const reply = new Promise<any>((resolve) =>
        ws.on('message', function onMessage(data) {
          const msg = JSON.parse(String(data));
          if (msg.id !== id) return;
          ws.off('message', onMessage);
          resolve(msg.envelope);
        }),
      );
      ws.send(JSON.stringify({ id, name, args: callArgs }));
      return reply;
    };
    try {
      const disk = await call('connections.create', { name: 'Disk', type: 'local', local: { root } });
      expect(disk.ok).toBe(true);
      const mapping = await call('mappings.create', {
        name: 'Docs',
        sourceConnectionId: disk.value.id,
        sourceBucket: 'src',
        sourcePrefix: '',
        targetConnectionId: disk.value.id,
        targetBucket: 'dst',
        targetPrefix: '',
        transfers: 2,
        deleteMode: 'synced',
        maxDelete: null,
        dryRun: false,
        enabled: true,
        intervalSeconds: null,
      });
      expect(mapping.ok).toBe(true);
      const mappingId = mapping.value.id as string;
      expect((await call('sync.now', { mappingId })).ok).toBe(true);
      await waitFor(() => jsonLines(err).some((l) => l.event === 'run.finished'), 30_000, `the run to finish (stderr: ${err})`);
      const runs = await call('runs.list', { mappingId });
      const run = (runs.value as { id: number; status: string }[])[0]!;
      expect(run.status).toBe('success');

      const lines = jsonLines(err);
      const runLines = lines.filter((l) => l.mapping !== undefined);
      expect(runLines.map((l) => l.event).filter((e) => e !== undefined && e !== 'object.copied')).toEqual(['run.started', 'run.finished']);
      for (const line of runLines) expect(line).toMatchObject({ mapping: mappingId, mapping_name: 'Docs', run: run.id });
      expect(runLines.filter((l) => l.event === 'object.copied').map((l) => l.key).sort()).toEqual(['a.txt', 'b.txt']);
      // serve's own lines: a component instead of a mapping (the missing UI build is a warning).
      expect(lines.filter((l) => l.mapping === undefined).length).toBeGreaterThan(0);
      for (const line of lines.filter((l) => l.mapping === undefined)) expect(line.component).toEqual(expect.any(String));
      expect(jsonLines(out)).toEqual([expect.objectContaining({ level: 'info', msg: expect.stringContaining(`is running at http://127.0.0.1:${port}/`) })]);
    } finally {
      ws.close();
      stop('SIGINT');
      expect(await exit).toBe(0);
    }
    expect(jsonLines(err).at(-1)).toMatchObject({ component: 'cli', msg: 'Stopped' });
  });
});
