import { type AgentRuntime, DEFAULT_TRANSFER_MESSAGE } from '../agents/index.js';
import { type Clock, HubError, systemClock } from '../core/index.js';
import {
  type Database,
  type InboxEventRecord,
  type InboxTaskKind,
  type InboxTaskRecord,
  type InboxTaskStatus,
  InboxTasksRepository,
  type NewInboxTask,
  type RunRecord,
  RunsRepository,
  type UserRecord,
} from '../storage/index.js';
import type { InboxNotifier } from './inbox-notifier.js';
import { openTask } from './open-task.js';
import { effectiveTask } from './task-dto.js';
import { approvalsOf, handoffOf, placementOf } from './task-origins.js';

export const taskNotFound = (id: string): HubError => new HubError('NOT_FOUND', `No inbox task \`${id}\`.`, { code: 'task_not_found' });

/** The person acting on the inbox. */
export interface Operator {
  tenantId: string;
  user: UserRecord;
}

/**
 * Refuses a decision before anything is stored, by throwing a HubError (the composition root gives workflows'
 * check of a form step's answer): the task stays open to decide again.
 */
export type DecisionCheck = (
  run: RunRecord,
  decision: { callId: string; decision: 'approve' | 'reject'; values?: Record<string, unknown> },
) => void;

const actorOf = (operator: Operator): string => `user:${operator.user.id}`;
const DEFAULT_LEASE_MS = 15 * 60_000;
const MAX_LEASE_MS = 8 * 3_600_000;
const PAUSED_FOR_PEOPLE = new Set(['handed_off', 'needs_attention', 'waiting_approval', 'budget_exceeded']);

/**
 * The human inbox: tasks made from agent runs that need a person, claimed under a lease by one person at a
 * time (a claim is one conditional UPDATE, so of concurrent claims on any replicas exactly one wins), and
 * the actions a claim allows — reply into the customer's thread, call the agent's tools, approve or reject
 * a call, hand the thread back to the agent, resolve, transfer to another queue. While a hand-off is open
 * the person holds its thread and no agent answers in it (`InboxThreadGate`).
 */
export class InboxService {
  private readonly db: Database;
  private readonly runtime: AgentRuntime;
  private readonly notifier: InboxNotifier;
  private readonly clock: Clock;
  private readonly checkDecision: DecisionCheck | undefined;

  constructor(options: {
    db: Database;
    runtime: AgentRuntime;
    notifier: InboxNotifier;
    checkDecision?: DecisionCheck;
    clock?: Clock;
  }) {
    this.db = options.db;
    this.runtime = options.runtime;
    this.notifier = options.notifier;
    this.checkDecision = options.checkDecision;
    this.clock = options.clock ?? systemClock;
  }

  // ---- tasks from runs -------------------------------------------------------------------------------

  /** Opens the tasks a run needs as it now stands (safe to repeat: one task per cause). */
  async openTasksFor(tenantId: string, runId: string): Promise<InboxTaskRecord[]> {
    const run = await new RunsRepository(this.db, tenantId).get(runId);
    if (!run || !PAUSED_FOR_PEOPLE.has(run.status)) return [];
    const agent = await this.runtime.agents.resolve(tenantId, run.subject, run.version).catch(() => undefined);
    const placement = placementOf(agent?.definition.escalation, this.now());
    const wanted: NewInboxTask[] = [];
    if (run.status === 'waiting_approval') {
      const state = run.state as { pending_approvals?: Parameters<typeof approvalsOf>[1] };
      wanted.push(...approvalsOf(run, state.pending_approvals ?? [], placement));
    } else if (run.parentRunId === null) {
      const handoff = handoffOf(run, placement);
      if (handoff) wanted.push(handoff);
    }
    const opened: InboxTaskRecord[] = [];
    for (const task of wanted) {
      const created = await this.create(tenantId, task, `agent:${run.subject}`);
      opened.push(created);
      if (task.kind === 'handoff' && run.threadId) {
        const notice = agent?.definition.escalation?.transfer_message ?? DEFAULT_TRANSFER_MESSAGE;
        await this.runtime.threads.recordNotice(tenantId, run.threadId, { runId: run.id, content: notice });
      }
    }
    return opened;
  }

  private create(tenantId: string, task: NewInboxTask, actor: string): Promise<InboxTaskRecord> {
    return openTask({ db: this.db, notifier: this.notifier }, tenantId, task, actor, this.now());
  }

  // ---- reading -----------------------------------------------------------------------------------------

