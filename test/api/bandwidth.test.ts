// Bandwidth limits through the API: a mapping's bwLimit round trips and limits its runs, the preview
// says it, the global limit is a setting applied to every run at once, and invalid limits are
// refused at their field. Rates are asserted only from above (a loaded machine is only slower).
import { describe, expect, it } from 'vitest';
import { localApi } from './local-api';

const MiB = 1024 * 1024;
/** Two 1 MiB files: 2 s at 1 MiB/s. */
const TWO_MiB = { 'a.bin': 'a'.repeat(MiB), 'b/c.bin': 'c'.repeat(MiB) };

describe('api: bandwidth limits', () => {
  it('a mapping with bwLimit round trips, its preview says the limit, and its run keeps to it', async () => {
    const { call, input, finishedRun } = await localApi({ source: TWO_MiB });
    const created = await call('mappings.create', input({ bwLimit: '1M' }));
    expect(created.bwLimit).toBe('1M');
    expect((await call('mappings.list'))[0]?.bwLimit).toBe('1M');

    const preview = await call('mappings.preview', { id: created.id });
    expect(preview).toMatchObject({ copies: 2, bandwidth: `Bandwidth limit: 1 MiB/s (this mapping's bwLimit "1M")` });

    const run = await finishedRun(created.id);
    expect(run).toMatchObject({ status: 'success', copied: 2, bytesCopied: 2 * MiB });
    expect(run.bytesCopied / (run.durationMs! / 1000)).toBeLessThanOrEqual(1.1 * MiB);
    const logs = (await call('logs.query', { mappingId: created.id, text: 'Bandwidth' })).map((l) => l.message);
    expect(logs).toContain(`Bandwidth limit: 1 MiB/s (this mapping's bwLimit "1M")`);

    const timetable = 'Mon-08:00,512K Sat-00:00,off';
    const updated = await call('mappings.update', { ...input({ bwLimit: timetable }), id: created.id });
    expect(updated.bwLimit).toBe(timetable);
    const { json } = await call('config.export');
    expect((JSON.parse(json) as { mappings: Record<string, unknown>[] }).mappings[0]).toMatchObject({ bwLimit: timetable });
    expect((await call('mappings.update', { ...input({ bwLimit: null }), id: created.id })).bwLimit ?? null).toBeNull();
  });

  it('refuses a limit that is not one at the bwLimit field', async () => {
    const { fail, input } = await localApi();
    expect(await fail('mappings.create', input({ bwLimit: '2X' }))).toMatchObject({ code: 'InvalidArgument', field: 'bwLimit' });
    expect(await fail('mappings.create', input({ bwLimit: 'Mon-25:00,1M' }))).toMatchObject({ code: 'InvalidArgument', field: 'bwLimit' });
    expect(await fail('mappings.create', { ...input(), bwLimit: 5 })).toMatchObject({ code: 'InvalidArgument', field: 'bwLimit' });
  });

  it('the global bwLimit setting is validated, limits runs of mappings without their own, and can be cleared', async () => {
    const { call, fail, input, finishedRun } = await localApi({ source: TWO_MiB });
    expect((await call('settings.get')).bwLimit).toBeNull();
    const refused = await fail('settings.set', { bwLimit: 'fast' });
    expect(refused).toMatchObject({ code: 'InvalidArgument', field: 'bwLimit' });
    expect(refused.message).toMatch(/must be a rate/);
    expect(await fail('settings.set', { bwLimit: 12 })).toMatchObject({ code: 'InvalidArgument', field: 'bwLimit' });

    expect(await call('settings.set', { bwLimit: '1M' })).toMatchObject({ bwLimit: '1M' });
    const created = await call('mappings.create', input());
    const run = await finishedRun(created.id);
    expect(run).toMatchObject({ status: 'success', bytesCopied: 2 * MiB });
    expect(run.bytesCopied / (run.durationMs! / 1000)).toBeLessThanOrEqual(1.1 * MiB);
    const logs = (await call('logs.query', { mappingId: created.id, text: 'Bandwidth' })).map((l) => l.message);
    expect(logs).toContain(`Bandwidth limit: 1 MiB/s (the global bwLimit "1M")`);

    expect(await call('settings.set', { bwLimit: null })).toMatchObject({ bwLimit: null });
    expect((await call('mappings.preview', { id: created.id })).bandwidth ?? null).toBeNull();
  });

  it("the global limit is config.json's top-level bwLimit: export writes it, import sets it", async () => {
    const { call, input } = await localApi();
    await call('mappings.create', input({ bwLimit: '2M' }));
    await call('settings.set', { bwLimit: 'Mon-08:00,4M 19:00,off' });
    const { json } = await call('config.export');
    expect(JSON.parse(json)).toMatchObject({ bwLimit: 'Mon-08:00,4M 19:00,off', mappings: [{ bwLimit: '2M' }] });

    const other = await localApi();
    await other.call('config.import', { json, apply: true });
    expect((await other.call('settings.get')).bwLimit).toBe('Mon-08:00,4M 19:00,off');
    // A file without a top-level bwLimit leaves the setting as it is.
    const { bwLimit: _global, ...withoutGlobal } = JSON.parse(json) as Record<string, unknown>;
    await other.call('config.import', { json: JSON.stringify(withoutGlobal), apply: true });
    expect((await other.call('settings.get')).bwLimit).toBe('Mon-08:00,4M 19:00,off');
  });
});
