// A local source's symlink policy, through the real command and config file: by default a symlink
// below the bucket folder is reported ("Not synced: … (symlink, not followed)") and nothing is read
// through it; with "symlinks": "follow" the file it points to is copied under the link's key.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { cli } from './in-process';

describe('cli: a local source with a symlinked file', () => {
  let dir: string;
  let source: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-symlinks-'));
    source = path.join(dir, 'source');
    await mkdir(path.join(source, 'photos'), { recursive: true });
    await mkdir(path.join(dir, 'elsewhere'));
    await writeFile(path.join(source, 'photos', 'plain.txt'), 'a plain file');
    await writeFile(path.join(dir, 'elsewhere', 'outside.txt'), 'read through a link');
    await symlink(path.join(dir, 'elsewhere', 'outside.txt'), path.join(source, 'photos', 'linked.txt'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function syncOnce(name: string, sourceSettings: object) {
    const target = path.join(dir, `${name}-target`);
    await mkdir(path.join(target, 'photos'), { recursive: true });
    const file = path.join(dir, `${name}.json`);
    await writeFile(
      file,
      JSON.stringify({
        databasePath: path.join(dir, `${name}.db`),
        providers: [
          { id: 'disk', type: 'local', local: { root: source, ...sourceSettings } },
          { id: 'backup', type: 'local', local: { root: target } },
        ],
        mappings: [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 'backup', targetBucket: 'photos' }],
      }),
    );
    return { ...(await cli(['--config', file, '--once'])), target: path.join(target, 'photos') };
  }

  it('by default reports the symlink and copies only the plain file', async () => {
    const r = await syncOnce('default', {});
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toContain('Not synced: linked.txt (symlink, not followed)');
    expect(r.stdout).toMatch(/success in [\d.]+ s — copied 1 /);
    expect(await readFile(path.join(r.target, 'plain.txt'), 'utf8')).toBe('a plain file');
    expect(existsSync(path.join(r.target, 'linked.txt'))).toBe(false);
  });

  it('with "symlinks": "follow" copies the file the link points to', async () => {
    const r = await syncOnce('follow', { symlinks: 'follow' });
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).not.toContain('Not synced');
    expect(r.stdout).toMatch(/success in [\d.]+ s — copied 2 /);
    expect(await readFile(path.join(r.target, 'linked.txt'), 'utf8')).toBe('read through a link');
  });
});
