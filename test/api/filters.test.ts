// Filters through the API: a mapping created with filters keeps them, previews say how many objects
// each rule excluded (saved and unsaved), invalid ones are refused at the field, export writes them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MappingInput } from '../../shared/contract';
import { localApi } from './local-api';

/** Two local connections; photos has jpgs, a .tmp and a big file; the target holds a .tmp of its own. */
async function setup() {
  return localApi({
    source: { 'a.jpg': 'aaa', 'b/1.jpg': 'b1', 'b/2.tmp': 'tmp', 'big.jpg': 'x'.repeat(2_000), 'c.txt': 'text' },
    target: { 'old.tmp': 'at the target only' },
  });
}

const FILTERS = { include: ['*.jpg', '*.tmp'], exclude: ['*.tmp'], maxSize: 1024, maxAge: 86_400 } satisfies Partial<MappingInput>;
const EXCLUDED = [
  { rule: 'exclude "*.tmp"', count: 2 },
  { rule: 'maxSize 1 KiB', count: 1 },
  { rule: 'include (matched none)', count: 1 },
];

describe('api: filters', () => {
  it('creates a mapping with filters, returns and lists them, and previews it with counts per rule', async () => {
    const { call, input, root } = await setup();
    const created = await call('mappings.create', input(FILTERS));
    expect(created).toMatchObject(FILTERS);
    expect((await call('mappings.list'))[0]).toMatchObject(FILTERS);

    const preview = await call('mappings.preview', { id: created.id });
    // old.tmp is only at the target and mirror mode would delete it, but it is excluded.
    expect(preview).toMatchObject({ status: 'success', copies: 2, deletes: 0, error: null, excluded: EXCLUDED });
    expect(preview.firstCopies.map((c) => c.key)).toEqual(['a.jpg', 'b/1.jpg']);
    expect(readdirSync(join(root, 'backup'))).toEqual(['old.tmp']);

    await call('sync.now', { mappingId: created.id });
    await expect.poll(async () => (await call('runs.list', { mappingId: created.id })).find((r) => !r.dryRun)?.status, { timeout: 10_000 }).toBe('success');
    expect(readdirSync(join(root, 'backup')).sort()).toEqual(['a.jpg', 'b', 'old.tmp']);
    const logs = await call('logs.query', { mappingId: created.id, text: 'Excluded by filters' });
    expect(logs.map((l) => l.message)).toContain('Excluded by filters: 2 by exclude "*.tmp", 1 by maxSize 1 KiB, 1 by include (matched none)');
  });

  it('previews unsaved input with filters, and deleteExcluded plans the excluded target object', async () => {
    const { call, input } = await setup();
    const preview = await call('mappings.preview', { input: input({ ...FILTERS, deleteExcluded: true }) });
    expect(preview).toMatchObject({ status: 'success', copies: 2, deletes: 1, excluded: EXCLUDED });
    expect(preview.firstDeletes).toEqual([{ key: 'old.tmp', size: 18, reason: 'excluded' }]);
  });

  it('updates the filters, and clears them when the update leaves them out', async () => {
    const { call, input } = await setup();
    const { id } = await call('mappings.create', input(FILTERS));
    const updated = await call('mappings.update', { ...input({ exclude: ['b/**'] }), id });
    expect(updated.exclude).toEqual(['b/**']);
    expect(updated).not.toHaveProperty('include');
    const cleared = await call('mappings.update', { ...input(), id });
    expect(cleared).not.toHaveProperty('exclude');
  });

  it('refuses invalid filters at the field', async () => {
    const { fail, input } = await setup();
    expect(await fail('mappings.create', input({ exclude: ['ok', 'a[b'] }))).toMatchObject({ code: 'InvalidArgument', field: 'exclude[1]', message: expect.stringMatching(/invalid glob/) });
    expect(await fail('mappings.create', input({ includeRegex: ['('] }))).toMatchObject({ code: 'InvalidArgument', field: 'includeRegex[0]' });
    expect(await fail('mappings.create', input({ minSize: 10, maxSize: 5 }))).toMatchObject({ code: 'InvalidArgument', field: 'minSize' });
    expect(await fail('mappings.create', input({ maxAge: -1 }))).toMatchObject({ code: 'InvalidArgument', field: 'maxAge' });
    expect(await fail('mappings.create', { ...input(), exclude: '*.tmp' })).toMatchObject({ code: 'InvalidArgument', field: 'exclude' });
    expect(await fail('mappings.create', { ...input(), exlude: ['*.tmp'] })).toMatchObject({ code: 'InvalidArgument', field: 'exlude' });
  });

  it('exports the filters in the config file form and imports them back', async () => {
    const { call, input } = await setup();
    const created = await call('mappings.create', input({ exclude: ['*.tmp'], maxSize: 10 * 1024 * 1024, minAge: 7 * 86_400, deleteExcluded: true }));
    const { json } = await call('config.export');
    const written = (JSON.parse(json) as { mappings: Record<string, unknown>[] }).mappings[0];
    expect(written).toMatchObject({ exclude: ['*.tmp'], maxSize: '10M', minAge: '1w', deleteExcluded: true });

    const other = await setup();
    await other.call('config.import', { json, apply: true });
    const imported = (await other.call('mappings.list')).find((m) => m.id === created.id);
    expect(imported).toMatchObject({ exclude: ['*.tmp'], maxSize: 10 * 1024 * 1024, minAge: 7 * 86_400, deleteExcluded: true });
  });
});
