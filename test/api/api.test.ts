// The API handlers behind shared/contract.ts, called through the dispatcher as the renderer would:
// a real Store (temp file, encrypting cipher), real local folders, s3rver, and the real Scheduler.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../shared/config';
import {
  API_ERROR_CODES,
  COMMAND_NAMES,
  unwrapEnvelope,
  type ApiError,
  type AppSettings,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type ConnectionInput,
  type EventName,
  type Events,
  type MappingInput,
} from '../../shared/contract';
import type { Mapping, RunSummary } from '../../shared/model';
import { createApiDispatcher, createDispatcher, createApi, type ApiDeps } from '../../electron/api';
import { StorageError } from '../../electron/providers/errors';
import { createProvider } from '../../electron/providers/registry';
import { SyncService } from '../../electron/services/sync-service';
import { Scheduler, type RunControl } from '../../electron/sync/scheduler';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { putText } from '../support/objects';
import { tempDir, tempStore, testCipher } from '../store/fixtures';

// s3rver checks that the access key exists but not the signature, so any secret key works: one no
// other field holds, so finding it anywhere in a result means a secret leaked.
const SECRET = 'TOP-SECRET-e7c1f0a9';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

// ---- Harness ------------------------------------------------------------------------------------

type Event = { [E in EventName]: { name: E; payload: Events[E] } }[EventName];

interface Harness {
  deps: ApiDeps;
  events: Event[];
  applied: AppSettings[];
  /** Local root folder: each sub-folder is a bucket. */
  root: string;
  call<N extends CommandName>(name: N, ...args: CommandArgs<N> extends void ? [] : [CommandArgs<N>]): Promise<CommandResult<N>>;
  /** Dispatches raw input and returns the ApiError it must end with. */
  fail(name: unknown, args?: unknown): Promise<ApiError>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Registered after test/store/fixtures' afterEach, so this runs first: the store is still open.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function harness(options: { runMapping?: (m: Mapping, control: RunControl, run: () => Promise<RunSummary>) => Promise<RunSummary> } = {}): Harness {
  const { store } = tempStore({ cipher: testCipher() });
  const syncService = new SyncService(store.engineState, (id) => store.connections.getWithSecrets(id), { globalTransfers: 16 });
  const scheduler = new Scheduler({
    listMappings: () => store.mappings.list(),
    runMapping: (mapping, control) => {
      const run = async (): Promise<RunSummary> => (await syncService.run(mapping, control)).run;
      return options.runMapping ? options.runMapping(mapping, control, run) : run();
    },
    maxConcurrentRuns: 2,
    lastRun: (id) => store.runs.latest(id) ?? null,
  });
  scheduler.start();
  cleanups.push(async () => {
    await scheduler.stop(1_000);
    await syncService.close();
  });
  const events: Event[] = [];
  const applied: AppSettings[] = [];
  const deps: ApiDeps = {
    store,
    syncService,
    scheduler,
    emit: (name, payload) => events.push({ name, payload } as Event),
    version: '9.9.9',
    mode: 'server',
    applyDesktopSetting: (settings) => applied.push(settings),
  };
  const dispatch = createApiDispatcher(deps);
  return {
    deps,
    events,
    applied,
    root: tempDir(),
    async call(name, ...args) {
      return unwrapEnvelope(await dispatch(name, args[0])) as never;
    },
    async fail(name, args) {
      const envelope = await dispatch(name, args);
      if (envelope.ok) throw new Error(`expected ${String(name)} to fail, got ${JSON.stringify(envelope.value)}`);
      return envelope.error;
    },
  };
}

function localInput(h: Harness, name: string): ConnectionInput {
  return { name, type: 'local', local: { root: h.root } };
}

function s3Input(name: string, overrides: Partial<ReturnType<typeof awsSettingsFor>> = {}): ConnectionInput {
  return { name, type: 'aws', aws: { ...awsSettingsFor(server), secretAccessKey: SECRET, ...overrides } };
}

function mappingInput(source: string, target: string, overrides: Partial<MappingInput> = {}): MappingInput {
  return {
    name: 'Photos backup',
    sourceConnectionId: source,
    sourceBucket: 'photos',
    sourcePrefix: '',
    targetConnectionId: target,
    targetBucket: 'backup',
    targetPrefix: '',
    transfers: 4,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
    ...overrides,
  };
}

