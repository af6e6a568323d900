// What a run reports as it goes, for whoever watches it from outside: Prometheus metrics, OpenTelemetry
// traces, structured logs, alerts (electron/ops/). Plain data, emitted synchronously by the runner in the
// order things happen. A listener must be cheap (a no-change run of a million keys reports a million
// 'object.checked' events) and must not throw: the runner swallows what it throws.
import type { ProviderType, RunSummary } from '../../shared/model';
import type { CopyRoute } from './pull-copy';

export type RunSide = 'source' | 'target';

/** A failure as a listener needs it: the storage or engine error code (RunSummary.errorCode's vocabulary) and the message. */
export interface EventError {
  code: string;
  message: string;
}

export type RunEvent =
  /** The run row exists; nothing has been listed yet. */
  | {
      type: 'run.started';
      mappingId: string;
      runId: number;
      dryRun: boolean;
      /** ms since the epoch, as the run row has it. */
      startedAt: number;
      source: { provider: ProviderType; bucket: string; prefix: string };
      target: { provider: ProviderType; bucket: string; prefix: string };
    }
  /** One side's listing ended: complete (error null) or broken off. Times in ms since the epoch. */
  | { type: 'listing.finished'; side: RunSide; startedAt: number; finishedAt: number; objects: number; error: EventError | null }
  /** A copy got its transfer slot and starts. */
  | { type: 'transfer.started'; key: string; size: number }
  /**
   * A copy that started ended: copied (bytes verified and recorded) or failed (after `attempts`
   * tries). A copy cancelled by the run's own signal ends as 'cancelled'. `key` is relative to the
   * mapping's prefixes; `bytes` is what passed through this process (0 for a server-side or pulled
   * copy). `route` is how it went (pull-copy.ts; a failed copy: the route its last attempt took);
   * `serverSide` is `route === 'server-side'`, kept for watchers written before there were three.
   */
  | {
      type: 'transfer.finished';
      key: string;
      size: number;
      outcome: 'copied' | 'failed' | 'cancelled';
      serverSide: boolean;
      route: CopyRoute;
      bytes: number;
      attempts: number;
      startedAt: number;
      finishedAt: number;
      error: EventError | null;
    }
  /** Objects found equal on both sides (nothing to do), or adopted (equal, now recorded): rclone's "checks". */
  | { type: 'object.checked'; key: string; adopted: boolean }
  /** A planned object that failed without a transfer (its slot wait failed, or its previous version could not be kept). */
  | { type: 'object.failed'; key: string; error: EventError }
  /** Objects deleted at the target (one event per delete batch). */
  | { type: 'objects.deleted'; keys: readonly string[] }
  /**
   * A call is tried again after a Transient or Throttled answer: a copy as a whole (key set), or one
   * request of the provider stack (a listing page, a head, a delete batch; `what` says which).
   */
  | { type: 'retry'; what: string; key?: string; code: string; attempt: number; delayMs: number }
  /**
   * Planned deletions that were not made: the maxDelete guard tripped ('maxDelete'), or transfers
   * failed ('failedTransfers'); they are planned again next run.
   */
  | { type: 'deletes.blocked'; count: number; reason: 'maxDelete' | 'failedTransfers' }
  /** The run is recorded as finished (status, counts, error). The last event of a run. */
  | { type: 'run.finished'; run: RunSummary };

export type RunEventType = RunEvent['type'];
export type RunEventListener = (event: RunEvent) => void;
