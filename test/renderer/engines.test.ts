// Remote engines in the store: the client that speaks to the selected engine through the home, the
// switch (nothing of one engine ever shown under another's name), and the engines' statuses.
import { describe, expect, test } from 'vitest';
import type { CommandArgs, CommandName } from '../../shared/contract';
import { createEngineClient, EngineSwitchedError } from '../../renderer/api';
import { connectEvents, createAppStore } from '../../renderer/store';
import { FakeClient, type Handlers } from './fake-client';
import { engine, localConnection, mapping, progress, run, status } from './fixtures';

/**
 * A home that relays engines.call to a handler set per engine, as the real home relays to the remote
 * engine's own server: `engines.home` are the home's own handlers.
 */
function homeWith(own: Handlers, remotes: Record<string, Handlers>): FakeClient {
  const client = new FakeClient({
    ...own,
    'engines.call': async ({ engine: id, name, args }) => {
      const handler = remotes[id]?.[name as CommandName] as ((a: unknown) => unknown) | undefined;
      if (!handler) throw new Error(`engine ${id} has no handler for ${name}`);
      return handler(args as CommandArgs<CommandName>);
    },
  });
  return client;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the engine client', () => {
  test('with the home selected, commands and events are the home’s own', async () => {
    const home = new FakeClient({ 'mappings.list': () => [mapping('h1')] });
    const client = createEngineClient(home, () => null);
    expect((await client.invoke('mappings.list')).map((m) => m.id)).toEqual(['h1']);
    const seen: string[] = [];
    client.on('run.started', (e) => seen.push(e.mappingId));
    home.emit('run.started', { mappingId: 'h1', runId: 1 });
    home.emit('engine.event', { engine: 'b', event: 'run.started', payload: { mappingId: 'b1', runId: 1 } });
    expect(seen).toEqual(['h1']);
  });

  test('with a remote engine selected, commands go through engines.call and only its relayed events arrive', async () => {
    const home = homeWith({}, { b: { 'runs.list': ({ mappingId }) => [run(7, mappingId)] } });
    const client = createEngineClient(home, () => 'b');
    const runs = await client.invoke('runs.list', { mappingId: 'b1', limit: 10 });
    expect(runs.map((r) => r.id)).toEqual([7]);
    expect(home.argsOf('engines.call')).toEqual([{ engine: 'b', name: 'runs.list', args: { mappingId: 'b1', limit: 10 } }]);
    const seen: string[] = [];
    client.on('progress', (p) => seen.push(p.mappingId));
    home.emit('progress', progress('h1'));
    home.emit('engine.event', { engine: 'c', event: 'progress', payload: progress('c1') });
    home.emit('engine.event', { engine: 'b', event: 'run.started', payload: { mappingId: 'b1', runId: 2 } });
    home.emit('engine.event', { engine: 'b', event: 'progress', payload: progress('b1') });
    expect(seen).toEqual(['b1']);
  });

  test('listeners survive a switch: the same listener hears the engine selected at the time of each event', () => {
    const home = new FakeClient();
    let selected: string | null = 'b';
    const client = createEngineClient(home, () => selected);
    const seen: string[] = [];
    const off = client.on('progress', (p) => seen.push(p.mappingId));
    home.emit('engine.event', { engine: 'b', event: 'progress', payload: progress('b1') });
    selected = null;
    home.emit('engine.event', { engine: 'b', event: 'progress', payload: progress('b2') });
    home.emit('progress', progress('h1'));
    off();
    home.emit('progress', progress('h2'));
    expect(seen).toEqual(['b1', 'h1']);
    expect(home.listenerCount('progress') + home.listenerCount('engine.event')).toBe(0);
  });

  test('an answer that arrives after a switch is refused, not handed over as the new engine’s', async () => {
    let answer!: (list: ReturnType<typeof mapping>[]) => void;
    const home = homeWith({}, { b: { 'mappings.list': () => new Promise((resolve) => (answer = resolve)) } });
    let selected: string | null = 'b';
    const client = createEngineClient(home, () => selected);
    const pending = client.invoke('mappings.list');
    await settle();
    selected = null;
    answer([mapping('b1')]);
    await expect(pending).rejects.toBeInstanceOf(EngineSwitchedError);
  });
});

