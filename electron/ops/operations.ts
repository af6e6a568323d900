// Operations around the engine, composed in one place: Prometheus metrics (metrics.ts), OpenTelemetry
// traces (tracing.ts), alerts (alerts.ts). Each watches every run's events (sync/telemetry.ts). Built by
// the app's core (desktop and serve) and by the CLI's sync command; nothing here changes a run.
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';
import { ALERT_FLUSH_MS, type AlertDispatcher } from './alerts';
import { SyncMetrics } from './metrics';
import { startTracing, type RunTracer } from './tracing';
import { Watchers } from '../lib/watchers';

export interface OperationsOptions {
  version: string;
  /** OTLP/HTTP endpoint for traces (tracing.ts resolves flag and environment); null: no traces. */
  otlpEndpoint: string | null;
  /** Problems of the operations themselves (an exporter that cannot send, a listener that cannot bind): never a run's. */
  warn(message: string): void;
  /**
   * Alerts of the runs (alerts.ts), built by the caller, which knows where they are configured; close()
   * waits for its deliveries (up to ALERT_FLUSH_MS). The app's core runs its own (core.ts), not here.
   */
  alerts?: AlertDispatcher;
}

export interface Operations {
  readonly metrics: SyncMetrics;
  /** Tells every watcher; never throws. */
  observe(event: RunEvent, mapping: Mapping): void;
  /** Sends what is still buffered (spans, alerts still retrying: bounded), then stops. */
  close(): Promise<void>;
}

export async function startOperations(options: OperationsOptions): Promise<Operations> {
  const metrics = new SyncMetrics();
  const tracer: RunTracer | null = options.otlpEndpoint === null ? null : await startTracing({ endpoint: options.otlpEndpoint, version: options.version, warn: options.warn });
  const watchers = new Watchers<[RunEvent, Mapping]>();
  watchers.add((e, m) => metrics.observe(e, m));
  if (tracer) watchers.add((e, m) => tracer.observe(e, m));
  const alerts = options.alerts;
  if (alerts) watchers.add((e, m) => alerts.observe(e, m));
  return {
    metrics,
    observe: (event, mapping) => watchers.notify(event, mapping),
    async close() {
      if (alerts) {
        await alerts.flush(ALERT_FLUSH_MS);
        await alerts.close();
      }
      await tracer?.shutdown();
    },
  };
}
