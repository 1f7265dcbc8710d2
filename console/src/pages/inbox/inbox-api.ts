import type { InboxTask, InboxTaskDetail, InboxTaskPage, InboxToolResult } from '@contract';
import { api } from '../../api/client';

/** Claims last five minutes and are renewed while the page is open, so a closed tab frees its tasks soon. */
export const LEASE_SECONDS = 300;
export const RENEW_EVERY_MS = 60_000;
/** The most active tasks the page loads (20 pages of 100 for each status). */
const MAX_PAGES = 20;

export const isActive = (task: InboxTask): boolean => task.status === 'open' || task.status === 'claimed';

/** A claim whose lease ran out reads as open at once, as the hub itself treats it. */
export function effectiveTask(task: InboxTask, now: number): InboxTask {
  if (task.status === 'claimed' && task.lease_expires_at && Date.parse(task.lease_expires_at) <= now) {
    return { ...task, status: 'open', assignee: null, lease_expires_at: null };
  }
  return task;
}

export interface ActiveTasks {
  tasks: InboxTask[];
  /** The event number to follow the stream from: read by the hub before the first page. */
  lastEventSeq: string;
  /** More active tasks exist than the page loads. */
  truncated: boolean;
}

/** Every open and claimed task of the tenant, oldest first, and the event number the listing stands at. */
export async function loadActiveTasks(signal?: AbortSignal): Promise<ActiveTasks> {
  const tasks: InboxTask[] = [];
  let lastEventSeq: string | null = null;
  let truncated = false;
  for (const status of ['open', 'claimed'] as const) {
    let after: string | undefined;
    for (let page = 0; ; page += 1) {
      if (page === MAX_PAGES) {
        truncated = true;
        break;
      }
      const answer = await api<InboxTaskPage>('/v1/inbox/tasks', { query: { status, limit: 100, after }, ...(signal ? { signal } : {}) });
      lastEventSeq ??= answer.last_event_seq;
      tasks.push(...answer.data);
      const last = answer.data.at(-1);
      if (!answer.has_more || !last) break;
      after = last.id;
    }
  }
  return { tasks, lastEventSeq: lastEventSeq ?? '0', truncated };
}

export const fetchTask = (id: string, signal?: AbortSignal) =>
  api<InboxTaskDetail>(`/v1/inbox/tasks/${encodeURIComponent(id)}`, signal ? { signal } : {});

const post = <T>(id: string, action: string, body: unknown = {}) =>
  api<T>(`/v1/inbox/tasks/${encodeURIComponent(id)}/${action}`, { method: 'POST', body });

export const inboxActions = {
  claim: (id: string) => post<InboxTask>(id, 'claim', { lease_seconds: LEASE_SECONDS }),
  renew: (id: string) => post<InboxTask>(id, 'renew', { lease_seconds: LEASE_SECONDS }),
  release: (id: string) => post<InboxTask>(id, 'release'),
  reply: (id: string, content: string) => post<{ id: string }>(id, 'messages', { content }),
  approve: (id: string) => post<InboxTask>(id, 'approve'),
  reject: (id: string, reason: string) => post<InboxTask>(id, 'reject', reason ? { reason } : {}),
  handback: (id: string, note: string) => post<InboxTask>(id, 'handback', note ? { note } : {}),
  resolve: (id: string, resolution: string) => post<InboxTask>(id, 'resolve', { resolution }),
  transfer: (id: string, queue: string) => post<InboxTask>(id, 'transfer', { queue }),
  callTool: (id: string, tool: string, args: Record<string, unknown>) =>
    post<InboxToolResult>(id, `tools/${encodeURIComponent(tool)}`, { arguments: args }),
};

/** The tools of an agent a person may call on the customer's behalf (agent tools and hand-offs are not callable). */
export interface AgentToolChoice {
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
}

interface AgentDefinitionTool {
  type: string;
  name?: string;
  description?: string;
  parameters?: Record<string, unknown>;
  include?: string[];
}

export async function fetchAgentTools(agent: string, signal?: AbortSignal): Promise<AgentToolChoice[]> {
  const definition = await api<{ tools?: AgentDefinitionTool[] }>(`/v1/agents/${encodeURIComponent(agent)}`, signal ? { signal } : {});
  const choices: AgentToolChoice[] = [];
  for (const tool of definition.tools ?? []) {
    if (tool.type === 'agent' || tool.name === 'transfer_to_human') continue;
    if (tool.type === 'mcp') {
      for (const name of tool.include ?? []) choices.push({ name, description: null, parameters: null });
      continue;
    }
    if (tool.name) choices.push({ name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null });
  }
  return choices;
}

/** A starting set of arguments from a JSON schema's properties (empty values of each type). */
export function argumentsTemplate(parameters: Record<string, unknown> | null): string {
  const properties = (parameters?.properties ?? {}) as Record<string, { type?: string }>;
  const template: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    template[name] =
      schema.type === 'number' || schema.type === 'integer' ? 0 : schema.type === 'boolean' ? false : schema.type === 'array' ? [] : schema.type === 'object' ? {} : '';
  }
  return JSON.stringify(template, null, 2);
}

export interface Person {
  id: string;
  name: string | null;
  email: string;
}

export const fetchPeople = (signal?: AbortSignal) => api<{ data: Person[] }>('/v1/users', signal ? { signal } : {}).then((page) => page.data);
