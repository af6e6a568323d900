// OpenTelemetry traces of the runs, sent over OTLP/HTTP (JSON) to a collector. Opt-in: only with an
// endpoint (otlpEndpointOf), and only then are the OpenTelemetry packages loaded (tracing-sdk.ts sets
// the SDK up, tracing-spans.ts makes the spans). The collector stays out of the runs' way: spans are
// queued and sent in batches in the background, an export that fails is one warning (at most one
// every few minutes) and lost spans, never a run's failure or delay.
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';

export interface RunTracer {
  observe(event: RunEvent, mapping: Mapping): void;
  /** Ends the spans of runs still open, sends what is queued; returns within the shutdown bound whatever the collector does. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The full URL spans are POSTed to (otlpEndpointOf resolves it), e.g. http://localhost:4318/v1/traces. */
  endpoint: string;
  version: string;
  /** The tracing's own problems (a collector that cannot be reached); never a run's. */
  warn(message: string): void;
  /** One export's limit, its retries included (default EXPORT_TIMEOUT_MS). */
  exportTimeoutMs?: number;
  /** What shutdown() waits for the last spans to be sent, at most (default SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs?: number;
  /** Spans of successful copies per run, at most (default MAX_COPY_SPANS_PER_RUN); see tracing-spans.ts. */
  maxCopySpansPerRun?: number;
}

/**
 * An export (with the exporter's own retries of 429/502/503/504 and of refused connections) gives up
 * after this: a collector that is down delays the end of a CLI run by at most this much.
 */
export const EXPORT_TIMEOUT_MS = 5_000;
export const SHUTDOWN_TIMEOUT_MS = 6_000;
export const MAX_COPY_SPANS_PER_RUN = 1_000;
const TRACES_PATH = '/v1/traces';

/**
 * Where traces go, or null (traces off):
 * - --otlp-endpoint URL: the collector's base URL; /v1/traces is appended unless the path already
 *   ends with it (http://collector:4318 and http://collector:4318/v1/traces are the same);
 * - else $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as is (the OpenTelemetry rule for a signal's URL);
 * - else $OTEL_EXPORTER_OTLP_ENDPOINT with v1/traces appended (the rule for the base URL).
 * Empty variables count as unset. A variable that is no URL is returned as it is: startTracing warns.
 */
export function otlpEndpointOf(flag: string | null, env: Record<string, string | undefined>): string | null {
  if (flag !== null) {
    const url = new URL(flag);
    if (!url.pathname.endsWith(TRACES_PATH)) url.pathname = url.pathname.replace(/\/?$/, TRACES_PATH);
    return url.href;
  }
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return null;
  return `${base}${base.endsWith('/') ? '' : '/'}${TRACES_PATH.slice(1)}`;
}

/** The endpoint as a message may show it: no user, password or query (where credentials would be). */
export function endpointForDisplay(endpoint: string): string {
  if (!URL.canParse(endpoint)) return '(not a URL)';
  const url = new URL(endpoint);
  return `${url.origin}${url.pathname}`;
}

export async function startTracing(options: TracingOptions): Promise<RunTracer> {
  const shown = endpointForDisplay(options.endpoint);
  if (!URL.canParse(options.endpoint) || !/^https?:$/.test(new URL(options.endpoint).protocol)) {
    options.warn(`Traces are off: the OTLP endpoint ${shown} is not an http:// or https:// URL`);
    return { observe() {}, async shutdown() {} };
  }
  // A module that imports the packages, rather than import() of each: the CLI bundle gives a dynamic
  // import of a CommonJS package its `default` only (bundle-packages.mjs), a static one its names too.
  const { startSdkTracing } = await import('./tracing-sdk');
  return startSdkTracing({
    ...options,
    shownEndpoint: shown,
    exportTimeoutMs: options.exportTimeoutMs ?? EXPORT_TIMEOUT_MS,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS,
    maxCopySpansPerRun: options.maxCopySpansPerRun ?? MAX_COPY_SPANS_PER_RUN,
  });
}
