// `cloud-data-sync handoff`: the plan for a mapping of a real config file, printed as JSON; the
// mistakes a user makes (no such mapping, a mapping no service can take) said with the field and exit 2.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';

describe('cli: handoff', () => {
  let dir: string;
  let configPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-handoff-'));
    configPath = path.join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        databasePath: path.join(dir, 'data.db'),
        providers: [
          { id: 's3', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AKIAHANDOFFTEST', secretAccessKey: 'handoff-secret-key-do-not-print' } },
          { id: 'gcs', type: 'gcs', gcs: { projectId: 'archive-project', keyFile: '/nonexistent/key.json' } },
          { id: 'disk', type: 'local', local: { root: dir } },
        ],
        mappings: [
          { id: 'to-gcs', name: 'Logs to GCS', sourceProviderId: 's3', sourceBucket: 'logs', sourcePrefix: '2026/', targetProviderId: 'gcs', targetBucket: 'logs-archive' },
          { id: 'to-disk', name: 'Logs to disk', sourceProviderId: 's3', sourceBucket: 'logs', targetProviderId: 'disk', targetBucket: 'copy' },
        ],
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the Storage Transfer Service plan of the mapping named, as JSON on stdout, without any secret', async () => {
    const { code, stdout, stderr } = await cli(['handoff', '--config', configPath, '--mapping', 'Logs to GCS']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    const plan = JSON.parse(stdout) as { service: string; mapping: string; calls: { url: string; body?: unknown }[] };
    expect(plan).toMatchObject({ service: 'google-storage-transfer', mapping: 'Logs to GCS' });
    expect(plan.calls[1]!.body).toMatchObject({
      projectId: 'archive-project',
      transferSpec: { awsS3DataSource: { bucketName: 'logs', path: '2026/' }, gcsDataSink: { bucketName: 'logs-archive', path: '' } },
    });
    expect(stdout).not.toContain('handoff-secret-key-do-not-print');
    expect(stdout).not.toContain('AKIAHANDOFFTEST');
    // By id too.
    expect((await cli(['handoff', '--config', configPath, '--mapping', 'to-gcs'])).code).toBe(EXIT.ok);
  });

  it('names the mappings there are when the one asked for is not there, and the setting that stops a hand-off', async () => {
    const missing = await cli(['handoff', '--config', configPath, '--mapping', 'Nope']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('no mapping named "Nope"');
    expect(missing.stderr).toContain('"Logs to GCS", "Logs to disk"');
    const refused = await cli(['handoff', '--config', configPath, '--mapping', 'Logs to disk']);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/mapping "Logs to disk" cannot be handed off \(targetConnectionId\): no cloud transfer service writes to connection ".*" \(local\)/);
    expect(refused.stdout).toBe('');
  });

  it('asks for --mapping, and refuses options it does not take', async () => {
    const none = await cli(['handoff', '--config', configPath]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain('handoff needs --mapping NAME');
    const once = await cli(['handoff', '--mapping', 'x', '--once']);
    expect(once.code).toBe(EXIT.usage);
    expect(once.stderr).toContain('unknown option "--once" for handoff');
  });
});
