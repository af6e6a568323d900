// Bandwidth limits through the CLI: a mapping's bwLimit and config.json's top-level one each hold a
// run to their rate (asserted from above only: load can only slow a run), the log says which limit
// applies, and a malformed limit exits 2 naming its field.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';

const MiB = 1024 * 1024;

describe('cli: bandwidth limits', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-bw-'));
    root = path.join(dir, 'root');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.bin'), Buffer.alloc(MiB, 1));
    await writeFile(path.join(root, 'src', 'b.bin'), Buffer.alloc(MiB, 2));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Two connections on one folder (not one: a copy within one connection is server-side, and not limited). */
  const config = (targetBucket: string, mapping: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
    databasePath: path.join(dir, `${targetBucket}.db`),
    ...top,
    providers: [
      { id: 'laptop', type: 'local', local: { root } },
      { id: 'nas', type: 'local', local: { root } },
    ],
    mappings: [{ sourceProviderId: 'laptop', sourceBucket: 'src', targetProviderId: 'nas', targetBucket, ...mapping }],
  });

  async function run(name: string, body: unknown) {
    await mkdir(path.join(root, name), { recursive: true });
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(body));
    const started = performance.now();
    const result = await cli(['--config', file, '--once']);
    return { ...result, seconds: (performance.now() - started) / 1000 };
  }

  it("a mapping's bwLimit holds its run to the rate, and the log says so", async () => {
    const r = await run('dst-mapping', config('dst-mapping', { bwLimit: '1M' }));
    expect(r.code, r.output).toBe(EXIT.ok);
    expect(r.output).toContain(`Bandwidth limit: 1 MiB/s (this mapping's bwLimit "1M")`);
    expect((2 * MiB) / r.seconds).toBeLessThanOrEqual(1.1 * MiB);
    expect((await readdir(path.join(root, 'dst-mapping'))).sort()).toEqual(['a.bin', 'b.bin']);
  });

  it('the top-level bwLimit holds every mapping; with a mapping limit too, the lower one applies', async () => {
    const r = await run('dst-global', config('dst-global', { bwLimit: '8M' }, { bwLimit: '1M' }));
    expect(r.code, r.output).toBe(EXIT.ok);
    expect(r.output).toContain(`Bandwidth limit: 1 MiB/s (this mapping's bwLimit "8M"; the global bwLimit "1M")`);
    expect((2 * MiB) / r.seconds).toBeLessThanOrEqual(1.1 * MiB);
  });

  it('a malformed bwLimit exits 2 and names the field, at the top level and in a mapping', async () => {
    const top = await run('dst-bad-top', config('dst-bad-top', {}, { bwLimit: 'fast' }));
    expect(top.code).toBe(EXIT.usage);
    expect(top.stderr).toMatch(/bwLimit.*must be a rate/);
    const mapping = await run('dst-bad-mapping', config('dst-bad-mapping', { bwLimit: 'Mon-8:00,2M 19:00' }));
    expect(mapping.code).toBe(EXIT.usage);
    expect(mapping.stderr).toMatch(/mappings\[0\]\.bwLimit/);
    expect(await readdir(path.join(root, 'dst-bad-mapping'))).toEqual([]);
  });
});