  async get(tenantId: string, id: string): Promise<InboxTaskRecord> {
    const task = await new InboxTasksRepository(this.db, tenantId).get(id);
    if (!task) throw taskNotFound(id);
    return effectiveTask(task, this.clock.now());
  }

  async list(
    tenantId: string,
    filter: { status?: InboxTaskStatus; queue?: string; kind?: InboxTaskKind; assignee?: string; limit: number; after?: string },
  ): Promise<{ tasks: InboxTaskRecord[]; hasMore: boolean }> {
    const repository = new InboxTasksRepository(this.db, tenantId);
    const cursor = filter.after ? await repository.get(filter.after) : undefined;
    // Expired claims are open: ask for both and sort them out here.
    const statuses =
      filter.status === 'open' || filter.status === 'claimed'
        ? (['open', 'claimed'] as const)
        : filter.status
          ? [filter.status]
          : undefined;
    const now = this.clock.now();
    const tasks: InboxTaskRecord[] = [];
    let after = cursor ? { createdAt: cursor.createdAt, id: cursor.id } : undefined;
    // Rows read as the other status are skipped, so read on until the page is full: a page of only skipped
    // rows would leave the caller no cursor to go on from, and `has_more` must not promise what is not there.
    for (;;) {
      const found = await repository.list({
        ...(statuses ? { statuses } : {}),
        ...(filter.queue ? { queue: filter.queue } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.assignee ? { assignee: filter.assignee } : {}),
        limit: filter.limit + 1,
        ...(after ? { after } : {}),
      });
      for (const record of found) {
        const task = effectiveTask(record, now);
        if (filter.status && task.status !== filter.status) continue;
        if (tasks.length === filter.limit) return { tasks, hasMore: true };
        tasks.push(task);
      }
      const last = found[found.length - 1];
      if (found.length <= filter.limit || !last) return { tasks, hasMore: false };
      after = { createdAt: last.createdAt, id: last.id };
    }
  }

  /** The tenant's latest event number: a screen that lists tasks after reading it and follows the stream from it misses no change. */
  latestEventSeq(tenantId: string): Promise<bigint> {
    return new InboxTasksRepository(this.db, tenantId).latestEventSeq();
  }

  events(tenantId: string, id: string): Promise<InboxEventRecord[]> {
    return new InboxTasksRepository(this.db, tenantId).eventsOf(id);
  }

  // ---- claims ------------------------------------------------------------------------------------------

  /** Claims the task for `leaseSeconds` (default 15 min); the holder claiming again renews. Of racing claims one wins; the rest get 409. */
  async claim(operator: Operator, id: string, leaseSeconds?: number): Promise<InboxTaskRecord> {
    const leaseMs = Math.min(MAX_LEASE_MS, (leaseSeconds ?? DEFAULT_LEASE_MS / 1000) * 1000);
    const now = this.now();
    const repository = new InboxTasksRepository(this.db, operator.tenantId);
    const expires = new Date(now.getTime() + leaseMs);
    const claimed = await repository.transition(
      id,
      { statuses: ['open'], orExpiredClaim: true },
      { status: 'claimed', assignee: operator.user.id, leaseExpiresAt: expires, claimedAt: now },
      { type: 'task.claimed', actor: actorOf(operator), data: { lease_expires_at: expires.toISOString() } },
      now,
    );
    if (claimed) {
      await this.notifier.changed(claimed.task, claimed.event);
      return claimed.task;
    }
    const renewed = await repository.transition(
      id,
      { statuses: ['claimed'], holder: operator.user.id },
      { leaseExpiresAt: expires },
      { type: 'task.renewed', actor: actorOf(operator), data: { lease_expires_at: expires.toISOString() } },
      now,
    );
    if (renewed) {
      await this.notifier.changed(renewed.task, renewed.event);
      return renewed.task;
    }
    throw this.refusal(await this.get(operator.tenantId, id), operator, 'claim');
  }

  async release(operator: Operator, id: string): Promise<InboxTaskRecord> {
    return this.asHolder(operator, id, 'release', { status: 'open', assignee: null, leaseExpiresAt: null }, 'task.released');
  }

  // ---- actions of the holder ---------------------------------------------------------------------------

