// `cloud-data-sync serve` end to end, in process: the real app core behind the real server, the
// database and its key file in the default data folder, a graceful stop on the shutdown signal.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseArgs, UsageError, USAGE } from '../../electron/headless/args';
import { ConsoleLog } from '../../electron/headless/console-log';
import { EXIT } from '../../electron/headless/exit-codes';
import { loadOrCreateKeyFile } from '../../electron/server/file-key-cipher';
import { defaultDatabasePath, runServe } from '../../electron/server/serve';
import { openStore } from '../../electron/store';
import { spawnCli, waitFor } from '../support/cli-child';
import { contractSocket, serveHarness, startServe, testServeArgs } from './serve-harness';

const TOKEN = 'serve-test-token-0123456789abcdef';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cds-serve-'));
  dirs.push(dir);
  return dir;
}

describe('serve arguments', () => {
  it('has loopback defaults', () => {
    expect(parseArgs(['serve'])).toEqual({
      command: 'serve',
      host: '127.0.0.1',
      port: 8384,
      allowRemote: false,
      dbPath: null,
      logLevel: 'info',
      logFormat: 'text',
      metricsAddr: null,
      otlpEndpoint: null,
      tlsCert: null,
      tlsKey: null,
      tlsSelfSigned: false,
    });
  });

  it('reads every flag', () => {
    expect(
      parseArgs([
        'serve', '--host', '0.0.0.0', '--port=9000', '--allow-remote', '--db', 'x.db', '--log-level', 'debug', '--log-format', 'json',
        '--metrics-addr', '0.0.0.0:9464', '--otlp-endpoint', 'http://127.0.0.1:4318', '--tls-cert', 'c.pem', '--tls-key', 'k.pem',
      ]),
    ).toEqual({
      command: 'serve',
      host: '0.0.0.0',
      port: 9000,
      allowRemote: true,
      dbPath: 'x.db',
      logLevel: 'debug',
      logFormat: 'json',
      metricsAddr: '0.0.0.0:9464',
      otlpEndpoint: 'http://127.0.0.1:4318',
      tlsCert: 'c.pem',
      tlsKey: 'k.pem',
      tlsSelfSigned: false,
    });
    expect(parseArgs(['serve', '--tls-self-signed', '--metrics-addr', '[::1]:0'])).toMatchObject({ tlsSelfSigned: true, metricsAddr: '[::1]:0' });
  });

  it.each([
    [['serve', '--port', '70000'], '--port must be a port number'],
    [['serve', '--port', 'abc'], '--port must be a port number'],
    [['serve', '--config', 'c.json'], 'unknown option "--config" for serve'],
    [['serve', 'extra'], 'unexpected argument "extra"'],
    [['serve', '--tls-cert', 'c.pem'], '--tls-cert and --tls-key go together'],
    [['serve', '--tls-self-signed', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], '--tls-self-signed and --tls-cert/--tls-key exclude each other'],
    [['serve', '--metrics-addr', '0.0.0.0:9464'], '--metrics-addr 0.0.0.0:9464 is not a loopback address'],
    [['serve', '--metrics-addr', '9464'], '--metrics-addr must be HOST:PORT'],
    [['serve', '--log-format', 'xml'], '--log-format must be text or json'],
    [['serve', '--otlp-endpoint', 'grpc://x:4317'], '--otlp-endpoint must be an http:// or https:// URL'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('shows the help, which documents serve', () => {
    const help = parseArgs(['serve', '--help']);
    expect(help.command).toBe('help');
  });

  it('puts the database in $XDG_DATA_HOME, else ~/.local/share', () => {
    expect(defaultDatabasePath({ XDG_DATA_HOME: '/data', HOME: '/home/u' })).toBe('/data/cloud-data-sync/data.db');
    expect(defaultDatabasePath({ HOME: '/home/u' })).toBe('/home/u/.local/share/cloud-data-sync/data.db');
  });
});

describe('runServe', () => {
  it('serves the app, keeps secrets encrypted with the key beside the database, and stops on the signal', async () => {
    const home = tempDir();
    const build = path.join(home, 'build');
    mkdirSync(build);
    writeFileSync(path.join(build, 'index.html'), '<title>ui</title>');
    const env = { XDG_DATA_HOME: path.join(home, 'data'), CDS_SERVER_TOKEN: TOKEN };
    const h = serveHarness();

    const running = await startServe(h, testServeArgs(), build, env);
    expect(h.out()).toContain(`${running.url}?token=${TOKEN}`);
    const socket = contractSocket(running.port, TOKEN);
    await socket.opened;
    expect(await socket.call('app.status')).toMatchObject({ ok: true, value: { mode: 'server', version: '9.9.9' } });
    const created = await socket.call('connections.create', {
      name: 'Backup',
      type: 'aws',
      aws: { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-access-key-value' },
    });
    expect(created).toMatchObject({ ok: true, value: { name: 'Backup', secretsSet: { secretAccessKey: true } } });
    expect(JSON.stringify(created)).not.toContain('very-secret-access-key-value');
    expect((await socket.call('nope')).error).toMatchObject({ code: 'InvalidArgument' });
    socket.close();

    h.interrupt('SIGINT');
    expect(await running.exit).toBe(0);
    expect(h.err()).toContain('SIGINT received');

    const dataDir = path.join(home, 'data', 'cloud-data-sync');
    const keyFile = path.join(dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dataDir, 'data.db')).includes('very-secret-access-key-value')).toBe(false);
    const store = openStore(path.join(dataDir, 'data.db'), { cipher: loadOrCreateKeyFile(keyFile).cipher });
    try {
      const id = (created.value as { id: string }).id;
      expect(store.connections.getWithSecrets(id)).toMatchObject({ aws: { secretAccessKey: 'very-secret-access-key-value' } });
    } finally {
      store.close();
    }
  });

  it('runs without a UI build and says how to make one', async () => {
    const home = tempDir();
    const h = serveHarness();
    const running = await startServe(h, testServeArgs({ dbPath: path.join(home, 'x', 'app.db') }), path.join(home, 'no-build'), { CDS_SERVER_TOKEN: TOKEN });
    expect(h.err()).toContain('npm run build');
    h.interrupt('SIGINT');
    expect(await running.exit).toBe(0);
  });

  it('refuses a non-loopback host without --allow-remote, and a short token', async () => {
    const home = tempDir();
    const h = serveHarness();
    const code = await runServe(testServeArgs({ host: '0.0.0.0', dbPath: path.join(home, 'a.db') }), new ConsoleLog(h.cli, 'info'), h.cli, {
      env: { CDS_SERVER_TOKEN: TOKEN },
    });
    expect(code).toBe(2);
    expect(h.err()).toContain('--allow-remote');

    const h2 = serveHarness();
    expect(await runServe(testServeArgs({ dbPath: path.join(home, 'b.db') }), new ConsoleLog(h2.cli, 'info'), h2.cli, { env: { CDS_SERVER_TOKEN: 'short' } })).toBe(2);
    expect(h2.err()).toContain('CDS_SERVER_TOKEN must have at least 16 characters');
  });

  it('exits 75 (EX_TEMPFAIL), not 2, when another process holds the database, and names that process', async () => {
    const dbPath = path.join(tempDir(), 'held.db');
    const holder = openStore(dbPath); // this test process holds the lock
    try {
      const h = serveHarness();
      const code = await runServe(testServeArgs({ dbPath }), new ConsoleLog(h.cli, 'info'), h.cli, { env: { CDS_SERVER_TOKEN: TOKEN } });
      expect(code).toBe(EXIT.locked);
      expect(h.err()).toContain(`is in use by another Cloud Data Sync process: pid ${process.pid}`);
      expect(h.out()).not.toMatch(/is running at/);
      expect(USAGE).toContain('75 the database is in use by another process (named in the message)');
    } finally {
      holder.close();
    }
  });

  it('generates a random token when none is given', async () => {
    const home = tempDir();
    const h = serveHarness();
    const running = await startServe(h, testServeArgs({ dbPath: path.join(home, 'c.db') }), path.join(home, 'no-build'), {});
    expect(h.out()).toMatch(/\?token=[0-9a-f]{64}\n/);
    h.interrupt('SIGINT');
    expect(await running.exit).toBe(0);
  });
});

describe('the cloud-data-sync serve command', () => {
  it('prints a URL with a fresh token, answers the contract, and exits 0 on SIGTERM', async () => {
    const home = tempDir();
    const cli = spawnCli(['serve', '--port', '0', '--db', path.join(home, 'app.db')], home);
    try {
      await waitFor(() => /running at /.test(cli.stdout()), 30_000, `the server to start (stderr: ${cli.stderr()})`);
      const [, base, token] = /running at (http:\/\/127\.0\.0\.1:\d+\/)\?token=([0-9a-f]{64})/.exec(cli.stdout())!;
      const port = Number(new URL(base!).port);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } });
      const reply = await new Promise<unknown>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => ws.send(JSON.stringify({ id: 1, name: 'app.status' })));
        ws.once('message', (data) => resolve(JSON.parse(String(data))));
      });
      expect(reply).toMatchObject({ id: 1, envelope: { ok: true, value: { mode: 'server', paused: false } } });
      ws.close();
      cli.child.kill('SIGTERM');
      expect(await cli.exit).toBe(0);
      expect(cli.stderr()).toContain('SIGTERM received');
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
