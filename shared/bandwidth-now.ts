// What bandwidth limits allow together at a moment, and the words for it: the run log, the preview
// and the mapping card say the same thing. A run is held to the lowest of the limits that apply (its
// mapping's bwLimit and the global one), so their combined rate is the lowest rate among them.
import { parseBwLimit, rateAt, rateText, type BwLimit, type BwRateNow } from './bandwidth';

/** A limit as configured, with whose it is ("this mapping's", "the global"). */
export interface ConfiguredBwLimit {
  whose: string;
  text: string;
}

/** As the timetable spells them (Date.getDay() order). */
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** How many changes of single limits are stepped over looking for one that changes the combined rate. */
const MAX_STEPS = 64;

/**
 * The lowest rate of `limits` at `now` (null: none limits then) and the next moment that lowest rate
 * changes (null: never).
 */
export function combinedRateAt(limits: readonly BwLimit[], now: Date): BwRateNow {
  const first = lowest(limits, now);
  let at = first.nextChange;
  for (let step = 0; at !== null && step < MAX_STEPS; step++) {
    const then = lowest(limits, at);
    if (then.rate !== first.rate) return { rate: first.rate, until: at };
    at = then.nextChange;
  }
  return { rate: first.rate, until: null };
}

function lowest(limits: readonly BwLimit[], now: Date): { rate: number | null; nextChange: Date | null } {
  let rate: number | null = null;
  let nextChange: Date | null = null;
  for (const limit of limits) {
    const r = rateAt(limit, now);
    if (r.rate !== null && (rate === null || r.rate < rate)) rate = r.rate;
    if (r.until !== null && (nextChange === null || r.until < nextChange)) nextChange = r.until;
  }
  return { rate, nextChange };
}

/** The limits that parse (a configured limit that does not is left out: its field says why). */
function parsedLimits(limits: readonly ConfiguredBwLimit[]): BwLimit[] {
  return limits.flatMap(({ text }) => {
    const limit = parseBwLimit(text);
    return 'problem' in limit ? [] : [limit];
  });
}

/** "19:00" later today, "Mon 08:00" on another day (local time). */
export function momentText(at: Date, now: Date): string {
  const time = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  return at.toDateString() === now.toDateString() ? time : `${WEEKDAYS[at.getDay()]} ${time}`;
}

/** "2 MiB/s until 19:00", "2 MiB/s", "unlimited until Mon 08:00". */
export function rateNowText({ rate, until }: BwRateNow, now: Date): string {
  return until === null ? rateText(rate) : `${rateText(rate)} until ${momentText(until, now)}`;
}

/**
 * What the mapping card and the activity view show while a limit holds a mapping's transfers:
 * "Limited to 2 MiB/s until 19:00"; null while none does (none set, or the timetables say off now).
 */
export function limitedToText(limits: readonly ConfiguredBwLimit[], now: Date): string | null {
  const combined = combinedRateAt(parsedLimits(limits), now);
  return combined.rate === null ? null : `Limited to ${rateNowText(combined, now)}`;
}

/** The same words for a running run's limit (ProgressSnapshot.bandwidthLimit). */
export function limitedNowText(limit: { rate: number; until: number | null }, now: Date): string {
  return `Limited to ${rateNowText({ rate: limit.rate, until: limit.until === null ? null : new Date(limit.until) }, now)}`;
}

/**
 * The run log's and the preview's line: the limit that applies now and where it comes from, e.g.
 * `Bandwidth limit: 2 MiB/s until 19:00 (this mapping's bwLimit "Mon-08:00,2M 19:00,off"; the global
 * bwLimit "10M")`. Null when no limit is configured.
 */
export function bandwidthText(limits: readonly ConfiguredBwLimit[], now: Date): string | null {
  if (limits.length === 0) return null;
  const combined = combinedRateAt(parsedLimits(limits), now);
  const sources = limits.map(({ whose, text }) => `${whose} bwLimit ${JSON.stringify(text)}`).join('; ');
  return `Bandwidth limit: ${rateNowText(combined, now)} (${sources})`;
}
