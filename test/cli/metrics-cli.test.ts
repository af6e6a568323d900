// `--once --metrics-file`: the textfile each run leaves for node_exporter, parsed with
// parse-prometheus-text-format and compared with the summary the same run printed. Local folders
// (the real `cloud-data-sync` executable for the first run, the CLI in this process for the next),
// and S3 (s3rver) → local for a run where an object fails. prom-client is loaded only when asked for.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { createS3Provider } from '../../electron/providers/s3';
import { REPO_ROOT } from '../support/cli-child';
import { putText } from '../support/objects';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { parseScrape, type Scrape } from '../ops/metrics-scrape';
import { cli } from './in-process';

/** The counts of a summary line the CLI printed ("…: success in 0.1 s — copied 2 (14 B), adopted 0, …"). */
function printedSummary(stdout: string) {
  const match = /: (\w+) in [\d.]+ s — copied (\d+) \((\d+) B\), adopted (\d+), skipped (\d+), deleted (\d+), failed (\d+)/.exec(stdout);
  if (!match) throw new Error(`no summary line in:\n${stdout}`);
  const [, status, copied, bytes, adopted, skipped, deleted, failed] = match;
  return { status: status!, copied: Number(copied), bytes: Number(bytes), adopted: Number(adopted), skipped: Number(skipped), deleted: Number(deleted), failed: Number(failed) };
}

/**
 * The real `cloud-data-sync` executable (the bundle when it is current, else the sources), and whether
 * it loaded prom-client: a preload lists what Node required (the bundle and the sources both require it).
 */
