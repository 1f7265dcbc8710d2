import type { Agent, AgentDefinition, AgentVersion, ListResponse } from '@contract';
import { api, apiBase, isAdminMode } from '../../api/client';

/**
 * The Agents page's calls: a person reaches the tenant's own `/v1/agents`; the hub admin `/admin/v1/agents`
 * with the tenant named in `tenant_id` (the same shapes, the same validation, the same versions).
 */
const tenantQuery = (tenantId: string | null) => (isAdminMode() && tenantId ? { tenant_id: tenantId } : undefined);
const agentPath = (name: string) => `${apiBase()}/agents/${encodeURIComponent(name)}`;

export const agentsKey = (tenantId: string | null) => ['agents', apiBase(), tenantId] as const;
export const agentKey = (tenantId: string | null, name: string) => ['agents', apiBase(), tenantId, name] as const;
export const versionsKey = (tenantId: string | null, name: string) => ['agents', apiBase(), tenantId, name, 'versions'] as const;

export const listAgents = (tenantId: string | null) => api<ListResponse<Agent>>(`${apiBase()}/agents`, { query: tenantQuery(tenantId) });
export const getAgent = (tenantId: string | null, name: string) => api<Agent>(agentPath(name), { query: tenantQuery(tenantId) });
export const listVersions = (tenantId: string | null, name: string) =>
  api<ListResponse<AgentVersion>>(`${agentPath(name)}/versions`, { query: tenantQuery(tenantId) });

export function createAgent(tenantId: string | null, definition: AgentDefinition): Promise<Agent> {
  return api<Agent>(`${apiBase()}/agents`, { method: 'POST', body: isAdminMode() && tenantId ? { ...definition, tenant_id: tenantId } : definition });
}

/** A whole definition: the hub keeps it as a new version and serves it. */
export const updateAgent = (tenantId: string | null, name: string, definition: AgentDefinition) =>
  api<Agent>(agentPath(name), { method: 'PUT', body: definition, query: tenantQuery(tenantId) });

/** Serves `version` (an earlier one: a rollback). */
export const activateVersion = (tenantId: string | null, name: string, version: number) =>
  api<Agent>(`${agentPath(name)}/activate`, { method: 'POST', body: { version }, query: tenantQuery(tenantId) });

/** Starts a run in the background (`202` with its id); the page follows it live. A person only: runs belong to a key. */
export const startTestRun = (name: string, input: string) =>
  api<{ id: string; status: string }>(`/v1/agents/${encodeURIComponent(name)}/runs`, { method: 'POST', body: { input, background: true } });

/** Model names to suggest: the routed models for the admin, the models a person may call (`inference`) otherwise. */
export async function listModelNames(): Promise<string[]> {
  if (isAdminMode()) {
    const models = await api<ListResponse<{ name: string; kind?: string }>>('/admin/v1/models');
    return models.data.filter((model) => model.kind === undefined || model.kind === 'chat').map((model) => model.name);
  }
  const models = await api<ListResponse<{ id: string }>>('/v1/models');
  return models.data.map((model) => model.id).filter((id) => !id.startsWith('agent/'));
}

/** What the definition's fields are when the server leaves them out: the defaults the hub applies. */
export const DEFAULT_LIMITS = { max_turns: 10, max_tool_calls: 50, timeout_s: 600 } as const;
export const BUILTIN_TOOLS = ['calculator', 'current_time', 'transfer_to_human'] as const;

/** The definition part of an agent as the API answers it (without `object`, `source`, versions and dates). */
export function definitionOf(agent: Agent | AgentDefinition): AgentDefinition {
  const { object: _object, source: _source, active_version: _active, latest_version: _latest, created_at: _created, updated_at: _updated, ...definition } =
    agent as Agent;
  return definition;
}
