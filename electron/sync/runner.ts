// One run of one mapping: list both sides, plan every key, transfer with bounded concurrency, then
// delete — only after a complete source listing and only if every transfer succeeded.
import { setMaxListeners } from 'node:events';
import { placeOf, placeText, routeText, sameRoute } from '../../shared/config/mapping-ids';
import { compileFilters, ExclusionCounts, exclusionText, type CompiledFilters, type FilterRule } from '../../shared/filters';
import { formatBytes, formatRunCounts } from '../../shared/format';
import type { LogLevel, Mapping, MaxDelete, ProgressSnapshot, RunCounts, RunStatus, RunSummary } from '../../shared/model';
import { PartialRemoveError, isStorageError, unexpectedAbortAsTransient } from '../providers/errors';
import type { ObjectInfo, StorageProvider } from '../providers/provider';
import { compareKeys } from '../lib/key-order';
import { AdaptiveConcurrency } from './adaptive-concurrency';
import { DeleteQueue } from './delete-queue';
import { Limiter } from './limiter';
import { ListingError, mergeListings, type MergedEntry } from './merge';
import { planKey, type PlanAction } from './plan';
import type { EngineState, PendingDelete, RunErrorCode, RunLogLine, RunRecorder, SyncedObject, SyncStatePort } from './ports';
import { ProgressTracker } from './progress';
import { DEFAULT_RETRY, type RetryPolicy } from '../providers/retry';
import { StateCursor } from './state-cursor';
import { transferObject, type TransferResult } from './transfer';
import { PullRoute, type CopyRoute } from './pull-copy';
import { UploadJournals } from './upload-journals';
import { droppedTagsText, targetObjectOptions, targetOptionsText } from './target-options';
import type { TargetObjectOptions } from '../providers/provider';
import { isVersionsKey, keepVersion, prepareVersions, withoutVersions, VERSIONS_FOLDER, VersionsRefusedError, type VersionKeeping } from './versions';

import { runHook } from './hooks';
import type { EventError, RunEventListener } from './telemetry';
import { reportRetriesOf } from '../providers/retry-reports';
import { BandwidthLimit, Throttle } from './bandwidth';
import type { BwLimit } from '../../shared/bandwidth';
import { bandwidthText, combinedRateAt, type ConfiguredBwLimit } from '../../shared/bandwidth-now';

export type { RunLogLine } from './ports';

export interface RunOptions {
  /** Where the run is recorded and the mapping's sync state kept: the store's, or a MemoryState. */
  state: EngineState;
  mapping: Mapping;
  source: StorageProvider;
  target: StorageProvider;
  /**
   * Source and target are one connection, or two of one identity at one service
   * (services/copy-scope.ts): the target's provider copies server-side.
   */
  sameConnection: boolean;
  /** Forces a dry run even if the mapping is not set to one. */
  dryRun?: boolean;
  /** Aborts everything at once, in-flight transfers included. */
  signal?: AbortSignal;
  /** Graceful stop: start nothing new, let in-flight transfers finish. */
  stopSignal?: AbortSignal;
  /** Cap shared by all mappings running at once. */
  globalLimiter?: Limiter;
  /** The global bandwidth limit, shared by all mappings running at once (its setting may change mid-run). */
  globalBandwidth?: BandwidthLimit;
  retry?: RetryPolicy;
  /** Called once the run row exists, before any listing: the run id, for "run started" events. */
  onStart?: (run: RunSummary) => void;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  onLog?: (line: RunLogLine) => void;
  /** Told what happens as it happens (telemetry.ts): metrics, traces, structured logs. */
  onEvent?: RunEventListener;
  progressIntervalMs?: number;
  /** How many planned copies/deletes a dry run lists in its preview. */
  previewLimit?: number;
  /** How many planned deletes are held in memory before they spill to state.pendingDeletes (default 10,000). */
  pendingDeletesInMemory?: number;
  /** The name the user gave a connection, for messages (default: its id, which is the name in a config file). */
  connectionName?: (connectionId: string) => string;
}

export interface PlannedChange {
  key: string;
  size?: number;
  reason: string;
}

export interface RunOutcome {
  run: RunSummary;
  /** Filled on dry runs: the first planned copies and deletes. */
  preview: { copies: PlannedChange[]; deletes: PlannedChange[] };
  /** Objects the mapping's filters excluded, per rule, in the order first met (empty when none). */
  excluded: { rule: FilterRule; count: number }[];
  /** With keepVersions: where previous versions were (or, on a dry run, would be) kept, in a sentence. */
  versions?: string;
  /** The bandwidth limit line the run's log starts with (shared/bandwidth-now.ts); null when no limit is configured. */
  bandwidth: string | null;
  /** The storage class and encryption line the run's log starts with (target-options.ts); absent: the bucket's defaults. */
  targetOptions?: string;
}

/** Error that stops a run as a whole (as opposed to one object failing). */
class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    message: string,
    readonly code: RunErrorCode,
  ) {
    super(message);
  }
}

const STATE_CHUNK = 500;
const DELETE_BATCH = 1_000;
const QUEUE_AHEAD = 2_000;
/** Objects at least this big go through the large-object lane. */
export const LARGE_OBJECT_BYTES = 64 * 1024 * 1024;
/**
 * Only objects below this size take the slots adaptive concurrency adds above `transfers`: bigger
 * ones keep at most `transfers` slots (sizedLane), so part buffers stay bounded as before, and the
 * added slots hold at most 1 MiB each even where a provider buffers a small object whole.
 */
const ADAPTIVE_OBJECT_BYTES = 1024 * 1024;

const PENDING_DELETES_IN_MEMORY = 10_000;

/** What a dry run plans against when the recorded state belongs to another route. */
const NO_SYNC_STATE: Pick<SyncStatePort, 'page'> = { page: async () => [] };

/**
 * Runs the mapping once. Rejects before recording a run when the mapping's filters do not compile (a
 * library user's Mapping object is not read by the config reader): a run row would stay "running".
 */
