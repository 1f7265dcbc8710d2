import { HubError } from '../../core/index.js';
import { type AgentDefinition, handoffToolName } from '../definition.js';
import { type ResolvedTools, type ResolveToolsDeps, resolveTools } from '../tools/resolve-tools.js';
import type { AgentTool, ToolSpec } from '../tools/tool.js';
import type { AgentToolDefinition, SandboxToolDefinition } from '../tools/tool-definitions.js';
import type { ToolType } from './run-telemetry.js';

/** A tool as the run loop offers it: one the agent calls, or a handoff to another agent. */
export type RunTool =
  | { kind: 'call'; spec: ToolSpec; tool: AgentTool; type: ToolType }
  | { kind: 'handoff'; spec: ToolSpec; agent: string };

export interface RunToolSet {
  tools: RunTool[];
  close(): Promise<void>;
}

/**
 * Opens an agent's tools for a run: its builtin, http and mcp tools, its agent tools (child runs, built by
 * `agentTool`), and one `transfer_to_<agent>` per handoff.
 */
export async function openRunTools(
  definition: AgentDefinition,
  deps: ResolveToolsDeps,
  agentTool: (definition: AgentToolDefinition) => AgentTool,
  appTool: (name: string) => Promise<AgentTool | undefined>,
  sandboxTools?: (definition: SandboxToolDefinition) => AgentTool[],
): Promise<RunToolSet> {
  const appTools: RunTool[] = [];
  for (const tool of definition.tools) {
    if (tool.type !== 'app') continue;
    const created = await appTool(tool.name);
    if (!created) throw new HubError('UNSUPPORTED_FEATURE', `Tool \`${tool.name}\`: no installed app provides it.`, { param: 'tools' });
    appTools.push({ kind: 'call', spec: created.spec, tool: { ...created, approval: tool.approval }, type: 'app' });
  }
  const sandboxes: RunTool[] = definition.tools.flatMap((tool) => {
    if (tool.type !== 'sandbox') return [];
    if (!sandboxTools) throw new HubError('UNSUPPORTED_FEATURE', 'This hub runs no sandboxes.', { param: 'tools' });
    return sandboxTools(tool).map((created) => ({ kind: 'call' as const, spec: created.spec, tool: created, type: 'sandbox' as const }));
  });
  const agentTools: RunTool[] = definition.tools.flatMap((tool) => {
    if (tool.type !== 'agent') return [];
    const created = agentTool(tool);
    return [{ kind: 'call' as const, spec: created.spec, tool: created, type: 'agent' as const }];
  });
  const resolved: ResolvedTools = await resolveTools(
    definition.tools.filter((tool) => tool.type !== 'agent' && tool.type !== 'app' && tool.type !== 'sandbox'),
    deps,
  );
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
      ...agentTools,
      ...appTools,
      ...sandboxes,
      ...handoffs,
    ],
    close: resolved.close,
  };
}
