// Progress accounting for one run. Byte counts come from wrapping each transfer's stream; snapshots
// are coalesced so listeners (IPC, WebSocket, CLI) get at most one per `intervalMs`.
import type { ProgressSnapshot, TransferProgress } from '../../shared/model';

const RATE_WINDOW_MS = 5_000;

export class ProgressTracker {
  private objectsDone = 0;
  private objectsTotal = 0;
  private bytesDone = 0;
  private bytesTotal = 0;
  private phase: ProgressSnapshot['phase'] = 'listing';
  private totalsFinal = false;
  private readonly inFlight = new Map<number, TransferProgress>();
  private nextTransferId = 1;
  /** (time, bytesDone, objectsDone) samples for the sliding-window rates. */
  private samples: Array<[number, number, number]> = [];
  private lastEmit = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The bandwidth limit that applies now, for snapshots (ProgressSnapshot.bandwidthLimit); unset: none to follow. */
  bandwidthLimit: (() => ProgressSnapshot['bandwidthLimit']) | undefined;

  constructor(
    private readonly mappingId: string,
    private readonly runId: number,
    private readonly listener: ((snapshot: ProgressSnapshot) => void) | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** A transfer of `size` bytes was planned. */
  planned(size: number): void {
    this.objectsTotal++;
    this.bytesTotal += size;
    this.changed();
  }

  setPhase(phase: ProgressSnapshot['phase'], totalsFinal = this.totalsFinal): void {
    this.phase = phase;
    this.totalsFinal = totalsFinal;
    this.changed();
  }

  /** Starts tracking one transfer; returns its handle. */
  begin(key: string, size: number): number {
    const id = this.nextTransferId++;
    this.inFlight.set(id, { key, size, bytesDone: 0 });
    this.changed();
    return id;
  }

  /** Bytes moved by a transfer. A retry that resends calls `restart` first so nothing is counted twice. */
  bytes(id: number, count: number): void {
    const t = this.inFlight.get(id);
    if (t) t.bytesDone += count;
    this.bytesDone += count;
    this.changed();
  }

  restart(id: number): void {
    const t = this.inFlight.get(id);
    if (!t) return;
    this.bytesDone -= t.bytesDone;
    t.bytesDone = 0;
    this.changed();
  }

  /** Ends a transfer. A failed one gives back its bytes so bytesDone only counts delivered data. */
  end(id: number, ok: boolean): void {
    const t = this.inFlight.get(id);
    if (!t) return;
    this.inFlight.delete(id);
    if (ok) {
      this.objectsDone++;
      this.bytesDone += t.size - t.bytesDone; // server-side copies move no bytes through us
    } else {
      this.bytesDone -= t.bytesDone;
      this.objectsTotal--;
      this.bytesTotal -= t.size;
    }
    this.changed();
  }

  snapshot(): ProgressSnapshot {
    const now = this.now();
    this.samples.push([now, this.bytesDone, this.objectsDone]);
    while (this.samples.length > 2 && this.samples[0]![0] < now - RATE_WINDOW_MS) this.samples.shift();
    const [t0, b0, o0] = this.samples[0]!;
    const elapsed = (now - t0) / 1000;
    const bytesPerSecond = elapsed > 0 ? Math.max(0, (this.bytesDone - b0) / elapsed) : 0;
    const objectsPerSecond = elapsed > 0 ? Math.max(0, (this.objectsDone - o0) / elapsed) : 0;
    return {
      mappingId: this.mappingId,
      runId: this.runId,
      phase: this.phase,
      objectsDone: this.objectsDone,
      objectsTotal: this.objectsTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond,
      etaSeconds: this.totalsFinal ? this.eta(bytesPerSecond, objectsPerSecond) : null,
      totalsFinal: this.totalsFinal,
      inFlight: [...this.inFlight.values()].map((t) => ({ ...t })),
      ...(this.bandwidthLimit ? { bandwidthLimit: this.bandwidthLimit() } : {}),
    };
  }

  /**
   * Seconds left: the longer of what the bytes left and the objects left take at the recent rates.
   * Bytes alone say "less than a second" while many small objects (each a few requests) remain;
   * objects alone misjudge one large object. An estimate whose rate is unknown yet is left out;
   * null when neither is known.
   */
  private eta(bytesPerSecond: number, objectsPerSecond: number): number | null {
    const bytesLeft = this.bytesTotal - this.bytesDone;
    const objectsLeft = this.objectsTotal - this.objectsDone;
    const estimates = [
      bytesLeft <= 0 ? 0 : bytesPerSecond > 0 ? bytesLeft / bytesPerSecond : null,
      objectsLeft <= 0 ? 0 : objectsPerSecond > 0 ? objectsLeft / objectsPerSecond : null,
    ].filter((e): e is number => e !== null);
    return estimates.length === 0 ? null : Math.max(...estimates);
  }

  /** Emits the final snapshot now and stops the coalescing timer. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = 'done';
    this.totalsFinal = true;
    this.emit();
  }

  private changed(): void {
    if (!this.listener || this.timer) return;
    const wait = Math.max(0, this.lastEmit + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit();
    }, wait);
    this.timer.unref?.();
  }

  private emit(): void {
    if (!this.listener) return;
    this.lastEmit = this.now();
    this.listener(this.snapshot());
  }
}
