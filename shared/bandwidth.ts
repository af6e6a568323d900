// Bandwidth limits (rclone's --bwlimit): one rate ("2M", "off"), or a weekly timetable of rates that
// each start at a time of day, every day or on one weekday ("Mon-08:00,2M 19:00,off"). The text form
// is what config.json, the API and the mapping editor hold; parseBwLimit checks it in one place and
// rateAt says what applies at a moment (local time, like rclone). Pure: main and renderer use it.
import { parseSize, sizeText } from './filters';

/** Below this a transfer would crawl for no purpose; a limit under it is refused as a likely typo. */
export const MIN_BW_RATE = 1024;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** One entry of a timetable: from `minute` of `day` (every day when null) on, `rate` bytes/s (null: no limit). */
export interface BwSlot {
  /** 0 = Sunday … 6 = Saturday, as Date.getDay(); null for every day. */
  day: number | null;
  /** Minutes after midnight, 0 … 1439. */
  minute: number;
  rate: number | null;
}

export type BwLimit = { kind: 'fixed'; rate: number | null } | { kind: 'timetable'; slots: BwSlot[] };

/**
 * A limit from its text, or the problem with it (a message after the field's name). A rate is a
 * number of bytes per second with an optional unit K, M, G (base 1024, as rclone; unlike rclone a
 * bare number is bytes, not KiB), or "off". A timetable is entries separated by spaces, each
 * "HH:MM,rate" (every day) or "Day-HH:MM,rate" (Mon … Sun).
 */
export function parseBwLimit(text: string): BwLimit | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'must be a rate such as "2M" or "off", or a timetable such as "Mon-08:00,2M 19:00,off"' };
  if (!trimmed.includes(',')) {
    const rate = parseRate(trimmed);
    return typeof rate === 'object' && rate !== null ? rate : { kind: 'fixed', rate };
  }
  const slots: BwSlot[] = [];
  const seen = new Map<string, string>();
  for (const entry of trimmed.split(/\s+/)) {
    const match = /^(?:([A-Za-z]{3})-)?(\d{1,2}):(\d{2}),(.+)$/.exec(entry);
    if (!match) return { problem: `has an entry "${entry}" that is not "HH:MM,rate" or "Day-HH:MM,rate" (e.g. "Mon-08:00,2M")` };
    const [, dayText, hours, minutes, rateText] = match;
    const day = dayText === undefined ? null : DAYS.findIndex((d) => d.toLowerCase() === dayText.toLowerCase());
    if (day === -1) return { problem: `has an entry "${entry}" with an unknown day "${dayText}": use ${DAYS.join(', ')}` };
    const minute = Number(hours) * 60 + Number(minutes);
    if (Number(hours) > 23 || Number(minutes) > 59) return { problem: `has an entry "${entry}" with a time that is not 00:00 … 23:59` };
    const rate = parseRate(rateText!);
    if (typeof rate === 'object' && rate !== null) return { problem: `has an entry "${entry}" whose rate ${rate.problem}` };
    const when = `${day === null ? '' : `${DAYS[day]}-`}${hours!.padStart(2, '0')}:${minutes}`;
    const earlier = seen.get(when);
    if (earlier !== undefined) return { problem: `has two entries for ${when} ("${earlier}" and "${entry}")` };
    seen.set(when, entry);
    slots.push({ day, minute, rate });
  }
  return { kind: 'timetable', slots };
}

/** A rate in bytes/s (null for "off"), or the problem with it. */
function parseRate(text: string): number | null | { problem: string } {
  if (text.toLowerCase() === 'off') return null;
  const bytes = parseSize(text);
  if (bytes === null) return { problem: `must be a rate such as "512K", "2M" or "1.5G" (bytes per second; K, M, G: base 1024) or "off" (got "${text}")` };
  if (bytes < MIN_BW_RATE) return { problem: `must be at least 1K (1024 bytes per second), or "off" (got "${text}")` };
  return bytes;
}

/** The problem with a limit's text, or null when it is valid. */
export function bwLimitProblem(text: string): string | null {
  const parsed = parseBwLimit(text);
  return 'problem' in parsed ? parsed.problem : null;
}

/** What a limit allows at a moment: the rate in bytes/s (null: unlimited) and when that changes (null: never). */
export interface BwRateNow {
  rate: number | null;
  until: Date | null;
}

/** The rate of `limit` at `now` (local time) and the moment it next changes. */
export function rateAt(limit: BwLimit, now: Date): BwRateNow {
  if (limit.kind === 'fixed') return { rate: limit.rate, until: null };
  // Every slot as minutes into the week; a daily slot stands for seven. A weekday's slot wins over a
  // daily one at the same minute, as the more specific.
  const points = limit.slots
    .flatMap((slot) => (slot.day === null ? DAYS.map((_, day) => ({ ...slot, day, daily: true })) : [{ ...slot, day: slot.day, daily: false }]))
    .map((slot) => ({ at: slot.day * MINUTES_PER_DAY + slot.minute, rate: slot.rate, daily: slot.daily }))
    .sort((a, b) => a.at - b.at || Number(b.daily) - Number(a.daily));
  const nowMinute = now.getDay() * MINUTES_PER_DAY + now.getHours() * 60 + now.getMinutes();
  // The last point at or before now; before the week's first point, the week's last one still holds.
  let current = points[points.length - 1]!;
  for (const point of points) if (point.at <= nowMinute) current = point;
  const rate = current.rate;
  // The next point whose rate differs: the moment the limit changes (a week ahead at most).
  const start = points.indexOf(current);
  for (let step = 1; step <= points.length; step++) {
    const point = points[(start + step) % points.length]!;
    if (point.rate === rate) continue;
    let minutesAhead = point.at - nowMinute;
    if (minutesAhead <= 0) minutesAhead += MINUTES_PER_WEEK;
    const until = new Date(now.getTime());
    until.setSeconds(0, 0);
    until.setMinutes(until.getMinutes() + minutesAhead);
    return { rate, until };
  }
  return { rate, until: null };
}

/** A rate for people: "2 MiB/s", or "unlimited". */
export function rateText(rate: number | null): string {
  return rate === null ? 'unlimited' : `${sizeText(rate)}/s`;
}