export async function runMapping(options: RunOptions): Promise<RunOutcome> {
  const filters = compileFilters(options.mapping);
  // Also a library caller's Mapping: a class or encryption the target cannot take is refused before a run row exists.
  targetObjectOptions(options.mapping, options.target.type);
  const bandwidth = new BandwidthLimit(options.mapping.bwLimit);
  const recorder = await options.state.journal.start(options.mapping.id, options.dryRun === true || options.mapping.dryRun);
  // A signal of the run's own, even when the caller shares one over several runs (or gives none): the
  // provider stack's retries are told to the run whose signal the retried call carries (retry-reports.ts).
  const signal = options.signal ? AbortSignal.any([options.signal]) : new AbortController().signal;
  return new MappingRun({ ...options, signal }, recorder, filters, bandwidth).execute();
}

class MappingRun {
  private readonly mapping: Mapping;
  private readonly dryRun: boolean;
  private readonly counts: RunCounts = { copied: 0, adopted: 0, skipped: 0, deleted: 0, failed: 0, bytesCopied: 0 };
  private firstError: string | null = null;
  private errorCode: RunErrorCode | null = null;
  /**
   * Keys the plan copies, adopts or skips, and those a cancel stopped. With the copied, adopted,
   * skipped and failed counts they must add up; a run whose tally does not is failed
   * (unaccountedObjects), so no object is ever dropped silently.
   */
  private readonly outcomes = { planned: 0, cancelled: 0, deleteFailures: 0 };
  private readonly run: RunSummary;
  private readonly progress: ProgressTracker;
  /** The mapping's slots: `transfers` at first, then as many as adaptive concurrency finds pay. */
  private readonly limiter: Limiter;
  private readonly adaptive: AdaptiveConcurrency;
  /** Slots objects of ADAPTIVE_OBJECT_BYTES or more may hold at once: the mapping's transfers. */
  private readonly sizedLane: Limiter;
  /** Copies holding every slot they need, the global one too: the slots really busy. */
  private copying = 0;
  /** Slots large objects may hold at once (half the mapping's transfers, at least one). */
  private readonly largeLane: Limiter;
  /** Planned copies not finished yet (waiting or transferring): bounds how far the listing runs ahead. */
  private readonly queued = new Limiter(QUEUE_AHEAD);
  private readonly inFlight = new Set<Promise<void>>();
  /** Deletes wait here until the listing completed and every transfer succeeded. */
  private readonly deletes: DeleteQueue;
  private readonly preview: RunOutcome['preview'] = { copies: [], deletes: [] };
  private readonly excluded = new ExclusionCounts();
  /** "Now" for the age filters: one instant per run, so a key's decision does not depend on when it was listed. */
  private readonly startedAt = Date.now();
  private targetObjects = 0;
  /** How this run keeps previous versions (keepVersions), once the target bucket was checked. */
  private versions: VersionKeeping | null = null;
  /** Objects whose previous version was kept (bucket versioning: that the bucket keeps), or a dry run would keep. */
  private versionsKept = 0;
  /** Source objects left out because they are in, or would land in, the reserved .cds-versions/ folder. */
  private versionKeysLeftOut = 0;
  private readonly retry: RetryPolicy;
  /** Resumable uploads of this run (none on dry runs). */
  private readonly journals: UploadJournals | undefined;
  /** The mapping's bandwidth limit and the global one, for every streamed copy of this run. */
  private readonly throttle: Throttle | undefined;
  private readonly bandwidth: string | null;
  private serverSideNoted = false;
  private pulledNoted = false;
  /** Whether the target still pulls objects from source URLs in this run (pull-copy.ts). */
  private readonly pull: PullRoute;
  /** The mapping's targetStorageClass and targetEncryption, for every write and copy. */
  private readonly targetOptions: TargetObjectOptions;
  /** Objects copied without the tags the target cannot store. */
  private tagsDropped = 0;
  /** The caller's onEvent, made safe to call; undefined when nobody listens (no event is built then). */
  private readonly onEvent: RunEventListener | undefined;

  constructor(
    private readonly options: RunOptions,
    private readonly recorder: RunRecorder,
    private readonly filters: CompiledFilters,
    bandwidth: BandwidthLimit,
  ) {
    // Every in-flight transfer, listing and slot wait listens on the run's signals: dozens of
    // listeners is the design, not a leak, so Node's warning at 11 would only be noise.
    for (const signal of [options.signal, options.stopSignal]) if (signal) setMaxListeners(0, signal);
    this.mapping = options.mapping;
    const listener = options.onEvent;
    this.onEvent = listener && ((event) => {
      try {
        listener(event);
      } catch {
        // A watcher's failure must not change the run it watches.
      }
    });
    this.dryRun = options.dryRun === true || options.mapping.dryRun;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.targetOptions = targetObjectOptions(this.mapping, options.target.type);
    this.run = recorder.run;
    this.progress = new ProgressTracker(this.mapping.id, this.run.id, options.onProgress, options.progressIntervalMs ?? 100);
    const transfers = Math.max(1, this.mapping.transfers);
    this.limiter = new Limiter(transfers);
    this.adaptive = new AdaptiveConcurrency({ start: transfers, onLimit: (n) => this.limiter.resize(n), onNote: (m) => this.log('info', m) });
    this.sizedLane = new Limiter(transfers);
    this.largeLane = new Limiter(Math.max(1, Math.floor(this.mapping.transfers / 2)));
    this.journals = this.dryRun
      ? undefined
      : new UploadJournals({
          uploads: options.state.uploads,
          mappingId: this.mapping.id,
          target: options.target,
          targetBucket: this.mapping.targetBucket,
          signal: options.signal,
          onAbandon: (row, err) =>
            err === undefined
              ? this.log('info', `Aborted an unfinished upload of ${row.key} (started ${new Date(row.startedAt).toISOString()}); its parts no longer take space`, row.key)
              : this.log('warn', `Could not abort an unfinished upload of ${row.key}: ${errorText(err)}`, row.key),
        });
    const global = options.globalBandwidth;
    if (bandwidth.text !== null || global !== undefined) this.throttle = new Throttle(bandwidth.text !== null ? bandwidth.bucket : undefined, global?.bucket);
    const limits: ConfiguredBwLimit[] = [];
    if (bandwidth.text !== null) limits.push({ whose: "this mapping's", text: bandwidth.text });
    if (global?.text) limits.push({ whose: 'the global', text: global.text });
    this.bandwidth = bandwidthText(limits, new Date());
    if (this.throttle) {
      // Read at each snapshot: a timetable moves on, and the global setting may change mid-run.
      this.progress.bandwidthLimit = () => {
        const now = combinedRateAt([bandwidth.limit, global?.limit ?? null].filter((l): l is BwLimit => l !== null), new Date());
        return now.rate === null ? null : { rate: now.rate, until: now.until?.getTime() ?? null };
      };
    }
    this.pull = new PullRoute((message) => this.log('warn', message));
    this.deletes = new DeleteQueue(options.state.pendingDeletes, this.run.id, {
      keepAll: !this.dryRun,
      memoryLimit: options.pendingDeletesInMemory ?? PENDING_DELETES_IN_MEMORY,
      keepFirst: options.previewLimit ?? 100,
    });
  }

