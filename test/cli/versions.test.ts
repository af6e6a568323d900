// keepVersions through the CLI: a local target keeps the previous versions of what a run overwrites
// or deletes under .cds-versions/<run start>/, says so in its output, and a dry run keeps nothing; an
// S3 bucket without versioning (moto) refuses the run before anything is copied; a value that is not
// a boolean is refused at the field (exit 2).
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { createS3Provider } from '../../electron/providers/s3';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
import { cli } from './in-process';

describe('cli: keepVersions', () => {
  let dir: string;
  let root: string;
  let moto: S3TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-versions-'));
    root = path.join(dir, 'root');
    await mkdir(path.join(root, 'src', 'docs'), { recursive: true });
    await mkdir(path.join(root, 'backup'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'alpha v1');
    await writeFile(path.join(root, 'src', 'docs', 'b.txt'), 'bravo');
    moto = await startMotoServer();
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const configFile = async (name: string, mapping: Record<string, unknown>, target?: Record<string, unknown>) => {
    const file = path.join(dir, `${name}.json`);
    const providers: Record<string, unknown>[] = [{ id: 'disk', type: 'local', local: { root } }];
    if (target) providers.push(target);
    const config = {
      databasePath: path.join(dir, `${name}.db`),
      providers,
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: target ? target.id : 'disk', targetBucket: 'backup', deleteMode: 'mirror', ...mapping }],
    };
    await writeFile(file, JSON.stringify(config, null, 2));
    return file;
  };
  const versionFolders = async () => (await readdir(path.join(root, 'backup', '.cds-versions')).catch(() => [] as string[])).sort();

  it('a local target keeps what a run overwrites or deletes in .cds-versions/<run start>/, and a dry run keeps nothing', async () => {
    const file = await configFile('local', { keepVersions: true });
    const first = await cli(['--config', file, '--once']);
    expect(first.code, first.output).toBe(EXIT.ok);
    expect(first.output).toMatch(/keepVersions: keeping the previous version of every object overwritten or deleted in backup\/\.cds-versions\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\//);
    expect(first.output).toMatch(/Kept 0 previous version\(s\) in backup\/\.cds-versions\//);

    await writeFile(path.join(root, 'src', 'a.txt'), 'alpha v2');
    await unlink(path.join(root, 'src', 'docs', 'b.txt'));
    const dry = await cli(['--config', file, '--once', '--dry-run']);
    expect(dry.code, dry.output).toBe(EXIT.ok);
    expect(dry.output).toMatch(/A run would keep 2 previous version\(s\) in backup\/\.cds-versions\/.*; a dry run keeps nothing/);
    expect(await versionFolders()).toEqual([]);

    const second = await cli(['--config', file, '--once']);
    expect(second.code, second.output).toBe(EXIT.ok);
    expect(second.output).toMatch(/copied 1 .*deleted 1/);
    const folder = /Kept 2 previous version\(s\) in backup\/\.cds-versions\/([^/]+)\/ \(keepVersions\)/.exec(second.output)?.[1];
    expect(folder, second.output).toBeDefined();
    expect(await versionFolders()).toEqual([folder]);
    const kept = path.join(root, 'backup', '.cds-versions', folder!);
    expect(await readFile(path.join(kept, 'a.txt'), 'utf8')).toBe('alpha v1');
    expect(await readFile(path.join(kept, 'docs', 'b.txt'), 'utf8')).toBe('bravo');
    expect(await readFile(path.join(root, 'backup', 'a.txt'), 'utf8')).toBe('alpha v2');
    expect((await readdir(path.join(root, 'backup'))).sort()).toEqual(['.cds-versions', 'a.txt']);

    // The versions folder is no sync object: the mirror leaves it and the next run has nothing to do.
    const third = await cli(['--config', file, '--once']);
    expect(third.code).toBe(EXIT.ok);
    expect(third.output).toMatch(/copied 0 .*skipped 1/);
    expect(await versionFolders()).toEqual([folder]);
  });

  it('an S3 bucket without versioning (moto): the run is refused before anything is copied, naming the bucket', async () => {
    const s3 = createS3Provider(awsSettingsFor(moto));
    try {
      await s3.createBucket('backup');
      const target = { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: moto.endpoint, accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey } };
      const r = await cli(['--config', await configFile('moto', { keepVersions: true }, target), '--once']);
      expect(r.code).toBe(EXIT.failed);
      expect(r.output).toMatch(/keepVersions: target bucket "backup" does not keep previous versions \(its versioning is off\)\. Nothing was copied or deleted\. Enable versioning on the bucket \(aws s3api put-bucket-versioning --bucket backup/);
      expect((await s3.listPage('backup', '', null)).items).toEqual([]);
    } finally {
      await s3.close();
    }
  });

  it('a keepVersions that is not a boolean is refused at the field, exit 2', async () => {
    const r = await cli(['--config', await configFile('bad', { keepVersions: 'yes' }), '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.output).toMatch(/keepVersions/);
  });
});
