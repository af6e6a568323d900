// Filters through the CLI: a config file with every filter field, and a misspelt one refused.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';

/** Every file under `dir`, as keys with "/". */
async function keysUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('cli: filters', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-filters-'));
    root = path.join(dir, 'root');
    const files: Record<string, string> = {
      'src/photos/a.jpg': 'jpeg',
      'src/photos/b.jpg': 'x'.repeat(3_000),
      'src/photos/c.txt': 'text',
      'src/photos/tmp/d.jpg': 'in a temp folder',
      'src/photos/e.jpg.bak': 'backup',
    };
    for (const [file, body] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), body);
    }
    await mkdir(path.join(root, 'dst'), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const config = (mapping: Record<string, unknown>) => ({
    databasePath: path.join(dir, 'data.db'),
    providers: [{ id: 'disk', type: 'local', local: { root } }],
    mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', sourcePrefix: 'photos/', targetProviderId: 'disk', targetBucket: 'dst', ...mapping }],
  });

  it('copies only what passes the filters and logs how many each rule excluded', async () => {
    const file = path.join(dir, 'filters.json');
    await writeFile(
      file,
      JSON.stringify(config({ include: ['*.jpg', '*.bak'], exclude: ['/tmp/**'], excludeRegex: '\\.bak$', maxSize: '2K', minAge: 0, maxAge: '30d', deleteExcluded: false })),
    );
    const r = await cli(['--config', file, '--once']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/success in [\d.]+ s — copied 1 /);
    expect(r.stdout + r.stderr).toMatch(/Excluded by filters: 1 by maxSize 2 KiB, 1 by include \(matched none\), 1 by excludeRegex "\\\\\.bak\$", 1 by exclude "\/tmp\/\*\*"/);
    expect(await keysUnder(path.join(root, 'dst'))).toEqual(['a.jpg']);
  });

  it('refuses a misspelt filter key with exit 2, naming it, and copies nothing', async () => {
    const file = path.join(dir, 'misspelt.json');
    await writeFile(file, JSON.stringify({ ...config({ exlude: ['*.txt'] }), databasePath: path.join(dir, 'never.db') }));
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/mappings\[0\]\.exlude: unknown key/);
    await expect(readFile(path.join(dir, 'never.db'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an invalid pattern at its field', async () => {
    const file = path.join(dir, 'invalid.json');
    await writeFile(file, JSON.stringify(config({ exclude: ['*.tmp', '{a,b'] })));
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/mappings\[0\]\.exclude\[1\]: invalid glob "\{a,b": Missing closing/);
  });
});