  async execute(): Promise<RunOutcome> {
    const { mapping } = this;
    this.options.onStart?.(this.run);
    const { source, target } = this.options;
    this.onEvent?.({
      type: 'run.started',
      mappingId: mapping.id,
      runId: this.run.id,
      dryRun: this.dryRun,
      startedAt: this.run.startedAt,
      source: { provider: source.type, bucket: mapping.sourceBucket, prefix: mapping.sourcePrefix },
      target: { provider: target.type, bucket: mapping.targetBucket, prefix: mapping.targetPrefix },
    });
    const stopReporting = this.onEvent && reportRetriesOf(this.options.signal!, (r) => this.onEvent!({ type: 'retry', ...r }));
    try {
      return await this.executeReported();
    } finally {
      stopReporting?.();
    }
  }

  private async executeReported(): Promise<RunOutcome> {
    const { mapping } = this;
    this.log('info', `${this.dryRun ? 'Dry run' : 'Run'} started: ${routeText(mapping)}`, undefined, { event: 'run.started' });
    if (this.bandwidth !== null) this.log('info', this.bandwidth);
    const targetOptions = targetOptionsText(this.targetOptions);
    if (targetOptions !== null) this.log('info', targetOptions);
    this.logRoutes();
    let runError: unknown;
    try {
      await this.beforeHook();
      await this.planAndTransfer(await this.syncStateOfRoute());
      this.progress.setPhase('deleting', true);
      await this.deletePhase();
    } catch (err) {
      runError = err;
    }
    await Promise.allSettled(this.inFlight);
    await this.deletes.clear().catch((err: unknown) => this.log('warn', `Could not forget this run's planned deletions: ${errorText(err)}`));
    const unaccounted = this.unaccountedObjects();
    if (unaccounted !== null) {
      runError ??= new RunError(unaccounted, 'Unaccounted');
      this.recordError(unaccounted, 'Unaccounted');
    }
    const status = this.status(runError, unaccounted !== null);
    // Only after a clean run is every recorded upload known to be abandoned (failed copies keep
    // theirs, to resume next run).
    if (status === 'success') await this.journals?.abandonLeftovers().catch((err: unknown) => this.log('warn', `Could not check for unfinished uploads: ${errorText(err)}`));
    if (runError && status !== 'cancelled') this.recordError(describeRunError(runError, mapping, this.options.connectionName ?? ((id) => id)), errorCodeOf(runError));
    if (status === 'cancelled') this.log('warn', 'Run cancelled; objects not yet copied will be copied by the next run');
    if (this.excluded.total > 0) this.log('info', `Excluded by filters: ${exclusionText(this.excluded.list())}`);
    const droppedTags = droppedTagsText(this.tagsDropped, this.options.target.type);
    if (droppedTags !== null) this.log('warn', droppedTags);
    if (this.versionKeysLeftOut > 0) this.log('info', `Not synced: ${this.versionKeysLeftOut} source object(s) in or bound for ${VERSIONS_FOLDER}, the folder reserved for kept versions`);
    const versions = this.versionsText();
    if (versions !== undefined) this.log('info', versions);
    this.adaptive.finish();
    // A cancel is the user's doing, not an error: it is logged as a warning like a partial run.
    this.log(status === 'success' ? 'info' : status === 'partial' || status === 'cancelled' ? 'warn' : 'error', summaryLine(status, this.counts, this.dryRun), undefined, {
      event: 'run.finished',
      ...(this.errorCode !== null ? { code: this.errorCode } : {}),
    });
    this.progress.finish();
    const errorCode = this.errorCode ?? (status === 'cancelled' ? 'Cancelled' : null);
    await this.afterHook({ ...this.run, ...this.counts, status, firstError: this.firstError, errorCode, finishedAt: Date.now(), durationMs: Date.now() - this.run.startedAt });
    const run = await this.recorder.finish({ status, counts: this.counts, firstError: this.firstError, errorCode });
    this.onEvent?.({ type: 'run.finished', run });
    return { run, preview: this.preview, excluded: this.excluded.list(), ...(versions === undefined ? {} : { versions }), bandwidth: this.bandwidth, ...optionalText('targetOptions', targetOptionsText(this.targetOptions)) };
  }

  /** The copy routes this run may take besides streaming, said once at its start. */
  private logRoutes(): void {
    const { source, target, sameConnection } = this.options;
    if (sameConnection && this.mapping.sourceConnectionId !== this.mapping.targetConnectionId && target.copy !== undefined) {
      this.log('info', 'Source and target connections are one identity at one service: the target copies objects server-side');
    } else if (!sameConnection && PullRoute.possible(source, target)) {
      this.log('info', "The target fetches objects from the source's presigned URLs where it can check what it fetched (copy-from-URL); each copy says its route");
    }
  }

