/** Time ranges of the log pages' filters: relative presets, or a custom span of `datetime-local` values read as UTC. */
export type RangeId = 'all' | '1h' | '24h' | '7d' | '30d' | 'custom';

export const RANGE_IDS: readonly RangeId[] = ['all', '1h', '24h', '7d', '30d', 'custom'];

const SPAN_MS: Partial<Record<RangeId, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** A `datetime-local` value (`2025-05-01T09:30`), as UTC; undefined when empty or not a time. */
export function utcOf(local: string): string | undefined {
  if (!local) return undefined;
  const time = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The `from`/`to` bounds (ISO 8601) of a range at `now`. */
export function rangeBounds(range: RangeId, from: string, to: string, now: number): { from?: string; to?: string } {
  if (range === 'custom') {
    const start = utcOf(from);
    const end = utcOf(to);
    return { ...(start ? { from: start } : {}), ...(end ? { to: end } : {}) };
  }
  const span = SPAN_MS[range];
  return span ? { from: new Date(now - span).toISOString() } : {};
}

export const isRangeId = (value: string | null): value is RangeId => value !== null && (RANGE_IDS as readonly string[]).includes(value);
