// The desktop app's operations (electron/core/desktop-operations.ts) on a real core: a run's spans go
// to the OTLP endpoint the environment names (OTEL_EXPORTER_OTLP_ENDPOINT), its metrics to the
// listener on metricsAddr; a listener that cannot bind is one warning and the app goes on.
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../electron/core/core';
import { startDesktopOperations } from '../../electron/core/desktop-operations';
import { startReceiver as startOtlpReceiver } from '../ops/tracing-receiver';
import { addLocalMapping, makeSandbox, nextEvent, value, type Sandbox } from './helpers';

let sandbox: Sandbox;
let core: AppCore;

beforeEach(() => {
  sandbox = makeSandbox();
  core = createAppCore({ dbPath: sandbox.dbPath, version: '9.9.9', mode: 'desktop' });
});

afterEach(async () => {
  await core.shutdown(1_000);
  sandbox.cleanup();
});

describe('desktop operations', () => {
  it("sends a run's spans to the OTLP endpoint of the environment and serves its metrics on metricsAddr", async () => {
    const otlp = await startOtlpReceiver();
    const warnings: string[] = [];
    try {
      await addLocalMapping(core, sandbox);
      const ops = await startDesktopOperations(core, { version: '9.9.9', env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.base }, warn: (m) => warnings.push(m) });
      await ops.setMetricsAddr('127.0.0.1:0');
      expect(ops.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const finished = nextEvent(core, 'run.finished');
      value(await core.dispatch('sync.now', { mappingId: 'm1' }));
      expect((await finished).status).toBe('success');
      const text = await (await fetch(ops.metricsUrl!)).text();
      expect(text).toMatch(/cds_runs_total\{[^}]*mapping="m1"[^}]*status="success"[^}]*\} 1/);
      const url = ops.metricsUrl!;
      await ops.close();
      expect(otlp.spans.map((s) => s.name)).toContain('sync Photos');
      await expect(fetch(url)).rejects.toThrow();
      expect(warnings).toEqual([]);
    } finally {
      await otlp.close();
    }
  });

  it('a metricsAddr that cannot be bound (the port is taken) is one warning; the setting can move on', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const warnings: string[] = [];
    const ops = await startDesktopOperations(core, { version: '9.9.9', env: {}, warn: (m) => warnings.push(m) });
    try {
      await ops.setMetricsAddr(`127.0.0.1:${port}`);
      expect(ops.metricsUrl).toBeNull();
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^cannot serve metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))]);
      await ops.setMetricsAddr('127.0.0.1:0');
      expect(ops.metricsUrl).not.toBeNull();
    } finally {
      await ops.close();
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