  /** What keepVersions did in this run, for its log and preview; undefined without it (or before the check). */
  private versionsText(): string | undefined {
    const keeping = this.versions;
    if (keeping === null) return undefined;
    const n = this.versionsKept;
    if (keeping.kind === 'bucket') {
      return `${this.dryRun ? 'A run would overwrite or delete' : 'Overwrote or deleted'} ${n} object(s); bucket versioning of ${keeping.bucket} keeps their previous versions (keepVersions)`;
    }
    return `${this.dryRun ? 'A run would keep' : 'Kept'} ${n} previous version(s) in ${keeping.bucket}/${keeping.folder} (keepVersions)${this.dryRun ? '; a dry run keeps nothing' : ''}`;
  }

  /**
   * The mapping's before hook, before anything is listed: its failure, timeout or failure to start
   * fails the run (HookFailed). Dry runs (previews too) run no hooks: a hook may change things.
   */
  private async beforeHook(): Promise<void> {
    const hooks = this.mapping.hooks;
    if (this.dryRun && (hooks?.before || hooks?.after)) this.log('info', 'Hooks are not run on a dry run');
    const argv = hooks?.before;
    if (!argv || this.dryRun) return;
    const result = await runHook({
      name: 'before',
      argv,
      env: this.hookEnv({}),
      // Connections are referenced by id; the alerts' URLs and signing secrets are credentials: left out.
      stdin: JSON.stringify({ ...this.mapping, alerts: undefined }),
      timeoutSeconds: this.mapping.hooks?.timeoutSeconds,
      log: (level, message) => this.log(level, message),
    });
    if (result.error !== null) throw new RunError(`${result.error}; nothing was listed, copied or deleted`, 'HookFailed');
  }

  /**
   * The after hook, once the outcome is decided and just before it is stored, so its output lands in
   * the run's log; it sees the outcome (CDS_STATUS, the RunSummary on stdin) and cannot change it.
   */
  private async afterHook(summary: RunSummary): Promise<void> {
    const argv = this.mapping.hooks?.after;
    if (!argv || this.dryRun) return;
    const result = await runHook({
      name: 'after',
      argv,
      env: this.hookEnv({
        CDS_STATUS: summary.status,
        CDS_ERROR_CODE: summary.errorCode ?? '',
        CDS_ERROR: summary.firstError ?? '',
        CDS_COPIED: String(summary.copied),
        CDS_DELETED: String(summary.deleted),
        CDS_FAILED: String(summary.failed),
        CDS_SKIPPED: String(summary.skipped),
        CDS_BYTES_COPIED: String(summary.bytesCopied),
      }),
      stdin: JSON.stringify(summary),
      timeoutSeconds: this.mapping.hooks?.timeoutSeconds,
      log: (level, message) => this.log(level, message),
    });
    if (result.error !== null) this.log('warn', `${result.error}; the run's status is unchanged`);
  }

  private hookEnv(extra: Record<string, string>): Record<string, string> {
    const m = this.mapping;
    return {
      CDS_MAPPING_ID: m.id,
      CDS_MAPPING_NAME: m.name,
      CDS_RUN_ID: String(this.run.id),
      CDS_SOURCE: placeText(placeOf(m, 'source')),
      CDS_TARGET: placeText(placeOf(m, 'target')),
      CDS_DRY_RUN: this.dryRun ? '1' : '0',
      ...extra,
    };
  }

  /** A message when the outcomes of the planned objects do not add up, else null. */
  private unaccountedObjects(): string | null {
    const { planned, cancelled } = this.outcomes;
    const c = this.counts;
    // Deletes that failed (their previous version could not be kept) are not planned objects.
    const ended = c.copied + c.adopted + c.skipped + c.failed - this.outcomes.deleteFailures + cancelled;
    if (ended === planned) return null;
    return (
      `Internal error: ${planned} object(s) were planned but ${ended} ended with an outcome ` +
      `(copied ${c.copied}, adopted ${c.adopted}, skipped ${c.skipped}, failed ${c.failed}, cancelled ${cancelled}); ` +
      'the run is marked failed and deletions were not made'
    );
  }

  private get stopping(): boolean {
    return this.options.signal?.aborted === true || this.options.stopSignal?.aborted === true;
  }

  /**
   * Only the run's own signals mean "cancelled"; an abort error from anywhere else is a failure.
   * Objects that cannot be accounted for make the run failed even when it was cancelled.
   */
  private status(runError: unknown, unaccounted: boolean): Exclude<RunStatus, 'running'> {
    if (unaccounted) return 'failed';
    if (this.stopping) return 'cancelled';
    if (runError) return 'failed';
    if (this.counts.failed > 0) return this.counts.copied + this.counts.adopted + this.counts.deleted > 0 ? 'partial' : 'failed';
    return 'success';
  }

  /**
   * The sync state to plan against. State recorded for another route (the mapping's id kept while
   * its source or target changed) is forgotten first, or, by a dry run, which changes nothing,
   * planned without: it would skip copies the new target lacks, and in 'synced' mode delete what
   * the new source never had. Objects already at the target are then compared as on a first run.
   */
  private async syncStateOfRoute(): Promise<Pick<SyncStatePort, 'page'>> {
    const port = this.options.state.syncState;
    const recorded = await port.route(this.mapping.id);
    if (recorded !== undefined && sameRoute(recorded, this.mapping)) return port;
    if (recorded !== undefined) {
      this.log('info', `The sync state was recorded for ${routeText(recorded)}; ${this.dryRun ? 'this dry run plans without it' : 'it is forgotten'}, and objects already at the target are compared as on a first run`);
    }
    if (this.dryRun) return NO_SYNC_STATE;
    await port.resetRoute(this.mapping.id, this.mapping);
    return port;
  }