/** Writes files into a local bucket folder: { 'a/b.txt': 'text' }. */
function seedFolder(root: string, bucket: string, files: Record<string, string>): void {
  for (const [key, text] of Object.entries(files)) {
    const file = join(root, bucket, key);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Two local connections on one root with buckets photos (three files) and backup (empty). */
async function localPair(h: Harness): Promise<{ src: string; dst: string }> {
  seedFolder(h.root, 'photos', { 'a.jpg': 'aaa', 'b/1.jpg': 'b1', 'b/2.jpg': 'b2' });
  mkdirSync(join(h.root, 'backup'), { recursive: true });
  const src = (await h.call('connections.create', localInput(h, 'Laptop'))).id;
  const dst = (await h.call('connections.create', localInput(h, 'NAS'))).id;
  return { src, dst };
}

let bucketCounter = 0;
async function newS3Bucket(): Promise<string> {
  const bucket = `api-test-${process.pid}-${++bucketCounter}`;
  const provider = await createProvider({ id: 'setup', name: 'setup', type: 'aws', aws: awsSettingsFor(server) });
  try {
    await provider.createBucket(bucket);
    await putText(provider, bucket, 'hello.txt', 'hello');
  } finally {
    await provider.close();
  }
  return bucket;
}

function dataChanged(h: Harness): string[][] {
  return h.events.filter((e) => e.name === 'data.changed').map((e) => (e.payload as Events['data.changed']).lists);
}

async function waitUntilIdle(h: Harness): Promise<void> {
  await vi.waitFor(() => expect(h.deps.scheduler.runningIds()).toEqual([]), { timeout: 15_000, interval: 20 });
}

// ---- Dispatcher: arguments and errors -------------------------------------------------------------

describe('dispatcher', () => {
  it('answers an unknown command with InvalidArgument, never a throw', async () => {
    const h = harness();
    for (const name of ['nope', 42, null, undefined, { toString: () => 'x' }]) {
      expect(await h.fail(name, {})).toMatchObject({ code: 'InvalidArgument', field: 'command', retryable: false });
    }
  });

  it('names the field of a missing, mistyped or unknown argument', async () => {
    const h = harness();
    expect(await h.fail('connections.create', { type: 'local', local: { root: h.root } })).toMatchObject({ code: 'InvalidArgument', field: 'name' });
    expect(await h.fail('connections.create', { name: 7, type: 'local', local: { root: h.root } })).toMatchObject({ code: 'InvalidArgument', field: 'name' });
    expect(await h.fail('connections.create', { ...localInput(h, 'x'), junk: true })).toMatchObject({ code: 'InvalidArgument', field: 'junk' });
    expect(await h.fail('connections.create', { name: 'x', type: 's3', s3: {} })).toMatchObject({ code: 'InvalidArgument', field: 'type' });
    expect(await h.fail('connections.create', 'not an object')).toMatchObject({ code: 'InvalidArgument' });
    expect(await h.fail('objects.list', { connectionId: 'c', bucket: 'b', prefix: '', limit: 5000 })).toMatchObject({ field: 'limit' });
    expect(await h.fail('runs.get', { id: '3' })).toMatchObject({ code: 'InvalidArgument', field: 'id' });
    expect(await h.fail('logs.query', { mappingId: 'm', minLevel: 'loud' })).toMatchObject({ field: 'minLevel' });
    expect(await h.fail('settings.get', { extra: 1 })).toMatchObject({ code: 'InvalidArgument', field: 'extra' });
    expect(await h.fail('mappings.preview', {})).toMatchObject({ code: 'InvalidArgument', field: 'id' });
    expect(await h.fail('connections.test', { input: { name: 'x', type: 'local' } })).toMatchObject({ field: 'input.local' });
  });

  it('answers every command with an envelope for any junk, never a throw', async () => {
    const h = harness();
    const dispatch = createApiDispatcher(h.deps);
    const junk: unknown[] = [undefined, null, 0, 'x', [], [1], { junk: 1 }, { id: 5 }, { id: '' }, { __proto__: { id: 'x' } }, JSON.parse('{"__proto__": 1}')];
    for (const name of COMMAND_NAMES) {
      for (const args of junk) {
        const envelope = await dispatch(name, args);
        if (!envelope.ok) expect(API_ERROR_CODES).toContain(envelope.error.code);
      }
    }
  });

  it('maps errors of the layers below to codes, and an unexpected error to Fatal without a stack', async () => {
    const h = harness();
    const api = createApi(h.deps);
    const failing = (err: unknown) => createDispatcher({ ...api, 'connections.list': async () => Promise.reject(err) });
    const errorOf = async (err: unknown): Promise<ApiError> => {
      const envelope = await failing(err)('connections.list', undefined);
      if (envelope.ok) throw new Error('expected a failure');
      return envelope.error;
    };
    expect(await errorOf(new StorageError('Throttled', 'slow down'))).toEqual({ code: 'Throttled', message: 'slow down', retryable: true });
    expect(await errorOf(new StorageError('AccessDenied', 'no', { field: 'aws.accessKeyId' }))).toEqual({
      code: 'AccessDenied',
      message: 'no',
      field: 'aws.accessKeyId',
      retryable: false,
    });
    const fatal = await errorOf(new TypeError('x is not a function'));
    expect(fatal).toEqual({ code: 'Fatal', message: 'Internal error: x is not a function', retryable: false });
    expect(await errorOf('a string')).toMatchObject({ code: 'Fatal' });
  });

  it('blanks secret values out of error messages: from the arguments and the stored connections', async () => {
    const h = harness();
    await h.call('connections.create', s3Input('Stored', { secretAccessKey: `${SECRET}-stored` }));
    const api = createApi(h.deps);
    const dispatch = createDispatcher(
      { ...api, 'connections.test': async () => Promise.reject(new Error(`echo ${SECRET}-args and ${SECRET}-stored`)) },
      { secretValues: () => [`${SECRET}-stored`] },
    );
    const envelope = await dispatch('connections.test', { input: s3Input('Unsaved', { secretAccessKey: `${SECRET}-args` }) });
    expect(envelope).toMatchObject({ ok: false, error: { message: 'Internal error: echo *** and ***' } });
  });
});

// ---- Connections --------------------------------------------------------------------------------

describe('connections', () => {
  it('creates, lists, updates and deletes, returning views without secret values', async () => {
    const h = harness();
    const created = await h.call('connections.create', s3Input('My S3 (test)', { sessionToken: `${SECRET}-token` }));
    expect(created.id).toMatch(/^my-s3-test-[0-9a-f]{4}$/);
    expect(created).toMatchObject({ name: 'My S3 (test)', type: 'aws', secretsSet: { secretAccessKey: true, sessionToken: true } });
    expect(created.type === 'aws' && created.aws.accessKeyId).toBe(server.accessKeyId);

    // An edit that leaves secrets out keeps them; '' clears one.
    const updated = await h.call('connections.update', {
      id: created.id,
      name: 'Renamed',
      type: 'aws',
      aws: { endpoint: server.endpoint, accessKeyId: server.accessKeyId, sessionToken: '' },
    });
    expect(updated).toMatchObject({ name: 'Renamed', secretsSet: { secretAccessKey: true, sessionToken: false } });
    expect(h.deps.store.connections.getWithSecrets(created.id)).toMatchObject({ aws: { secretAccessKey: SECRET } });

    const listed = await h.call('connections.list');
    expect(listed.map((c) => c.id)).toEqual([created.id]);
    for (const result of [created, updated, listed, await h.call('config.export')]) {
      expect(JSON.stringify(result)).not.toContain(SECRET);
    }

    await h.call('connections.delete', { id: created.id });
    expect(await h.call('connections.list')).toEqual([]);
    expect(dataChanged(h)).toEqual([['connections'], ['connections'], ['connections']]);
  });

  it('uses the given id, refuses a taken one, and answers NotFound for unknown ids', async () => {
    const h = harness();
    expect((await h.call('connections.create', { ...localInput(h, 'Disk'), id: 'disk' })).id).toBe('disk');
    expect(await h.fail('connections.create', { ...localInput(h, 'Disk'), id: 'disk' })).toMatchObject({ code: 'Conflict', field: 'id' });
    expect(await h.fail('connections.update', { ...localInput(h, 'Disk'), id: 'other' })).toMatchObject({ code: 'NotFound', field: 'id' });
    expect(await h.fail('connections.delete', { id: 'other' })).toMatchObject({ code: 'NotFound' });
  });

  it('checks settings with the config rules, naming the field inside the settings', async () => {
    const h = harness();
    expect(await h.fail('connections.create', { name: 'x', type: 'local', local: { root: 'relative/path' } })).toMatchObject({
      code: 'InvalidArgument',
      field: 'local.root',
    });
    expect(await h.fail('connections.create', s3Input('x', { endpoint: 'ftp://127.0.0.1' }))).toMatchObject({ field: 'aws.endpoint' });
    expect(await h.fail('connections.create', s3Input('x', { secretAccessKey: undefined }))).toMatchObject({ field: 'aws.secretAccessKey' });
    expect(await h.fail('connections.create', { name: 'x', type: 'local', local: { root: h.root, colour: 'red' } })).toMatchObject({
      field: 'local.colour',
    });
    // Clearing a secret the type requires is refused, not stored.
    const { id } = await h.call('connections.create', s3Input('s3'));
    const cleared = await h.fail('connections.update', { ...s3Input('s3', { secretAccessKey: '' }), id });
    expect(cleared).toMatchObject({ code: 'InvalidArgument', field: 'aws.secretAccessKey' });
  });

  it('refuses to delete a connection a mapping uses, naming the mapping', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    await h.call('mappings.create', mappingInput(src, dst, { name: 'Nightly photos' }));
    const error = await h.fail('connections.delete', { id: src });
    expect(error.code).toBe('Conflict');
    expect(error.message).toContain('"Nightly photos"');
  });

  it('reports all four checks ok with the right credentials, for a saved connection and for unsaved input', async () => {
    const h = harness();
    const bucket = await newS3Bucket();
    const { id } = await h.call('connections.create', s3Input('s3'));
    const saved = await h.call('connections.test', { id, bucket });
    expect(saved.ok).toBe(true);
    expect(saved.checks.map((c) => [c.name, c.ok, c.skipped])).toEqual([
      ['auth', true, false],
      ['listBuckets', true, false],
      ['read', true, false],
      ['write', true, false],
    ]);
    expect(saved.checks.find((c) => c.name === 'read')?.message).toContain('hello.txt');

    // Unsaved input whose secret is left out takes the saved connection's.
    const edited = await h.call('connections.test', { id, input: s3Input('s3', { secretAccessKey: undefined }), bucket });
    expect(edited.ok).toBe(true);

    // No bucket: read and write are skipped, not failed.
    const unsaved = await h.call('connections.test', { input: s3Input('new') });
    expect(unsaved.ok).toBe(true);
    expect(unsaved.checks.filter((c) => c.skipped).map((c) => c.name)).toEqual(['read', 'write']);

    // The probe object was removed again.
    expect((await h.call('objects.list', { connectionId: id, bucket, prefix: '' })).objects.map((o) => o.key)).toEqual(['hello.txt']);

    // The saved connection's test is kept with it (only that one: not the edited input's); a change drops it.
    const kept = (await h.call('connections.list')).find((c) => c.id === id)!.lastTest;
    expect(kept).toEqual({ result: saved, at: expect.any(Number) });
    await h.call('connections.update', { ...s3Input('s3 renamed', { secretAccessKey: undefined }), id });
    expect((await h.call('connections.list')).find((c) => c.id === id)).not.toHaveProperty('lastTest');
    expect(JSON.stringify([saved, edited, unsaved])).not.toContain(SECRET);
  });

  it('reports auth failed for a wrong access key id, without throwing', async () => {
    const h = harness();
    const bucket = await newS3Bucket();
    const result = await h.call('connections.test', { input: s3Input('wrong', { accessKeyId: 'NOT-A-KNOWN-KEY' }), bucket });
    expect(result.ok).toBe(false);
    const auth = result.checks.find((c) => c.name === 'auth')!;
    expect(auth).toMatchObject({ ok: false, skipped: false });
    expect(auth.message).toMatch(/^credentials rejected/);
    expect(result.checks.map((c) => c.ok)).toEqual([false, false, false, false]);
  });

  it('reports an unreachable service and skips the bucket checks', async () => {
    const h = harness();
    const result = await h.call('connections.test', { input: { name: 'gone', type: 'local', local: { root: join(h.root, 'missing') } }, bucket: 'b' });
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.name, c.ok, c.skipped])).toEqual([
      ['auth', false, false],
      ['listBuckets', false, false],
      ['read', false, true],
      ['write', false, true],
    ]);
  });

  it('lists buckets, and objects grouped into folders, page by page', async () => {
    const h = harness();
    seedFolder(h.root, 'docs', { 'a.txt': '1', 'b/1.txt': '2', 'b/2.txt': '3', 'c/x/y.txt': '4', 'd.txt': '5' });
    mkdirSync(join(h.root, 'empty'));
    const { id } = await h.call('connections.create', localInput(h, 'Disk'));
    expect(await h.call('buckets.list', { connectionId: id })).toEqual(['docs', 'empty']);

    const first = await h.call('objects.list', { connectionId: id, bucket: 'docs', prefix: '', limit: 2 });
    expect(first).toMatchObject({ objects: [{ key: 'a.txt', size: 1 }], prefixes: ['b/'], nextPageToken: 'b/' });
    const second = await h.call('objects.list', { connectionId: id, bucket: 'docs', prefix: '', limit: 2, pageToken: first.nextPageToken! });
    expect(second.objects.map((o) => o.key)).toEqual(['d.txt']);
    expect(second.prefixes).toEqual(['c/']);
    expect(second.nextPageToken).toBeUndefined();

    const inFolder = await h.call('objects.list', { connectionId: id, bucket: 'docs', prefix: 'b/' });
    expect(inFolder.objects.map((o) => o.key)).toEqual(['b/1.txt', 'b/2.txt']);
    expect(await h.fail('buckets.list', { connectionId: 'nope' })).toMatchObject({ code: 'NotFound', field: 'connectionId' });
    expect(await h.fail('objects.list', { connectionId: id, bucket: 'nope', prefix: '' })).toMatchObject({ code: 'NotFound' });
  });

  it('lists the buckets of an S3 connection', async () => {
    const h = harness();
    const bucket = await newS3Bucket();
    const { id } = await h.call('connections.create', s3Input('s3'));
    expect(await h.call('buckets.list', { connectionId: id })).toContain(bucket);
  });
});

