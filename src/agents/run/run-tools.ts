import { HubError } from '../../core/index.js';
import { type AgentDefinition, handoffToolName } from '../definition.js';
import { type ResolvedTools, type ResolveToolsDeps, resolveTools } from '../tools/resolve-tools.js';
import type { AgentTool, ToolSpec } from '../tools/tool.js';
import type { ToolType } from './run-telemetry.js';

/** A tool as the run loop offers it: one the agent calls, or a handoff to another agent. */
export type RunTool =
  | { kind: 'call'; spec: ToolSpec; tool: AgentTool; type: ToolType }
  | { kind: 'handoff'; spec: ToolSpec; agent: string };

export interface RunToolSet {
  tools: RunTool[];
  close(): Promise<void>;
}

/** Opens an agent's tools for a run: its builtin, http and mcp tools, and one `transfer_to_<agent>` per handoff. */
export async function openRunTools(definition: AgentDefinition, deps: ResolveToolsDeps): Promise<RunToolSet> {
  const unsupported = definition.tools.find((tool) => tool.type === 'agent' || tool.type === 'app');
  if (unsupported) {
    throw new HubError('UNSUPPORTED_FEATURE', `Tool \`${unsupported.name}\`: ${unsupported.type} tools are not available yet.`, {
      param: 'tools',
    });
  }
  const resolved: ResolvedTools = await resolveTools(definition.tools, deps);
  // An MCP server's tools are named `<server>__<tool>`; every other tool keeps its definition's name.
  const typeOf = new Map(definition.tools.map((tool) => [tool.name, tool.type]));
  const toolType = (name: string): ToolType => {
    const type = typeOf.get(name);
    return type === 'builtin' || type === 'http' ? type : 'mcp';
  };
  const handoffs: RunTool[] = definition.handoffs.map((agent) => ({
    kind: 'handoff',
    agent,
    spec: {
      name: handoffToolName(agent),
      description: `Hand the conversation over to the agent \`${agent}\`, which continues it from here.`,
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  }));
  return {
    tools: [
      ...resolved.tools.map((tool): RunTool => ({ kind: 'call', spec: tool.spec, tool, type: toolType(tool.spec.name) })),
      ...handoffs,
    ],
    close: resolved.close,
  };
}
