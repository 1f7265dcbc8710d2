import { type Clock, HubError, type Picos, picos, picosToUsd, systemClock } from '../core/index.js';
import {
  type ConversationCounts,
  type Database,
  type HandoffTimes,
  type InboxStatsBucket,
  InboxStatsRepository,
  type InboxStatsWindow,
  type TaskCounts,
} from '../storage/index.js';

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_MS = 7 * DAY_MS;
const MAX_WINDOW_MS = 366 * DAY_MS;

/** The window as asked for: ISO dates (`2025-03-01`, whole UTC days: `to` includes its day) or timestamps. */
export interface InboxStatsQuery {
  from?: string;
  to?: string;
  agent?: string;
}

const isDateOnly = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text);

/** `from` inclusive, `to` exclusive; by default the 7 days up to now. */
export function statsWindowOf(query: InboxStatsQuery, now: number): InboxStatsWindow {
  const to = query.to ? new Date(Date.parse(query.to) + (isDateOnly(query.to) ? DAY_MS : 0)) : new Date(now);
  const from = query.from ? new Date(Date.parse(query.from)) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (Number.isNaN(from.getTime())) throw new HubError('INVALID_REQUEST', '`from` is not a date.', { param: 'from' });
  if (Number.isNaN(to.getTime())) throw new HubError('INVALID_REQUEST', '`to` is not a date.', { param: 'to' });
  if (from.getTime() >= to.getTime()) throw new HubError('INVALID_REQUEST', '`from` must be before `to`.', { param: 'from' });
  if (to.getTime() - from.getTime() > MAX_WINDOW_MS) {
    throw new HubError('INVALID_REQUEST', 'The window may span at most 366 days.', { param: 'from' });
  }
  return { from, to, ...(query.agent ? { agent: query.agent } : {}) };
}

/** The measures of one agent on one UTC day (`day`), or over the whole window (`day` null). */
export interface InboxStatsRow {
  agent: string | null;
  day: string | null;
  conversations: number;
  closed_by_agent: number;
  /** `closed_by_agent / conversations`; null without conversations. */
  containment: number | null;
  handoffs: { total: number; by_reason: Record<string, number> };
  approvals: { total: number; approved: number; rejected: number };
  time_to_first_human_response_s: { median: number | null; p90: number | null; samples: number };
  human_handling_s: { median: number | null; samples: number };
  resolved_conversations: number;
  tokens: { total: number; per_resolved_conversation: number | null };
  cost_usd: { total: string; per_resolved_conversation: string | null };
  sla_breaches: number;
}

export interface InboxStatsDto {
  object: 'inbox.stats';
  tenant_id: string;
  from: string;
  to: string;
  agent: string | null;
  /** One row per agent and UTC day with anything to count, by agent then day. */
  data: InboxStatsRow[];
  /** One row per agent over the whole window (medians over all its tasks, not medians of days). */
  totals: InboxStatsRow[];
}

const round = (value: number, decimals: number): number => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};
const roundedSeconds = (value: number | null): number | null => (value === null ? null : round(value, 3));

/** Picos divided by a count, to the nearest pico (halves up). */
const perConversation = (total: Picos, count: number): Picos => picos((total * 2n + BigInt(count)) / (BigInt(count) * 2n));

function emptyRow(agent: string | null, day: string | null): InboxStatsRow {
  return {
    agent,
    day,
    conversations: 0,
    closed_by_agent: 0,
    containment: null,
    handoffs: { total: 0, by_reason: {} },
    approvals: { total: 0, approved: 0, rejected: 0 },
    time_to_first_human_response_s: { median: null, p90: null, samples: 0 },
    human_handling_s: { median: null, samples: 0 },
    resolved_conversations: 0,
    tokens: { total: 0, per_resolved_conversation: null },
    cost_usd: { total: '0.00', per_resolved_conversation: null },
    sla_breaches: 0,
  };
}

function assemble(conversations: ConversationCounts[], tasks: TaskCounts[], times: HandoffTimes[]): InboxStatsRow[] {
  const rows = new Map<string, InboxStatsRow>();
  const rowOf = (agent: string | null, day: string | null): InboxStatsRow => {
    const key = JSON.stringify([agent, day]);
    let row = rows.get(key);
    if (!row) {
      row = emptyRow(agent, day);
      rows.set(key, row);
    }
    return row;
  };
  for (const counted of conversations) {
    const row = rowOf(counted.agent, counted.day);
    row.conversations = counted.conversations;
    row.closed_by_agent = counted.closedByAgent;
    row.containment = counted.conversations > 0 ? round(counted.closedByAgent / counted.conversations, 4) : null;
    row.resolved_conversations = counted.resolved;
    row.tokens = {
      total: counted.resolvedTokens,
      per_resolved_conversation: counted.resolved > 0 ? round(counted.resolvedTokens / counted.resolved, 2) : null,
    };
    row.cost_usd = {
      total: picosToUsd(counted.resolvedCostPicos),
      per_resolved_conversation: counted.resolved > 0 ? picosToUsd(perConversation(counted.resolvedCostPicos, counted.resolved)) : null,
    };
  }
  for (const counted of tasks) {
    const row = rowOf(counted.agent, counted.day);
    row.sla_breaches += counted.slaBreaches;
    if (counted.kind === 'handoff') {
      row.handoffs.total += counted.tasks;
      row.handoffs.by_reason[counted.reason] = (row.handoffs.by_reason[counted.reason] ?? 0) + counted.tasks;
    } else {
      row.approvals.total += counted.tasks;
      row.approvals.approved += counted.approved;
      row.approvals.rejected += counted.rejected;
    }
  }
  for (const timed of times) {
    const row = rowOf(timed.agent, timed.day);
    row.time_to_first_human_response_s = {
      median: roundedSeconds(timed.firstResponseMedianS),
      p90: roundedSeconds(timed.firstResponseP90S),
      samples: timed.firstResponseSamples,
    };
    row.human_handling_s = { median: roundedSeconds(timed.handlingMedianS), samples: timed.handlingSamples };
  }
  // Agent-less tasks (none of today's sources makes them, but the column allows it) sort last.
  return [...rows.values()].sort(
    (a, b) => (a.agent ?? '\uffff').localeCompare(b.agent ?? '\uffff') || (a.day ?? '').localeCompare(b.day ?? ''),
  );
}

/**
 * The division-of-labour measures: how much of the work an agent finishes alone, what it hands to people
 * and why, how fast people answer and how long they work a task, and what a resolved conversation costs.
 * Read on demand from the runs, the inbox tasks and the ledger (see docs/inbox.md for each definition).
 */
export class InboxStats {
  private readonly db: Database;
  private readonly clock: Clock;

  constructor(options: { db: Database; clock?: Clock }) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
  }

  async measure(tenantId: string, query: InboxStatsQuery): Promise<InboxStatsDto> {
    const window = statsWindowOf(query, this.clock.now());
    const repository = new InboxStatsRepository(this.db, tenantId);
    const read = async (bucket: InboxStatsBucket) =>
      assemble(
        ...(await Promise.all([
          repository.conversations(window, bucket),
          repository.tasks(window, bucket),
          repository.handoffTimes(window, bucket),
        ])),
      );
    const [data, totals] = await Promise.all([read('day'), read('window')]);
    return {
      object: 'inbox.stats',
      tenant_id: tenantId,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      agent: window.agent ?? null,
      data,
      totals,
    };
  }
}
