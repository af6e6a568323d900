// One process per database, through the real command: a second start on a database in use refuses
// naming the holder (exit 75) and leaves the holder's live run alone; after the holder is killed
// with SIGKILL the next start works and marks the dead holder's run interrupted.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { EXIT } from '../../electron/headless/exit-codes';
import { openStore } from '../../electron/store';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { spawnCli, waitFor, type CliChild } from '../support/cli-child';

/**
 * A TCP gate in front of s3rver: while `holding`, connections are accepted and never answered, so a
 * run through it stays 'running' as long as its process lives; otherwise bytes pass through.
 */
function startGate(target: number): Promise<{ port: number; release(): void; close(): Promise<void> }> {
  let holding = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (holding) return;
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        release: () => (holding = false),
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise<void>((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

async function exitOf(cli: CliChild): Promise<number | null> {
  const code = await Promise.race([cli.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
  if (code === 'timeout') {
    cli.child.kill('SIGKILL');
    throw new Error(`the CLI did not exit; stderr:\n${cli.stderr()}`);
  }
  return code;
}

describe('cli: one process per database', () => {
  let dir: string;
  let s3: S3TestServer;
  const started: CliChild[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-lock-'));
    s3 = await startS3Server();
  });
  afterAll(async () => {
    for (const cli of started) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a second start refuses naming the holder and leaves its run running; after SIGKILL the next start works and marks that run interrupted', async () => {
    const gate = await startGate(s3.port);
    try {
      const root = path.join(dir, 'disk');
      await mkdir(path.join(root, 'src'), { recursive: true });
      await writeFile(path.join(root, 'src', 'a.txt'), 'one process per database');
      const provider = createS3Provider(awsSettingsFor(s3));
      await provider.createBucket('locked');
      await provider.close();
      const dbPath = path.join(dir, 'state.db');
      const file = path.join(dir, 'config.json');
      const text = JSON.stringify({
        databasePath: dbPath,
        providers: [
          { id: 'disk', type: 'local', local: { root } },
          { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: `http://127.0.0.1:${gate.port}`, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
        ],
        mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 's3', targetBucket: 'locked' }],
      });
      await writeFile(file, text);
      const mappingId = parseConfig(text).mappings[0]!.id;

      const holder = spawnCli(['--config', file, '--once'], dir);
      started.push(holder);
      await waitFor(() => /Run started/.test(holder.stderr()), 30_000, 'the holder\'s run to start');

      const second = spawnCli(['--config', file, '--once'], dir);
      started.push(second);
      expect(await exitOf(second)).toBe(EXIT.locked);
      expect(second.stderr()).toMatch(new RegExp(`database .*state\\.db is in use by another Cloud Data Sync process: pid ${holder.child.pid} on .+, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(node cloud-data-sync\\.mjs --config .*config\\.json --once\\)`));
      expect(second.stdout()).toBe(''); // it ran nothing

      // The holder is alive and its run is still running: the refused start changed nothing.
      expect(holder.child.exitCode).toBeNull();
      const reader = openStore(dbPath, { readonly: true });
      const [live] = reader.runs.list(mappingId, { limit: 5 });
      reader.close();
      expect(live?.status).toBe('running');

      holder.child.kill('SIGKILL');
      await holder.exit;
      gate.release();
      const next = spawnCli(['--config', file, '--once'], dir);
      started.push(next);
      expect(await exitOf(next)).toBe(EXIT.ok);
      expect(next.stderr()).toMatch(/Marked 1 run\(s\) left running by a process that ended without finishing them as interrupted/);
      expect(next.stdout()).toMatch(/success in [\d.]+ s — copied 1 /);

      const store = openStore(dbPath);
      try {
        const runs = store.runs.list(mappingId, { limit: 5 });
        expect(runs.map((r) => [r.id, r.status])).toEqual([
          [runs[0]!.id, 'success'],
          [live!.id, 'interrupted'],
        ]);
      } finally {
        store.close();
      }
    } finally {
      await gate.close();
    }
  });

  it('serve refuses a database that the CLI holds, naming the holder', async () => {
    const dbPath = path.join(dir, 'serve', 'data.db');
    const holder = openStore(dbPath); // this test process is the holder
    try {
      const serve = spawnCli(['serve', '--db', dbPath, '--port', '0'], dir);
      started.push(serve);
      expect(await exitOf(serve)).toBe(EXIT.locked);
      expect(serve.stderr()).toContain(`is in use by another Cloud Data Sync process: pid ${process.pid}`);
      expect(serve.stdout()).not.toMatch(/is running at/);
    } finally {
      holder.close();
    }
  });
});