async function command(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; loadedPromClient: boolean }> {
  const preload = path.join(cwd, 'loaded.cjs');
  const loadedFile = path.join(cwd, 'loaded.json');
  await rm(loadedFile, { force: true });
  await writeFile(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache).some((f) => /node_modules[\\/]prom-client[\\/]/.test(f)))));\n`,
  );
  const child = spawn(process.execPath, ['--require', preload, path.join(REPO_ROOT, 'bin/cloud-data-sync.mjs'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr, loadedPromClient: JSON.parse(await readFile(loadedFile, 'utf8')) as boolean };
}

/** The file, parsed, and the id of its one mapping (label `mapping`, from cds_mapping_info). */
async function readTextfile(file: string): Promise<{ s: Scrape; m: { mapping: string } }> {
  const s = parseScrape(await readFile(file, 'utf8'));
  const info = s.samples('cds_mapping_info');
  expect(info).toHaveLength(1);
  return { s, m: { mapping: info[0]![0].mapping! } };
}

describe('cli --once --metrics-file', () => {
  let dir: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-metrics-cli-'));
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('local → local: each run leaves counters equal to its summary, carried on run after run; a failed run keeps the last success', async () => {
    const root = path.join(dir, 'local');
    await mkdir(path.join(root, 'src', 'nested'), { recursive: true });
    await mkdir(path.join(root, 'dst'));
    await writeFile(path.join(root, 'src', 'a.txt'), 'alpha');
    await writeFile(path.join(root, 'src', 'nested', 'b.txt'), 'bravo bravo');
    const config = path.join(dir, 'local.json');
    await writeFile(config, JSON.stringify({
      databasePath: path.join(dir, 'local.db'),
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [{ name: 'Local', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
    }));
    const file = path.join(dir, 'textfile', 'cds.prom');
    await mkdir(path.dirname(file));

    // Run 1 by the real executable.
    const r1 = await command(['--config', config, '--once', '--metrics-file', file], dir);
    expect(r1.code, r1.stderr).toBe(EXIT.ok);
    expect(r1.loadedPromClient).toBe(true);
    const first = printedSummary(r1.stdout);
    expect(first).toMatchObject({ status: 'success', copied: 2, failed: 0 });
    let { s, m } = await readTextfile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(s.value('cds_objects_transferred_total', m)).toBe(first.copied);
    expect(s.value('cds_bytes_transferred_total', m)).toBe(first.bytes);
    expect(s.value('cds_objects_checked_total', m)).toBe(first.skipped + first.adopted);
    expect(s.value('cds_objects_deleted_total', m)).toBe(first.deleted);
    expect(s.value('cds_objects_failed_total', m)).toBe(first.failed);
    expect(s.value('cds_objects_listed_total', { ...m, side: 'source' })).toBe(2);
    expect(s.value('cds_runs_total', { ...m, status: 'success' })).toBe(1);
    expect(s.value('cds_run_in_progress', m)).toBe(0);
    const firstSuccess = s.value('cds_last_success_timestamp_seconds', m)!;
    expect(firstSuccess * 1000).toBeGreaterThan(Date.now() - 120_000);
    expect(s.samples('cds_mapping_info')[0]![0]).toMatchObject({ name: 'Local', source: 'src', target: 'dst' });

    // Run 2 (a new process each time, as cron runs it): one object deleted at the source, one unchanged.
    await rm(path.join(root, 'src', 'a.txt'));
    const r2 = await cli(['--config', config, '--once', '--metrics-file', file]);
    expect(r2.code, r2.stderr).toBe(EXIT.ok);
    const second = printedSummary(r2.stdout);
    expect(second).toMatchObject({ status: 'success', copied: 0, skipped: 1, deleted: 1 });
    ({ s, m } = await readTextfile(file));
    expect(s.value('cds_objects_transferred_total', m)).toBe(first.copied + second.copied);
    expect(s.value('cds_bytes_transferred_total', m)).toBe(first.bytes + second.bytes);
    expect(s.value('cds_objects_checked_total', m)).toBe(second.skipped + second.adopted);
    expect(s.value('cds_objects_deleted_total', m)).toBe(second.deleted);
    expect(s.value('cds_objects_listed_total', { ...m, side: 'target' })).toBe(0 + 2);
    expect(s.value('cds_runs_total', { ...m, status: 'success' })).toBe(2);
    const secondSuccess = s.value('cds_last_success_timestamp_seconds', m)!;
    expect(secondSuccess).toBeGreaterThanOrEqual(firstSuccess);

    // A dry run counts only as one.
    const dry = await cli(['--config', config, '--once', '--dry-run', '--metrics-file', file]);
    expect(dry.code, dry.stderr).toBe(EXIT.ok);
    ({ s, m } = await readTextfile(file));
    expect(s.value('cds_dry_runs_total', { ...m, status: 'success' })).toBe(1);
    expect(s.value('cds_runs_total', { ...m, status: 'success' })).toBe(2);
    expect(s.value('cds_objects_checked_total', m)).toBe(second.skipped + second.adopted);

    // Run 3 fails (its source folder is gone): counted as failed, the last success stays.
    await rm(path.join(root, 'src'), { recursive: true });
    const r3 = await cli(['--config', config, '--once', '--metrics-file', file]);
    expect(r3.code).toBe(EXIT.failed);
    expect(printedSummary(r3.stdout).status).toBe('failed');
    ({ s, m } = await readTextfile(file));
    expect(s.value('cds_runs_total', { ...m, status: 'failed' })).toBe(1);
    expect(s.value('cds_runs_total', { ...m, status: 'success' })).toBe(2);
    expect(s.value('cds_last_success_timestamp_seconds', m)).toBe(secondSuccess);
    expect(s.value('cds_last_run_timestamp_seconds', m)!).toBeGreaterThanOrEqual(secondSuccess);
    expect(s.value('cds_objects_transferred_total', m)).toBe(first.copied + second.copied);
  });

  it('S3 → local with an object that cannot be stored: cds_objects_failed_total and a partial run, no success time', async () => {
    // "x" and "x/y" can coexist in S3 but not as files: the local target cannot store one of them.
    const source = createS3Provider(awsSettingsFor(s3));
    await source.createBucket('metrics-conflict');
    await putText(source, 'metrics-conflict', 'x', 'file');
    await putText(source, 'metrics-conflict', 'x/y', 'nested');
    await putText(source, 'metrics-conflict', 'z', 'fine');
    await source.close();
    const root = path.join(dir, 'conflict');
    await mkdir(path.join(root, 'out'), { recursive: true });
    const config = path.join(dir, 'conflict.json');
    await writeFile(config, JSON.stringify({
      databasePath: path.join(dir, 'conflict.db'),
      providers: [
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
        { id: 'disk', type: 'local', local: { root } },
      ],
      mappings: [{ sourceProviderId: 's3', sourceBucket: 'metrics-conflict', targetProviderId: 'disk', targetBucket: 'out', transfers: 1 }],
    }));
    const file = path.join(dir, 'conflict.prom');
    const r = await cli(['--config', config, '--once', '--metrics-file', file]);
    expect(r.code).toBe(EXIT.failed);
    const printed = printedSummary(r.stdout);
    expect(printed).toMatchObject({ status: 'partial', copied: 2, failed: 1 });
    const { s, m } = await readTextfile(file);
    expect(s.value('cds_objects_failed_total', m)).toBe(printed.failed);
    expect(s.value('cds_objects_transferred_total', m)).toBe(printed.copied);
    expect(s.value('cds_bytes_transferred_total', m)).toBe(printed.bytes);
    expect(s.value('cds_objects_listed_total', { ...m, side: 'source' })).toBe(3);
    expect(s.value('cds_runs_total', { ...m, status: 'partial' })).toBe(1);
    expect(s.value('cds_runs_total', { ...m, status: 'success' })).toBe(0);
    expect(s.value('cds_last_success_timestamp_seconds', m)).toBeUndefined();
    expect(s.value('cds_last_run_timestamp_seconds', m)).toBeGreaterThan(0);
  });

  it('does not load prom-client for a sync without a metrics flag', async () => {
    const root = path.join(dir, 'plain');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'a');
    const config = path.join(dir, 'plain.json');
    await writeFile(config, JSON.stringify({
      databasePath: path.join(dir, 'plain.db'),
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst', createTargetBucket: true }],
    }));
    const r = await command(['--config', config, '--once'], dir);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(printedSummary(r.stdout)).toMatchObject({ status: 'success', copied: 1 });
    expect(r.loadedPromClient).toBe(false);
  });

  it('says which folder is missing when the textfile cannot be written, and the sync itself still succeeds', async () => {
    const root = path.join(dir, 'nofolder');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'a');
    const config = path.join(dir, 'nofolder.json');
    await writeFile(config, JSON.stringify({
      databasePath: path.join(dir, 'nofolder.db'),
      providers: [{ id: 'disk', type: 'local', local: { root } }],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst', createTargetBucket: true }],
    }));
    const missing = path.join(dir, 'not-there');
    const r = await cli(['--config', config, '--once', '--metrics-file', path.join(missing, 'cds.prom')]);
    expect(printedSummary(r.stdout).status).toBe('success');
    expect(r.stderr).toContain(`cannot write the metrics to ${path.join(missing, 'cds.prom')}: folder ${missing} does not exist`);
  });
});
