// Memory stays bounded by concurrency × part size whatever the object size: a 512 MB object synced
// by the real CLI in a child process keeps its peak RSS under 250 MB.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { spawnCli } from '../support/cli-child';
import { peakRss, writeRandomFile } from '../support/large-file';

const SIZE = 512 * 1024 * 1024;
const LIMIT = 250 * 1024 * 1024;

describe('memory', () => {
  let dir: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-memory-'));
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs a 512 MB object local → s3 with peak RSS under 250 MB', async () => {
    const root = path.join(dir, 'root');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeRandomFile(path.join(root, 'src', 'huge.bin'), SIZE);
    const target = createS3Provider(awsSettingsFor(s3));
    await target.createBucket('memory-target');
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({
      databasePath: path.join(dir, 'state.db'),
      providers: [
        { id: 'disk', type: 'local', local: { root } },
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
      ],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 's3', targetBucket: 'memory-target' }],
    }));

    const cli = spawnCli(['--config', file, '--once'], dir);
    let peak = 0;
    // VmHWM is the process's own high-water mark, so polling until exit loses nothing but the last instant.
    const poll = setInterval(() => void peakRss(cli.child.pid!).then((v) => (peak = Math.max(peak, v ?? 0))), 100);
    const code = await cli.exit;
    clearInterval(poll);
    expect(code, cli.stderr()).toBe(0);
    expect(cli.stdout()).toMatch(/copied 1 \(537 MB\)/);
    const info = await target.head('memory-target', 'huge.bin');
    expect(info?.size).toBe(SIZE);
    console.log(`peak RSS of the CLI syncing 512 MiB: ${(peak / 1024 / 1024).toFixed(1)} MiB`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(LIMIT);
    await target.close();
  });
});
