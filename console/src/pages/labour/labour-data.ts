import type { InboxStatsRow } from '@contract';

const DAY_MS = 86_400_000;
const PICO_DIGITS = 12;
const PICOS_PER_USD = 10n ** BigInt(PICO_DIGITS);

/** `YYYY-MM-DD` of a UTC instant. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days up to today, as the stats API's `from` and `to` (`to` includes its day). */
export function lastDays(days: number, now = Date.now()): { from: string; to: string } {
  return { from: utcDay(now - (days - 1) * DAY_MS), to: utcDay(now) };
}

/** Every UTC day of the window `[from, to)` the API answered with, as `YYYY-MM-DD`. */
export function daysOf(fromIso: string, toIso: string): string[] {
  const days: string[] = [];
  const start = Date.parse(`${fromIso.slice(0, 10)}T00:00:00Z`);
  const end = Date.parse(toIso);
  for (let at = start; at < end && days.length < 400; at += DAY_MS) days.push(utcDay(at));
  return days;
}

// ---- exact decimal USD (the API's strings), never through floats ----

export function usdToPicos(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^-/, '').split('.');
  const value = BigInt(whole || '0') * PICOS_PER_USD + BigInt(`${fraction}${'0'.repeat(PICO_DIGITS)}`.slice(0, PICO_DIGITS));
  return negative ? -value : value;
}

export function picosToUsd(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  let fraction = (abs % PICOS_PER_USD).toString().padStart(PICO_DIGITS, '0').replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}${abs / PICOS_PER_USD}.${fraction}`;
}

/** A total divided by a count, to the nearest pico-dollar, halves up (as the hub rounds). */
export const perCount = (total: bigint, count: number): bigint => (total * 2n + BigInt(count)) / (BigInt(count) * 2n);

const round = (value: number, decimals: number): number => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** Whether `combine` had to leave the medians out (several agents' medians do not add up to one). */
export interface Combined extends InboxStatsRow {
  mixedMedians: boolean;
}

/**
 * Several agents' rows as one: counts and money add up exactly (containment and the averages are recomputed
 * from the sums, as the hub computes them); medians do not, so with more than one row they are left out.
 */
export function combine(rows: InboxStatsRow[]): Combined {
  if (rows.length === 1) return { ...(rows[0] as InboxStatsRow), mixedMedians: false };
  const sum = (pick: (row: InboxStatsRow) => number): number => rows.reduce((total, row) => total + pick(row), 0);
  const conversations = sum((row) => row.conversations);
  const closedByAgent = sum((row) => row.closed_by_agent);
  const resolved = sum((row) => row.resolved_conversations);
  const tokens = sum((row) => row.tokens.total);
  const cost = rows.reduce((total, row) => total + usdToPicos(row.cost_usd.total), 0n);
  const byReason: Record<string, number> = {};
  for (const row of rows) for (const [reason, count] of Object.entries(row.handoffs.by_reason)) byReason[reason] = (byReason[reason] ?? 0) + count;
  return {
    agent: null,
    day: null,
    conversations,
    closed_by_agent: closedByAgent,
    containment: conversations > 0 ? round(closedByAgent / conversations, 4) : null,
    handoffs: { total: sum((row) => row.handoffs.total), by_reason: byReason },
    approvals: { total: sum((row) => row.approvals.total), approved: sum((row) => row.approvals.approved), rejected: sum((row) => row.approvals.rejected) },
    time_to_first_human_response_s: { median: null, p90: null, samples: sum((row) => row.time_to_first_human_response_s.samples) },
    human_handling_s: { median: null, samples: sum((row) => row.human_handling_s.samples) },
    resolved_conversations: resolved,
    tokens: { total: tokens, per_resolved_conversation: resolved > 0 ? round(tokens / resolved, 2) : null },
    cost_usd: { total: picosToUsd(cost), per_resolved_conversation: resolved > 0 ? picosToUsd(perCount(cost, resolved)) : null },
    sla_breaches: sum((row) => row.sla_breaches),
    mixedMedians: rows.length > 1,
  };
}

/** A day's value for each day of the window (null where the API has no row, or the measure is undefined). */
export function dailySeries(rows: InboxStatsRow[], days: string[], value: (row: InboxStatsRow) => number | null): (number | null)[] {
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return days.map((day) => {
    const row = byDay.get(day);
    return row ? value(row) : null;
  });
}

/** Counts per day, 0 where the API has no row (nothing happened that day). */
export function dailyCounts(rows: InboxStatsRow[], days: string[], value: (row: InboxStatsRow) => number): number[] {
  const totals = new Map<string, number>();
  for (const row of rows) if (row.day) totals.set(row.day, (totals.get(row.day) ?? 0) + value(row));
  return days.map((day) => totals.get(day) ?? 0);
}
