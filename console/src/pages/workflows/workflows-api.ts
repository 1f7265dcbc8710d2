import type { InboxTaskPage, ListResponse } from '@contract';
import { api, apiBase, isAdminMode } from '../../api/client';
import type { Workflow, WorkflowRun, WorkflowRunPage, WorkflowVersion } from './workflow-types';

/**
 * The Workflows page's calls: a person reaches the tenant's own `/v1/workflows` and its runs; the hub admin
 * `/admin/v1/workflows` with the tenant in `tenant_id` (definitions and versions only: runs belong to keys).
 */
const tenantQuery = (tenantId: string | null) => (isAdminMode() && tenantId ? { tenant_id: tenantId } : undefined);
const workflowPath = (name: string) => `${apiBase()}/workflows/${encodeURIComponent(name)}`;

export const workflowsKey = (tenantId: string | null) => ['workflows', apiBase(), tenantId] as const;
export const workflowKey = (tenantId: string | null, name: string) => ['workflows', apiBase(), tenantId, name] as const;
export const workflowVersionsKey = (tenantId: string | null, name: string) => ['workflows', apiBase(), tenantId, name, 'versions'] as const;
export const workflowRunsKey = (name: string) => ['workflow-runs', 'list', name] as const;
export const workflowRunKey = (id: string) => ['workflow-runs', 'run', id] as const;

export const listWorkflows = (tenantId: string | null) => api<ListResponse<Workflow>>(`${apiBase()}/workflows`, { query: tenantQuery(tenantId) });
export const getWorkflow = (tenantId: string | null, name: string) => api<Workflow>(workflowPath(name), { query: tenantQuery(tenantId) });
export const listWorkflowVersions = (tenantId: string | null, name: string) =>
  api<ListResponse<WorkflowVersion>>(`${workflowPath(name)}/versions`, { query: tenantQuery(tenantId) });

/** Serves `version` to new runs (an earlier one: a rollback); runs already started keep theirs. */
export const activateWorkflowVersion = (tenantId: string | null, name: string, version: number) =>
  api<Workflow>(`${workflowPath(name)}/activate`, { method: 'POST', body: { version }, query: tenantQuery(tenantId) });

/** One page of the workflow's runs, newest first; `cursor` is the previous page's `next_cursor`. */
export const listWorkflowRuns = (name: string, cursor: string | null) =>
  api<WorkflowRunPage>('/v1/workflow-runs', { query: { workflow: name, cursor: cursor ?? undefined, limit: 50 } });

export const getWorkflowRun = (id: string) => api<WorkflowRun>(`/v1/workflow-runs/${encodeURIComponent(id)}`);

export const cancelWorkflowRun = (id: string) => api<WorkflowRun>(`/v1/workflow-runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });

/** The open inbox task a human step waits on, found in its queue by the run and the step's key; null when none is open. */
export async function findHumanTask(queue: string, runId: string, stepKey: string): Promise<string | null> {
  const page = await api<InboxTaskPage>('/v1/inbox/tasks', { query: { queue, kind: 'approval', limit: 100 } });
  const task = page.data.find((candidate) => candidate.run_id === runId && candidate.call?.id === stepKey);
  return task?.id ?? null;
}

export const FINAL_RUN_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled', 'budget_exceeded'];
