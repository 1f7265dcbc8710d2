import { type Clock, HubError, newId, systemClock } from '../core/index.js';
import type { RunEngine, RunEvents } from '../runs/index.js';
import {
  type Database,
  FINAL_RUN_STATUSES,
  PAUSED_RUN_STATUSES,
  type RunEventRecord,
  type RunPageFilter,
  type RunRecord,
  RunStepsRepository,
  type RunSummaryRecord,
  RunsRepository,
  type RunUsage,
  runCallUsage,
  runPage,
  runUsage,
} from '../storage/index.js';
import type { AgentService } from './agent-service.js';
import { AGENT_RUN_KIND } from './run/agent-run-handler.js';
import { loadRunState, type RunInput } from './run/run-input.js';
import { type RunDto, runDto } from './run-view.js';
import { threadInput } from './thread-service.js';

export interface StartRun {
  tenantId: string;
  keyId: string;
  agent: string;
  input: RunInput;
  /** A thread of the tenant (404 otherwise): the run starts from its conversation and answers on it. */
  threadId?: string | null;
  metadata?: Record<string, unknown>;
}

/** A decision on a pending call, as listeners hear of it; `by` is `user:<id>` (a person in the inbox) or `key:<id>` (the API). */
export interface DecidedCall {
  tenantId: string;
  runId: string;
  callId: string;
  decision: 'approve' | 'reject';
  by?: string;
}

/** A run's status says it is done for now: finished, or waiting for a person. */
export const isSettledStatus = (status: RunRecord['status']): boolean =>
  FINAL_RUN_STATUSES.includes(status) || PAUSED_RUN_STATUSES.includes(status);

const notFound = (id: string): HubError => new HubError('NOT_FOUND', `No run \`${id}\`.`, { code: 'run_not_found' });

/** Starting, reading, following, cancelling and approving agent runs, for one tenant at a time. */
export class RunService {
  private readonly db: Database;
  private readonly engine: RunEngine;
  private readonly agents: AgentService;
  private readonly clock: Clock;
  /** Makes what was settled so far visible in the ledger (the journal is flushed in the background). */
  private readonly flushLedger: () => Promise<void>;
  /** Told of runs cancelled here at once (queued or paused ones); the engine tells of the rest. */
  private readonly onRunLeft: ((run: RunRecord, status: 'cancelled') => void) | undefined;
  private threadHeld: ((tenantId: string, threadId: string) => Promise<{ taskId: string } | undefined>) | undefined;
  private readonly decidedListeners: ((decided: DecidedCall) => void)[] = [];

  constructor(options: {
    db: Database;
    engine: RunEngine;
    agents: AgentService;
    flushLedger: () => Promise<void>;
    onRunLeft?: (run: RunRecord, status: 'cancelled') => void;
    clock?: Clock;
  }) {
    this.db = options.db;
    this.onRunLeft = options.onRunLeft;
    this.engine = options.engine;
    this.agents = options.agents;
    this.flushLedger = options.flushLedger;
    this.clock = options.clock ?? systemClock;
  }

  /** Told of every decision after it is stored (the inbox closes the call's task when it was decided through the API). Must not throw. */
  onDecided(listener: (decided: DecidedCall) => void): void {
    this.decidedListeners.push(listener);
  }

  /** While a person holds a thread (the inbox says), no run starts on it. */
  setThreadHold(check: (tenantId: string, threadId: string) => Promise<{ taskId: string } | undefined>): void {
    this.threadHeld = check;
  }

  get events(): RunEvents {
    return this.engine.events;
  }

  async start(request: StartRun): Promise<RunRecord> {
    const agent = await this.agents.resolve(request.tenantId, request.agent);
    const held = request.threadId && this.threadHeld ? await this.threadHeld(request.tenantId, request.threadId) : undefined;
    if (held) {
      throw new HubError(
        'CONFLICT',
        `A person holds thread \`${request.threadId}\` (inbox task \`${held.taskId}\`): no agent answers in it until they hand it back.`,
        {
          code: 'thread_held',
          param: 'thread_id',
        },
      );
    }
    const id = newId('run');
    const given = typeof request.input === 'string' ? [{ role: 'user' as const, content: request.input }] : request.input;
    // A run on a thread starts from the thread's conversation (and adds its input to it); its input holds it
    // all, so a resumed run never reads the thread again.
    const messages = request.threadId
      ? await threadInput(this.db, { tenantId: request.tenantId, threadId: request.threadId, runId: id, messages: given }, this.now())
      : given;
    return this.engine.enqueue({
      id,
      tenantId: request.tenantId,
      kind: AGENT_RUN_KIND,
      subject: agent.name,
      version: agent.version,
      threadId: request.threadId ?? null,
      input: { v: 1, key_id: request.keyId, messages },
      state: { v: 1 },
      metadata: request.metadata ?? {},
    });
  }

  async get(tenantId: string, id: string): Promise<RunRecord> {
    const run = await new RunsRepository(this.db, tenantId).get(id);
    if (!run) throw notFound(id);
    return run;
  }

  /** The run as the API shows it; `exact`: flush the journal first, so usage includes every settled call. */
  async view(run: RunRecord, options: { steps?: boolean; exact?: boolean } = {}): Promise<RunDto> {
    if (options.exact) await this.flushLedger();
    const [usage, steps, callUsage] = await Promise.all([
      this.usage(run),
      options.steps ? new RunStepsRepository(this.db).forRun(run.id) : Promise.resolve(undefined),
      options.steps ? runCallUsage(this.db, run.tenantId, run.id) : Promise.resolve(undefined),
    ]);
    return runDto(run, usage, steps, callUsage);
  }

