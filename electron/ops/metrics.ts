// Prometheus metrics of the runs (prom-client). SCAFFOLD: the metrics commit builds this module.
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';

export class SyncMetrics {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';

  observe(_event: RunEvent, _mapping: Mapping): void {}

  /** The exposition text. */
  async text(): Promise<string> {
    return '';
  }
}

export interface MetricsListener {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

/** An unauthenticated HTTP listener answering GET /metrics (--metrics-addr, the desktop's opt-in). */
export async function startMetricsListener(_metrics: SyncMetrics, _host: string, _port: number): Promise<MetricsListener> {
  throw new Error('not built yet');
}

/** Writes the metrics to `path` in node_exporter's textfile format, atomically (a temporary file renamed over it). */
export async function writeMetricsFile(_metrics: SyncMetrics, _path: string): Promise<void> {}
