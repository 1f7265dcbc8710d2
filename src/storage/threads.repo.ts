import { newId } from '../core/index.js';
import type { Database } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asDate, asNumber, fromJsonb, toJsonb } from './values.js';

export interface ThreadRecord {
  id: string;
  tenantId: string;
  metadata: JsonRecord;
  createdAt: Date;
}

export type ThreadMessageRole = 'user' | 'assistant' | 'human' | 'note';

export interface ThreadMessageRecord {
  id: string;
  threadId: string;
  /** Position in the thread, in the order messages were added. */
  seq: number;
  role: ThreadMessageRole;
  /** Who wrote a `human` message (a user of the tenant). */
  author: string | null;
  content: string;
  /** The run an `assistant` message is the answer of, or a `user` message started. */
  runId: string | null;
  createdAt: Date;
}

export interface NewThreadMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  runId?: string | null;
}

interface ThreadRow {
  id: string;
  tenant_id: string;
  metadata: unknown;
  created_at: unknown;
}

interface MessageRow {
  id: string;
  thread_id: string;
  seq: unknown;
  role: ThreadMessageRole;
  author: string | null;
  content: string;
  run_id: string | null;
  created_at: unknown;
}

const MESSAGE_COLUMNS = 'id, thread_id, seq, role, author, content, run_id, created_at';

const toThread = (row: ThreadRow): ThreadRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  metadata: fromJsonb(row.metadata) as JsonRecord,
  createdAt: asDate(row.created_at),
});

const toMessage = (row: MessageRow): ThreadMessageRecord => ({
  id: row.id,
  threadId: row.thread_id,
  seq: asNumber(row.seq),
  role: row.role,
  author: row.author,
  content: row.content,
  runId: row.run_id,
  createdAt: asDate(row.created_at),
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what the store refuses.
const UNSTORABLE = /\u0000|\p{Cs}/gu;

/** A model's text as the store can hold it: NUL and unpaired surrogates become U+FFFD (client input is refused instead). */
const storableText = (text: string): string => text.replace(UNSTORABLE, '\uFFFD');

/**
 * One tenant's threads and their messages. Every query carries the tenant filter, so another tenant's
 * thread id reads as absent; messages are only ever added, never changed.
 */
export class ThreadsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async create(thread: { id: string; metadata: JsonRecord }, now: Date): Promise<ThreadRecord> {
    const rows = await this.db.query<ThreadRow>(
      `insert into threads (id, tenant_id, metadata, created_at) values ($1, $2, $3::jsonb, $4)
       returning id, tenant_id, metadata, created_at`,
      [thread.id, this.tenantId, toJsonb(thread.metadata), now],
    );
    return toThread(rows[0] as ThreadRow);
  }

  async get(id: string): Promise<ThreadRecord | undefined> {
    const rows = await this.db.query<ThreadRow>(
      `select id, tenant_id, metadata, created_at from threads where tenant_id = $1 and id = $2`,
      [this.tenantId, id],
    );
    return rows[0] ? toThread(rows[0]) : undefined;
  }

  /** Messages oldest first, after the message `after` (its id) when given, at most `limit`. */
  async messages(threadId: string, options: { after?: string; limit?: number } = {}): Promise<ThreadMessageRecord[]> {
    const rows = await this.db.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from thread_messages
       where tenant_id = $1 and thread_id = $2
         and ($3::text is null or seq > (select seq from thread_messages where tenant_id = $1 and thread_id = $2 and id = $3))
       order by seq limit $4`,
      [this.tenantId, threadId, options.after ?? null, options.limit ?? null],
    );
    return rows.map(toMessage);
  }

  /** Adds the client's (or a run's input) messages, in order. */
  async append(threadId: string, messages: readonly NewThreadMessage[], now: Date): Promise<ThreadMessageRecord[]> {
    const added: ThreadMessageRecord[] = [];
    for (const message of messages) {
      const rows = await this.db.query<MessageRow>(
        `insert into thread_messages (id, tenant_id, thread_id, role, content, run_id, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning ${MESSAGE_COLUMNS}`,
        [message.id, this.tenantId, threadId, message.role, storableText(message.content), message.runId ?? null, now],
      );
      added.push(toMessage(rows[0] as MessageRow));
    }
    return added;
  }

  /**
   * Records a run's final answer on its thread, once: a run resumed after a crash records it again, and
   * the second time changes nothing. Returns the reply as stored.
   */
  async appendReply(threadId: string, reply: { id: string; runId: string; content: string }, now: Date): Promise<ThreadMessageRecord> {
    await this.db.query(
      `insert into thread_messages (id, tenant_id, thread_id, role, content, run_id, created_at)
       values ($1, $2, $3, 'assistant', $4, $5, $6)
       on conflict (run_id) where role = 'assistant' do nothing`,
      [reply.id, this.tenantId, threadId, storableText(reply.content), reply.runId, now],
    );
    return (await this.replyOf(reply.runId)) as ThreadMessageRecord;
  }

  /** The agent's notice that a person takes the conversation over, given when a rule escalated before any run answered. */
  async appendNotice(threadId: string, notice: { content: string }, now: Date): Promise<ThreadMessageRecord> {
    const rows = await this.db.query<MessageRow>(
      `insert into thread_messages (id, tenant_id, thread_id, role, content, created_at)
       values ($1, $2, $3, 'assistant', $4, $5) returning ${MESSAGE_COLUMNS}`,
      [newId('msg'), this.tenantId, threadId, storableText(notice.content), now],
    );
    return toMessage(rows[0] as MessageRow);
  }

  /** A person's reply on the thread (the human inbox): `author` names the user. */
  appendHuman(
    threadId: string,
    message: { id: string; author: string; content: string; runId?: string | null },
    now: Date,
  ): Promise<ThreadMessageRecord> {
    return this.appendAuthored(threadId, 'human', message, now);
  }

  /** A person's note to the agent (handing the thread back), which the customer's transcript leaves out. */
  appendNote(threadId: string, message: { id: string; author: string; content: string }, now: Date): Promise<ThreadMessageRecord> {
    return this.appendAuthored(threadId, 'note', message, now);
  }

  private async appendAuthored(
    threadId: string,
    role: 'human' | 'note',
    message: { id: string; author: string; content: string; runId?: string | null },
    now: Date,
  ): Promise<ThreadMessageRecord> {
    const rows = await this.db.query<MessageRow>(
      `insert into thread_messages (id, tenant_id, thread_id, role, author, content, run_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${MESSAGE_COLUMNS}`,
      [message.id, this.tenantId, threadId, role, message.author, storableText(message.content), message.runId ?? null, now],
    );
    return toMessage(rows[0] as MessageRow);
  }

  /** The answer a run recorded on its thread, if it did. */
  async replyOf(runId: string): Promise<ThreadMessageRecord | undefined> {
    const rows = await this.db.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from thread_messages where tenant_id = $1 and run_id = $2 and role = 'assistant'`,
      [this.tenantId, runId],
    );
    return rows[0] ? toMessage(rows[0]) : undefined;
  }
}