  private async planAndTransfer(syncState: Pick<SyncStatePort, 'page'>): Promise<void> {
    const { source, target, mapping, signal } = this.options;
    const targetExists = await this.ensureTargetBucket();
    if (mapping.keepVersions === true) await this.prepareVersions(targetExists);
    // The reserved .cds-versions/ folder is never a sync object on either side (versions.ts).
    const bound = (sourceKey: string): boolean => isVersionsKey(sourceKey) || isVersionsKey(mapping.targetPrefix + sourceKey.slice(mapping.sourcePrefix.length));
    const sourceList = source.list(mapping.sourceBucket, mapping.sourcePrefix, signal, (skipped) =>
      this.log('warn', `Not synced: ${skipped.key} (${skipped.reason})`, skipped.key, { event: 'object.not-synced' }),
    );
    const listingStarted = Date.now();
    const emit = this.onEvent;
    const merged = mergeListings(
      withoutVersions(sourceList, (o) => bound(o.key), () => this.versionKeysLeftOut++),
      mapping.sourcePrefix,
      targetExists ? withoutVersions(target.list(mapping.targetBucket, mapping.targetPrefix, signal), (o) => isVersionsKey(o.key)) : noObjects(),
      mapping.targetPrefix,
      undefined,
      emit &&
        ((side, end) =>
          emit({
            type: 'listing.finished',
            side,
            startedAt: listingStarted,
            finishedAt: Date.now(),
            objects: end.objects,
            error: end.error ? eventError(end.error.cause) : end.complete ? null : { code: 'Cancelled', message: 'the run stopped before the listing ended' },
          })),
    );
    const state = new StateCursor(syncState, mapping.id);
    let chunk: MergedEntry[] = [];
    for await (const entry of merged) {
      if (this.stopping) break;
      if (entry.target) this.targetObjects++;
      chunk.push(entry);
      if (chunk.length >= STATE_CHUNK) {
        await this.planChunk(chunk, await state.takeThrough(chunk[chunk.length - 1]!.key));
        chunk = [];
      }
    }
    if (this.stopping) return;
    // The listing is complete: the final chunk also takes every state row past the last listed key.
    await this.planChunk(chunk, await state.takeThrough(null));
    this.progress.setPhase('transferring', true);
    await Promise.allSettled(this.inFlight);
  }

  /**
   * With createTargetBucket (never otherwise), a target bucket that does not exist is created before
   * it is listed; a dry run only says it would be. False when the bucket is still missing (a dry run),
   * so the run plans against an empty target. Without the flag a missing bucket fails the listing.
   */
  private async ensureTargetBucket(): Promise<boolean> {
    const { target, mapping, signal } = this.options;
    if (mapping.createTargetBucket !== true) return true;
    // One page of at most one key: the listing contract's way to ask whether the bucket exists.
    const missing = await target.listPage(mapping.targetBucket, '', null, signal, 1).then(
      () => false,
      (err: unknown) => {
        if (isStorageError(err, 'NotFound')) return true;
        throw new ListingError('target', err);
      },
    );
    if (!missing) return true;
    if (this.dryRun) {
      const versioning = mapping.keepVersions === true && target.versioning !== undefined ? ' with versioning on' : '';
      this.log('info', `Target bucket ${mapping.targetBucket} does not exist: a run would create it${versioning} (createTargetBucket)`);
      return false;
    }
    // keepVersions: a bucket the run creates keeps versions from its first object (providers with bucket versioning).
    const versioning = mapping.keepVersions === true && target.versioning !== undefined;
    await target.createBucket(mapping.targetBucket, signal, versioning ? { versioning } : undefined);
    this.log('info', `Created target bucket ${mapping.targetBucket}${versioning ? ' with versioning on (keepVersions)' : ''}`);
    return true;
  }

  /**
   * keepVersions: before anything is listed, how previous versions will be kept; a bucket without
   * versioning enabled refuses the run (versions.ts). Said once in the log, dry runs included.
   */
  private async prepareVersions(bucketExists: boolean): Promise<void> {
    const { target, mapping, signal } = this.options;
    try {
      this.versions = await prepareVersions({ target, bucket: mapping.targetBucket, targetPrefix: mapping.targetPrefix, runStartedAt: this.run.startedAt, bucketExists, signal });
    } catch (err) {
      if (err instanceof VersionsRefusedError) throw new RunError(err.message, 'VersionsUnavailable');
      throw err;
    }
    const keeping = this.versions;
    this.log('info', keeping.kind === 'bucket'
      ? `keepVersions: bucket versioning of ${keeping.bucket} keeps the previous version of every object ${this.dryRun ? 'a run' : 'this run'} overwrites or deletes`
      : `keepVersions: ${this.dryRun ? 'a run would keep' : 'keeping'} the previous version of every object overwritten or deleted in ${keeping.bucket}/${keeping.folder}${this.dryRun ? '; a dry run keeps nothing' : ''}`);
  }

  /**
   * keepVersions with a versions folder: keeps the target object at `key` (relative) before it is
   * replaced or deleted. False when there is nothing to keep (no folder keeping, or the object is
   * gone since it was listed); throws when keeping failed, and the object must then stay as it is.
   */
  private async keepPrevious(key: string, listed?: ObjectInfo): Promise<boolean> {
    const keeping = this.versions;
    if (keeping?.kind !== 'folder') return false;
    const { target, mapping, signal } = this.options;
    return keepVersion({ target, keeping, key: mapping.targetPrefix + key, listed, retry: this.retry, signal });
  }

  /** Joins one chunk of merged entries with the state rows of the same key range, then acts on each. */
  private async planChunk(entries: MergedEntry[], rows: SyncedObject[]): Promise<void> {
    let r = 0;
    for (const entry of entries) {
      while (r < rows.length && compareKeys(rows[r]!.key, entry.key) < 0) await this.act({ key: rows[r]!.key, state: rows[r++] });
      const state = r < rows.length && rows[r]!.key === entry.key ? rows[r++] : undefined;
      await this.act({ ...entry, state });
    }
    while (r < rows.length) await this.act({ key: rows[r]!.key, state: rows[r++] });
  }

