import { type Clock, HubError, isStorableText, newId, systemClock, UNSTORABLE_TEXT_MESSAGE } from '../core/index.js';
import { type Database, type RunRecord, type ThreadMessageRecord, type ThreadRecord, ThreadsRepository } from '../storage/index.js';
import type { AgentRunInput } from './run/run-input.js';
import type { RunService } from './run-service.js';
import type { RunDto } from './run-view.js';

type InputMessage = AgentRunInput['messages'][number];

export const threadNotFound = (id: string, param?: string): HubError =>
  new HubError('NOT_FOUND', `No thread \`${id}\`.`, { code: 'thread_not_found', ...(param ? { param } : {}) });

/**
 * The conversation a run on a thread starts from: the thread's messages so far, then the run's own input.
 * The input's `user` and `assistant` messages are added to the thread (marked with the run they started);
 * `system` and `developer` messages steer this run only. A person's reply (`human`) reads to the model as
 * an answer on the agent's side of the conversation, so it is given as `assistant`.
 */
export async function threadInput(
  db: Database,
  request: { tenantId: string; threadId: string; runId: string; messages: readonly InputMessage[] },
  now: Date,
): Promise<InputMessage[]> {
  const repository = new ThreadsRepository(db, request.tenantId);
  if (!(await repository.get(request.threadId))) throw threadNotFound(request.threadId, 'thread_id');
  const problem = request.messages.findIndex((message) => !isStorableText(message.content));
  if (problem >= 0) {
    throw new HubError('INVALID_REQUEST', `Invalid input.${problem}.content: ${UNSTORABLE_TEXT_MESSAGE}`, {
      param: `input.${problem}.content`,
    });
  }
  const history = await repository.messages(request.threadId);
  const kept = request.messages.flatMap((message) =>
    message.role === 'user' || message.role === 'assistant' ? [{ role: message.role, content: message.content }] : [],
  );
  await repository.append(
    request.threadId,
    kept.map((message) => ({ id: newId('msg'), role: message.role, content: message.content, runId: request.runId })),
    now,
  );
  return [...history.map(toInputMessage), ...request.messages];
}

const toInputMessage = (message: ThreadMessageRecord): InputMessage =>
  message.role === 'note'
    ? {
        role: 'system',
        content: `A colleague (${message.author ?? 'a person'}) handed this conversation back to you with a note: ${message.content}`,
      }
    : { role: message.role === 'user' ? 'user' : 'assistant', content: message.content };

/** A thread's message as the API answers it. */
export const threadMessageDto = (message: ThreadMessageRecord) => ({
  id: message.id,
  object: 'thread.message' as const,
  thread_id: message.threadId,
  role: message.role,
  ...(message.author !== null ? { author: message.author } : {}),
  content: message.content,
  ...(message.runId !== null ? { run_id: message.runId } : {}),
  created_at: message.createdAt.toISOString(),
});
export type ThreadMessageDto = ReturnType<typeof threadMessageDto>;

export const threadDto = (thread: ThreadRecord) => ({
  id: thread.id,
  object: 'thread' as const,
  created_at: thread.createdAt.toISOString(),
  metadata: thread.metadata,
});

/**
 * What posting a message answers: the agent's reply (null when the run did not complete) and the run; or,
 * when the conversation is with a person (or goes to one now), no run and the task (`handoff`).
 */
export interface ThreadReply {
  object: 'thread.reply';
  message: ThreadMessageDto | null;
  run: RunDto | null;
  handoff?: { task_id: string; status: string; reason?: string };
}

/** A hand-off holding a thread, as the gate reports it. */
export interface HeldThread {
  taskId: string;
  status: string;
}

/**
 * The human inbox's say over a thread (set by the composition root; agents know nothing of the inbox): while
 * a person holds a thread no agent answers in it, the customer's messages join the person's task, and rules
 * may send a conversation to a person before the agent answers.
 */
export interface ThreadGate {
  holding(tenantId: string, threadId: string): Promise<HeldThread | undefined>;
  /** A customer's message was added to a held thread. */
  joined(tenantId: string, held: HeldThread, message: ThreadMessageRecord): Promise<void>;
  /** Whether a rule sends this message's conversation to a person (asked for one, negative sentiment). */
  screen(request: {
    tenantId: string;
    keyId: string;
    threadId: string;
    agent: string;
    content: string;
  }): Promise<{ reason: string } | undefined>;
  /** Opens the hand-off a rule asked for; answers the customer's transfer notice. */
  escalate(request: {
    tenantId: string;
    threadId: string;
    agent: string;
    reason: string;
    message: ThreadMessageRecord;
  }): Promise<{ held: HeldThread; notice: ThreadMessageRecord | null }>;
}

/**
 * Threads: conversations of a tenant that hold across runs. Posting a message runs an agent on the thread
 * and waits for it; the final answer of every completed run on a thread is recorded on it by the run itself
 * (see `recordReply`), so a run in the background or one whose caller went away still answers the thread.
 */
export class ThreadService {
  private readonly db: Database;
  private readonly runs: RunService;
  private readonly clock: Clock;
  private gate: ThreadGate | undefined;

  constructor(options: { db: Database; runs: RunService; clock?: Clock }) {
    this.db = options.db;
    this.runs = options.runs;
    this.clock = options.clock ?? systemClock;
  }

