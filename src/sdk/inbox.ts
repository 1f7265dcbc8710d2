import { EventStream } from './event-stream.js';
import type {
  InboxReply,
  InboxStreamEvent,
  InboxTask,
  InboxTaskDetail,
  InboxTaskPage,
  InboxToolResult,
  TaskFilter,
} from './inbox-types.js';
import { parseEventData } from './run-stream.js';
import { type RequestOptions, requestOptions, type Transport } from './transport.js';

const segment = encodeURIComponent;

/**
 * The tasks of the human inbox. People work it: every route needs a personal key (or a signed-in session), a
 * service key gets 403 `person_required`. Reading needs the role's `inbox:read` (every role), acting on a task
 * `inbox:work` (owners and operators).
 */
export class InboxTasks {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  list(filter: TaskFilter = {}, options: RequestOptions = {}): Promise<InboxTaskPage> {
    return this.transport.json({ ...options, method: 'GET', path: '/v1/inbox/tasks', query: { ...filter } });
  }

  /** The task with its conversation (`transcript`), its run and its history. */
  get(id: string, options: RequestOptions = {}): Promise<InboxTaskDetail> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/inbox/tasks/${segment(id)}` });
  }

  /** Takes the task for `leaseSeconds` (30–28,800; the hub's default otherwise); 409 `task_claimed` when someone holds it. */
  claim(id: string, options: RequestOptions & { leaseSeconds?: number } = {}): Promise<InboxTask> {
    return this.action(id, 'claim', options.leaseSeconds ? { lease_seconds: options.leaseSeconds } : {}, options);
  }

  /** Extends the claim you hold. */
  renew(id: string, options: RequestOptions & { leaseSeconds?: number } = {}): Promise<InboxTask> {
    return this.action(id, 'renew', options.leaseSeconds ? { lease_seconds: options.leaseSeconds } : {}, options);
  }

  /** Puts the task back in its queue. */
  release(id: string, options: RequestOptions = {}): Promise<InboxTask> {
    return this.action(id, 'release', {}, options);
  }

  /** Answers the customer on the task's thread, as yourself. */
  reply(id: string, content: string, options: RequestOptions = {}): Promise<InboxReply> {
    return this.action(id, 'messages', { content }, options);
  }

  /** Calls one of the agent's tools for the customer (it is recorded on the run like the agent's own calls). */
  callTool(id: string, tool: string, args: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<InboxToolResult> {
    return this.action(id, `tools/${segment(tool)}`, { arguments: args }, options);
  }

  /** Approves the call (or workflow step) the task is about; `values` fills a workflow's form. */
  approve(
    id: string,
    options: RequestOptions & { reason?: string; values?: Record<string, string | number | boolean | null> } = {},
  ): Promise<InboxTask> {
    return this.action(
      id,
      'approve',
      { ...(options.reason ? { reason: options.reason } : {}), ...(options.values ? { values: options.values } : {}) },
      options,
    );
  }

  reject(id: string, options: RequestOptions & { reason?: string } = {}): Promise<InboxTask> {
    return this.action(id, 'reject', options.reason ? { reason: options.reason } : {}, options);
  }

  /** Gives the conversation back to the agent, with a note it reads. */
  handback(id: string, options: RequestOptions & { note?: string } = {}): Promise<InboxTask> {
    return this.action(id, 'handback', options.note ? { note: options.note } : {}, options);
  }

  /** Closes the task, saying how it was resolved. */
  resolve(id: string, resolution: string, options: RequestOptions = {}): Promise<InboxTask> {
    return this.action(id, 'resolve', { resolution }, options);
  }

  /** Moves the task to another queue. */
  transfer(id: string, queue: string, options: RequestOptions = {}): Promise<InboxTask> {
    return this.action(id, 'transfer', { queue }, options);
  }

  private action<T>(id: string, what: string, body: Record<string, unknown>, options: RequestOptions): Promise<T> {
    return this.transport.json({ ...requestOptions(options), method: 'POST', path: `/v1/inbox/tasks/${segment(id)}/${what}`, body });
  }
}

/** `/v1/inbox`: the tasks people work, and the live feed of their changes. */
export class Inbox {
  readonly tasks: InboxTasks;

  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
    this.tasks = new InboxTasks(transport);
  }

  /**
   * Every change to the tenant's tasks after `after` (a `last_event_seq` or an event's `seq`), live; it never
   * ends by itself (leave the loop or abort the signal), and reconnects after a drop from the last event seen.
   */
  events(options: RequestOptions & { after?: string } = {}): EventStream<InboxStreamEvent> {
    const base = requestOptions(options);
    const open = (lastEventId: string | undefined) =>
      this.transport.stream({
        ...base,
        method: 'GET',
        path: '/v1/inbox/events',
        query: { after: options.after },
        headers: { ...base.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      });
    return new EventStream<InboxStreamEvent>({
      open: () => open(undefined),
      canResume: () => true,
      resume: (lastEventId) => open(lastEventId || undefined),
      parse: (message) => parseEventData<InboxStreamEvent>(message),
      ends: () => false,
      maxReconnects: options.maxRetries ?? this.transport.config.maxRetries,
      signal: options.signal,
    });
  }
}
