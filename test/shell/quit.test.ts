import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Connection } from '../../shared/model';
import { createAppCore } from '../../electron/core/core';
import { createQuitSequence } from '../../electron/core/quit';
import type { StorageProvider } from '../../electron/providers/provider';
import { createProvider } from '../../electron/providers/registry';
import { openStore } from '../../electron/store';
import { addLocalMapping, makeSandbox, nextEvent, value, type Sandbox } from './helpers';

describe('createQuitSequence', () => {
  afterEach(() => vi.useRealTimers());

  it('runs beforeShutdown, then shutdown with the grace period, then exit(0); a second run() joins the first', async () => {
    const order: string[] = [];
    const quit = createQuitSequence({
      beforeShutdown: () => order.push('before'),
      shutdown: async (graceMs) => void order.push(`shutdown ${graceMs}`),
      exit: (code) => order.push(`exit ${code}`),
    });
    expect(quit.started).toBe(false);
    const first = quit.run();
    expect(quit.run()).toBe(first);
    await first;
    expect(order).toEqual(['before', 'shutdown 10000', 'exit 0']);
    expect(quit.started).toBe(true);
  });

  it('still exits (with 1) when shutdown hangs past the hard limit or throws', async () => {
    vi.useFakeTimers();
    const exit = vi.fn();
    const onError = vi.fn();
    const hung = createQuitSequence({ shutdown: () => new Promise(() => {}), exit, onError, graceMs: 1_000, hardLimitMs: 3_000 });
    const done = hung.run();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(exit).toHaveBeenCalledWith(1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/did not finish within 3000 ms/) }));

    const failing = createQuitSequence({ shutdown: () => Promise.reject(new Error('disk gone')), exit, onError });
    await failing.run();
    expect(exit).toHaveBeenLastCalledWith(1);
    expect(onError).toHaveBeenLastCalledWith(expect.objectContaining({ message: 'disk gone' }));
  });
});

/**
 * The local provider, except that writes to the target wait for `release()` (or for their abort
 * signal): a transfer that is in flight exactly when quit arrives.
 */
function gatedTarget() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started!: () => void;
  const writeStarted = new Promise<void>((resolve) => (started = resolve));
  const aborted: unknown[] = [];
  const factory = async (connection: Connection): Promise<StorageProvider> => {
    const real = await createProvider(connection);
    if (connection.id !== 'dst') return real;
    // Everything else is the real provider's (its prototype chain), with `this` still working.
    const gated = Object.create(real) as StorageProvider;
    gated.write = async (bucket, key, openSource, size, options) => {
      started();
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        options?.signal?.addEventListener('abort', () => {
          aborted.push(key);
          reject(options.signal!.reason);
        });
      });
      return real.write(bucket, key, openSource, size, options);
    };
    return gated;
  };
  return { factory, release: () => open(), writeStarted, aborted };
}

describe('quit with a real app core', () => {
  let sandbox: Sandbox;
  afterEach(() => sandbox?.cleanup());

  async function runningCore(sandboxFiles: Record<string, string>) {
    sandbox = makeSandbox(sandboxFiles);
    const target = gatedTarget();
    const core = createAppCore({ dbPath: sandbox.dbPath, version: '1.0.0', mode: 'desktop', providerFactory: target.factory });
    core.start();
    await addLocalMapping(core, sandbox, { transfers: 1, intervalSeconds: 3600 });
    const started = nextEvent(core, 'run.started');
    value(await core.dispatch('sync.now', { mappingId: 'm1' }));
    const { runId } = await started;
    await target.writeStarted;
    const steps = [vi.spyOn(core.scheduler, 'stop'), vi.spyOn(core.syncService, 'close'), vi.spyOn(core.store, 'close')];
    /** The shutdown steps in the order they were first called, by name. */
    const order = (): string[] =>
      steps
        .filter((spy) => spy.mock.calls.length > 0)
        .sort((a, b) => a.mock.invocationCallOrder[0]! - b.mock.invocationCallOrder[0]!)
        .map((spy) => spy.getMockName());
    steps[0]!.mockName('scheduler.stop');
    steps[1]!.mockName('syncService.close');
    steps[2]!.mockName('store.close');
    return { core, target, runId, order };
  }

  function finalRun(runId: number) {
    const store = openStore(sandbox.dbPath);
    try {
      return store.runs.get(runId);
    } finally {
      store.close();
    }
  }

  it('lets an in-flight transfer finish within the grace period, records the run cancelled, then closes the database', async () => {
    const { core, target, runId, order } = await runningCore({ 'a.txt': 'alpha', 'b.txt': 'bravo' });
    const exit = vi.fn();
    const quit = createQuitSequence({ shutdown: (grace) => core.shutdown(grace), exit, graceMs: 60_000 });
    const done = quit.run();
    // Quit arrived mid-transfer: no new transfer starts, and the one in flight completes.
    target.release();
    await done;

    expect(order()).toEqual(['scheduler.stop', 'syncService.close', 'store.close']);
    expect(core.store.isOpen).toBe(false);
    expect(exit).toHaveBeenCalledWith(0);
    expect(target.aborted).toEqual([]);
    expect(finalRun(runId)).toMatchObject({ status: 'cancelled', copied: 1 });
  });

  it('aborts transfers still running when the grace period ends; the run is cancelled, never left running', async () => {
    const { core, target, runId, order } = await runningCore({ 'a.txt': 'alpha' });
    const exit = vi.fn();
    // The gated write never finishes by itself: only the grace period can end this shutdown.
    await createQuitSequence({ shutdown: (grace) => core.shutdown(grace), exit, graceMs: 50 }).run();

    expect(order()).toEqual(['scheduler.stop', 'syncService.close', 'store.close']);
    expect(target.aborted).toEqual(['a.txt']);
    expect(exit).toHaveBeenCalledWith(0);
    expect(finalRun(runId)).toMatchObject({ status: 'cancelled', copied: 0 });
  });
});
