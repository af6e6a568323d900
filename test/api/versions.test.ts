// keepVersions through the API, on two local connections: the flag is stored, listed, cleared by an
// update without it, refused at the field when not a boolean, and carried by config export/import; a
// preview says where a run would keep previous versions and keeps nothing; the run keeps the old bytes
// of what it overwrites and deletes under .cds-versions/<run start>/, logs it, and its mirror leaves
// that folder alone.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localApi } from './local-api';

describe('api: keepVersions', () => {
  it('a preview says where versions would be kept and keeps nothing; the run keeps the old bytes of an overwrite and a delete, and logs it', async () => {
    const { call, input, root, finishedRun } = await localApi();
    const created = await call('mappings.create', input({ keepVersions: true }));
    expect(created.keepVersions).toBe(true);
    expect((await call('mappings.list'))[0]?.keepVersions).toBe(true);
    expect((await finishedRun(created.id)).status).toBe('success');

    writeFileSync(join(root, 'photos', 'a.jpg'), 'aaa v2');
    rmSync(join(root, 'photos', 'b', '1.jpg'));
    const preview = await call('mappings.preview', { id: created.id });
    expect(preview).toMatchObject({ status: 'success', copies: 1, deletes: 1, error: null });
    expect(preview.versions).toMatch(/^A run would keep 2 previous version\(s\) in backup\/\.cds-versions\/[^/]+\/ \(keepVersions\); a dry run keeps nothing$/);
    expect(existsSync(join(root, 'backup', '.cds-versions'))).toBe(false);

    // The second run: finishedRun would find the first one already finished.
    const finishedRuns = async () => (await call('runs.list', { mappingId: created.id })).filter((r) => !r.dryRun && r.finishedAt !== null);
    await call('sync.now', { mappingId: created.id });
    await expect.poll(async () => (await finishedRuns()).length, { timeout: 10_000 }).toBe(2);
    const run = (await finishedRuns()).sort((a, b) => b.id - a.id)[0]!;
    expect(run).toMatchObject({ status: 'success', copied: 1, deleted: 1 });
    const folders = readdirSync(join(root, 'backup', '.cds-versions'));
    expect(folders).toHaveLength(1);
    const kept = join(root, 'backup', '.cds-versions', folders[0]!);
    expect(readFileSync(join(kept, 'a.jpg'), 'utf8')).toBe('aaa');
    expect(readFileSync(join(kept, 'b', '1.jpg'), 'utf8')).toBe('b1');
    expect(readFileSync(join(root, 'backup', 'a.jpg'), 'utf8')).toBe('aaa v2');
    const logs = await call('logs.query', { mappingId: created.id, text: 'Kept 2 previous' });
    expect(logs.map((l) => l.message)).toEqual([`Kept 2 previous version(s) in backup/.cds-versions/${folders[0]}/ (keepVersions)`]);
  });

  it('a mapping without the flag keeps nothing, and its mirror never deletes .cds-versions/', async () => {
    const { call, input, root, finishedRun } = await localApi({ target: { '.cds-versions/2026-01-01T00-00-00.000Z/old.jpg': 'history', 'extra.jpg': 'x' } });
    const created = await call('mappings.create', input());
    expect(created).not.toHaveProperty('keepVersions');
    const preview = await call('mappings.preview', { id: created.id });
    expect(preview).toMatchObject({ copies: 2, deletes: 1 });
    expect(preview).not.toHaveProperty('versions');
    expect(preview.firstDeletes.map((d) => d.key)).toEqual(['extra.jpg']);
    expect(await finishedRun(created.id)).toMatchObject({ status: 'success', copied: 2, deleted: 1 });
    expect(readFileSync(join(root, 'backup', '.cds-versions', '2026-01-01T00-00-00.000Z', 'old.jpg'), 'utf8')).toBe('history');
    expect(readdirSync(join(root, 'backup', '.cds-versions'))).toEqual(['2026-01-01T00-00-00.000Z']);
  });

  it('an update without the field clears it, and a value that is not a boolean is refused at the field', async () => {
    const { call, fail, input } = await localApi();
    const { id } = await call('mappings.create', input({ keepVersions: true }));
    expect(await call('mappings.update', { ...input(), id })).not.toHaveProperty('keepVersions');
    expect(await fail('mappings.create', { ...input(), keepVersions: 'yes' })).toMatchObject({ code: 'InvalidArgument', field: 'keepVersions' });
  });

  it('config export writes it and import reads it back', async () => {
    const { call, input } = await localApi();
    const created = await call('mappings.create', input({ keepVersions: true }));
    const { json } = await call('config.export');
    expect((JSON.parse(json) as { mappings: Record<string, unknown>[] }).mappings[0]).toMatchObject({ keepVersions: true });
    const other = await localApi();
    await other.call('config.import', { json, apply: true });
    expect((await other.call('mappings.list')).find((m) => m.id === created.id)?.keepVersions).toBe(true);
  });
});
