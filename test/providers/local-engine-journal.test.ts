// Issue 9, point 12 on a local target, through the engine: at every moment of a local → local sync
// inside one connection, each partial file on disk is named in the uploads table, so a kill at any
// moment leaves nothing the next clean run cannot remove (the crash cycles kill the real CLI; this
// pins the property down without one). And what a killed copy left is removed by the next run.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mapping } from '../../shared/model';
import { createLocalProvider } from '../../electron/providers/local';
import { PARTIAL_MARKER } from '../../electron/providers/local-names';
import type { StorageProvider } from '../../electron/providers/provider';
import { openStore, type Store } from '../../electron/store';
import { runMapping } from '../../electron/sync/runner';
import { bytes } from '../support/objects';
import { filesBelow } from './local-support';

const FAST_RETRY = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

/** `p` whose reads give their first chunk, then wait for `release()`: a copy held half way. */
function withHeldReads(p: StorageProvider) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: StorageProvider = Object.assign(Object.create(p) as StorageProvider, {
    read: async (...args: Parameters<StorageProvider['read']>) => {
      const body = await p.read(...args);
      return Readable.from(
        (async function* () {
          let chunks = 0;
          for await (const chunk of body) {
            yield chunk as Buffer;
            if (chunks++ === 0) await gate;
          }
        })(),
      );
    },
  });
  return { held, release };
}

describe('local → local in one connection: partial files and the upload journal', () => {
  let dir: string;
  let root: string;
  let store: Store;
  let local: StorageProvider;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-local-journal-'));
    root = path.join(dir, 'disk');
    store = openStore(path.join(dir, 'state.db'));
    store.connections.upsert({ id: 'disk', name: 'disk', type: 'local', local: { root } });
    local = createLocalProvider({ root });
  });
  afterAll(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function mapping(id: string): Promise<Mapping> {
    const m: Mapping = {
      id, name: id, sourceConnectionId: 'disk', sourceBucket: `${id}-src`, sourcePrefix: '',
      targetConnectionId: 'disk', targetBucket: `${id}-dst`, targetPrefix: '',
      transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    };
    await local.createBucket(m.sourceBucket);
    await local.createBucket(m.targetBucket);
    store.mappings.upsert(m);
    return m;
  }

  /** Partial files in the target bucket, relative to it. */
  const partialsIn = async (bucket: string) => (await filesBelow(path.join(root, bucket))).filter((f) => f.includes(PARTIAL_MARKER));

  it('while a copy is half way, the uploads table names each partial file on disk; after it, neither is left', async () => {
    const m = await mapping('held');
    const data = bytes(1, 300 * 1024); // several read chunks
    await mkdir(path.join(root, m.sourceBucket, 'dir'));
    await writeFile(path.join(root, m.sourceBucket, 'dir/object.bin'), data);
    const { held, release } = withHeldReads(local);
    const running = runMapping({ state: store.engineState, mapping: m, source: held, target: held, sameConnection: true, retry: FAST_RETRY });
    try {
      let partials: string[] = [];
      for (let i = 0; i < 2_000 && partials.length === 0; i++) {
        partials = await partialsIn(m.targetBucket);
        if (partials.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(partials, 'the copy reached its partial file').toHaveLength(1);
      const journaled = store.uploads.all(m.id).map((row) => `dir/${(JSON.parse(row.state) as { partial: string }).partial}`);
      expect(journaled, 'a kill now would leave only what the journal names').toEqual(partials);
    } finally {
      release();
    }
    const { run } = await running;
    expect(run, run.firstError ?? '').toMatchObject({ status: 'success', copied: 1 });
    expect((await readFile(path.join(root, m.targetBucket, 'dir/object.bin'))).equals(data)).toBe(true);
    expect(store.uploads.all(m.id)).toEqual([]);
    expect(await partialsIn(m.targetBucket)).toEqual([]);
  });

  it('the next run removes what killed copies left: the partial of a key it copies again, and of a key no longer copied', async () => {
    const m = await mapping('killed');
    const data = bytes(2, 10_000);
    await mkdir(path.join(root, m.sourceBucket, 'a'));
    await writeFile(path.join(root, m.sourceBucket, 'a/again.bin'), data);
    const source = await local.head(m.sourceBucket, 'a/again.bin');
    // As a SIGKILL leaves them: a partial file in the target and the row that names it.
    const leftovers = { 'a/again.bin': `${PARTIAL_MARKER}00000000000000aa`, 'gone/was-here.bin': `${PARTIAL_MARKER}00000000000000bb` };
    for (const [key, partial] of Object.entries(leftovers)) {
      const folder = path.join(root, m.targetBucket, path.dirname(key));
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, partial), 'half of it');
      store.uploads.put(m.id, {
        key, targetBucket: m.targetBucket, targetKey: key, sourceEtag: source!.etag, sourceSize: source!.size,
        state: JSON.stringify({ partial }), startedAt: 1, updatedAt: 1,
      });
    }
    const { run } = await runMapping({ state: store.engineState, mapping: m, source: local, target: local, sameConnection: true, retry: FAST_RETRY });
    expect(run, run.firstError ?? '').toMatchObject({ status: 'success', copied: 1 });
    expect(await filesBelow(path.join(root, m.targetBucket))).toEqual(['a/again.bin']);
    expect(store.uploads.all(m.id)).toEqual([]);
  });
});
