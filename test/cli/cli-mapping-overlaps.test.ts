// Mapping loops through two connections, refused when the CLI loads its config: the local folders
// are compared by their real paths (a symlinked root is the folder it points to), so a mapping
// that nests into its own source, or A → B with B → A in mirror mode, never runs.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';

describe('cli: mappings that overlap through two connections', () => {
  let dir: string;
  let root: string;
  let real: string;
  let alias: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-overlap-'));
    root = path.join(dir, 'root');
    for (const bucket of ['photos', 'a', 'b']) await mkdir(path.join(root, bucket), { recursive: true });
    await writeFile(path.join(root, 'photos', 'p.jpg'), 'photo');
    alias = path.join(dir, 'alias');
    await symlink(root, alias);
    real = await realpath(root);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configWith(name: string, providers: object[], mappings: object[]): Promise<{ file: string; db: string }> {
    const file = path.join(dir, `${name}.json`);
    const db = path.join(dir, `${name}.db`);
    await writeFile(file, JSON.stringify({ databasePath: db, providers, mappings }));
    return { file, db };
  }

  it('refuses a mapping into its own source through a symlinked second connection, naming the mapping and the real folder', async () => {
    const { file, db } = await configWith(
      'nest',
      [{ id: 'disk', type: 'local', local: { root } }, { id: 'alias', type: 'local', local: { root: alias } }],
      [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 'alias', targetBucket: 'photos', targetPrefix: 'copy/' }],
    );
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`mappings[0]: source disk:photos/ (file://${real}/photos/) and target alias:photos/copy/ (file://${real}/photos/copy/)`);
    expect(r.stderr).toContain('would sync into itself');
    expect(existsSync(db)).toBe(false); // refused before anything opened or ran
    expect(existsSync(path.join(root, 'photos', 'copy'))).toBe(false);
  });

  it('refuses a connection whose root is a bucket folder of another one', async () => {
    const { file } = await configWith(
      'inner',
      [{ id: 'disk', type: 'local', local: { root } }, { id: 'inner', type: 'local', local: { root: path.join(alias, 'photos') } }],
      [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 'inner', targetBucket: 'backup' }],
    );
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`target inner:backup/ (file://${real}/photos/backup/)`);
  });

  it('refuses A → B (mirror) with B → A through the other connection, naming both mappings', async () => {
    const { file } = await configWith(
      'loop',
      [{ id: 'disk', type: 'local', local: { root } }, { id: 'alias', type: 'local', local: { root: alias } }],
      [
        { sourceProviderId: 'disk', sourceBucket: 'a', targetProviderId: 'disk', targetBucket: 'b', deleteMode: 'mirror' },
        { sourceProviderId: 'alias', sourceBucket: 'b', targetProviderId: 'alias', targetBucket: 'a' },
      ],
    );
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('mappings[1]: forms a loop mappings[0] → mappings[1] → mappings[0]');
    expect(r.stderr).toContain(`mappings[0] writes to disk:b/ (file://${real}/b/), which mappings[1] reads as alias:b/ (file://${real}/b/)`);
    expect(r.stderr).toContain('deleteMode "mirror" (mappings[0]), "synced" (mappings[1])');
  });

  it('still runs two connections to one folder when the mappings do not meet', async () => {
    const { file } = await configWith(
      'apart',
      [{ id: 'disk', type: 'local', local: { root } }, { id: 'alias', type: 'local', local: { root: alias } }],
      [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 'alias', targetBucket: 'b', deleteMode: 'mirror' }],
    );
    const r = await cli(['--config', file, '--once']);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(EXIT.ok);
    expect(existsSync(path.join(root, 'b', 'p.jpg'))).toBe(true);
  });
});

describe('cli: a database inside a synced folder', () => {
  it('is refused: the run would copy the live database and drop its lock', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cds-dbinside-'));
    try {
      const root = path.join(dir, 'root');
      await mkdir(path.join(root, 'src'), { recursive: true });
      await mkdir(path.join(root, 'dst'), { recursive: true });
      const file = path.join(dir, 'config.json');
      await writeFile(file, JSON.stringify({
        databasePath: path.join(root, 'src', 'state.db'),
        providers: [{ id: 'disk', type: 'local', local: { root } }],
        mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }],
      }));
      const r = await cli(['--config', file, '--once']);
      expect(r.code).toBe(EXIT.usage);
      const real = await realpath(root);
      expect(r.stderr).toContain(`mappings[0]: the source (file://${real}/src/) holds the database ${real}/src/state.db; move the database out of synced folders`);
      expect(existsSync(path.join(root, 'src', 'state.db'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
