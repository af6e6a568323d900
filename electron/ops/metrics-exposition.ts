// The prom-client side of the metrics: a registry of its own with one metric per series
// (metrics-series.ts), filled from the tallies at each scrape. metrics.ts loads this module on the
// first scrape only, so prom-client is not loaded by a sync that nobody scrapes; it is imported
// statically here so that the CLI bundle gives its named exports (a dynamic import of a CommonJS
// package there yields only its default export).
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { MAPPING_INFO, SERIES, type SeriesSpec } from './metrics-series';

export interface SyncMetricsOptions {
  /** Node's process metrics too (CPU, memory, event loop: prom-client's defaults); for a long-running process. */
  processMetrics?: boolean;
}

/** A counter or a gauge, set to a value either way (a counter is reset before each scrape fills it). */
export interface SeriesMetric {
  reset(): void;
  put(labels: Record<string, string>, value: number): void;
}

export interface Exposition {
  registry: Registry;
  series: { spec: SeriesSpec; metric: SeriesMetric }[];
  info: Gauge<string>;
}

export function createExposition(options: SyncMetricsOptions): Exposition {
  const registry = new Registry();
  const series = SERIES.map((spec) => {
    const config = { name: spec.name, help: spec.help, labelNames: 'label' in spec ? ['mapping', spec.label] : ['mapping'], registers: [registry] };
    const metric: SeriesMetric =
      spec.type === 'counter'
        ? ((c) => ({ reset: () => c.reset(), put: (labels, value) => c.inc(labels, value) }))(new Counter(config))
        : ((g) => ({ reset: () => g.reset(), put: (labels, value) => g.set(labels, value) }))(new Gauge(config));
    return { spec, metric };
  });
  const info = new Gauge({ name: MAPPING_INFO.name, help: MAPPING_INFO.help, labelNames: MAPPING_INFO.labels, registers: [registry] });
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return { registry, series, info };
}
