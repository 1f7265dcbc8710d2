import type { UsageInterval, UsageSeriesGroupBy } from '@contract';

/** The overview's view, as its URL holds it (`?range=7d&interval=hour&split=model&tenant=…`). */
export type Preset = '24h' | '7d' | '30d' | '90d' | 'custom';
export type Split = Exclude<UsageSeriesGroupBy, 'none'>;

export const PRESETS: readonly Exclude<Preset, 'custom'>[] = ['24h', '7d', '30d', '90d'];
export const INTERVALS: readonly UsageInterval[] = ['hour', 'day', 'month'];
export const SPLITS: readonly Split[] = ['model', 'key', 'project', 'agent'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const PRESET_HOURS: Record<Exclude<Preset, 'custom'>, number> = { '24h': 24, '7d': 168, '30d': 720, '90d': 2160 };
/** Past two weeks, hourly points stop being readable (and a 90-day hourly series reads 24× more rows). */
const MOST_HOURS_FOR_HOURLY = 14 * 24;

export interface Range {
  from: Date;
  to: Date;
}

export const isPreset = (value: string | null): value is Preset => value !== null && (value === 'custom' || value in PRESET_HOURS);
export const isInterval = (value: string | null): value is UsageInterval => value !== null && (INTERVALS as readonly string[]).includes(value);
export const isSplit = (value: string | null): value is Split => value !== null && (SPLITS as readonly string[]).includes(value);

const ceilHour = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS;

/** `YYYY-MM-DD` of a UTC instant. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The range a preset covers: the last N hours up to the end of the current hour (so the view stays the same
 * query for the whole hour); a custom range is whole UTC days, `to` included. Null for a custom range whose
 * days are missing or reversed.
 */
export function rangeOf(preset: Preset, custom: { from: string; to: string }, now = Date.now()): Range | null {
  if (preset !== 'custom') {
    const to = ceilHour(now + 1);
    return { from: new Date(to - PRESET_HOURS[preset] * HOUR_MS), to: new Date(to) };
  }
  const from = Date.parse(`${custom.from}T00:00:00Z`);
  const to = Date.parse(`${custom.to}T00:00:00Z`) + DAY_MS;
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return null;
  return { from: new Date(from), to: new Date(to) };
}

/**
 * The range a view asks for: at day or month interval, widened to whole UTC days (every day the range
 * touches), so each bucket is a whole day and the hub reads only its daily rollup; hourly, as it is.
 */
export function alignedRange(range: Range, interval: UsageInterval): Range {
  if (interval === 'hour') return range;
  return { from: new Date(Math.floor(range.from.getTime() / DAY_MS) * DAY_MS), to: new Date(Math.ceil(range.to.getTime() / DAY_MS) * DAY_MS) };
}

export const hoursOf = (range: Range): number => (range.to.getTime() - range.from.getTime()) / HOUR_MS;

export function intervalAllowed(interval: UsageInterval, range: Range): boolean {
  return interval !== 'hour' || hoursOf(range) <= MOST_HOURS_FOR_HOURLY;
}

/** Hourly up to two days, daily up to half a year, then monthly (hourly stays a choice up to two weeks). */
export function defaultInterval(range: Range): UsageInterval {
  const hours = hoursOf(range);
  if (hours <= 2 * 24) return 'hour';
  if (hours <= 183 * 24) return 'day';
  return 'month';
}

const startOf = (ms: number, interval: UsageInterval): number => {
  const date = new Date(ms);
  switch (interval) {
    case 'hour':
      return Math.floor(ms / HOUR_MS) * HOUR_MS;
    case 'day':
      return Math.floor(ms / DAY_MS) * DAY_MS;
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
};

const nextStart = (ms: number, interval: UsageInterval): number => {
  const date = new Date(ms);
  switch (interval) {
    case 'hour':
      return ms + HOUR_MS;
    case 'day':
      return ms + DAY_MS;
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
};

/** The start of every bucket the range touches, in ms (the API leaves out buckets without calls). */
export function bucketStarts(range: Range, interval: UsageInterval): number[] {
  const starts: number[] = [];
  for (let at = startOf(range.from.getTime(), interval); at < range.to.getTime() && starts.length < 10_000; at = nextStart(at, interval)) starts.push(at);
  return starts;
}
