import { type RequestOptions, requestOptions, type Transport } from './transport.js';
import type { JsonObject, Thread, ThreadMessagePage, ThreadReply } from './types.js';

export interface PostMessage {
  /** The agent that answers on the thread. */
  agent: string;
  content: string;
}

const segment = encodeURIComponent;

/**
 * `/v1/threads`: conversations kept by the hub. Posting a message runs the agent named on the whole thread and
 * answers its reply; while a person holds the thread (a hand-off), the message goes to them and no agent answers.
 */
export class Threads {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  create(options: RequestOptions & { metadata?: JsonObject } = {}): Promise<Thread> {
    return this.transport.json({
      ...requestOptions(options),
      method: 'POST',
      path: '/v1/threads',
      body: options.metadata ? { metadata: options.metadata } : {},
    });
  }

  get(id: string, options: RequestOptions = {}): Promise<Thread> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/threads/${segment(id)}` });
  }

  /** Adds the customer's message and waits for the agent's reply (`reply.message.content`). Not retried on a 5xx. */
  post(id: string, message: PostMessage, options: RequestOptions = {}): Promise<ThreadReply> {
    return this.transport.json({
      ...options,
      method: 'POST',
      path: `/v1/threads/${segment(id)}/messages`,
      body: { agent: message.agent, content: message.content },
    });
  }

  /** The thread's messages, oldest first; `after` (a message id) and `limit` page through them. */
  messages(id: string, page: { after?: string; limit?: number } = {}, options: RequestOptions = {}): Promise<ThreadMessagePage> {
    return this.transport.json({
      ...options,
      method: 'GET',
      path: `/v1/threads/${segment(id)}/messages`,
      query: { after: page.after, limit: page.limit },
    });
  }
}
