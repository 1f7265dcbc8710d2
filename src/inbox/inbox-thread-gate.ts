import { type AgentRuntime, DEFAULT_TRANSFER_MESSAGE, type HeldThread, type ThreadGate } from '../agents/index.js';
import { type Clock, newId } from '../core/index.js';
import { type Database, InboxTasksRepository, ThreadsRepository } from '../storage/index.js';
import { type SentimentClassifier, screenMessage } from './escalation.js';
import type { InboxNotifier } from './inbox-notifier.js';
import { openTask } from './open-task.js';
import { effectiveTask } from './task-dto.js';
import { placementOf } from './task-origins.js';

/**
 * What the agents' threads ask the inbox: whether a person holds a thread (then no agent answers in it and
 * the customer's message joins the task), and whether a new message should go to a person at once (the
 * agent's escalation rules: asked for a person, or upset) — which opens a hand-off task and holds the thread.
 */
export class InboxThreadGate implements ThreadGate {
  private readonly db: Database;
  private readonly runtime: AgentRuntime;
  private readonly notifier: InboxNotifier;
  private readonly clock: Clock;
  private readonly classify: SentimentClassifier | undefined;

  constructor(options: { db: Database; runtime: AgentRuntime; notifier: InboxNotifier; clock: Clock; classify?: SentimentClassifier }) {
    this.db = options.db;
    this.runtime = options.runtime;
    this.notifier = options.notifier;
    this.clock = options.clock;
    this.classify = options.classify;
  }

  async holding(tenantId: string, threadId: string): Promise<HeldThread | undefined> {
    const task = await new InboxTasksRepository(this.db, tenantId).holding(threadId);
    return task ? { taskId: task.id, status: effectiveTask(task, this.clock.now()).status } : undefined;
  }

  async joined(tenantId: string, held: HeldThread, message: { id: string; content: string }): Promise<void> {
    const repository = new InboxTasksRepository(this.db, tenantId);
    const event = await repository.record(held.taskId, 'task.message', 'customer', { message_id: message.id, role: 'user' }, this.now());
    const task = await repository.get(held.taskId);
    if (task) await this.notifier.changed(task, event);
  }

  async screen(request: {
    tenantId: string;
    keyId: string;
    threadId: string;
    agent: string;
    content: string;
  }): Promise<{ reason: string } | undefined> {
    const agent = await this.runtime.agents.resolve(request.tenantId, request.agent).catch(() => undefined);
    if (!agent?.definition.escalation) return undefined;
    try {
      return await screenMessage(agent.definition.escalation, request, this.classify);
    } catch {
      // A classifier that fails (its model is down, over budget) must not stop the agent from answering.
      return undefined;
    }
  }

  async escalate(request: {
    tenantId: string;
    threadId: string;
    agent: string;
    reason: string;
    message: { id: string; content: string };
  }): Promise<{ held: HeldThread; notice: Awaited<ReturnType<ThreadsRepository['appendNotice']>> | null }> {
    const agent = await this.runtime.agents.resolve(request.tenantId, request.agent).catch(() => undefined);
    const rules = agent?.definition.escalation;
    const why = request.reason === 'customer_request' ? 'The customer asked for a person.' : "The customer's message reads as upset.";
    const task = await openTask(
      { db: this.db, notifier: this.notifier },
      request.tenantId,
      {
        id: newId('tsk'),
        origin: `message:${request.message.id}`,
        kind: 'handoff',
        reason: request.reason,
        ...placementOf(rules, this.now()),
        subject: why,
        summary: `${why} They wrote: "${request.message.content.slice(0, 2_000)}"`,
        agent: request.agent,
        threadId: request.threadId,
        runId: null,
        callId: null,
        callName: null,
        callArguments: null,
      },
      `agent:${request.agent}`,
      this.now(),
    );
    const notice = await new ThreadsRepository(this.db, request.tenantId).appendNotice(
      request.threadId,
      { content: rules?.transfer_message ?? DEFAULT_TRANSFER_MESSAGE },
      this.now(),
    );
    return { held: { taskId: task.id, status: task.status }, notice };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