  private async act(entry: MergedEntry & { state?: SyncedObject }): Promise<void> {
    if (entry.key === '') {
      if (entry.source) this.log('warn', `Skipped "${entry.source.key}": it equals the source prefix, so it has no name of its own at the target`);
      return;
    }
    const rule = this.excludedBy(entry);
    if (rule !== null) return this.actExcluded(entry, rule);
    const action: PlanAction = planKey(entry, this.mapping.deleteMode);
    if (action.kind === 'skip' || action.kind === 'adopt' || action.kind === 'copy') this.outcomes.planned++;
    switch (action.kind) {
      case 'skip':
        this.counts.skipped++;
        this.onEvent?.({ type: 'object.checked', key: entry.key, adopted: false });
        return;
      case 'adopt':
        this.counts.adopted++;
        this.onEvent?.({ type: 'object.checked', key: entry.key, adopted: true });
        if (!this.dryRun) this.recorder.upsertState(stateRow(entry.key, entry.source!, entry.target!, entry.source!.md5 ?? null));
        return;
      case 'forget':
        if (!this.dryRun) this.recorder.removeState(entry.key);
        return;
      case 'keep':
        if (action.reason === 'target-changed') {
          this.log('warn', `Kept ${entry.key} at the target: it was deleted at the source but changed at the target since the last sync`, entry.key, { event: 'object.kept' });
        }
        return;
      case 'delete':
        return this.deletes.add({ key: entry.key, size: entry.target?.size, reason: action.reason });
      case 'copy':
        return this.scheduleCopy(entry.key, entry.source!, action.reason, entry.target);
    }
  }

  /**
   * The filter rule that excludes the entry, or null. The key is relative to the prefix of the side
   * listing it; size and age are the source object's when the source has one, else the target's (as
   * rclone filters both sides). A state row alone (gone on both sides) is not filtered: forgetting
   * it changes nothing anywhere.
   */
  private excludedBy(entry: MergedEntry): FilterRule | null {
    const object = entry.source ?? entry.target;
    if (!this.filters.active || object === undefined) return null;
    return this.filters.decide(entry.key, object.size, object.lastModified, this.startedAt);
  }

  /**
   * An excluded object is not copied and its sync state is left as it is, so changing a filter
   * neither deletes nor re-copies anything. It is deleted at the target only with deleteExcluded, and
   * then as if the source lacked it: the delete mode's rules (planKey) decide, deletes wait for a
   * complete listing and count against maxDelete like any other.
   */
  private async actExcluded(entry: MergedEntry & { state?: SyncedObject }, rule: FilterRule): Promise<void> {
    this.excluded.add(rule);
    if (!this.filters.deleteExcluded || entry.target === undefined) return;
    const action = planKey({ key: entry.key, target: entry.target, state: entry.state }, this.mapping.deleteMode);
    if (action.kind === 'delete') await this.deletes.add({ key: entry.key, size: entry.target.size, reason: 'excluded' });
  }

  /** `replaces`: the target object the copy overwrites, as the target listing had it. */
  private async scheduleCopy(key: string, listed: ObjectInfo, reason: string, replaces?: ObjectInfo): Promise<void> {
    if (this.dryRun) {
      if (replaces && this.versions) this.versionsKept++;
      this.counts.copied++;
      this.counts.bytesCopied += listed.size;
      if (this.preview.copies.length < (this.options.previewLimit ?? 100)) this.preview.copies.push({ key, size: listed.size, reason });
      return;
    }
    this.progress.planned(listed.size);
    // Back-pressure: the listing runs at most QUEUE_AHEAD planned copies ahead of the transfers, so
    // most runs know their totals (and an ETA) early, while memory stays bounded for any bucket size.
    let releaseQueued: () => void;
    try {
      releaseQueued = await this.queued.acquire(this.options.signal);
    } catch (err) {
      this.outcomes.cancelled++; // only the run's own signal can end this wait
      throw err;
    }
    const task = this.copyWhenSlotFree(key, listed, reason, replaces).finally(() => {
      releaseQueued();
      this.inFlight.delete(task);
    });
    this.inFlight.add(task);
  }

  /** Waits for a transfer slot (per mapping, then global) and copies, unless the run stopped meanwhile. */
  private async copyWhenSlotFree(key: string, listed: ObjectInfo, reason: string, replaces: ObjectInfo | undefined): Promise<void> {
    let release: (() => void) | undefined;
    let releaseGlobal: (() => void) | undefined;
    let releaseLarge: (() => void) | undefined;
    let releaseSized: (() => void) | undefined;
    try {
      // Large objects take at most half the slots, so a batch of them never starves the small ones.
      if (listed.size >= LARGE_OBJECT_BYTES) releaseLarge = await this.largeLane.acquire(this.options.signal);
      if (listed.size >= ADAPTIVE_OBJECT_BYTES) releaseSized = await this.sizedLane.acquire(this.options.signal);
      release = await this.limiter.acquire(this.options.signal);
      releaseGlobal = await this.options.globalLimiter?.acquire(this.options.signal);
      // A graceful stop that came while this copy waited: in-flight transfers finish, no new one starts.
      if (this.stopping) this.outcomes.cancelled++;
      else {
        this.copying++;
        await this.copy(key, listed, reason, replaces).finally(() => this.copying--);
      }
    } catch (err) {
      // Only a failed wait for a slot gets here (copy() records its own outcomes): the run's own
      // abort is a cancel, anything else a failure of this object.
      if (this.options.signal?.aborted) this.outcomes.cancelled++;
      else {
        const failure = unexpectedAbortAsTransient(err, this.options.signal, `waiting to copy ${key}`);
        this.fail(key, failure);
        this.onEvent?.({ type: 'object.failed', key, error: eventError(failure) });
      }
    } finally {
      releaseGlobal?.();
      release?.();
      releaseSized?.();
      releaseLarge?.();
    }
  }