  /** A person's reply, delivered into the customer's thread as a `human` message with its author. */
  async reply(operator: Operator, id: string, content: string) {
    const task = await this.holderTask(operator, id, 'reply');
    if (!task.threadId) throw new HubError('CONFLICT', `Task \`${id}\` has no conversation to reply in.`, { code: 'task_has_no_thread' });
    const message = await this.runtime.threads.appendHuman(operator.tenantId, task.threadId, {
      author: operator.user.name,
      content,
      ...(task.runId ? { runId: task.runId } : {}),
    });
    const now = this.now();
    const repository = new InboxTasksRepository(this.db, operator.tenantId);
    const changed = await repository.transition(
      id,
      { statuses: ['claimed'], holder: operator.user.id },
      task.firstResponseAt ? {} : { firstResponseAt: now },
      { type: 'task.message', actor: actorOf(operator), data: { message_id: message.id, role: 'human' } },
      now,
    );
    if (changed) await this.notifier.changed(changed.task, changed.event);
    return message;
  }

  /** Calls one of the agent's tools on the customer's behalf, with the tool's own guards; recorded on the task. */
  async callTool(operator: Operator, id: string, tool: string, args: unknown, signal: AbortSignal) {
    const task = await this.holderTask(operator, id, 'call tools on');
    if (!task.agent) throw new HubError('CONFLICT', `Task \`${id}\` belongs to no agent.`, { code: 'task_has_no_agent' });
    const called = await this.runtime.callTool({
      tenantId: operator.tenantId,
      agent: task.agent,
      runId: task.runId ?? task.id,
      tool,
      arguments: args,
      signal,
    });
    const event = await new InboxTasksRepository(this.db, operator.tenantId).record(
      id,
      'task.tool_called',
      actorOf(operator),
      { tool, call_id: called.callId, arguments: called.arguments, outcome: called.outcome.type },
      this.now(),
    );
    await this.notifier.changed(task, event);
    return called;
  }

  /** Decides an approval task's call (by its holder, or on an open task); the run resumes on any replica. */
  async decide(
    operator: Operator,
    id: string,
    decision: 'approve' | 'reject',
    reason?: string,
    values?: Record<string, unknown>,
  ): Promise<InboxTaskRecord> {
    const task = await this.get(operator.tenantId, id);
    if (task.kind !== 'approval' || !task.runId || !task.callId) {
      throw new HubError('CONFLICT', `Task \`${id}\` is a hand-off, not an approval.`, { code: 'task_not_approval' });
    }
    if (!(task.status === 'open' || (task.status === 'claimed' && task.assignee === operator.user.id))) {
      throw this.refusal(task, operator, decision);
    }
    if (this.checkDecision) {
      const run = await new RunsRepository(this.db, operator.tenantId).get(task.runId);
      if (run) this.checkDecision(run, { callId: task.callId, decision, ...(values ? { values } : {}) });
    }
    try {
      await this.runtime.runs.decide(operator.tenantId, task.runId, {
        callId: task.callId,
        decision,
        ...(reason ? { reason } : {}),
        ...(values ? { values } : {}),
        by: actorOf(operator),
      });
    } catch (error) {
      if (error instanceof HubError && (error.code === 'CONFLICT' || error.code === 'INVALID_REQUEST' || error.code === 'NOT_FOUND')) {
        await this.close(operator, task, 'cancelled', 'The run no longer waits for this decision.', 'task.cancelled');
        throw new HubError('CONFLICT', `The run no longer waits for this decision (${error.message})`, { code: 'approval_not_pending' });
      }
      throw error;
    }
    const resolution = decision === 'approve' ? 'approved' : `rejected${reason ? `: ${reason}` : ''}`;
    return this.close(operator, task, 'resolved', resolution, 'task.resolved', { decision });
  }

  /**
   * A call was decided outside the inbox (`POST /v1/runs/{id}/approvals`, a workflow's decisions route): its open
   * task is resolved, so nobody is left looking at a question already answered.
   */
  async decidedElsewhere(decided: {
    tenantId: string;
    runId: string;
    callId: string;
    decision: 'approve' | 'reject';
    by?: string;
  }): Promise<void> {
    const repository = new InboxTasksRepository(this.db, decided.tenantId);
    const task = await repository.byOrigin(`call:${decided.runId}:${decided.callId}`);
    if (!task || (task.status !== 'open' && task.status !== 'claimed')) return;
    const resolution = `${decided.decision === 'approve' ? 'approved' : 'rejected'} through the API`;
    const closed = await repository.transition(
      task.id,
      { statuses: ['open', 'claimed'] },
      { status: 'resolved', closedAt: this.now(), resolution, leaseExpiresAt: null },
      { type: 'task.resolved', actor: decided.by ?? 'api', data: { resolution, decision: decided.decision } },
      this.now(),
    );
    if (closed) await this.notifier.changed(closed.task, closed.event);
  }

