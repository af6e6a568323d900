// The library's synchronizer and its SQLite state, from the sources: what a state refuses, who closes
// what, how unknown mappings and providers of one's own are treated. (library.test.ts covers the
// built package imported by name.)
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createProvider,
  createSynchronizer,
  DatabaseLockedError,
  openSqliteState,
  parseConfig,
  type Mapping,
  type StorageProvider,
  type SyncConfig,
} from '../../electron/library';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cds-synchronizer-'));
  await mkdir(path.join(dir, 'disk', 'src'), { recursive: true });
  await mkdir(path.join(dir, 'disk', 'dst'));
  await writeFile(path.join(dir, 'disk', 'src', 'a.txt'), 'alpha');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(mappings: object[] = [{ id: 'm', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' }]): SyncConfig {
  return parseConfig(JSON.stringify({ providers: [{ id: 'disk', type: 'local', local: { root: path.join(dir, 'disk') } }], mappings }));
}

describe('openSqliteState', () => {
  it('holds the database for one process: a second open is refused until the synchronizer closes it', async () => {
    const c = config();
    const db = path.join(dir, 'state', 'sync.db');
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: c.mappings, state: openSqliteState(db) });
    expect(() => openSqliteState(db)).toThrow(DatabaseLockedError);
    expect((await synchronizer.sync('m')).run).toMatchObject({ status: 'success', copied: 1 });
    await synchronizer.close();

    // Closed with its synchronizer; the next one finds what was synced.
    const again = createSynchronizer({ connections: c.connections, mappings: c.mappings, state: openSqliteState(db) });
    expect((await again.sync('m')).run).toMatchObject({ status: 'success', copied: 0, skipped: 1 });
    await again.close();
  });

  it('counts and marks the runs a process left running', async () => {
    const c = config();
    const db = path.join(dir, 'sync.db');
    const state = openSqliteState(db);
    state.register(c.connections, c.mappings);
    await state.journal.start('m', false); // never finished: as a killed process leaves it
    state.close();
    const reopened = openSqliteState(db);
    expect(reopened.interruptedRuns).toBe(1);
    reopened.close();
  });

  it('refuses a mapping whose local folder holds the database, naming it', async () => {
    const c = config();
    const state = openSqliteState(path.join(dir, 'disk', 'src', 'sync.db'));
    try {
      expect(() => createSynchronizer({ connections: c.connections, mappings: c.mappings, state })).toThrow(
        /^mapping "disk:src → disk:dst": the source \(file:\/\/.*\/disk\/src\/\) holds the database .*\/sync\.db; move the database out of synced folders$/,
      );
    } finally {
      state.close();
    }
  });

  it('refuses a mapping over a provider of your own, which it has no connection record for', async () => {
    const c = config();
    const own: Mapping = { ...c.mappings[0]!, id: 'own', name: 'own', sourceConnectionId: 'mine' };
    const mine = await createProvider(c.connections[0]!);
    const state = openSqliteState(path.join(dir, 'sync.db'));
    try {
      expect(() => createSynchronizer({ connections: c.connections, mappings: [own], providers: { mine }, state })).toThrow(
        'mapping "own": connection "mine" is not in the connections',
      );
    } finally {
      state.close();
      await mine.close();
    }
  });
});

describe('Synchronizer', () => {
  it('rejects an unknown mapping id, naming the ones it has', async () => {
    const c = config();
    const synchronizer = createSynchronizer(c);
    await expect(synchronizer.sync('nope')).rejects.toThrow('no mapping "nope" (mapping ids: m)');
    await synchronizer.close();
  });

  it('runs a mapping over a provider of your own, and closes it with the others', async () => {
    const c = config();
    const inner = await createProvider(c.connections[0]!);
    let closed = 0;
    // A provider of "your own": the local provider under another connection id, counting closes.
    const mine: StorageProvider = Object.assign(Object.create(inner) as StorageProvider, {
      close: async () => {
        closed++;
        await inner.close();
      },
    });
    const mapping: Mapping = { ...c.mappings[0]!, id: 'own', name: 'own', sourceConnectionId: 'mine', targetBucket: 'dst' };
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: [mapping], providers: { mine } });
    expect((await synchronizer.sync('own')).run).toMatchObject({ status: 'success', copied: 1 });
    expect(await readFile(path.join(dir, 'disk', 'dst', 'a.txt'), 'utf8')).toBe('alpha');
    await synchronizer.close();
    expect(closed).toBe(1);
  });

  it('syncAll skips disabled mappings and runs the others in order', async () => {
    await mkdir(path.join(dir, 'disk', 'dst2'));
    const c = config([
      { id: 'off', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst', enabled: false },
      { id: 'on', sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst2' },
    ]);
    const finished: string[] = [];
    const synchronizer = createSynchronizer(c);
    const outcomes = await synchronizer.syncAll({ onFinish: (_, mapping) => finished.push(mapping.id) });
    await synchronizer.close();
    expect(outcomes.map((o) => o.run.mappingId)).toEqual(['on']);
    expect(finished).toEqual(['on']);
  });
});

