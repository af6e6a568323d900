// The hook runner on its own: the environment allow-list, the output cap, the timeout that kills
// what the hook started too.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_OUTPUT_CAP_BYTES, hookEnv, runHook } from '../../electron/sync/hooks';

describe('hook runner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-hooks-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes only allow-listed variables of the parent, and the CDS_ ones', () => {
    const env = hookEnv({ PATH: '/bin', Path: 'C:\\bin', HOME: '/home/u', AWS_SECRET_ACCESS_KEY: 's', AZURE_STORAGE_KEY: 'k', NODE_OPTIONS: '--x' }, { CDS_RUN_ID: '7' });
    expect(env).toEqual({ PATH: '/bin', Path: 'C:\\bin', HOME: '/home/u', CDS_RUN_ID: '7' });
  });

  it('caps each stream at 64 KiB and says how much it left out', async () => {
    const lines: string[] = [];
    const result = await runHook({
      name: 'before',
      argv: [process.execPath, '-e', `process.stdout.write('x'.repeat(${HOOK_OUTPUT_CAP_BYTES + 1000}))`],
      env: {},
      stdin: '',
      log: (_level, message) => lines.push(message),
    });
    expect(result).toEqual({ ok: true, error: null });
    expect(lines[0]).toBe(`before hook: ${'x'.repeat(HOOK_OUTPUT_CAP_BYTES)}`);
    expect(lines[1]).toBe('before hook: (1000 more bytes of output not kept)');
  });

  it.skipIf(process.platform === 'win32')('a timeout kills the hook and the processes it started', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const script = path.join(dir, 'spawner.cjs');
    await writeFile(
      script,
      `const { spawn } = require('node:child_process');
       const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
       require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
       setTimeout(() => {}, 60000);`,
    );
    const started = Date.now();
    const result = await runHook({ name: 'before', argv: [process.execPath, script], env: {}, stdin: '', timeoutSeconds: 1, log: () => undefined });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/timed out after 1 s and was killed/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(await import('node:fs/promises').then((fs) => fs.readFile(pidFile, 'utf8')));
    await expect.poll(() => { try { process.kill(pid, 0); return 'alive'; } catch { return 'gone'; } }, { timeout: 5_000 }).toBe('gone');
  });
});