  /**
   * A page of the tenant's agent runs, newest first, and whether there are more. `after` is the last run of
   * the previous page (a 400 naming `cursor` when the tenant has no such run).
   */
  async list(tenantId: string, filter: Omit<RunPageFilter, 'kind'>): Promise<{ runs: RunSummaryRecord[]; hasMore: boolean }> {
    const found = await runPage(this.db, tenantId, { ...filter, kind: AGENT_RUN_KIND, limit: filter.limit + 1 });
    if (!found) throw new HubError('INVALID_REQUEST', 'Invalid cursor: it names no run of this tenant.', { param: 'cursor' });
    return { runs: found.slice(0, filter.limit), hasMore: found.length > filter.limit };
  }

  usage(run: RunRecord): Promise<RunUsage> {
    return runUsage(this.db, run.tenantId, run.id);
  }

  /** Resolves once the run is finished or waiting for a person (or the signal aborts), with the run as it then stands. */
  async settled(tenantId: string, id: string, signal?: AbortSignal): Promise<RunRecord> {
    const run = await this.get(tenantId, id);
    if (isSettledStatus(run.status)) return run;
    await new Promise<void>((resolve) => {
      let stop: (() => Promise<void>) | undefined;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', finish);
        void stop?.();
        resolve();
      };
      signal?.addEventListener('abort', finish, { once: true });
      void this.engine.events
        .follow(id, 0, (event) => {
          if (!isSettlingEvent(event)) return;
          void this.endsStream(tenantId, event).then((ends) => {
            if (ends) finish();
          });
        })
        .then((unsubscribe) => {
          stop = unsubscribe;
          if (done) void unsubscribe();
        });
      // The run may have settled between the first read and the subscription.
      void this.get(tenantId, id).then((current) => {
        if (isSettledStatus(current.status)) finish();
      });
    });
    return this.get(tenantId, id);
  }

  /**
   * Whether a settling event is where a follower stops: the run still stands in that status and nothing
   * came after it (a paused run's `run.waiting_approval` is followed by more once a person decides).
   */
  async endsStream(tenantId: string, event: RunEventRecord): Promise<boolean> {
    if (!isSettlingEvent(event)) return false;
    const run = await new RunsRepository(this.db, tenantId).get(event.runId);
    if (!run || event.type !== `run.${run.status}`) return false;
    return (await this.engine.events.since(event.runId, event.seq)).length === 0;
  }

  async cancel(tenantId: string, id: string): Promise<RunRecord> {
    const run = await new RunsRepository(this.db, tenantId).cancel(id, this.now());
    if (!run) throw notFound(id);
    if (run.status === 'cancelled') {
      await this.engine.events.append(run.id, 'run.cancelled', { run_id: run.id, status: 'cancelled' }, this.now());
      this.onRunLeft?.(run, 'cancelled');
    }
    return run;
  }

  /** A person's decision on a tool call waiting for approval; the run resumes (on any replica) once every pending call has one. */
  async decide(
    tenantId: string,
    id: string,
    decision: { callId: string; decision: 'approve' | 'reject'; reason?: string; by?: string; values?: Record<string, unknown> },
  ): Promise<RunRecord> {
    let unknownCall = false;
    const updated = await new RunsRepository(this.db, tenantId).updatePaused(
      id,
      'waiting_approval',
      (run) => {
        const state = loadRunState(run.state);
        if (!state.pending_approvals.some((pending) => pending.call_id === decision.callId)) {
          unknownCall = true;
          return { state: run.state, requeue: false };
        }
        const decisions = {
          ...state.decisions,
          [decision.callId]: {
            decision: decision.decision,
            ...(decision.reason ? { reason: decision.reason } : {}),
            ...(decision.by ? { by: decision.by } : {}),
            ...(decision.values ? { values: decision.values } : {}),
          },
        };
        const pending = state.pending_approvals.filter((entry) => entry.call_id !== decision.callId);
        // The run kind's own keys (a workflow's) are kept as they are.
        return { state: { ...run.state, ...state, decisions, pending_approvals: pending }, requeue: pending.length === 0 };
      },
      this.now(),
    );
    if (!updated) {
      await this.get(tenantId, id);
      throw new HubError('CONFLICT', `Run \`${id}\` is not waiting for an approval.`, { code: 'run_not_waiting' });
    }
    if (unknownCall) {
      throw new HubError('INVALID_REQUEST', `Invalid call_id: run \`${id}\` has no pending call \`${decision.callId}\`.`, {
        param: 'call_id',
      });
    }
    await this.engine.events.append(id, 'approval.decided', { call_id: decision.callId, decision: decision.decision }, this.now());
    for (const listener of this.decidedListeners) {
      listener({ tenantId, runId: id, callId: decision.callId, decision: decision.decision, ...(decision.by ? { by: decision.by } : {}) });
    }
    if (updated.status === 'queued') await this.engine.notify();
    return updated;
  }

  /**
   * Runs a failed run again from where it failed, keeping what it had done (a retried workflow step keeps
   * its agent's conversation and tool results). A run that is not failed is returned as it stands.
   */
  async retry(tenantId: string, id: string): Promise<RunRecord> {
    const requeued = await new RunsRepository(this.db, tenantId).retryFailed(id, this.now());
    if (!requeued) return this.get(tenantId, id);
    await this.engine.events.append(id, 'run.queued', { run_id: id, subject: requeued.subject, retry: true }, this.now());
    await this.engine.notify();
    return requeued;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

const SETTLING_EVENTS = new Set(
  ['completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns', 'waiting', 'waiting_approval', 'handed_off', 'needs_attention'].map(
    (status) => `run.${status}`,
  ),
);

export const isSettlingEvent = (event: RunEventRecord): boolean => SETTLING_EVENTS.has(event.type);