  private async copy(key: string, listed: ObjectInfo, reason: string, replaces: ObjectInfo | undefined): Promise<void> {
    const { mapping, source, target } = this.options;
    const handle = this.progress.begin(key, listed.size);
    const startedAt = Date.now();
    let attempts = 1;
    let bytes = 0;
    let route: CopyRoute = 'streamed';
    this.onEvent?.({ type: 'transfer.started', key, size: listed.size });
    const finished = (outcome: 'copied' | 'failed' | 'cancelled', error: EventError | null): void =>
      this.onEvent?.({ type: 'transfer.finished', key, size: listed.size, outcome, serverSide: route === 'server-side', route, bytes, attempts, startedAt, finishedAt: Date.now(), error });
    let result: TransferResult;
    try {
      // keepVersions: the object this copy replaces is kept first; if it cannot be, it is not replaced.
      if (replaces !== undefined && (await this.keepPrevious(key, replaces))) this.versionsKept++;
      result = await transferObject({
        source,
        target,
        sameConnection: this.options.sameConnection,
        sourceBucket: mapping.sourceBucket,
        sourceKey: mapping.sourcePrefix + key,
        targetBucket: mapping.targetBucket,
        targetKey: mapping.targetPrefix + key,
        listed,
        retry: this.retry,
        signal: this.options.signal,
        journalFor: this.journals && ((version) => this.journals!.journalFor(key, mapping.targetPrefix + key, version)),
        throttle: this.throttle,
        targetOptions: this.targetOptions,
        pull: this.dryRun ? undefined : this.pull,
        onRoute: (taken) => (route = taken),
        onBytes: (n) => {
          bytes += n;
          this.progress.bytes(handle, n);
        },
        onRestart: () => this.progress.restart(handle),
        onRetry: (err, attempt, delay) => {
          attempts = attempt + 1;
          if (isStorageError(err, 'Throttled')) this.adaptive.throttled();
          const code = isStorageError(err) ? err.code : 'Transient';
          this.onEvent?.({ type: 'retry', what: `copy ${key}`, key, code, attempt, delayMs: delay });
          this.log('warn', `Retrying ${key} in ${delay} ms (attempt ${attempt + 1}/${this.retry.attempts}): ${errorText(err)}`, key, { event: 'object.retry', code });
        },
      });
    } catch (err) {
      if (isStorageError(err, 'Throttled')) this.adaptive.throttled();
      this.progress.end(handle, false);
      // Only the run's own signal means "cancelled": any other abort-looking error is a failure.
      if (this.options.signal?.aborted) {
        this.outcomes.cancelled++;
        finished('cancelled', null);
      } else {
        this.fail(key, err);
        finished('failed', eventError(err));
      }
      return;
    }
    this.progress.end(handle, true);
    route = result.route;
    finished('copied', null);
    // Demand: every slot copying and more copies waiting, so the limit (not the global cap) held them back.
    this.adaptive.completed(result.source.size, this.copying >= this.adaptive.limit && this.inFlight.size > this.copying);
    this.counts.copied++;
    if (result.tagsDropped) this.tagsDropped++;
    if (replaces && this.versions?.kind === 'bucket') this.versionsKept++;
    this.counts.bytesCopied += result.source.size;
    // The state row is written only now, after the bytes were verified. The source MD5 recorded is
    // the source's own, or ours when the bytes were verified end to end against another checksum.
    const sourceMd5 = result.source.md5 ?? (result.verifiedWith.length > 0 ? result.md5 : undefined) ?? null;
    this.recorder.upsertState(stateRow(key, result.source, result.target, sourceMd5));
    if (result.route === 'server-side' && this.bandwidth !== null && !this.serverSideNoted) {
      this.serverSideNoted = true;
      this.log('info', 'Server-side copies do not pass through this machine: the bandwidth limit does not apply to them');
    }
    if (result.route === 'pulled' && this.bandwidth !== null && !this.pulledNoted) {
      this.pulledNoted = true;
      this.log('info', 'Objects the target pulls from source URLs do not pass through this machine: the bandwidth limit does not apply to them');
    }
    this.log('info', `Copied ${key} (${formatBytes(result.source.size)}, ${copiedHow(result)}; ${reason})`, key, { event: 'object.copied' });
  }

  private fail(key: string, err: unknown): void {
    this.counts.failed++;
    const message = `Failed to copy ${key}: ${errorText(err)}`;
    const code = errorCodeOf(err);
    this.recordError(message, code);
    this.log('error', message, key, { event: 'object.failed', code });
  }

  private async deletePhase(): Promise<void> {
    const deletes = this.deletes;
    if (deletes.count === 0 || this.stopping) return;
    // Every transfer has settled here: an object without an outcome blocks every deletion.
    const unaccounted = this.unaccountedObjects();
    if (unaccounted !== null) throw new RunError(unaccounted, 'Unaccounted');
    if (this.counts.failed > 0) {
      this.log('warn', `Skipped ${deletes.count} deletion(s) because ${this.counts.failed} transfer(s) failed; they will be retried next run`, undefined, { event: 'deletes.blocked' });
      this.onEvent?.({ type: 'deletes.blocked', count: deletes.count, reason: 'failedTransfers' });
      return;
    }
    this.checkMaxDelete(deletes.count);
    if (this.dryRun) {
      this.counts.deleted += deletes.count;
      if (this.versions) this.versionsKept += deletes.count;
      this.preview.deletes.push(...deletes.first);
      return;
    }
    const { target, mapping, signal } = this.options;
    for await (const planned of deletes.batches(DELETE_BATCH)) {
      if (this.stopping) return;
      const batch = await this.keepBeforeDelete(planned);
      if (batch.length === 0) continue;
      try {
        // Retried and paced by the connection's provider stack (providers/stack.ts), like every single call.
        await target.remove(mapping.targetBucket, batch.map((d) => mapping.targetPrefix + d.key), signal);
      } catch (err) {
        // Whatever a failed batch did delete is gone: count and log it before failing the run.
        if (err instanceof PartialRemoveError) this.recordDeleted(batch, new Set(err.removed));
        throw err;
      }
      this.recordDeleted(batch);
    }
  }

  /**
   * keepVersions with a versions folder: keeps each object of `batch` first, `transfers` at a time,
   * and returns the deletes that may go ahead. An object whose previous version could not be kept
   * fails and stays (the run ends partial); one a stop came before stays for the next run.
   */
  private async keepBeforeDelete(batch: PendingDelete[]): Promise<PendingDelete[]> {
    if (this.versions?.kind !== 'folder') return batch;
    const ready: PendingDelete[] = [];
    const keepOne = async (d: PendingDelete): Promise<void> => {
      if (this.stopping) return;
      try {
        if (await this.keepPrevious(d.key)) this.versionsKept++;
        ready.push(d);
      } catch (err) {
        if (this.options.signal?.aborted) throw err;
        this.counts.failed++;
        this.outcomes.deleteFailures++;
        const message = `Failed to delete ${d.key}: ${errorText(err)}; it stays at the target`;
        const code = errorCodeOf(err);
        this.recordError(message, code);
        this.log('error', message, d.key, { event: 'object.failed', code });
        this.onEvent?.({ type: 'object.failed', key: d.key, error: { code, message } });
      }
    };
    const width = Math.max(1, this.mapping.transfers);
    for (let i = 0; i < batch.length; i += width) await Promise.all(batch.slice(i, i + width).map(keepOne));
    // Deletes go in key order, as the batch came.
    const order = new Map(batch.map((d, i) => [d.key, i]));
    return ready.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  }