// ---- Mappings -----------------------------------------------------------------------------------

describe('mappings', () => {
  it('creates with a derived id, lists with the scheduler status, updates, enables and deletes', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    const created = await h.call('mappings.create', mappingInput(src, dst, { intervalSeconds: 3600 }));
    expect(created.id).toBe(`${src}:photos/->${dst}:backup/`);
    expect(created.status).toMatchObject({ mappingId: created.id, state: 'idle', followUpQueued: false });
    expect(created.status.nextRunAt).toEqual(expect.any(Number));

    const updated = await h.call('mappings.update', { ...mappingInput(src, dst, { name: 'Renamed', transfers: 2 }), id: created.id });
    expect(updated).toMatchObject({ name: 'Renamed', transfers: 2 });
    const disabled = await h.call('mappings.setEnabled', { id: created.id, enabled: false });
    expect(disabled).toMatchObject({ enabled: false, status: { state: 'disabled', nextRunAt: null } });
    expect((await h.call('mappings.list')).map((m) => [m.id, m.enabled])).toEqual([[created.id, false]]);

    await h.call('mappings.delete', { id: created.id });
    expect(await h.call('mappings.list')).toEqual([]);
    expect(dataChanged(h).slice(2)).toEqual([['mappings'], ['mappings'], ['mappings'], ['mappings', 'runs']]);
    expect(await h.fail('mappings.delete', { id: created.id })).toMatchObject({ code: 'NotFound' });
    expect(await h.fail('mappings.setEnabled', { id: created.id, enabled: true })).toMatchObject({ code: 'NotFound' });
  });

  it('validates against connections, bucket rules and prefixes, naming the field', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    const { id: s3 } = await h.call('connections.create', s3Input('s3'));
    const fieldOf = async (input: MappingInput): Promise<string | undefined> => (await h.fail('mappings.create', input)).field;
    expect(await fieldOf(mappingInput('nope', dst))).toBe('sourceConnectionId');
    expect(await fieldOf(mappingInput(src, s3, { targetBucket: 'Bad_Bucket' }))).toBe('targetBucket');
    expect(await fieldOf(mappingInput(src, dst, { sourcePrefix: '/abs' }))).toBe('sourcePrefix');
    expect(await fieldOf(mappingInput(src, dst, { transfers: 0 }))).toBe('transfers');
    expect(await fieldOf(mappingInput(src, dst, { maxDelete: { kind: 'percent', value: 150 } }))).toBe('maxDelete.value');
    expect(await fieldOf({ ...mappingInput(src, dst), maxDelete: { kind: 'most' } } as unknown as MappingInput)).toBe('maxDelete.kind');
    expect(await fieldOf({ ...mappingInput(src, dst), color: 'red' } as unknown as MappingInput)).toBe('color');

    await h.call('mappings.create', mappingInput(src, dst));
    expect(await h.fail('mappings.create', mappingInput(src, dst))).toMatchObject({ code: 'Conflict', field: 'id' });
    const mirror = await h.fail('mappings.create', mappingInput(src, dst, { id: 'second', sourceBucket: 'other', deleteMode: 'mirror' }));
    expect(mirror).toMatchObject({ code: 'InvalidArgument', field: 'targetPrefix' });
    expect(mirror.message).toContain('"Photos backup"');
  });

  it('previews a saved mapping as a dry run: counts and first copies, nothing copied, a dry run in history', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    seedFolder(h.root, 'backup', { 'stale.jpg': 'old' });
    const { id } = await h.call('mappings.create', mappingInput(src, dst, { deleteMode: 'mirror' }));
    const preview = await h.call('mappings.preview', { id, limit: 2 });
    expect(preview).toMatchObject({ status: 'success', copies: 3, copyBytes: 7, adopts: 0, skips: 0, deletes: 1, error: null });
    expect(preview.firstCopies).toEqual([
      { key: 'a.jpg', size: 3, reason: expect.any(String) },
      { key: 'b/1.jpg', size: 2, reason: expect.any(String) },
    ]);
    expect(preview.firstDeletes.map((d) => d.key)).toEqual(['stale.jpg']);
    expect(readdirSync(join(h.root, 'backup'))).toEqual(['stale.jpg']);
    expect((await h.call('runs.list', { mappingId: id })).map((r) => [r.status, r.dryRun])).toEqual([['success', true]]);
    expect(dataChanged(h).at(-1)).toEqual(['runs']);
  });

  it('previews unsaved input without writing history, and reports a tripped delete guard', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    seedFolder(h.root, 'backup', { 'x1': '1', 'x2': '2' });
    const input = mappingInput(src, dst, { deleteMode: 'mirror', maxDelete: { kind: 'count', value: 1 } });
    const preview = await h.call('mappings.preview', { input });
    expect(preview).toMatchObject({ status: 'failed', copies: 3, deletes: 0 });
    expect(preview.error).toMatch(/maxDelete guard tripped/);
    expect(h.deps.store.mappings.list()).toEqual([]);
    const ok = await h.call('mappings.preview', { input: { ...input, maxDelete: null } });
    expect(ok).toMatchObject({ status: 'success', copies: 3, deletes: 2 });
    expect(await h.fail('mappings.preview', { input: mappingInput('nope', dst) })).toMatchObject({ field: 'sourceConnectionId' });
    expect(await h.fail('mappings.preview', { id: 'nope' })).toMatchObject({ code: 'NotFound' });
  });
});

