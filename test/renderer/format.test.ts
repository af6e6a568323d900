// The one place sizes, durations and times are formatted.
import { describe, expect, test } from 'vitest';
import { formatBytes, formatDuration, formatEta, formatInterval, formatLogTime, formatRate, formatRelativeTime, percent } from '../../renderer/format';

describe('format', () => {
  test('bytes in decimal units, never "1000 kB"', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(12_345_678)).toBe('12 MB');
    expect(formatBytes(3e12)).toBe('3.0 TB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatRate(2_500_000)).toBe('2.5 MB/s');
  });

  test('durations from milliseconds to days', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_620_000)).toBe('2 h 07 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('—');
    expect(formatEta(0.2)).toBe('less than a second');
    expect(formatEta(null)).toBe('—');
  });

  test('relative times', () => {
    const now = 1_700_000_000_000;
    expect(formatRelativeTime(now - 3000, now, 'past')).toBe('just now');
    expect(formatRelativeTime(now - 5 * 60_000, now, 'past')).toMatch(/5 minutes ago/);
    expect(formatRelativeTime(now + 3 * 3_600_000, now, 'future')).toMatch(/in 3 hours/);
    // `now` lags behind the clock: a run that ended after the last tick is "just now", never "in 12 seconds".
    expect(formatRelativeTime(now + 12_000, now, 'past')).toBe('just now');
    expect(formatRelativeTime(now - 12_000, now, 'future')).toBe('just now');
  });

  test('intervals, log times and percentages', () => {
    expect(formatInterval(null)).toBe('On demand');
    expect(formatInterval(900)).toBe('Every 15 min');
    expect(formatInterval(7200)).toBe('Every 2 h');
    expect(formatInterval(45)).toBe('Every 45 s');
    expect(formatLogTime(new Date(2024, 0, 1, 9, 5, 7, 42).getTime())).toBe('09:05:07.042');
    expect(percent(1, 4)).toBe(25);
    expect(percent(5, 0)).toBe(0);
    expect(percent(9, 4)).toBe(100);
  });
});
