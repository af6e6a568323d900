// The OpenTelemetry SDK behind tracing.ts: a tracer provider with the service's resource, a batch
// span processor, the OTLP/HTTP exporter (JSON), and the warnings of failed exports. Loaded by
// tracing.ts only when traces are on.
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';
import { RunSpans } from './tracing-spans';

type ExportCallback = Parameters<SpanExporter['export']>[1];

/**
 * Spans waiting to be sent, at most; beyond, new spans are dropped (BatchSpanProcessor) until a batch
 * is sent. A batch of 512 goes as soon as that many wait, else every 2 s.
 */
const MAX_QUEUE_SIZE = 4_096;
const EXPORT_BATCH_SIZE = 512;
const EXPORT_DELAY_MS = 2_000;
const WARN_INTERVAL_MS = 5 * 60_000;
/** ExportResultCode.SUCCESS of @opentelemetry/core (a package this one does not depend on directly). */
const EXPORT_SUCCESS = 0;

export interface SdkTracingOptions {
  endpoint: string;
  /** The endpoint as messages show it (without credentials). */
  shownEndpoint: string;
  version: string;
  warn(message: string): void;
  exportTimeoutMs: number;
  shutdownTimeoutMs: number;
  maxCopySpansPerRun: number;
}

/** tracing.ts's RunTracer (written out here: tracing.ts imports this module). */
export function startSdkTracing(options: SdkTracingOptions): { observe(event: RunEvent, mapping: Mapping): void; shutdown(): Promise<void> } {
  const shown = options.shownEndpoint;
  const warnings = new ExportWarnings(shown, options.warn);
  // JSON over HTTP (the exporter's own format): any OTLP/HTTP collector takes it. Headers
  // ($OTEL_EXPORTER_OTLP_HEADERS), compression and TLS files come from the standard variables.
  const exporter = new WarningExporter(new OTLPTraceExporter({ url: options.endpoint, timeoutMillis: options.exportTimeoutMs }), (error, spans) =>
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
        exportTimeoutMillis: options.exportTimeoutMs + 1_000,
      }),
    ],
  });
  const spans = new RunSpans(provider.getTracer('cloud-data-sync', options.version), { maxCopySpansPerRun: options.maxCopySpansPerRun });
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
          timer = setTimeout(() => resolve('timeout'), options.shutdownTimeoutMs);
          timer.unref();
        });
        // A failed export has warned already (WarningExporter).
        const sent = provider.shutdown().then(
          () => 'sent' as const,
          () => 'sent' as const,
        );
        if ((await Promise.race([sent, bound])) === 'timeout') options.warn(`Traces: gave up sending the last spans to ${shown} after ${options.shutdownTimeoutMs / 1000} s`);
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
