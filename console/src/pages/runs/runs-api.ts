import type { Agent, ListResponse, Run, RunPage, RunStatus } from '@contract';
import { api } from '../../api/client';

/** The statuses a person filters by, in the order a run moves through them. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'waiting_approval',
  'handed_off',
  'needs_attention',
  'completed',
  'failed',
  'cancelled',
  'budget_exceeded',
  'max_turns',
];

export interface RunFilter {
  agent: string;
  status: string;
}

export const runsKey = (filter: RunFilter) => ['runs', 'list', filter.agent, filter.status] as const;

/** One page of the tenant's runs, newest first; `cursor` is the previous page's `next_cursor`. */
export const listRuns = (filter: RunFilter, cursor: string | null) =>
  api<RunPage>('/v1/runs', { query: { agent: filter.agent || undefined, status: filter.status || undefined, cursor: cursor ?? undefined, limit: 50 } });

export const cancelRun = (id: string) => api<Run>(`/v1/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });

/** The agents to filter by (names only). */
export const listAgentNames = async (): Promise<string[]> => (await api<ListResponse<Agent>>('/v1/agents')).data.map((agent) => agent.name);