// ---- Sync, runs and logs --------------------------------------------------------------------------

describe('sync, runs and logs', () => {
  it('runs a mapping now through the scheduler, then shows its run and logs', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    const { id } = await h.call('mappings.create', mappingInput(src, dst, { name: 'Photos: backup' }));
    expect(await h.call('sync.now', { mappingId: id })).toEqual({ queued: [id], paused: false });
    await waitUntilIdle(h);
    expect(readdirSync(join(h.root, 'backup')).sort()).toEqual(['a.jpg', 'b']);

    const [run] = await h.call('runs.list', { mappingId: id });
    expect(run).toMatchObject({ mappingId: id, status: 'success', dryRun: false, copied: 3, errorCode: null });
    expect(await h.call('runs.get', { id: run!.id })).toEqual(run);
    expect((await h.call('mappings.list'))[0]!.status.lastRun).toEqual(run);

    const newest = await h.call('logs.query', { mappingId: id, limit: 2 });
    expect(newest).toHaveLength(2);
    const older = await h.call('logs.query', { mappingId: id, beforeId: newest[1]!.id });
    expect(older.every((line) => line.id < newest[1]!.id)).toBe(true);
    const copiedB = await h.call('logs.query', { mappingId: id, runId: run!.id, text: 'b/2', minLevel: 'info' });
    expect(copiedB.map((l) => l.key)).toEqual(['b/2.jpg']);

    const exported = await h.call('logs.export', { mappingId: id, runId: run!.id });
    expect(exported.fileName).toBe(`Photos-backup-run-${run!.id}.log`);
    const lines = exported.text.trimEnd().split('\n');
    expect(lines).toHaveLength(newest.length + older.length);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  Run started/);
    expect(lines.some((l) => / INFO  b\/2\.jpg Copied b\/2\.jpg/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/Run success/);

    expect(await h.fail('runs.get', { id: 9999 })).toMatchObject({ code: 'NotFound', field: 'id' });
    expect(await h.fail('logs.query', { mappingId: id, runId: 9999 })).toMatchObject({ code: 'NotFound', field: 'runId' });
    expect(await h.fail('runs.list', { mappingId: 'nope' })).toMatchObject({ code: 'NotFound', field: 'mappingId' });
  });

  it('queues all enabled mappings, reports status, pauses and resumes', async () => {
    const h = harness();
    const { src, dst } = await localPair(h);
    const a = await h.call('mappings.create', mappingInput(src, dst));
    await h.call('mappings.create', mappingInput(src, dst, { id: 'off', targetPrefix: 'off/', enabled: false }));
    expect(await h.call('sync.now', {})).toEqual({ queued: [a.id], paused: false });
    await waitUntilIdle(h);

    await h.call('sync.pauseAll');
    expect(await h.call('app.status')).toEqual({ version: '9.9.9', mode: 'server', paused: true, running: [] });
    expect((await h.call('mappings.list'))[0]!.status.state).toBe('paused');
    await h.call('sync.resumeAll');
    expect((await h.call('app.status')).paused).toBe(false);
    await h.call('sync.cancel', { mappingId: a.id }); // idle: nothing to cancel, no error
    expect(await h.fail('sync.now', { mappingId: 'nope' })).toMatchObject({ code: 'NotFound', field: 'mappingId' });
    expect(await h.fail('sync.cancel', { mappingId: 'nope' })).toMatchObject({ code: 'NotFound' });
  });

  it('cancels a running mapping, and refuses edits that would pull its route or provider from under it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = harness({ runMapping: async (_m, _control, run) => gate.then(run) });
    const { src, dst } = await localPair(h);
    const { id } = await h.call('mappings.create', mappingInput(src, dst));
    await h.call('sync.now', { mappingId: id });
    expect((await h.call('app.status')).running).toEqual([id]);

    expect(await h.fail('mappings.delete', { id })).toMatchObject({ code: 'Conflict' });
    expect(await h.fail('mappings.update', { ...mappingInput(src, dst, { targetPrefix: 'moved/' }), id })).toMatchObject({ code: 'Conflict' });
    expect(await h.call('mappings.update', { ...mappingInput(src, dst, { name: 'Only renamed' }), id })).toMatchObject({ name: 'Only renamed' });
    expect(await h.fail('connections.update', { ...localInput(h, 'Laptop'), id: src })).toMatchObject({ code: 'Conflict' });

    await h.call('sync.cancel', { mappingId: id });
    release();
    await waitUntilIdle(h);
    expect((await h.call('runs.list', { mappingId: id }))[0]!.status).toBe('cancelled');
  });
});

