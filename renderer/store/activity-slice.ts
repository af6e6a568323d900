// Live progress of running mappings, fed by `progress`, `run.started` and `run.finished` events,
// with a throughput history of the last minute for the chart.
import type { ProgressSnapshot } from '../../shared/model';
import type { SliceCreator, StoreDeps } from './types';

export interface ThroughputSample {
  /** ms since epoch */
  t: number;
  bytesPerSecond: number;
}

/** How far back the throughput chart looks. */
export const THROUGHPUT_WINDOW_MS = 60_000;
/** Samples closer together than this replace the previous one (events come ~10/s). */
const SAMPLE_SPACING_MS = 250;

export interface ActivitySlice {
  /** The latest snapshot per running mapping; removed when its run finishes. */
  progress: Record<string, ProgressSnapshot>;
  throughput: Record<string, ThroughputSample[]>;
  recordProgress: (snapshot: ProgressSnapshot) => void;
  recordRunStarted: (event: { mappingId: string; runId: number }) => void;
  recordRunFinished: (mappingId: string) => void;
  /** Drops progress of mappings no longer running (a finish event missed while disconnected). */
  pruneProgress: (runningIds: readonly string[]) => void;
}

export const createActivitySlice = ({ now }: StoreDeps): SliceCreator<ActivitySlice> => (set) => ({
  progress: {},
  throughput: {},
  recordProgress: (snapshot) =>
    set((s) => {
      const t = now();
      const previous = s.throughput[snapshot.mappingId] ?? [];
      const recent = previous.filter((sample) => sample.t > t - THROUGHPUT_WINDOW_MS);
      const last = recent[recent.length - 1];
      const sample = { t, bytesPerSecond: snapshot.bytesPerSecond };
      const samples = last && t - last.t < SAMPLE_SPACING_MS ? [...recent.slice(0, -1), { ...sample, t: last.t }] : [...recent, sample];
      return {
        progress: { ...s.progress, [snapshot.mappingId]: snapshot },
        throughput: { ...s.throughput, [snapshot.mappingId]: samples },
      };
    }),
  recordRunStarted: ({ mappingId }) =>
    set((s) => {
      const { [mappingId]: _old, ...progress } = s.progress;
      return { progress, throughput: { ...s.throughput, [mappingId]: [] } };
    }),
  recordRunFinished: (mappingId) =>
    set((s) => {
      const { [mappingId]: _done, ...progress } = s.progress;
      return { progress };
    }),
  pruneProgress: (runningIds) =>
    set((s) => {
      const stale = Object.keys(s.progress).filter((id) => !runningIds.includes(id));
      if (stale.length === 0) return s;
      return { progress: Object.fromEntries(Object.entries(s.progress).filter(([id]) => runningIds.includes(id))) };
    }),
});