  /** The agent takes the thread again, with the person's messages and note in its context. */
  async handback(operator: Operator, id: string, note?: string): Promise<InboxTaskRecord> {
    const task = await this.holderTask(operator, id, 'hand back');
    if (task.kind !== 'handoff') throw new HubError('CONFLICT', 'Only a hand-off is handed back.', { code: 'task_not_handoff' });
    if (note && task.threadId)
      await this.runtime.threads.appendNote(operator.tenantId, task.threadId, { author: operator.user.name, content: note });
    return this.asHolder(
      operator,
      id,
      'hand back',
      { status: 'returned', assignee: operator.user.id, closedAt: this.now(), resolution: note ?? null },
      'task.returned',
    );
  }

  async resolve(operator: Operator, id: string, resolution: string): Promise<InboxTaskRecord> {
    return this.asHolder(operator, id, 'resolve', { status: 'resolved', closedAt: this.now(), resolution }, 'task.resolved');
  }

  /** Moves the task to another queue, unclaimed (by its holder, or on an open task). */
  async transfer(operator: Operator, id: string, queue: string): Promise<InboxTaskRecord> {
    const now = this.now();
    const repository = new InboxTasksRepository(this.db, operator.tenantId);
    const change = { status: 'open' as const, queue, assignee: null, leaseExpiresAt: null };
    const event = { type: 'task.transferred', actor: actorOf(operator), data: { queue } };
    const moved =
      (await repository.transition(id, { statuses: ['claimed'], holder: operator.user.id }, change, event, now)) ??
      (await repository.transition(id, { statuses: ['open'], orExpiredClaim: true }, change, event, now));
    if (!moved) throw this.refusal(await this.get(operator.tenantId, id), operator, 'transfer');
    await this.notifier.changed(moved.task, moved.event);
    return moved.task;
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  private async holderTask(operator: Operator, id: string, verb: string): Promise<InboxTaskRecord> {
    const task = await this.get(operator.tenantId, id);
    if (task.status !== 'claimed' || task.assignee !== operator.user.id) throw this.refusal(task, operator, verb);
    return task;
  }

  private async asHolder(
    operator: Operator,
    id: string,
    verb: string,
    change: Parameters<InboxTasksRepository['transition']>[2],
    type: string,
  ): Promise<InboxTaskRecord> {
    const changed = await new InboxTasksRepository(this.db, operator.tenantId).transition(
      id,
      { statuses: ['claimed'], holder: operator.user.id },
      change,
      { type, actor: actorOf(operator), ...(change.resolution ? { data: { resolution: change.resolution } } : {}) },
      this.now(),
    );
    if (!changed) throw this.refusal(await this.get(operator.tenantId, id), operator, verb);
    await this.notifier.changed(changed.task, changed.event);
    return changed.task;
  }

  private async close(
    operator: Operator,
    task: InboxTaskRecord,
    status: 'resolved' | 'cancelled',
    resolution: string,
    type: string,
    data: Record<string, unknown> = {},
  ): Promise<InboxTaskRecord> {
    const closed = await new InboxTasksRepository(this.db, operator.tenantId).transition(
      task.id,
      { statuses: ['open', 'claimed'] },
      { status, assignee: operator.user.id, closedAt: this.now(), resolution, leaseExpiresAt: null },
      { type, actor: actorOf(operator), data: { resolution, ...data } },
      this.now(),
    );
    if (!closed) throw this.refusal(await this.get(operator.tenantId, task.id), operator, 'decide');
    await this.notifier.changed(closed.task, closed.event);
    return closed.task;
  }

  private refusal(task: InboxTaskRecord, operator: Operator, verb: string): HubError {
    if (task.status === 'claimed' && task.assignee !== operator.user.id) {
      return new HubError(
        'CONFLICT',
        `Task \`${task.id}\` is claimed by someone else; it cannot be ${verb === 'claim' ? 'claimed' : `acted on`} now.`,
        {
          code: 'task_claimed',
        },
      );
    }
    if (task.status === 'open') {
      return new HubError('CONFLICT', `Claim task \`${task.id}\` before you ${verb} it.`, { code: 'task_not_claimed' });
    }
    return new HubError('CONFLICT', `Task \`${task.id}\` is ${task.status}.`, { code: 'task_closed' });
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