// ---- Settings and config file -------------------------------------------------------------------

describe('settings', () => {
  it('starts from the defaults, and applies a change to the limiter, the scheduler and the desktop shell', async () => {
    const h = harness();
    expect(await h.call('settings.get')).toEqual({ globalConcurrency: 16, maxConcurrentRuns: 2, startAtLogin: false, closeToTray: true, notifications: true, bwLimit: null, alerts: null, metricsAddr: null });
    const resize = vi.spyOn(h.deps.syncService.globalLimiter, 'resize');
    const setRuns = vi.spyOn(h.deps.scheduler, 'setMaxConcurrentRuns');
    const saved = await h.call('settings.set', { globalConcurrency: 4, startAtLogin: true });
    expect(saved).toMatchObject({ globalConcurrency: 4, maxConcurrentRuns: 2, startAtLogin: true });
    expect(await h.call('settings.get')).toEqual(saved);
    expect(resize).toHaveBeenCalledWith(4);
    expect(setRuns).toHaveBeenCalledWith(2);
    expect(h.applied).toEqual([saved]);
    expect(dataChanged(h)).toEqual([['settings']]);

    expect(await h.fail('settings.set', { globalConcurrency: 0 })).toMatchObject({ code: 'InvalidArgument', field: 'globalConcurrency' });
    expect(await h.fail('settings.set', { maxConcurrentRuns: 2.5 })).toMatchObject({ field: 'maxConcurrentRuns' });
    expect(await h.fail('settings.set', { notifications: 'yes' })).toMatchObject({ field: 'notifications' });
  });
});

