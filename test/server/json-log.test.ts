// `serve --log-format json`: the runs serve makes (here one asked for over the contract) are logged on
// stderr as JSON lines naming their mapping and run, as the CLI's are; serve's own lines and its URL
// (stdout) are JSON too. In process: the real core behind the real server.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openConsoleLog } from '../../electron/headless/console-log';
import { waitFor } from '../support/cli-child';
import { contractSocket, serveHarness, startServe, testServeArgs } from './serve-harness';

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

    const h = serveHarness();
    const args = { ...testServeArgs(), dbPath: path.join(home, 'app.db'), logLevel: 'debug' as const, logFormat: 'json' as const };
    const log = await openConsoleLog(h.cli, args.logLevel, args.logFormat);
    const { port, exit } = await startServe(h, args, path.join(home, 'no-build'), { CDS_SERVER_TOKEN: TOKEN }, log);
    const socket = contractSocket(port, TOKEN);
    await socket.opened;
    const call = socket.call;
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
      await waitFor(() => jsonLines(h.err()).some((l) => l.event === 'run.finished'), 30_000, `the run to finish (stderr: ${h.err()})`);
      const runs = await call('runs.list', { mappingId });
      const run = (runs.value as { id: number; status: string }[])[0]!;
      expect(run.status).toBe('success');

      const lines = jsonLines(h.err());
      const runLines = lines.filter((l) => l.mapping !== undefined);
      expect(runLines.map((l) => l.event).filter((e) => e !== undefined && e !== 'object.copied')).toEqual(['run.started', 'run.finished']);
      for (const line of runLines) expect(line).toMatchObject({ mapping: mappingId, mapping_name: 'Docs', run: run.id });
      expect(runLines.filter((l) => l.event === 'object.copied').map((l) => l.key).sort()).toEqual(['a.txt', 'b.txt']);
      // serve's own lines: a component instead of a mapping (the missing UI build is a warning).
      expect(lines.filter((l) => l.mapping === undefined).length).toBeGreaterThan(0);
      for (const line of lines.filter((l) => l.mapping === undefined)) expect(line.component).toEqual(expect.any(String));
      expect(jsonLines(h.out())).toEqual([expect.objectContaining({ level: 'info', msg: expect.stringContaining(`is running at http://127.0.0.1:${port}/`) })]);
    } finally {
      socket.close();
      h.interrupt('SIGINT');
      expect(await exit).toBe(0);
    }
    expect(jsonLines(h.err()).at(-1)).toMatchObject({ component: 'cli', msg: 'Stopped' });
  });
});
