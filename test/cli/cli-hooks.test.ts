// Hooks through the CLI: a before hook that records what it gets, one that fails, one that times
// out, and an after hook that sees the outcome. Each hook is a tiny node script (no shell).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';

const SECRET = 'HOOK-MUST-NOT-SEE-THIS-42';

/** Writes its env and stdin as JSON to argv[2], prints a line on each stream, exits with argv[3]. */
const RECORDER = `
const fs = require('node:fs');
let stdin = '';
process.stdin.on('data', (c) => (stdin += c));
process.stdin.on('end', () => {
  fs.writeFileSync(process.argv[2], JSON.stringify({ env: process.env, stdin }));
  console.log('hello from the hook');
  console.error('a warning from the hook');
  process.exit(Number(process.argv[3] ?? 0));
});
`;

describe('cli: hooks', () => {
  let dir: string;
  let root: string;
  let recorder: string;
  let sleeper: string;
  const savedSecret = process.env.AWS_SECRET_ACCESS_KEY;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-hooks-'));
    root = path.join(dir, 'root');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.txt'), 'a');
    recorder = path.join(dir, 'recorder.cjs');
    sleeper = path.join(dir, 'sleeper.cjs');
    await writeFile(recorder, RECORDER);
    await writeFile(sleeper, 'setTimeout(() => {}, 60_000);');
    // As a CLI user's shell might hold it: the hook's environment must not.
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
  });
  afterAll(async () => {
    if (savedSecret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = savedSecret;
    await rm(dir, { recursive: true, force: true });
  });

  const config = (name: string, hooks: Record<string, unknown>) => ({
    databasePath: path.join(dir, `${name}.db`),
    providers: [{ id: 'disk', type: 'local', local: { root } }],
    mappings: [{ name, sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: name, hooks }],
  });
  async function runConfig(name: string, hooks: Record<string, unknown>) {
    await mkdir(path.join(root, name), { recursive: true });
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(config(name, hooks)));
    return cli(['--config', file, '--once']);
  }
  const targetKeys = (name: string) => readdir(path.join(root, name));

  it('a before hook gets the run in CDS_ variables and the mapping as JSON on stdin, never a secret; its output is logged', async () => {
    const out = path.join(dir, 'before.json');
    const r = await runConfig('recorded', { before: [process.execPath, recorder, out] });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const { env, stdin } = JSON.parse(await readFile(out, 'utf8')) as { env: Record<string, string>; stdin: string };
    expect(env).toMatchObject({ CDS_MAPPING_NAME: 'recorded', CDS_DRY_RUN: '0', CDS_SOURCE: 'disk:src/', CDS_TARGET: 'disk:recorded/' });
    expect(env.CDS_RUN_ID).toMatch(/^\d+$/);
    expect(env.CDS_MAPPING_ID).toBe(JSON.parse(stdin).id);
    expect(env.PATH).toBe(process.env.PATH);
    expect(JSON.stringify(env)).not.toContain(SECRET);
    expect(Object.keys(env).filter((k) => !k.startsWith('CDS_')).every((k) => ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'TEMP', 'TMP'].includes(k))).toBe(true);
    expect(JSON.parse(stdin)).toMatchObject({ name: 'recorded', sourceBucket: 'src', targetBucket: 'recorded' });
    expect(r.stdout + r.stderr).toContain('before hook: hello from the hook');
    expect(r.stdout + r.stderr).toContain('before hook: a warning from the hook');
    expect(await targetKeys('recorded')).toEqual(['a.txt']);
  });

  it('a before hook that exits 1 fails the run before anything is copied', async () => {
    const r = await runConfig('refused', { before: [process.execPath, recorder, path.join(dir, 'refused.json'), '1'] });
    expect(r.code).not.toBe(EXIT.ok);
    expect(r.stdout + r.stderr).toMatch(/before hook ".*" failed: exit code 1; nothing was listed, copied or deleted/);
    expect(await targetKeys('refused')).toEqual([]);
  });

  it('a before hook that runs past timeoutSeconds is killed and the run fails', async () => {
    const started = Date.now();
    const r = await runConfig('slow', { before: [process.execPath, sleeper], timeoutSeconds: 1 });
    expect(r.code).not.toBe(EXIT.ok);
    expect(r.stdout + r.stderr).toMatch(/before hook ".*" timed out after 1 s and was killed/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await targetKeys('slow')).toEqual([]);
  });

  it('a before hook that cannot start fails the run', async () => {
    const r = await runConfig('missing', { before: [path.join(dir, 'no-such-program')] });
    expect(r.code).not.toBe(EXIT.ok);
    expect(r.stdout + r.stderr).toMatch(/before hook ".*no-such-program" could not start/);
    expect(await targetKeys('missing')).toEqual([]);
  });

  it('an after hook sees the outcome; its failure is a warning and the run keeps its status', async () => {
    const out = path.join(dir, 'after.json');
    const r = await runConfig('after', { after: [process.execPath, recorder, out, '3'] });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const { env, stdin } = JSON.parse(await readFile(out, 'utf8')) as { env: Record<string, string>; stdin: string };
    expect(env).toMatchObject({ CDS_STATUS: 'success', CDS_ERROR_CODE: '', CDS_COPIED: '1', CDS_FAILED: '0' });
    expect(JSON.parse(stdin)).toMatchObject({ status: 'success', copied: 1, errorCode: null });
    expect(r.stdout + r.stderr).toMatch(/after hook ".*" failed: exit code 3; the run's status is unchanged/);
  });

  it('refuses a hook that is not an argv array, naming the field', async () => {
    const r = await runConfig('invalid', { before: 'backup.sh --now', timeoutSeconds: 0, befor: ['x'] });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/mappings\[0\]\.hooks\.before: must be a non-empty array of strings/);
    expect(r.stderr).toMatch(/mappings\[0\]\.hooks\.timeoutSeconds: must be a whole number from 1 to 86400/);
    expect(r.stderr).toMatch(/mappings\[0\]\.hooks\.befor: unknown key/);
  });
});
