import { EvalRunError } from './eval-run-error.js';
import type { EvalHubClient, Json } from './hub-client.js';

/**
 * What an eval measures: the support app's own agent on a model (`{ model }`), or an agent of the eval
 * tenant at a version (`{ name, version }`, default its latest), whose model, instructions and limits then
 * replace those of each trial's installation agent (the tools stay the support app's, bound to the trial's store).
 */
export type AgentUnderTest = { model: string } | { name: string; version?: number };

/** The part of an agent definition a trial's installation takes from the agent under test. */
export interface AgentOverride {
  name: string;
  version: number;
  model: string;
  instructions: string;
  limits?: Json;
}

/** `name`, `name@3`, or `model:<alias>` as the CLI writes an agent under test. */
export function parseAgentUnderTest(text: string): AgentUnderTest {
  if (text.startsWith('model:')) return { model: text.slice('model:'.length) };
  const at = /^([a-zA-Z0-9_-]{1,64})(?:@(\d+))?$/.exec(text);
  if (!at?.[1]) throw new EvalRunError(`--agent ${text}: give an agent name, name@version, or model:<model>.`);
  return at[2] ? { name: at[1], version: Number(at[2]) } : { name: at[1] };
}

export const describeAgent = (agent: AgentUnderTest): string =>
  'model' in agent ? `model:${agent.model}` : `${agent.name}${agent.version !== undefined ? `@${agent.version}` : ''}`;

/** Reads the agent under test's definition at its version, once per eval. */
export async function resolveAgent(client: EvalHubClient, tenantId: string, agent: AgentUnderTest): Promise<AgentOverride | undefined> {
  if ('model' in agent) return undefined;
  const tenant = `tenant_id=${encodeURIComponent(tenantId)}`;
  const current = await client.admin<Json>('GET', `/admin/v1/agents/${encodeURIComponent(agent.name)}?${tenant}`);
  const version = agent.version ?? Number(current.latest_version);
  const versions = await client.admin<{ data: { version: number; definition: Json }[] }>(
    'GET',
    `/admin/v1/agents/${encodeURIComponent(agent.name)}/versions?${tenant}`,
  );
  const definition = versions.data.find((candidate) => candidate.version === version)?.definition;
  if (!definition) throw new EvalRunError(`Agent ${agent.name} has no version ${version}.`);
  return {
    name: agent.name,
    version,
    model: String(definition.model),
    instructions: String(definition.instructions ?? ''),
    ...(definition.limits ? { limits: definition.limits as Json } : {}),
  };
}

/** Makes a trial's installation agent run as the agent under test: a new version with its model, instructions and limits, activated. */
export async function applyOverride(client: EvalHubClient, tenantId: string, agentName: string, override: AgentOverride): Promise<void> {
  const path = `/admin/v1/agents/${encodeURIComponent(agentName)}`;
  const tenant = `tenant_id=${encodeURIComponent(tenantId)}`;
  const installed = await client.admin<Json>('GET', `${path}?${tenant}`);
  const definition: Json = {
    name: agentName,
    model: override.model,
    instructions: override.instructions,
    tools: installed.tools,
    handoffs: installed.handoffs,
    limits: override.limits ?? installed.limits,
    ...(installed.escalation ? { escalation: installed.escalation } : {}),
    metadata: { ...(installed.metadata as Json), eval_agent: `${override.name}@${override.version}` },
  };
  const updated = await client.admin<Json>('PUT', `${path}?${tenant}`, definition);
  await client.admin('POST', `${path}/activate?${tenant}`, { version: Number(updated.latest_version) });
}
