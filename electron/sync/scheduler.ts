// When runs happen: per-mapping intervals, "sync now", a cap on mappings running at once, pause and
// resume, and a graceful stop for quit. A mapping never runs twice at once: a trigger that arrives
// while it runs queues exactly one follow-up run.
import type { MappingStatus } from '../../shared/contract';
import type { Mapping, RunSummary } from '../../shared/model';

export interface RunControl {
  /** Abort now: in-flight transfers are aborted. */
  signal: AbortSignal;
  /** Graceful: start no new transfer, let in-flight ones finish. */
  stopSignal: AbortSignal;
}

export interface SchedulerOptions {
  listMappings(): Mapping[];
  runMapping(mapping: Mapping, control: RunControl): Promise<RunSummary>;
  maxConcurrentRuns: number;
  onStatus?(status: MappingStatus): void;
  lastRun?(mappingId: string): RunSummary | null;
  now?: () => number;
}

/** setTimeout fires at once for delays above 2^31-1 ms (~24.8 days): longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  mapping: Mapping;
  timer?: NodeJS.Timeout;
  nextRunAt: number | null;
  queued: boolean;
  followUp: boolean;
  running?: { abort: AbortController; stop: AbortController; done: Promise<void> };
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  /** Mapping ids waiting for a run slot, in trigger order. */
  private readonly queue: string[] = [];
  private started = false;
  private stopping = false;
  private isPaused = false;
  /**
   * MappingStatus.version: counts the status changes announced, from the start time in microseconds
   * so that a restarted server's statuses are newer than the last one's (a renderer that reconnects
   * still holds those).
   */
  private statusVersion = Date.now() * 1000;
  private maxConcurrentRuns: number;
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions) {
    this.maxConcurrentRuns = Math.max(1, options.maxConcurrentRuns);
    this.now = options.now ?? Date.now;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Arms the timers; mappings with an interval run once right away (as the CLI does at start). */
  start(): void {
    this.started = true;
    this.sync(true);
  }

  /** Re-reads the mappings (after create/update/delete/enable) and re-arms their timers. */
  refresh(): void {
    this.sync(false);
  }

  private sync(atStart: boolean): void {
    const mappings = this.options.listMappings();
    const ids = new Set(mappings.map((m) => m.id));
    for (const [id, entry] of this.entries) {
      if (ids.has(id)) continue;
      // Deleted: stop its run and forget it.
      this.clearTimer(entry);
      entry.running?.abort.abort();
      this.entries.delete(id);
      this.dequeue(id);
    }
    for (const mapping of mappings) {
      const existing = this.entries.get(mapping.id);
      const entry = existing ?? { mapping, nextRunAt: null, queued: false, followUp: false };
      const timingChanged = existing !== undefined && (existing.mapping.intervalSeconds !== mapping.intervalSeconds || existing.mapping.enabled !== mapping.enabled);
      entry.mapping = mapping;
      this.entries.set(mapping.id, entry);
      const interval = this.intervalMs(mapping);
      if (!mapping.enabled) {
        this.clearTimer(entry);
        this.dequeue(mapping.id);
        entry.followUp = false;
        entry.nextRunAt = null;
      } else if (entry.running) {
        // finished() arms the next run from the new settings.
      } else if (existing === undefined || timingChanged || (atStart && entry.timer === undefined)) {
        this.arm(entry, atStart && interval !== null ? 0 : interval);
      }
      this.publish(entry);
    }
    this.pump();
  }

  /** Queues one mapping (or every enabled one). Returns the ids that will run. */
  syncNow(mappingId?: string): string[] {
    const targets = mappingId === undefined ? [...this.entries.values()].filter((e) => e.mapping.enabled) : [this.entry(mappingId)];
    for (const entry of targets) this.trigger(entry);
    this.pump();
    return targets.map((e) => e.mapping.id);
  }

  /** Aborts a running run (recorded as cancelled) and drops its follow-up and queue place. */
  cancel(mappingId: string): boolean {
    const entry = this.entry(mappingId);
    entry.followUp = false;
    const wasQueued = this.dequeue(mappingId);
    entry.running?.abort.abort();
    this.publish(entry);
    return wasQueued || entry.running !== undefined;
  }

  /** No new runs start; running ones stop gracefully (in-flight objects finish). */
  pause(): void {
    this.isPaused = true;
    for (const entry of this.entries.values()) {
      entry.running?.stop.abort();
      this.publish(entry);
    }
  }

  resume(): void {
    this.isPaused = false;
    for (const entry of this.entries.values()) this.publish(entry);
    this.pump();
  }

  setMaxConcurrentRuns(n: number): void {
    this.maxConcurrentRuns = Math.max(1, n);
    this.pump();
  }

  runningIds(): string[] {
    return [...this.entries.values()].filter((e) => e.running).map((e) => e.mapping.id);
  }

  status(mappingId: string): MappingStatus {
    return this.statusOf(this.entry(mappingId));
  }

  statuses(): MappingStatus[] {
    return [...this.entries.values()].map((e) => this.statusOf(e));
  }

  /** For quit: no new runs; running ones stop gracefully, and are aborted after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    const running: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      this.clearTimer(entry);
      entry.followUp = false;
      entry.queued = false;
      if (entry.running) {
        entry.running.stop.abort();
        running.push(entry.running.done);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running), grace]);
    clearTimeout(timer);
    for (const entry of this.entries.values()) entry.running?.abort.abort();
    await Promise.all(running);
  }

  private entry(mappingId: string): Entry {
    const entry = this.entries.get(mappingId);
    if (!entry) throw new SchedulerError(`mapping "${mappingId}" does not exist`);
    return entry;
  }

  private trigger(entry: Entry): void {
    if (this.stopping) return;
    if (entry.running) entry.followUp = true;
    else if (!entry.queued) {
      entry.queued = true;
      this.queue.push(entry.mapping.id);
    }
    this.publish(entry);
  }

  private pump(): void {
    if (this.isPaused || this.stopping) return;
    while (this.queue.length > 0 && this.runningIds().length < this.maxConcurrentRuns) {
      const entry = this.entries.get(this.queue.shift()!);
      if (!entry) continue;
      entry.queued = false;
      this.launch(entry);
    }
  }

  private launch(entry: Entry): void {
    const abort = new AbortController();
    const stop = new AbortController();
    this.clearTimer(entry);
    entry.nextRunAt = null;
    const done = this.options
      .runMapping(entry.mapping, { signal: abort.signal, stopSignal: stop.signal })
      .then(
        () => undefined,
        () => undefined, // the runner records its own failures; a rejection here must not stop scheduling
      )
      .finally(() => this.finished(entry));
    entry.running = { abort, stop, done };
    this.publish(entry);
  }

  private finished(entry: Entry): void {
    entry.running = undefined;
    if (this.stopping || !this.entries.has(entry.mapping.id)) return;
    if (entry.followUp) {
      entry.followUp = false;
      this.trigger(entry);
    }
    // The next scheduled run counts from the end of this one, so slow runs never pile up.
    if (entry.mapping.enabled) this.arm(entry, this.intervalMs(entry.mapping));
    this.publish(entry);
    this.pump();
  }

  private intervalMs(mapping: Mapping): number | null {
    return mapping.intervalSeconds ? mapping.intervalSeconds * 1000 : null;
  }

  private arm(entry: Entry, delayMs: number | null): void {
    this.clearTimer(entry);
    if (delayMs === null || !this.started || this.stopping) {
      entry.nextRunAt = null;
      return;
    }
    entry.nextRunAt = this.now() + delayMs;
    this.armUntil(entry, entry.nextRunAt);
  }

  private armUntil(entry: Entry, at: number): void {
    const wait = Math.max(0, at - this.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (at - this.now() > 0) return this.armUntil(entry, at); // a re-armed long wait
      entry.nextRunAt = null;
      this.trigger(entry);
      this.pump();
    }, Math.min(wait, MAX_TIMER_MS));
    entry.timer.unref?.();
  }

  private clearTimer(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  private dequeue(mappingId: string): boolean {
    const i = this.queue.indexOf(mappingId);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    const entry = this.entries.get(mappingId);
    if (entry) entry.queued = false;
    return true;
  }

  private statusOf(entry: Entry): MappingStatus {
    // A run asked for while paused is queued (it starts on resume), and says so.
    const state = !entry.mapping.enabled && !entry.running && !entry.queued
      ? 'disabled'
      : entry.running
        ? 'running'
        : entry.queued
          ? 'queued'
          : this.isPaused
            ? 'paused'
            : 'idle';
    return {
      mappingId: entry.mapping.id,
      state,
      followUpQueued: entry.followUp,
      nextRunAt: entry.nextRunAt,
      lastRun: this.options.lastRun?.(entry.mapping.id) ?? null,
      version: this.statusVersion,
    };
  }

  private publish(entry: Entry): void {
    this.statusVersion++;
    this.options.onStatus?.(this.statusOf(entry));
  }
}

export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
}
