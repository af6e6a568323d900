import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';
import { parseArgs, UsageError } from '../../electron/headless/args';
import { openStore } from '../../electron/store';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { putText, readAll } from '../support/objects';
import { startGcsServer, gcsSettingsFor } from '../support/gcs-server';
import { startAzurite, azureSettingsFor } from '../support/azurite';
import { createGcsProvider } from '../../electron/providers/gcs';
import { createAzureProvider } from '../../electron/providers/azure';

describe('cli arguments', () => {
  it('accepts the original tool flags in Go style', () => {
    expect(parseArgs(['-config', 'c.json', '-once', '-interval=60'])).toMatchObject({ configPath: 'c.json', once: true, intervalSeconds: 60 });
    expect(parseArgs(['--generate-config'])).toMatchObject({ command: 'generate-config', configPath: 'config.json' });
    expect(parseArgs(['--dry-run', '--log-level', 'debug'])).toMatchObject({ dryRun: true, logLevel: 'debug' });
  });

  it('reads the operations flags', () => {
    expect(parseArgs(['--once'])).toMatchObject({ logFormat: 'text', metricsFile: null, metricsAddr: null, otlpEndpoint: null });
    expect(parseArgs(['--once', '--log-format=json', '--metrics-file', 'm.prom', '--metrics-addr', 'localhost:9464', '--otlp-endpoint', 'https://otel.example:4318/v1/traces'])).toMatchObject({
      logFormat: 'json',
      metricsFile: 'm.prom',
      metricsAddr: 'localhost:9464',
      otlpEndpoint: 'https://otel.example:4318/v1/traces',
    });
    expect(parseArgs(['--metrics-addr', '0.0.0.0:9464', '--allow-remote'])).toMatchObject({ metricsAddr: '0.0.0.0:9464' });
  });

  it.each([
    [['--interval', '0'], /--interval must be a positive whole number/],
    [['--interval', 'soon'], /--interval must be a positive whole number/],
    [['--log-level', 'loud'], /--log-level must be one of debug, info, warn, error/],
    [['--config'], /--config needs a value/],
    [['--bogus'], /unknown option "--bogus"/],
    [['stray'], /unexpected argument "stray"/],
    [['--metrics-addr', '10.0.0.1:9464'], /not a loopback address: metrics have no token, so pass --allow-remote/],
    [['--metrics-file', ''], /--metrics-file needs a value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('cli', () => {
  let dir: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-'));
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const writeConfig = async (name: string, config: unknown) => {
    const file = path.join(dir, name);
    await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    return file;
  };

  it('exits 2 with usage on a bad flag', async () => {
    const r = await cli(['--interval', 'x']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--interval must be a positive whole number/);
    expect(r.stderr).toMatch(/Usage: cloud-data-sync/);
  });

  it('names the field of every configuration error and writes nothing', async () => {
    const dbPath = path.join(dir, 'never-created.db');
    const file = await writeConfig('bad.json', {
      databasePath: dbPath,
      providers: [{ id: 'm', type: 'minio', minio: { endpoint: 'http://localhost:9000', accessKey: 'a' } }],
      mappings: [{ sourceProviderId: 'm', sourceBucket: 'ok-bucket', targetProviderId: 'nope', targetBucket: 'Bad_Bucket' }],
    });
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/providers\[0\]\.minio\.endpoint/);
    expect(r.stderr).toMatch(/providers\[0\]\.minio\.secretKey/);
    expect(r.stderr).toMatch(/mappings\[0\]\.targetProviderId/);
    await expect(readFile(dbPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports malformed JSON and a missing file clearly', async () => {
    const broken = await writeConfig('broken.json', '{ "providers": [ }');
    expect((await cli(['--config', broken, '--once'])).stderr).toMatch(/invalid configuration in .*broken\.json/);
    const missing = await cli(['--config', path.join(dir, 'absent.json'), '--once']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/absent\.json not found \(create one with --generate-config\)/);
  });

  it('--generate-config writes a config that passes its own validation, and will not overwrite', async () => {
    const file = path.join(dir, 'generated.json');
    expect((await cli(['--generate-config', '--config', file])).code).toBe(EXIT.ok);
    const config = parseConfig(await readFile(file, 'utf8'));
    expect(config.mappings.length).toBeGreaterThan(0);
    const again = await cli(['--generate-config', '--config', file]);
    expect(again.code).toBe(EXIT.usage);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });

  it('syncs local → s3 once, prints a summary per mapping and exits 0; a second run skips everything', async () => {
    const root = path.join(dir, 'local-root');
    await mkdir(path.join(root, 'photos', '2024'), { recursive: true });
    await writeFile(path.join(root, 'photos', '2024', 'a.jpg'), 'jpeg bytes');
    await writeFile(path.join(root, 'photos', 'b.txt'), 'text');
    const target = createS3Provider(awsSettingsFor(s3));
    await target.createBucket('cli-target');
    const file = await writeConfig('good.json', {
      databasePath: path.join(dir, 'good.db'),
      providers: [
        { id: 'disk', type: 'local', local: { root } },
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
      ],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 's3', targetBucket: 'cli-target' }],
    });
    const first = await cli(['--config', file, '--once']);
    expect(first.code).toBe(EXIT.ok);
    expect(first.stdout).toMatch(/success in [\d.]+ s — copied 2 \(14 B\), adopted 0, skipped 0, deleted 0, failed 0/);
    const second = await cli(['--config', file, '--once']);
    expect(second.stdout).toMatch(/copied 0 .* skipped 2/);
    await target.close();
  });

  it('exits 1 when an object fails, with the run recorded as partial', async () => {
    // "x" and "x/y" can coexist in S3 but not as files: the local target cannot store one of them.
    const source = createS3Provider(awsSettingsFor(s3));
    await source.createBucket('cli-conflict');
    await putText(source, 'cli-conflict', 'x', 'file');
    await putText(source, 'cli-conflict', 'x/y', 'nested');
    const root = path.join(dir, 'conflict-root');
    await mkdir(path.join(root, 'out'), { recursive: true });
    const dbPath = path.join(dir, 'conflict.db');
    const file = await writeConfig('conflict.json', {
      databasePath: dbPath,
      providers: [
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
        { id: 'disk', type: 'local', local: { root } },
      ],
      mappings: [{ sourceProviderId: 's3', sourceBucket: 'cli-conflict', targetProviderId: 'disk', targetBucket: 'out', transfers: 1 }],
    });
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stdout).toMatch(/partial .* copied 1 .* failed 1/);
    expect(r.stdout).toMatch(/first error: Failed to copy x/);
    await source.close();
    const store = openStore(dbPath);
    expect(store.runs.list(parseConfig(await readFile(file, 'utf8')).mappings[0]!.id, { limit: 5 })[0]?.status).toBe('partial');
    store.close();
  });

  it('reads the original gcs and azure provider fields: local → gcs → azure through the CLI', async () => {
    const gcs = await startGcsServer();
    const azure = await startAzurite();
    try {
      const root = path.join(dir, 'cloud-root');
      await mkdir(path.join(root, 'src', 'nested'), { recursive: true });
      await writeFile(path.join(root, 'src', 'nested', 'a.txt'), 'to the clouds');
      const gcsProvider = createGcsProvider(gcsSettingsFor(gcs));
      await gcsProvider.createBucket('cli-gcs-bucket');
      const azureProvider = createAzureProvider(azureSettingsFor(azure));
      await azureProvider.createBucket('cli-container');
      const file = await writeConfig('clouds.json', {
        databasePath: path.join(dir, 'clouds.db'),
        providers: [
          { id: 'disk', type: 'local', local: { root } },
          // The original tool's fields, plus apiEndpoint / endpointUrl to reach the loopback servers.
          { id: 'gcp', type: 'gcs', gcs: { projectId: gcs.projectId, apiEndpoint: gcs.apiEndpoint } },
          { id: 'az', type: 'azure', azure: { accountName: azure.accountName, accountKey: azure.accountKey, endpointUrl: azure.endpointUrl } },
        ],
        mappings: [
          { sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'gcp', targetBucket: 'cli-gcs-bucket' },
          { sourceProviderId: 'gcp', sourceBucket: 'cli-gcs-bucket', targetProviderId: 'az', targetBucket: 'cli-container' },
        ],
      });
      const r = await cli(['--config', file, '--once']);
      expect(r.code, r.stderr).toBe(EXIT.ok);
      expect(r.stdout.match(/success in .* copied 1 /g)).toHaveLength(2);
      expect((await readAll(azureProvider, 'cli-container', 'nested/a.txt')).toString()).toBe('to the clouds');
      await Promise.all([gcsProvider.close(), azureProvider.close()]);
    } finally {
      await Promise.all([gcs.stop(), azure.stop()]);
    }
  });

  it('a missing container names the connection and the bucket', async () => {
    const azure = await startAzurite();
    try {
      const root = path.join(dir, 'missing-root');
      await mkdir(path.join(root, 'src'), { recursive: true });
      const file = await writeConfig('missing.json', {
        databasePath: path.join(dir, 'missing.db'),
        providers: [
          { id: 'disk', type: 'local', local: { root } },
          { id: 'az', type: 'azure', azure: { accountName: azure.accountName, accountKey: azure.accountKey, endpointUrl: azure.endpointUrl } },
        ],
        mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'az', targetBucket: 'no-such-container' }],
      });
      const r = await cli(['--config', file, '--once']);
      expect(r.code).toBe(EXIT.failed);
      expect(r.stdout).toMatch(/first error: target bucket "no-such-container" was not found on connection "az"\. Nothing was deleted\./);
    } finally {
      await azure.stop();
    }
  });

  it('an unreachable endpoint fails the run with a clear error, and secrets never reach the database', async () => {
    const root = path.join(dir, 'unreachable-root');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'f.txt'), 'data');
    const dbPath = path.join(dir, 'unreachable.db');
    const secret = 'TOP-SECRET-VALUE-42';
    const file = await writeConfig('unreachable.json', {
      databasePath: dbPath,
      providers: [
        { id: 'disk', type: 'local', local: { root } },
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        { id: 'down', type: 'minio', minio: { endpoint: '127.0.0.1:1', accessKey: 'ak', secretKey: secret, useSSL: false } },
      ],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'down', targetBucket: 'target-bucket' }],
    });
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stdout).toMatch(/failed .*\n.*first error: listing the target bucket "target-bucket" on connection "down" failed/);
    for (const f of [dbPath, `${dbPath}-wal`]) {
      const bytes = await readFile(f).catch(() => Buffer.alloc(0));
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });
});
