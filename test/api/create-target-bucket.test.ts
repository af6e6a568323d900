// createTargetBucket through the API: a mapping keeps the flag (store, list, export/import); its run
// creates the missing target folder and logs it, a preview plans against an empty target and creates
// nothing, and without the flag the run fails naming the bucket.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localApi } from './local-api';

/** Two local connections; the target bucket "new-backup" does not exist. */
async function setup() {
  return localApi({ targetBucket: 'new-backup', target: null });
}

describe('api: createTargetBucket', () => {
  it('keeps the flag; a preview creates nothing and plans every copy; the run creates the bucket, logs it and syncs', async () => {
    const { call, input, root, finishedRun } = await setup();
    const created = await call('mappings.create', input({ createTargetBucket: true }));
    expect(created.createTargetBucket).toBe(true);
    expect((await call('mappings.list'))[0]?.createTargetBucket).toBe(true);

    const preview = await call('mappings.preview', { id: created.id });
    expect(preview).toMatchObject({ status: 'success', copies: 2, deletes: 0, error: null });
    expect(existsSync(join(root, 'new-backup'))).toBe(false);

    expect((await finishedRun(created.id)).status).toBe('success');
    expect(readdirSync(join(root, 'new-backup'), { recursive: true }).sort()).toEqual(['a.jpg', 'b', join('b', '1.jpg')]);
    const logs = await call('logs.query', { mappingId: created.id, text: 'Created target bucket' });
    expect(logs.map((l) => l.message)).toEqual(['Created target bucket new-backup']);
  });

  it('without the flag the run fails naming the missing bucket and creates nothing', async () => {
    const { call, input, root, finishedRun } = await setup();
    const created = await call('mappings.create', input());
    expect(created).not.toHaveProperty('createTargetBucket');
    const run = await finishedRun(created.id);
    expect(run.status).toBe('failed');
    // The connection by the name the user gave it ("NAS"), not its internal id.
    expect(run.firstError).toBe('target bucket "new-backup" was not found on connection "NAS". Nothing was deleted.');
    expect(existsSync(join(root, 'new-backup'))).toBe(false);
  });

  it('an update without the field clears it, and a value that is not a boolean is refused at the field', async () => {
    const { call, fail, input } = await setup();
    const { id } = await call('mappings.create', input({ createTargetBucket: true }));
    expect(await call('mappings.update', { ...input(), id })).not.toHaveProperty('createTargetBucket');
    expect(await fail('mappings.create', { ...input(), createTargetBucket: 'yes' })).toMatchObject({ code: 'InvalidArgument', field: 'createTargetBucket' });
  });

  it('config export writes it and import reads it back', async () => {
    const { call, input } = await setup();
    const created = await call('mappings.create', input({ createTargetBucket: true }));
    const { json } = await call('config.export');
    expect((JSON.parse(json) as { mappings: Record<string, unknown>[] }).mappings[0]).toMatchObject({ createTargetBucket: true });
    const other = await setup();
    await other.call('config.import', { json, apply: true });
    expect((await other.call('mappings.list')).find((m) => m.id === created.id)?.createTargetBucket).toBe(true);
  });
});
