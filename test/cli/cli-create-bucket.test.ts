// createTargetBucket through the CLI, on both S3 implementations (s3rver and moto) and a local
// target: a missing target bucket is created and synced only when the mapping asks; without the
// flag the run fails naming the bucket; a dry run with the flag creates nothing.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';
import { createS3Provider } from '../../electron/providers/s3';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';

describe('cli: createTargetBucket', () => {
  let dir: string;
  let root: string;
  const servers: Record<'s3rver' | 'moto', S3TestServer | undefined> = { s3rver: undefined, moto: undefined };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-create-bucket-'));
    root = path.join(dir, 'root');
    await mkdir(path.join(root, 'src', 'docs'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'alpha');
    await writeFile(path.join(root, 'src', 'docs', 'b.txt'), 'bravo');
    [servers.s3rver, servers.moto] = await Promise.all([startS3Server(), startMotoServer()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([servers.s3rver?.stop(), servers.moto?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  const configFile = async (name: string, target: Record<string, unknown>, mapping: Record<string, unknown>) => {
    const file = path.join(dir, `${name}.json`);
    const config = {
      databasePath: path.join(dir, `${name}.db`),
      providers: [{ id: 'disk', type: 'local', local: { root } }, target],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: String(target.id), ...mapping }],
    };
    await writeFile(file, JSON.stringify(config, null, 2));
    return file;
  };

  for (const kind of ['s3rver', 'moto'] as const) {
    describe(kind, () => {
      const target = () => {
        const server = servers[kind]!;
        return { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: server.endpoint, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } };
      };
      const buckets = async () => {
        const provider = createS3Provider(awsSettingsFor(servers[kind]!));
        try {
          return await provider.listBuckets();
        } finally {
          await provider.close();
        }
      };

      it('without the flag the run fails naming the missing bucket, and creates nothing', async () => {
        const file = await configFile(`${kind}-no-flag`, target(), { targetBucket: 'never-made' });
        const r = await cli(['--config', file, '--once']);
        expect(r.code).toBe(EXIT.failed);
        expect(r.output).toMatch(/target bucket "never-made" was not found on connection "s3"\. Nothing was deleted\./);
        expect(await buckets()).not.toContain('never-made');
      });

      it('a dry run with the flag says the bucket would be created, plans every copy, and creates nothing', async () => {
        const file = await configFile(`${kind}-dry`, target(), { targetBucket: 'made-later', createTargetBucket: true });
        const r = await cli(['--config', file, '--once', '--dry-run']);
        expect(r.code, r.output).toBe(EXIT.ok);
        expect(r.output).toMatch(/Target bucket made-later does not exist: a run would create it/);
        expect(r.output).toMatch(/\(dry run\)/);
        expect(r.output).toMatch(/would copy 2 /);
        expect(await buckets()).not.toContain('made-later');
      });

      it('with the flag the bucket is created, logged and synced, exit 0; the next run just syncs', async () => {
        const file = await configFile(`${kind}-flag`, target(), { targetBucket: 'made-by-run', targetPrefix: 'backup/', createTargetBucket: true });
        const first = await cli(['--config', file, '--once']);
        expect(first.code, first.output).toBe(EXIT.ok);
        expect(first.output).toMatch(/Created target bucket made-by-run/);
        expect(first.output).toMatch(/success in [\d.]+ s — copied 2 /);
        const provider = createS3Provider(awsSettingsFor(servers[kind]!));
        try {
          expect((await provider.listPage('made-by-run', '', null)).items.map((o) => o.key)).toEqual(['backup/a.txt', 'backup/docs/b.txt']);
        } finally {
          await provider.close();
        }
        const second = await cli(['--config', file, '--once']);
        expect(second.code).toBe(EXIT.ok);
        expect(second.output).not.toMatch(/Created target bucket/);
        expect(second.output).toMatch(/copied 0 .* skipped 2/);
      });
    });
  }

  it('a local target: the folder under the root is created and synced', async () => {
    const targetRoot = path.join(dir, 'target-root');
    await mkdir(targetRoot);
    const file = await configFile('local', { id: 'out', type: 'local', local: { root: targetRoot } }, { targetBucket: 'new-folder', createTargetBucket: true });
    const r = await cli(['--config', file, '--once']);
    expect(r.code, r.output).toBe(EXIT.ok);
    expect(r.output).toMatch(/Created target bucket new-folder/);
    expect((await stat(path.join(targetRoot, 'new-folder'))).isDirectory()).toBe(true);
    expect((await readdir(path.join(targetRoot, 'new-folder'), { recursive: true })).sort()).toEqual(['a.txt', 'docs', path.join('docs', 'b.txt')]);
  });
});