describe('config file', () => {
  function originalConfig(root: string): string {
    return JSON.stringify({
      providers: [
        { id: 'disk', type: 'local', local: { root }, colour: 'blue' },
        { id: 'minio', type: 'minio', minio: { endpoint: `127.0.0.1:${server.port}`, accessKey: 'S3RVER', secretKey: SECRET } },
      ],
      mappings: [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 'minio', targetBucket: 'photos-backup' }],
    });
  }

  it('previews an import without writing, then applies it in one go', async () => {
    const h = harness();
    const json = originalConfig(h.root);
    const preview = await h.call('config.import', { json, apply: false });
    expect(preview).toEqual({
      connections: [
        { id: 'disk', name: 'disk', type: 'local', exists: false },
        { id: 'minio', name: 'minio', type: 'minio', exists: false },
      ],
      mappings: [{ id: 'disk:photos/->minio:photos-backup/', name: expect.any(String), exists: false }],
      warnings: ['providers[0].colour: unknown key, ignored'],
      applied: false,
    });
    expect(h.deps.store.connections.list()).toEqual([]);
    expect(h.events).toEqual([]);

    const applied = await h.call('config.import', { json, apply: true });
    expect(applied.applied).toBe(true);
    expect(h.deps.store.connections.getWithSecrets('minio')).toMatchObject({ minio: { secretKey: SECRET } });
    expect((await h.call('mappings.list')).map((m) => m.status.state)).toEqual(['idle']);
    expect(dataChanged(h)).toEqual([['connections', 'mappings']]);

    const again = await h.call('config.import', { json, apply: false });
    expect([...again.connections, ...again.mappings].every((x) => x.exists)).toBe(true);
  });

  it('exports without secrets, with placeholders that an import leaves alone', async () => {
    const h = harness();
    await h.call('config.import', { json: originalConfig(h.root), apply: true });
    const { json } = await h.call('config.export');
    expect(json).not.toContain(SECRET);
    expect(json).toContain('REPLACE_WITH_SECRET');
    const parsed = parseConfig(json);
    expect(parsed.mappings.map((m) => m.id)).toEqual(['disk:photos/->minio:photos-backup/']);

    // Importing the redacted file back keeps the real secret.
    await h.call('config.import', { json, apply: true });
    expect(h.deps.store.connections.getWithSecrets('minio')).toMatchObject({ minio: { secretKey: SECRET } });
  });

  it('answers a broken file with InvalidArgument naming the path in the file', async () => {
    const h = harness();
    const error = await h.fail('config.import', { json: JSON.stringify({ providers: [{ id: 'x', type: 'local', local: {} }], mappings: [] }), apply: true });
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'providers[0].local.root' });
    expect(await h.fail('config.import', { json: '{', apply: false })).toMatchObject({ code: 'InvalidArgument' });
    expect(await h.fail('config.import', { json: '{}' })).toMatchObject({ field: 'apply' });
  });
});
