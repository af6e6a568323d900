// The desktop app's operations around its core (the CLI and serve build theirs from their flags):
// Prometheus metrics of every run, served on the settings' metricsAddr (opt-in, loopback, no token) and
// moved or stopped when the setting changes; OpenTelemetry traces when OTEL_EXPORTER_OTLP_* is set.
// Alerts are the core's own (core.ts), the same for serve. Electron-free: shell/main.ts only calls this.
import { splitHostPort } from '../../shared/metrics-addr';
import { startMetricsListener, type MetricsListener } from '../ops/metrics';
import { startOperations, type Operations } from '../ops/operations';
import { otlpEndpointOf } from '../ops/tracing';
import type { AppCore } from './core';

export interface DesktopOperations {
  readonly ops: Operations;
  /**
   * Follows the metricsAddr setting: starts, moves or stops the listener (changes are applied one
   * after the other). One that cannot bind is warned about; the setting stays as saved.
   */
  setMetricsAddr(addr: string | null): Promise<void>;
  /** http://host:port/metrics while the listener runs; null otherwise. */
  readonly metricsUrl: string | null;
  /** Stops the listener and the watching, sends the spans still buffered. */
  close(): Promise<void>;
}

export interface DesktopOperationsOptions {
  version: string;
  /** The process environment: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT turn traces on. */
  env: Record<string, string | undefined>;
  warn(message: string): void;
}

export async function startDesktopOperations(core: AppCore, options: DesktopOperationsOptions): Promise<DesktopOperations> {
  const ops = await startOperations({ version: options.version, otlpEndpoint: otlpEndpointOf(null, options.env), warn: options.warn });
  // Mappings show at 0 before their first run, so rate() sees that run's increase (as serve does).
  for (const mapping of core.store.mappings.list()) ops.metrics.declare(mapping);
  const stopWatching = core.onRunEvent((event, mapping) => ops.observe(event, mapping));
  let listener: { addr: string; server: MetricsListener } | null = null;
  let changes = Promise.resolve();

  const move = async (addr: string | null): Promise<void> => {
    if ((listener?.addr ?? null) === addr) return;
    if (listener) {
      await listener.server.close();
      listener = null;
    }
    if (addr === null) return;
    const hostPort = splitHostPort(addr);
    if (!hostPort) return options.warn(`metricsAddr "${addr}" is not HOST:PORT; no metrics listener`);
    try {
      listener = { addr, server: await startMetricsListener(ops.metrics, hostPort.host, hostPort.port) };
    } catch (err) {
      options.warn(`cannot serve metrics on ${addr}: ${(err as Error).message}`);
    }
  };

  return {
    ops,
    setMetricsAddr(addr) {
      changes = changes.then(() => move(addr));
      return changes;
    },
    get metricsUrl() {
      return listener?.server.url ?? null;
    },
    async close() {
      changes = changes.then(() => move(null));
      await changes;
      stopWatching();
      await ops.close();
    },
  };
}
