// Sizes as every part of the app shows them (UI, CLI summaries, run logs): decimal units, as
// storage consoles show them. Pure: imported by main and renderer.

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
