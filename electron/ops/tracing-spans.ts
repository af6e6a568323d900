// A run's events (sync/telemetry.ts) as OpenTelemetry spans: one root span per run, a child per
// listing and per transfer, each with the start and end times the events carry (a child is made
// when its work has ended, so nothing but the run's own span is held open). Checks, skips and
// deletes are counts on the run's span, not spans: a run that changes nothing over a million keys
// makes one span and two listing spans. Loaded by tracing.ts only when traces are on.
//
// Attribute names are the documented format (README, "Traces"): change them only with it.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Mapping, RunSummary } from '../../shared/model';
import type { EventError, RunEvent } from '../sync/telemetry';

export interface RunSpansOptions {
  /**
   * Spans of copies that succeeded, at most, per run (each failed or cancelled copy has one anyway):
   * a run copying a million objects makes a trace a collector and a reader can take. The run's span
   * says how many were left out (cds.run.transfer_spans_omitted).
   */
  maxCopySpansPerRun: number;
}

type RunStarted = Extract<RunEvent, { type: 'run.started' }>;
type RetryEvent = Extract<RunEvent, { type: 'retry' }>;

interface OpenRun {
  span: Span;
  context: Context;
  started: RunStarted | null;
  copySpans: number;
  omitted: number;
  /** Copy retries, by key, until the copy's span is made (its transfer.finished). */
  retries: Map<string, { attributes: Attributes; time: number }[]>;
}

const FAILED_STATUSES: ReadonlySet<RunSummary['status']> = new Set(['failed', 'partial', 'interrupted']);

/** Spans of every run; runs are told apart by mapping (a mapping has one run at a time). */
export class RunSpans {
  private readonly open = new Map<string, OpenRun>();

  constructor(
    private readonly tracer: Tracer,
    private readonly options: RunSpansOptions,
  ) {}

