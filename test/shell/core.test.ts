import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, Events } from '../../shared/contract';
import { createAppCore, type AppCore } from '../../electron/core/core';
import { openStore } from '../../electron/store';
import { addLocalMapping, makeSandbox, mappingInput, nextEvent, value, type Sandbox } from './helpers';

let sandbox: Sandbox;
let core: AppCore | undefined;

afterEach(async () => {
  await core?.shutdown(1_000);
  core = undefined;
  sandbox?.cleanup();
});

function start(): AppCore {
  core = createAppCore({ dbPath: sandbox.dbPath, version: '9.9.9', mode: 'desktop' });
  core.start();
  return core;
}

describe('createAppCore', () => {
  it('syncs a local→local mapping on sync.now and emits run.started, progress and run.finished for that run', async () => {
    sandbox = makeSandbox();
    const app = start();
    const events: Array<{ name: EventName; payload: Events[EventName] }> = [];
    app.events.subscribe((name, payload) => events.push({ name, payload }));
    await addLocalMapping(app, sandbox);

    const finished = nextEvent(app, 'run.finished');
    const idleAgain = nextEvent(app, 'mapping.status', (s) => s.state === 'idle' && s.lastRun !== null);
    expect(value(await app.dispatch('sync.now', { mappingId: 'm1' }))).toEqual({ queued: ['m1'], paused: false });
    const run = await finished;
    await idleAgain;

    expect(run).toMatchObject({ mappingId: 'm1', status: 'success', copied: 2, failed: 0 });
    expect(readFileSync(join(sandbox.dstRoot, 'bucket', 'dir', 'b.txt'), 'utf8')).toBe('bravo');

    const ofRun = events.filter((e) => e.name === 'run.started' || e.name === 'progress' || e.name === 'run.finished');
    expect(ofRun[0]).toEqual({ name: 'run.started', payload: { mappingId: 'm1', runId: run.id } });
    const progress = ofRun.filter((e) => e.name === 'progress').map((e) => e.payload as Events['progress']);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.runId === run.id && p.mappingId === 'm1')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', objectsDone: 2, objectsTotal: 2 });
    expect(ofRun.at(-1)).toEqual({ name: 'run.finished', payload: run });
    // The scheduler's status went running → idle, and the idle status carries the run just finished.
    const statuses = events.filter((e) => e.name === 'mapping.status').map((e) => e.payload as Events['mapping.status']);
    expect(statuses.some((s) => s.state === 'running')).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ mappingId: 'm1', state: 'idle', lastRun: { id: run.id, status: 'success' } });
    expect(events.some((e) => e.name === 'alert')).toBe(false);
  });

  it('emits an alert when a run fails', async () => {
    sandbox = makeSandbox();
    const app = start();
    await addLocalMapping(app, sandbox, { sourceBucket: 'no-such-bucket' });
    const alert = nextEvent(app, 'alert');
    const finished = nextEvent(app, 'run.finished');
    value(await app.dispatch('sync.now', { mappingId: 'm1' }));
    expect(await finished).toMatchObject({ status: 'failed' });
    expect(await alert).toMatchObject({ mappingId: 'm1', title: 'Photos: sync failed' });
  });

  it('emits a delete-guard alert when maxDelete stops a run', async () => {
    sandbox = makeSandbox({ 'a.txt': 'alpha' }, { 'x.txt': 'x', 'y.txt': 'y', 'z.txt': 'z' });
    const app = start();
    // Mirror mode would delete the three target objects the source lacks: above the limit of one.
    await addLocalMapping(app, sandbox, { deleteMode: 'mirror', maxDelete: { kind: 'count', value: 1 } });
    const alert = nextEvent(app, 'alert');
    value(await app.dispatch('sync.now', { mappingId: 'm1' }));
    expect(await alert).toMatchObject({ mappingId: 'm1', title: 'Photos: delete guard tripped', message: expect.stringMatching(/^maxDelete guard tripped/) });
  });

  it('marks runs left running by a crash as interrupted when it opens the store', () => {
    sandbox = makeSandbox();
    const store = openStore(sandbox.dbPath);
    store.connections.upsert({ id: 'src', name: 'Source', type: 'local', local: { root: sandbox.srcRoot } });
    store.mappings.upsert({
      id: 'm1', name: 'Photos', sourceConnectionId: 'src', sourceBucket: 'bucket', sourcePrefix: '', targetConnectionId: 'src',
      targetBucket: 'bucket', targetPrefix: 'copy/', transfers: 1, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
    });
    const crashed = store.runs.start('m1', false);
    store.close();

    core = createAppCore({ dbPath: sandbox.dbPath, version: '9.9.9', mode: 'desktop' });
    expect(core.store.runs.get(crashed.id)?.status).toBe('interrupted');
  });

  it('sizes the scheduler from the saved settings: maxConcurrentRuns 1 queues the second mapping', async () => {
    sandbox = makeSandbox();
    const first = createAppCore({ dbPath: sandbox.dbPath, version: '9.9.9', mode: 'desktop' });
    value(await first.dispatch('settings.set', { maxConcurrentRuns: 1 }));
    await first.shutdown(1_000);

    const app = start();
    expect(app.settings().maxConcurrentRuns).toBe(1);
    await addLocalMapping(app, sandbox);
    value(await app.dispatch('mappings.create', mappingInput({ id: 'm2', name: 'Docs', targetPrefix: 'docs/' })));
    const both = Promise.all([nextEvent(app, 'run.finished', (r) => r.mappingId === 'm1'), nextEvent(app, 'run.finished', (r) => r.mappingId === 'm2')]);
    value(await app.dispatch('sync.now', {}));
    const states = Object.fromEntries(app.scheduler.statuses().map((s) => [s.mappingId, s.state]));
    expect(Object.values(states).sort()).toEqual(['queued', 'running']);
    await both;
  });

  it('reports its version and mode through app.status', async () => {
    sandbox = makeSandbox();
    const app = start();
    expect(value(await app.dispatch('app.status', undefined))).toEqual({ version: '9.9.9', mode: 'desktop', paused: false, running: [] });
  });
});
