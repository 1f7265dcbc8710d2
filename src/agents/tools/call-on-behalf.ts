import { HubError, type JsonObject, newId } from '../../core/index.js';
import type { ResolvedAgent } from '../agent-service.js';
import { openRunTools } from '../run/run-tools.js';
import type { AppToolRegistry } from './app-tools.js';
import { validateToolArguments } from './argument-validation.js';
import type { ResolveToolsDeps } from './resolve-tools.js';
import type { ToolOutcome } from './tool.js';

export interface OnBehalfCall {
  tenantId: string;
  agent: ResolvedAgent;
  /** The run the conversation's tools belong to (an app's per-run state, the idempotency key's scope). */
  runId: string;
  tool: string;
  arguments: unknown;
  signal: AbortSignal;
}

/**
 * Calls one of an agent's tools for a person who holds the conversation (the inbox's `tools/{name}`), with
 * the same guards a run's call has: the agent must have the tool, the arguments are validated against its
 * schema, and it reaches the network through the same address policy. Agent tools (child runs) and
 * hand-offs are not callable this way. A tool that needs approval runs: the person calling it is the approver.
 */
export async function callToolOnBehalf(
  call: OnBehalfCall,
  deps: { tools: Omit<ResolveToolsDeps, 'signal'>; appTools: AppToolRegistry },
): Promise<{ callId: string; arguments: JsonObject; outcome: ToolOutcome }> {
  const definition = call.agent.definition;
  if (definition.tools.some((tool) => tool.type === 'agent' && tool.name === call.tool)) {
    throw new HubError('INVALID_REQUEST', `\`${call.tool}\` runs another agent; a person cannot call it on the customer's behalf.`, {
      param: 'name',
    });
  }
  // App tools are named in the definition by their registry name; the model (and the person) know them by their spec's name.
  const set = await openRunTools(
    { ...definition, tools: definition.tools.filter((tool) => tool.type !== 'agent'), handoffs: [] },
    { ...deps.tools, signal: call.signal, allowStdio: call.agent.source === 'config' },
    () => {
      throw new Error('agent tools are left out above');
    },
    (name) => deps.appTools.create(name, { tenantId: call.tenantId, runId: call.runId }),
  );
  try {
    const tool = set.tools.find((candidate) => candidate.kind === 'call' && candidate.spec.name === call.tool);
    if (!tool || tool.kind !== 'call') {
      throw new HubError('NOT_FOUND', `Agent \`${call.agent.name}\` has no tool named \`${call.tool}\`.`, {
        code: 'tool_not_found',
        param: 'name',
      });
    }
    const checked = validateToolArguments(tool.spec.name, tool.spec.parameters, call.arguments ?? {});
    if (!checked.ok) throw new HubError('INVALID_REQUEST', `Invalid arguments: ${checked.message}`, { param: 'arguments' });
    const callId = newId('call');
    const outcome = await tool.tool.invoke(checked.arguments, {
      tenantId: call.tenantId,
      runId: call.runId,
      callId,
      idempotencyKey: `${call.runId}:${callId}`,
      signal: call.signal,
    });
    return { callId, arguments: checked.arguments, outcome };
  } finally {
    await set.close();
  }
}
