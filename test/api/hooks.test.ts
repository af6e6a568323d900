// Hooks through the API: a mapping created with hooks keeps and lists them, a run runs them (their
// output in the run log), a failing before hook fails the run with HookFailed and copies nothing,
// invalid hooks are refused at their field, export and import carry them.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localApi } from './local-api';

/** Two local connections, and a hook script in the root. */
async function setup() {
  const api = await localApi();
  const script = join(api.root, 'hook.cjs');
  // Prints CDS_ variables and a field of the JSON on stdin (the mapping's name, the run's status), then exits with argv[2].
  writeFileSync(
    script,
    "let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => { console.log(`mapping=${process.env.CDS_MAPPING_NAME} status=${process.env.CDS_STATUS ?? '-'} json=${JSON.parse(s).name ?? JSON.parse(s).status}`); process.exit(Number(process.argv[2] ?? 0)); });",
  );
  return { ...api, script };
}

describe('api: hooks', () => {
  it('creates a mapping with hooks, lists them, and a run runs both with their output in its log', async () => {
    const { call, input, root, script } = await setup();
    const hooks = { before: [process.execPath, script], after: [process.execPath, script], timeoutSeconds: 30 };
    const created = await call('mappings.create', input({ hooks }));
    expect(created.hooks).toEqual(hooks);
    expect((await call('mappings.list'))[0]?.hooks).toEqual(hooks);

    await call('sync.now', { mappingId: created.id });
    await expect.poll(async () => (await call('runs.list', { mappingId: created.id }))[0]?.status, { timeout: 10_000 }).toBe('success');
    expect(readdirSync(join(root, 'backup')).sort()).toEqual(['a.jpg', 'b']);
    const logs = (await call('logs.query', { mappingId: created.id, text: 'hook' })).map((l) => l.message);
    expect(logs).toContain('before hook: mapping=Photos status=- json=Photos');
    expect(logs).toContain('after hook: mapping=Photos status=success json=success');
  });

  it('a failing before hook fails the run with HookFailed and copies nothing', async () => {
    const { call, input, root, script } = await setup();
    const created = await call('mappings.create', input({ hooks: { before: [process.execPath, script, '2'] } }));
    await call('sync.now', { mappingId: created.id });
    await expect.poll(async () => (await call('runs.list', { mappingId: created.id }))[0]?.status, { timeout: 10_000 }).toBe('failed');
    const run = (await call('runs.list', { mappingId: created.id }))[0]!;
    expect(run).toMatchObject({ errorCode: 'HookFailed', copied: 0, firstError: expect.stringMatching(/before hook ".*" failed: exit code 2/) });
    expect(readdirSync(join(root, 'backup'))).toEqual([]);
  });

  it('refuses invalid hooks at their field', async () => {
    const { fail, input } = await setup();
    expect(await fail('mappings.create', { ...input(), hooks: { before: [] } })).toMatchObject({ code: 'InvalidArgument', field: 'hooks.before' });
    expect(await fail('mappings.create', { ...input(), hooks: { before: ['ok', 3] } })).toMatchObject({ code: 'InvalidArgument' });
    expect(await fail('mappings.create', { ...input(), hooks: { after: ['x'], timeoutSeconds: 0 } })).toMatchObject({ code: 'InvalidArgument', field: 'hooks.timeoutSeconds' });
    expect(await fail('mappings.create', { ...input(), hooks: { befor: ['x'] } })).toMatchObject({ code: 'InvalidArgument' });
  });

  it('exports the hooks and imports them back', async () => {
    const { call, input } = await setup();
    const hooks = { after: ['/usr/local/bin/notify', '--quiet'], timeoutSeconds: 5 };
    const created = await call('mappings.create', input({ hooks }));
    const { json } = await call('config.export');
    expect((JSON.parse(json) as { mappings: Record<string, unknown>[] }).mappings[0]).toMatchObject({ hooks });
    const other = await setup();
    await other.call('config.import', { json, apply: true });
    expect((await other.call('mappings.list')).find((m) => m.id === created.id)?.hooks).toEqual(hooks);
  });
});
