// Every number, size, duration and time the UI shows goes through here, so they read the same everywhere.
import { formatBytes } from '../shared/format';

export { formatBytes };

/** Bytes per second → "12 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 1234567 → "1,234,567" in the user's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** A duration in ms: "850 ms", "4.2 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${totalSeconds < 10 ? totalSeconds.toFixed(1) : Math.round(totalSeconds)} s`;
  const s = Math.round(totalSeconds);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** Seconds left → "about 3 min 05 s"; unknown → "—". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  return seconds < 1 ? 'less than a second' : formatDuration(seconds * 1000);
}

const RELATIVE_STEPS: [limit: number, unit: Intl.RelativeTimeFormatUnit, size: number][] = [
  [60, 'second', 1],
  [3600, 'minute', 60],
  [86_400, 'hour', 3600],
  [7 * 86_400, 'day', 86_400],
  [30 * 86_400, 'week', 7 * 86_400],
  [365 * 86_400, 'month', 30 * 86_400],
  [Infinity, 'year', 365 * 86_400],
];

/**
 * "5 minutes ago" (tense 'past') or "in 3 minutes" ('future'), "just now" near `now`. A moment on the
 * wrong side of `now` reads as "just now": `now` ticks only every few seconds, so a run that finished
 * after the last tick must not read "in 12 seconds", nor a run due before it "12 seconds ago".
 */
export function formatRelativeTime(ts: number, now: number, tense: 'past' | 'future'): string {
  const deltaSeconds = tense === 'past' ? Math.min(0, (ts - now) / 1000) : Math.max(0, (ts - now) / 1000);
  const abs = Math.abs(deltaSeconds);
  if (abs < 10) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [limit, unit, size] of RELATIVE_STEPS) {
    if (abs < limit) return rtf.format(Math.round(deltaSeconds / size), unit);
  }
  return rtf.format(Math.round(deltaSeconds / (365 * 86_400)), 'year');
}

/** A date and time in the user's locale, e.g. "25 Nov 2025, 17:05:12". */
export function formatDateTime(ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—';
  return new Date(ts).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A log line's time: "17:05:12.345" (its date is in the run's details). */
export function formatLogTime(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A mapping's schedule: "On demand", "Every 15 min", "Every 2 h". */
export function formatInterval(seconds: number | null): string {
  if (seconds === null) return 'On demand';
  if (seconds % 3600 === 0) return `Every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `Every ${seconds / 60} min`;
  return `Every ${seconds} s`;
}

/** "3 of 10" style percentage, clamped to 0..100, for progress bars. */
export function percent(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, (done / total) * 100));
}