describe.each(['memory', 'sqlite'] as const)('a mapping whose route changed under the same id (%s state)', (kind) => {
  // The reviewer's case: src → dst in 'synced' mode copied a/x.txt and b/y.txt; the same mapping id
  // then runs from src/a/. Sync state of the old route must not make the target's objects look deleted.
  async function moved(options: { dryRun?: boolean } = {}) {
    await rm(path.join(dir, 'disk', 'src', 'a.txt'));
    await mkdir(path.join(dir, 'disk', 'src', 'a'));
    await mkdir(path.join(dir, 'disk', 'src', 'b'));
    await writeFile(path.join(dir, 'disk', 'src', 'a', 'x.txt'), 'x');
    await writeFile(path.join(dir, 'disk', 'src', 'b', 'y.txt'), 'y');
    const c = config();
    const m = c.mappings[0]!;
    expect(m.deleteMode).toBe('synced');
    let current = m;
    // The memory state runs mappings given as a function (nothing registered), the SQLite state a list.
    const state = kind === 'sqlite' ? openSqliteState(path.join(dir, 'sync.db')) : undefined;
    const synchronizer = createSynchronizer({ connections: c.connections, mappings: kind === 'sqlite' ? c.mappings : () => [current], state });
    try {
      expect((await synchronizer.sync('m')).run).toMatchObject({ status: 'success', copied: 2, deleted: 0 });
      current = { ...m, sourcePrefix: 'a/' };
      const lines: string[] = [];
      const outcome = await synchronizer.sync(kind === 'sqlite' ? current : 'm', { ...options, onLog: (line) => lines.push(line.message) });
      const after = await synchronizer.sync(m);
      return { outcome, lines, after };
    } finally {
      await synchronizer.close();
    }
  }

  it('forgets the old route\'s sync state: copies what is new and deletes nothing the old route synced', async () => {
    const { outcome, lines, after } = await moved();
    expect(outcome.run).toMatchObject({ status: 'success', copied: 1, deleted: 0 });
    expect(lines).toContain("The sync state was recorded for disk:src/ → disk:dst/; it is forgotten, and objects already at the target are compared as on a first run");
    expect((await readdir(path.join(dir, 'disk', 'dst'), { recursive: true })).sort()).toEqual(['a', 'a/x.txt', 'b', 'b/y.txt', 'x.txt']);
    // Back on the first route, the state of a/ is forgotten in turn: nothing deleted, x.txt kept (never synced from there).
    expect(after.run).toMatchObject({ status: 'success', deleted: 0, failed: 0 });
    expect((await readdir(path.join(dir, 'disk', 'dst'), { recursive: true })).sort()).toEqual(['a', 'a/x.txt', 'b', 'b/y.txt', 'x.txt']);
  });

  it('plans a dry run over the new route without the old state, and leaves that state alone', async () => {
    const { outcome, lines, after } = await moved({ dryRun: true });
    expect(outcome.run).toMatchObject({ status: 'success', dryRun: true, copied: 1, deleted: 0 });
    expect(outcome.preview.deletes).toEqual([]);
    expect(lines).toContain("The sync state was recorded for disk:src/ → disk:dst/; this dry run plans without it, and objects already at the target are compared as on a first run");
    // The old route's state is still there: its objects are skipped, not compared again.
    expect(after.run).toMatchObject({ status: 'success', copied: 0, skipped: 2, deleted: 0 });
    expect((await readdir(path.join(dir, 'disk', 'dst'), { recursive: true })).sort()).toEqual(['a', 'a/x.txt', 'b', 'b/y.txt']);
  });
});