  /** Counts, logs and forgets the deletes of `batch` (those whose target key is in `removed`, when given). */
  private recordDeleted(batch: PendingDelete[], removed?: ReadonlySet<string>): void {
    const { mapping } = this.options;
    const deleted: string[] = [];
    for (const d of batch) {
      if (removed && !removed.has(mapping.targetPrefix + d.key)) continue;
      this.recorder.removeState(d.key);
      this.counts.deleted++;
      deleted.push(d.key);
      if (this.versions?.kind === 'bucket') this.versionsKept++;
      this.log('info', `Deleted ${d.key} from the target (${DELETE_REASON_TEXT[d.reason]})`, d.key, { event: 'object.deleted' });
    }
    if (deleted.length > 0) this.onEvent?.({ type: 'objects.deleted', keys: deleted });
  }

  private checkMaxDelete(count: number): void {
    const limit = this.mapping.maxDelete;
    if (!limit || withinLimit(limit, count, this.targetObjects)) return;
    this.onEvent?.({ type: 'deletes.blocked', count, reason: 'maxDelete' });
    const share = this.targetObjects > 0 ? ` (${((count / this.targetObjects) * 100).toFixed(1)}% of ${this.targetObjects} target objects)` : '';
    throw new RunError(
      `${MAX_DELETE_GUARD} tripped: this run would delete ${count} object(s)${share}, above the limit of ${formatLimit(limit)}. ` +
        'Nothing was deleted. Check the source, or raise maxDelete for this mapping.',
      'MaxDeleteGuard',
    );
  }

  private recordError(message: string, code: RunErrorCode): void {
    if (this.firstError !== null) return;
    this.firstError = message;
    this.errorCode = code;
  }

  /** `tags`: what structured logs (--log-format json) need beyond the text: the kind of line and an error code. */
  private log(level: LogLevel, message: string, key?: string, tags?: Pick<RunLogLine, 'event' | 'code'>): void {
    const line: RunLogLine = tags ? { level, message, key, ...tags } : { level, message, key };
    this.recorder.log(line);
    this.options.onLog?.(line);
  }
}

const DELETE_REASON_TEXT: Record<PendingDelete['reason'], string> = {
  'source-deleted': 'deleted at the source',
  extra: 'not in the source',
  excluded: 'excluded by the filters, deleteExcluded',
};

/** The start of a run's firstError when the maxDelete guard stopped it (its errorCode is 'MaxDeleteGuard'). */
const MAX_DELETE_GUARD = 'maxDelete guard';

export function withinLimit(limit: MaxDelete, count: number, targetObjects: number): boolean {
  if (limit.kind === 'count') return count <= limit.value;
  return targetObjects > 0 && (count / targetObjects) * 100 <= limit.value;
}

function formatLimit(limit: MaxDelete): string {
  return limit.kind === 'count' ? `${limit.value} object(s)` : `${limit.value}%`;
}

function stateRow(key: string, source: ObjectInfo, target: { etag: string; size: number; lastModified?: number }, md5: string | null): SyncedObject {
  return {
    key,
    sourceEtag: source.etag,
    sourceSize: source.size,
    sourceMtime: source.lastModified,
    sourceMd5: md5,
    targetEtag: target.etag,
    targetSize: target.size,
    targetMtime: target.lastModified ?? null,
    syncedAt: Date.now(),
  };
}

/** A copy's route and check, for its log line: "server-side", "pulled by the target, verified: md5"... */
function copiedHow(result: TransferResult): string {
  if (result.route === 'server-side') return 'server-side';
  const verified = result.verifiedWith.length > 0 ? `verified: ${result.verifiedWith.join(', ')}` : 'source declares no checksum';
  if (result.route === 'pulled') return `pulled by the target, ${verified}`;
  // The reason is the target's words at worst: no ";" in it, which ends the route part of the line.
  return result.notPulled === undefined ? verified : `streamed (not pulled: ${result.notPulled.replace(/;/g, ',')}), ${verified}`;
}

function optionalText<K extends string>(name: K, text: string | null): { [P in K]?: string } {
  return (text === null ? {} : { [name]: text }) as { [P in K]?: string };
}

/** The listing of a bucket that does not exist yet. */
async function* noObjects(): AsyncIterable<ObjectInfo> {}

function describeRunError(err: unknown, mapping: Mapping, connectionName: (id: string) => string): string {
  if (err instanceof ListingError) {
    const bucket = err.side === 'source' ? mapping.sourceBucket : mapping.targetBucket;
    const connection = connectionName(err.side === 'source' ? mapping.sourceConnectionId : mapping.targetConnectionId);
    const what = isStorageError(err.cause, 'NotFound')
      ? `${err.side} bucket "${bucket}" was not found on connection "${connection}"`
      : `listing the ${err.side} bucket "${bucket}" on connection "${connection}" failed: ${errorText(err.cause)}`;
    return `${what}. Nothing was deleted.`;
  }
  return errorText(err);
}

/** The code of an error that stopped a run or failed an object (ports.ts ENGINE_ERROR_CODES). */
function errorCodeOf(err: unknown): RunErrorCode {
  if (err instanceof RunError) return err.code;
  if (err instanceof ListingError) return isStorageError(err.cause) ? err.cause.code : 'ListingFailed';
  if (isStorageError(err)) return err.code;
  return 'Internal';
}

function eventError(err: unknown): EventError {
  return { code: errorCodeOf(err), message: errorText(err) };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function summaryLine(status: RunStatus, c: RunCounts, dryRun: boolean): string {
  return `Run ${status}: ${formatRunCounts(c, dryRun)}`;
}