describe('switching engines in the store', () => {
  function setup(remoteB: Handlers, own: Handlers = {}) {
    const home = homeWith(
      {
        'app.status': () => ({ version: '1.0.0', paused: false, running: [], mode: 'server' }),
        'connections.list': () => [localConnection('hc', 'Home folder')],
        'mappings.list': () => [mapping('h1', { name: 'Home mapping' })],
        'engines.list': () => [engine('b', { name: 'VM B' })],
        ...own,
      },
      { b: remoteB },
    );
    const store = createAppStore(home);
    connectEvents(store, home);
    return { home, store };
  }
  const remoteB: Handlers = {
    'app.status': () => ({ version: '1.1.0', paused: true, running: [], mode: 'server' }),
    'connections.list': () => [localConnection('bc', 'B folder')],
    'mappings.list': () => [mapping('b1', { name: 'B mapping' })],
  };

  test('the home’s kind names it, and a remote engine’s status does not change that', async () => {
    const { store } = setup(remoteB);
    await Promise.all([store.getState().initialize(), store.getState().loadEngines()]);
    expect(store.getState().homeMode).toBe('server');
    store.getState().selectEngine('b');
    await settle();
    await settle();
    expect(store.getState().status?.version).toBe('1.1.0');
    expect(store.getState().homeMode).toBe('server');
  });

  test('a switch drops everything of the previous engine and loads the new one’s lists from it', async () => {
    const { store, home } = setup(remoteB);
    await Promise.all([store.getState().initialize(), store.getState().loadEngines()]);
    const s = store.getState();
    s.recordProgress(progress('h1'));
    s.upsertRun(run(1, 'h1'));
    store.setState({ runs: { h1: { items: [run(1, 'h1')], status: 'ready', loadingMore: false, hasMore: false, error: null } }, selectedMappingId: 'h1', buckets: { hc: { names: ['x'], status: 'ready', error: null } }, view: 'history' });
    store.getState().selectEngine('b');
    // At once, before any answer: nothing of the home is left to show under B's name.
    const switched = store.getState();
    expect(switched.engineId).toBe('b');
    expect(switched.mappings).toEqual([]);
    expect(switched.connections).toEqual([]);
    expect(switched.progress).toEqual({});
    expect(switched.runs).toEqual({});
    expect(switched.buckets).toEqual({});
    expect(switched.selectedMappingId).toBeNull();
    expect(switched.status).toBeNull();
    expect(switched.view).toBe('history');
    expect(switched.engines.map((e) => e.id)).toEqual(['b']);
    await settle();
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['B mapping']);
    expect(store.getState().connections.map((c) => c.name)).toEqual(['B folder']);
    expect(home.argsOf('engines.call').map((a) => a.name).sort()).toEqual(['app.status', 'connections.list', 'mappings.list']);
  });

  test('a list the previous engine answers after the switch is dropped, and no error is shown for it', async () => {
    let answerHome!: (list: ReturnType<typeof mapping>[]) => void;
    const home = homeWith({ 'mappings.list': () => new Promise((resolve) => (answerHome = resolve)), 'engines.list': () => [engine('b')] }, { b: remoteB });
    const store = createAppStore(home);
    await store.getState().loadEngines();
    const loading = store.getState().loadMappings();
    await settle();
    store.getState().selectEngine('b');
    await settle();
    await settle();
    answerHome([mapping('h1', { name: 'Home mapping' })]);
    await loading;
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['B mapping']);
    expect(store.getState().toasts).toEqual([]);
  });

  test('events of the engine not shown change nothing; the shown engine’s relayed events do', async () => {
    const { store, home } = setup(remoteB);
    await store.getState().loadEngines();
    store.getState().selectEngine('b');
    await settle();
    await settle();
    home.emit('mapping.status', status('b1', { state: 'running', version: 5 }));
    home.emit('engine.event', { engine: 'c', event: 'mapping.status', payload: status('b1', { state: 'disabled', version: 9 }) });
    expect(store.getState().mappings[0]?.status.state).toBe('idle');
    home.emit('engine.event', { engine: 'b', event: 'mapping.status', payload: status('b1', { state: 'running', version: 5 }) });
    home.emit('engine.event', { engine: 'b', event: 'progress', payload: progress('b1') });
    expect(store.getState().mappings[0]?.status.state).toBe('running');
    expect(Object.keys(store.getState().progress)).toEqual(['b1']);
  });

  test('the shown engine back online is asked again for its lists; an engine not shown is only updated', async () => {
    let bMappings = [mapping('b1', { name: 'B mapping', status: status('b1', { state: 'running', version: 3 }) })];
    const { store, home } = setup({ ...remoteB, 'mappings.list': () => bMappings });
    await store.getState().loadEngines();
    store.getState().selectEngine('b');
    await settle();
    await settle();
    home.emit('engines.status', engine('b', { name: 'VM B', state: 'offline', health: 'running' }));
    expect(store.getState().engines[0]?.state).toBe('offline');
    const callsBefore = home.argsOf('engines.call').length;
    bMappings = [mapping('b1', { name: 'B mapping', status: status('b1', { state: 'idle', version: 1, lastRun: run(4, 'b1', { status: 'interrupted' }) }) })];
    home.emit('engines.status', engine('b', { name: 'VM B', state: 'online' }));
    await settle();
    await settle();
    expect(home.argsOf('engines.call').length).toBeGreaterThan(callsBefore);
    // A restarted engine counts its versions from scratch: its fresh list is what it says now.
    expect(store.getState().mappings[0]?.status.lastRun?.status).toBe('interrupted');
    home.emit('engines.status', engine('c', { state: 'online' }));
    expect(store.getState().engines.map((e) => e.id)).toEqual(['b', 'c']);
  });

  test('an engine that cannot be reached is not asked for its lists until it is back', async () => {
    const { store, home } = setup(remoteB, { 'engines.list': () => [engine('b', { state: 'offline' })] });
    await store.getState().loadEngines();
    store.getState().selectEngine('b');
    await settle();
    expect(home.argsOf('engines.call')).toEqual([]);
    expect(store.getState().toasts).toEqual([]);
    home.emit('engines.status', engine('b', { state: 'connecting' }));
    await settle();
    expect(home.argsOf('engines.call')).toEqual([]);
    home.emit('engines.status', engine('b', { state: 'online' }));
    await settle();
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['B mapping']);
  });

  test('the shown engine removed in another window: the home announces the list, this window shows the home', async () => {
    let listed = [engine('b', { name: 'VM B' })];
    const { store, home } = setup(remoteB, { 'engines.list': () => listed });
    await store.getState().loadEngines();
    store.getState().selectEngine('b');
    await settle();
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['B mapping']);
    listed = [];
    // The home's own announcement, while a remote engine is shown (its relayed events would not carry it).
    home.emit('data.changed', { lists: ['engines'] });
    await settle();
    await settle();
    expect(store.getState().engines).toEqual([]);
    expect(store.getState().engineId).toBeNull();
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['Home mapping']);
  });

  test('removing the shown engine goes back to the home; engines.* are the home’s commands, never relayed', async () => {
    const { store, home } = setup(remoteB, { 'engines.remove': () => undefined });
    await store.getState().loadEngines();
    store.getState().selectEngine('b');
    await settle();
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['B mapping']);
    const removed = await store.getState().removeEngine('b');
    expect(removed.ok).toBe(true);
    expect(home.argsOf('engines.remove')).toEqual([{ id: 'b' }]);
    expect(home.argsOf('engines.call').some((a) => a.name.startsWith('engines.'))).toBe(false);
    expect(store.getState().engineId).toBeNull();
    expect(store.getState().engines).toEqual([]);
    await settle();
    await settle();
    expect(store.getState().mappings.map((m) => m.name)).toEqual(['Home mapping']);
  });
});
