// SIGINT/SIGTERM against the real CLI process: stop scheduling, give in-flight transfers a bounded
// time, record the run as cancelled (never success), close the database cleanly.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { openStore } from '../../electron/store';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { spawnCli, waitFor } from '../support/cli-child';
import { writeRandomFile } from '../support/large-file';
import { createS3Provider } from '../../electron/providers/s3';

describe('cli signals', () => {
  let dir: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-signals-'));
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function configFor(name: string) {
    const root = path.join(dir, name);
    await mkdir(path.join(root, 'src'), { recursive: true });
    // Big enough that the upload is still going when the signal arrives.
    await writeRandomFile(path.join(root, 'src', 'big.bin'), 256 * 1024 * 1024);
    const provider = createS3Provider(awsSettingsFor(s3));
    await provider.createBucket(name);
    await provider.close();
    const file = path.join(dir, `${name}.json`);
    const text = JSON.stringify({
      databasePath: path.join(dir, `${name}.db`),
      providers: [
        { id: 'disk', type: 'local', local: { root } },
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
      ],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 's3', targetBucket: name }],
    });
    await writeFile(file, text);
    return { file, config: parseConfig(text) };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('%s during a transfer records the run as cancelled and exits 130', async (signal) => {
    const { file, config } = await configFor(`sig-${signal.toLowerCase()}`);
    const cli = spawnCli(['--config', file, '--interval', '3600', '--shutdown-timeout', '1'], dir);
    await waitFor(() => /Run started/.test(cli.stderr()), 30_000, 'the run to start');
    await new Promise((r) => setTimeout(r, 300));
    cli.child.kill(signal);
    const code = await Promise.race([cli.exit, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') cli.child.kill('SIGKILL');
    expect(code).toBe(130);
    expect(cli.stderr()).toMatch(new RegExp(`${signal} received: finishing in-flight transfers`));
    expect(cli.stdout()).toMatch(/cancelled in/);
    const store = openStore(config.databasePath);
    const [run] = store.runs.list(config.mappings[0]!.id, { limit: 1 });
    expect(run?.status).toBe('cancelled');
    // Nothing was recorded as synced: the object was not verified.
    expect(store.objects.count(config.mappings[0]!.id)).toBe(0);
    store.close();
  });

  it('continuous mode runs again after the interval, then stops cleanly on SIGINT', async () => {
    const root = path.join(dir, 'interval-root');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await mkdir(path.join(root, 'dst'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'again and again');
    const file = path.join(dir, 'interval.json');
    const text = JSON.stringify({
      databasePath: path.join(dir, 'interval.db'),
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
    });
    await writeFile(file, text);
    const cli = spawnCli(['--config', file, '--interval', '1'], dir);
    // First run copies, the next one (a second later) finds nothing to do.
    await waitFor(() => /skipped 1/.test(cli.stdout()), 30_000, 'a second, scheduled run');
    expect(cli.stdout()).toMatch(/success in [\d.]+ s — copied 1 /);
    cli.child.kill('SIGINT');
    const code = await Promise.race([cli.exit, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') cli.child.kill('SIGKILL');
    expect(code).toBe(130);
    const store = openStore(path.join(dir, 'interval.db'));
    const runs = store.runs.list(parseConfig(text).mappings[0]!.id, { limit: 10 });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.status === 'success' || r.status === 'cancelled')).toBe(true);
    store.close();
  });
});