  observe(event: RunEvent, mapping: Mapping): void {
    switch (event.type) {
      case 'run.started':
        this.startRun(event, mapping);
        return;
      case 'listing.finished': {
        const run = this.open.get(mapping.id);
        if (!run) return;
        const side = run.started?.[event.side];
        const span = this.tracer.startSpan(
          `list ${event.side}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: event.startedAt,
            attributes: {
              'cds.side': event.side,
              ...(side ? { 'cds.provider': side.provider, 'cds.bucket': side.bucket, 'cds.prefix': side.prefix } : {}),
              'cds.listing.objects': event.objects,
            },
          },
          run.context,
        );
        endSpan(span, event.error, event.finishedAt);
        return;
      }
      case 'transfer.finished':
        this.transferSpan(event, mapping);
        return;
      case 'retry':
        this.retry(event, mapping);
        return;
      case 'object.failed':
        this.open.get(mapping.id)?.span.addEvent('object.failed', { 'cds.object.key': event.key, 'error.type': event.error.code, 'cds.error.message': event.error.message });
        return;
      case 'objects.deleted':
        this.open.get(mapping.id)?.span.addEvent('objects.deleted', { 'cds.objects.count': event.keys.length });
        return;
      case 'deletes.blocked':
        this.open.get(mapping.id)?.span.addEvent('deletes.blocked', { 'cds.objects.count': event.count, 'cds.reason': event.reason });
        return;
      case 'run.finished':
        this.finishRun(event.run, mapping);
        return;
      case 'transfer.started':
      case 'object.checked':
        return;
    }
  }

  /** Ends the spans of runs still open (the process stops before they finished), as they are. */
  endAll(): void {
    for (const run of this.open.values()) run.span.end();
    this.open.clear();
  }

  private startRun(event: RunStarted, mapping: Mapping): void {
    // A run that never told its end (it cannot happen, short of a bug): its span ends now.
    this.open.get(mapping.id)?.span.end();
    const span = this.tracer.startSpan(
      `sync ${mapping.name}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: event.startedAt,
        attributes: {
          ...runAttributes(mapping, event.runId, event.dryRun),
          ...sideAttributes('source', event.source),
          ...sideAttributes('target', event.target),
        },
      },
      ROOT_CONTEXT,
    );
    this.open.set(mapping.id, { span, context: trace.setSpan(ROOT_CONTEXT, span), started: event, copySpans: 0, omitted: 0, retries: new Map() });
  }

  private transferSpan(event: Extract<RunEvent, { type: 'transfer.finished' }>, mapping: Mapping): void {
    const run = this.open.get(mapping.id);
    if (!run) return;
    const retries = run.retries.get(event.key) ?? [];
    run.retries.delete(event.key);
    if (event.outcome === 'copied' && run.copySpans >= this.options.maxCopySpansPerRun) {
      run.omitted++;
      return;
    }
    if (event.outcome === 'copied') run.copySpans++;
    const started = run.started;
    const span = this.tracer.startSpan(
      'copy',
      {
        kind: SpanKind.INTERNAL,
        startTime: event.startedAt,
        attributes: {
          'cds.object.key': event.key,
          'cds.object.size': event.size,
          'cds.transfer.outcome': event.outcome,
          'cds.transfer.bytes': event.bytes,
          'cds.transfer.attempts': event.attempts,
          'cds.transfer.retries': Math.max(0, event.attempts - 1),
          'cds.transfer.server_side': event.serverSide,
          ...(started ? { 'cds.source.provider': started.source.provider, 'cds.source.bucket': started.source.bucket, 'cds.target.provider': started.target.provider, 'cds.target.bucket': started.target.bucket } : {}),
        },
      },
      run.context,
    );
    for (const retry of retries) span.addEvent('retry', retry.attributes, retry.time);
    endSpan(span, event.error, event.finishedAt);
  }

  /** A copy's retry waits for the copy's span; a provider request's (a listing page, a delete batch) goes on the run's. */
  private retry(event: RetryEvent, mapping: Mapping): void {
    const run = this.open.get(mapping.id);
    if (!run) return;
    const attributes: Attributes = { 'cds.retry.what': event.what, 'cds.retry.code': event.code, 'cds.retry.attempt': event.attempt, 'cds.retry.delay_ms': event.delayMs };
    if (event.key === undefined) {
      run.span.addEvent('retry', attributes);
      return;
    }
    const pending = run.retries.get(event.key);
    if (pending) pending.push({ attributes, time: Date.now() });
    else run.retries.set(event.key, [{ attributes, time: Date.now() }]);
  }

  private finishRun(summary: RunSummary, mapping: Mapping): void {
    let run = this.open.get(mapping.id);
    this.open.delete(mapping.id);
    // A run that failed before it started (no run.started: recordUnstarted) gets its span all the same.
    run ??= {
      span: this.tracer.startSpan(
        `sync ${mapping.name}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: summary.startedAt,
          attributes: {
            ...runAttributes(mapping, summary.id, summary.dryRun),
            'cds.source.bucket': mapping.sourceBucket,
            'cds.source.prefix': mapping.sourcePrefix,
            'cds.target.bucket': mapping.targetBucket,
            'cds.target.prefix': mapping.targetPrefix,
          },
        },
        ROOT_CONTEXT,
      ),
      context: ROOT_CONTEXT,
      started: null,
      copySpans: 0,
      omitted: 0,
      retries: new Map(),
    };
    // Retries of copies whose end was never told (none, short of a bug) stay visible on the run.
    for (const list of run.retries.values()) for (const retry of list) run.span.addEvent('retry', retry.attributes, retry.time);
    run.span.setAttributes({
      'cds.run.status': summary.status,
      'cds.run.copied': summary.copied,
      'cds.run.adopted': summary.adopted,
      'cds.run.skipped': summary.skipped,
      'cds.run.deleted': summary.deleted,
      'cds.run.failed': summary.failed,
      'cds.run.bytes_copied': summary.bytesCopied,
      ...(run.omitted > 0 ? { 'cds.run.transfer_spans_omitted': run.omitted } : {}),
      ...(summary.errorCode !== null ? { 'error.type': summary.errorCode } : {}),
    });
    if (FAILED_STATUSES.has(summary.status)) run.span.setStatus({ code: SpanStatusCode.ERROR, message: summary.firstError ?? summary.status });
    run.span.end(summary.finishedAt ?? Date.now());
  }
}

function runAttributes(mapping: Mapping, runId: number, dryRun: boolean): Attributes {
  return { 'cds.mapping.id': mapping.id, 'cds.mapping.name': mapping.name, 'cds.run.id': runId, 'cds.run.dry_run': dryRun };
}

function sideAttributes(side: 'source' | 'target', where: RunStarted['source']): Attributes {
  return { [`cds.${side}.provider`]: where.provider, [`cds.${side}.bucket`]: where.bucket, [`cds.${side}.prefix`]: where.prefix };
}

/** Ends a child span at `time`: an error makes its status ERROR, with the code as error.type. */
function endSpan(span: Span, error: EventError | null, time: number): void {
  if (error) {
    span.setAttribute('error.type', error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end(time);
}
