// OpenTelemetry traces of the runs, sent over OTLP/HTTP (JSON) to a collector. Opt-in: only with an
// endpoint (otlpEndpointOf), and only then are the OpenTelemetry packages loaded. The spans are made
// by tracing-spans.ts; this module sets up the SDK around them and keeps the collector out of the runs'
// way: spans are queued and sent in batches in the background, an export that fails is one warning
// (at most one every WARN_INTERVAL_MS) and lost spans, never a run's failure or delay.
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';

type ExportCallback = Parameters<SpanExporter['export']>[1];

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
/**
 * Spans waiting to be sent, at most; beyond, new spans are dropped (BatchSpanProcessor) until a batch
 * is sent. Batches of 512 go as soon as that many wait, else every 2 s.
 */
const MAX_QUEUE_SIZE = 4_096;
const EXPORT_BATCH_SIZE = 512;
const EXPORT_DELAY_MS = 2_000;
const WARN_INTERVAL_MS = 5 * 60_000;
/** ExportResultCode.SUCCESS of @opentelemetry/core (a package this one does not depend on directly). */
const EXPORT_SUCCESS = 0;

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
  const [{ BatchSpanProcessor, TracerProvider }, { resourceFromAttributes, defaultResource }, { OTLPTraceExporter }, { RunSpans }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('./tracing-spans'),
  ]);
  const exportTimeoutMs = options.exportTimeoutMs ?? EXPORT_TIMEOUT_MS;
  // JSON over HTTP (the exporter's own format): any OTLP/HTTP collector takes it. Headers
  // ($OTEL_EXPORTER_OTLP_HEADERS), compression and TLS files come from the standard variables.
  const warnings = new ExportWarnings(shown, options.warn);
  const exporter = new WarningExporter(new OTLPTraceExporter({ url: options.endpoint, timeoutMillis: exportTimeoutMs }), (error, spans) =>
    warnings.failed(error, spans),
  );
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'cloud-data-sync', 'service.version': options.version })),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        maxQueueSize: MAX_QUEUE_SIZE,
        maxExportBatchSize: EXPORT_BATCH_SIZE,
        scheduledDelayMillis: EXPORT_DELAY_MS,
        exportTimeoutMillis: exportTimeoutMs + 1_000,
      }),
    ],
  });
  const spans = new RunSpans(provider.getTracer('cloud-data-sync', options.version), { maxCopySpansPerRun: options.maxCopySpansPerRun ?? MAX_COPY_SPANS_PER_RUN });
  let stopped: Promise<void> | null = null;
  return {
    observe(event, mapping) {
      if (stopped === null) spans.observe(event, mapping);
    },
    shutdown() {
      stopped ??= (async () => {
        spans.endAll();
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS);
          timer.unref();
        });
        const done = provider.shutdown().then(
          () => 'sent' as const,
          () => 'sent' as const, // a failed export has warned already
        );
        if ((await Promise.race([done, bound])) === 'timeout') options.warn(`Traces: gave up sending the last spans to ${shown} after ${(options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS) / 1000} s`);
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}

/** Tells each failed export to `onFailure`, and passes everything through. */
class WarningExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly onFailure: (error: Error | undefined, spans: number) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    this.inner.export(spans, (result) => {
      if (result.code !== EXPORT_SUCCESS) this.onFailure(result.error, spans.length);
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The first failed export warns at once; later ones at most every WARN_INTERVAL_MS, with what was lost since. */
class ExportWarnings {
  private lastWarned = -Infinity;
  private lostSince = 0;

  constructor(
    private readonly endpoint: string,
    private readonly warn: (message: string) => void,
  ) {}

  failed(error: Error | undefined, spans: number): void {
    this.lostSince += spans;
    const now = Date.now();
    if (now - this.lastWarned < WARN_INTERVAL_MS) return;
    this.lastWarned = now;
    const lost = this.lostSince;
    this.lostSince = 0;
    this.warn(`Traces: cannot send spans to ${this.endpoint} (${error?.message || 'export failed'}); ${lost} span(s) lost (runs are not affected; next warning in 5 min at the earliest)`);
  }
}
