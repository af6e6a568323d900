// Sizes as every part of the app shows them (UI, CLI summaries, run logs): decimal units, as
// storage consoles show them; a run's counts. Pure: imported by main and renderer.
import type { RunCounts } from './model';

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 1500 → "1.5 kB" (decimal units, as storage consoles show them). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  // Rounding may carry into the next unit (999.96 kB → "1000 kB"): step up instead.
  if (Number(value.toFixed(value < 10 ? 1 : 0)) >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${BYTE_UNITS[unit]}`;
}

/**
 * "copied 3 (1.5 kB), adopted 0, skipped 2, deleted 1, failed 0" ("would copy", "would delete" in a
 * dry run): a run's counts as every summary of it says them (run log, CLI).
 */
export function formatRunCounts(c: RunCounts, dryRun: boolean): string {
  const [copy, del] = dryRun ? ['would copy', 'would delete'] : ['copied', 'deleted'];
  return `${copy} ${c.copied} (${formatBytes(c.bytesCopied)}), adopted ${c.adopted}, skipped ${c.skipped}, ${del} ${c.deleted}, failed ${c.failed}`;
}