  create(tenantId: string, metadata: Record<string, unknown> = {}): Promise<ThreadRecord> {
    return new ThreadsRepository(this.db, tenantId).create({ id: newId('thr'), metadata }, this.now());
  }

  async get(tenantId: string, id: string): Promise<ThreadRecord> {
    const thread = await new ThreadsRepository(this.db, tenantId).get(id);
    if (!thread) throw threadNotFound(id);
    return thread;
  }

  /** Messages oldest first; `hasMore` when more follow the page. */
  async messages(
    tenantId: string,
    id: string,
    page: { after?: string; limit: number },
  ): Promise<{ messages: ThreadMessageRecord[]; hasMore: boolean }> {
    await this.get(tenantId, id);
    const found = await new ThreadsRepository(this.db, tenantId).messages(id, { ...page, limit: page.limit + 1 });
    return { messages: found.slice(0, page.limit), hasMore: found.length > page.limit };
  }

  /** Installs the inbox's gate (once, by the composition root). */
  setGate(gate: ThreadGate): void {
    this.gate = gate;
    this.runs.setThreadHold((tenantId, threadId) => gate.holding(tenantId, threadId));
  }

  /**
   * Adds the user's message and runs `agent` on the thread, waiting until the run finishes or pauses; while
   * a person holds the thread the message joins their task instead, and no agent answers.
   */
  async post(
    caller: { tenantId: string; keyId: string },
    threadId: string,
    message: { agent: string; content: string },
    signal?: AbortSignal,
  ): Promise<ThreadReply> {
    await this.get(caller.tenantId, threadId);
    if (this.gate) {
      const gated = await this.gated(this.gate, caller, threadId, message);
      if (gated) return gated;
    }
    const started = await this.runs.start({
      tenantId: caller.tenantId,
      keyId: caller.keyId,
      agent: message.agent,
      input: message.content,
      threadId,
    });
    const settled = await this.runs.settled(caller.tenantId, started.id, signal);
    const [run, reply] = await Promise.all([
      this.runs.view(settled, { exact: true }),
      new ThreadsRepository(this.db, caller.tenantId).replyOf(started.id),
    ]);
    return { object: 'thread.reply', message: reply ? threadMessageDto(reply) : null, run };
  }

  private async gated(
    gate: ThreadGate,
    caller: { tenantId: string; keyId: string },
    threadId: string,
    message: { agent: string; content: string },
  ): Promise<ThreadReply | undefined> {
    if (!isStorableText(message.content)) {
      throw new HubError('INVALID_REQUEST', `Invalid content: ${UNSTORABLE_TEXT_MESSAGE}`, { param: 'content' });
    }
    const repository = new ThreadsRepository(this.db, caller.tenantId);
    const held = await gate.holding(caller.tenantId, threadId);
    const reason = held ? undefined : (await gate.screen({ ...caller, threadId, agent: message.agent, content: message.content }))?.reason;
    if (!held && !reason) return undefined;
    const [added] = await repository.append(threadId, [{ id: newId('msg'), role: 'user', content: message.content }], this.now());
    if (!added) throw new Error('thread append returned no message');
    if (held) {
      await gate.joined(caller.tenantId, held, added);
      return { object: 'thread.reply', message: null, run: null, handoff: { task_id: held.taskId, status: held.status } };
    }
    const escalated = await gate.escalate({
      tenantId: caller.tenantId,
      threadId,
      agent: message.agent,
      reason: reason as string,
      message: added,
    });
    return {
      object: 'thread.reply',
      message: escalated.notice ? threadMessageDto(escalated.notice) : null,
      run: null,
      handoff: { task_id: escalated.held.taskId, status: escalated.held.status, reason: reason as string },
    };
  }

  /** The agent's notice to the customer that a person takes over (once per run: safe to repeat). */
  async recordNotice(tenantId: string, threadId: string, notice: { runId: string; content: string }): Promise<ThreadMessageRecord> {
    return new ThreadsRepository(this.db, tenantId).appendReply(threadId, { id: newId('msg'), ...notice }, this.now());
  }

  /** A person's note to the agent on handing a thread back: in the agent's context, not the customer's transcript. */
  async appendNote(tenantId: string, threadId: string, note: { author: string; content: string }): Promise<ThreadMessageRecord> {
    await this.get(tenantId, threadId);
    return new ThreadsRepository(this.db, tenantId).appendNote(threadId, { id: newId('msg'), ...note }, this.now());
  }

  /** Records a completed run's final answer on its thread (safe to repeat: a run answers its thread once). */
  async recordReply(run: RunRecord, text: string): Promise<void> {
    if (!run.threadId) return;
    await new ThreadsRepository(this.db, run.tenantId).appendReply(
      run.threadId,
      { id: newId('msg'), runId: run.id, content: text },
      this.now(),
    );
  }

  /** A person's reply on the thread, written by `author` (the human inbox answers through this). */
  async appendHuman(
    tenantId: string,
    threadId: string,
    message: { author: string; content: string; runId?: string },
  ): Promise<ThreadMessageRecord> {
    await this.get(tenantId, threadId);
    return new ThreadsRepository(this.db, tenantId).appendHuman(threadId, { id: newId('msg'), ...message }, this.now());
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
