import { HubError } from '../core/index.js';
import { type AgentDefinition, handoffToolName } from './definition.js';
import { jsonSchemaProblem } from './tools/argument-validation.js';

export interface DefinitionChecks {
  /** Whether the hub routes this model name. */
  modelExists(name: string): boolean;
  /** Why the upstream address policy refuses a URL, or undefined when it allows it. */
  urlProblem(url: string): Promise<string | undefined>;
  /** Whether an installed app registered a tool of this name. */
  appToolExists(name: string): boolean;
  /** The other agents of the tenant (active definitions, config ones included), by name. */
  others: ReadonlyMap<string, AgentDefinition>;
}

const invalid = (param: string, message: string): HubError => new HubError('INVALID_REQUEST', `Invalid ${param}: ${message}`, { param });

/** The agents a definition calls: its handoffs and its `agent` tools. */
export function calledAgents(definition: AgentDefinition): string[] {
  return [...definition.handoffs, ...definition.tools.flatMap((tool) => (tool.type === 'agent' ? [tool.agent] : []))];
}

/**
 * Refuses a definition that cannot run, with a 400 naming the field: an unknown model, an invalid output
 * schema, duplicate tool names, a handoff or agent tool naming an unknown agent or closing a cycle, and an
 * HTTP or MCP tool URL the upstream address policy refuses.
 */
export async function checkDefinition(definition: AgentDefinition, checks: DefinitionChecks): Promise<void> {
  if (!checks.modelExists(definition.model)) throw invalid('model', `the hub routes no model named \`${definition.model}\``);
  if (definition.output_schema) {
    const problem = jsonSchemaProblem(definition.output_schema);
    if (problem) throw invalid('output_schema', problem);
  }
  const seen = new Map<string, string>();
  const claim = (name: string, param: string): void => {
    const earlier = seen.get(name);
    if (earlier) throw invalid(param, `the tool name \`${name}\` is already used by ${earlier}`);
    seen.set(name, param);
  };
  definition.tools.forEach((tool, index) => {
    claim(tool.name, `tools.${index}.name`);
  });
  definition.handoffs.forEach((agent, index) => {
    claim(handoffToolName(agent), `handoffs.${index}`);
  });
  for (const [index, agent] of definition.handoffs.entries()) {
    if (agent !== definition.name && !checks.others.has(agent)) throw invalid(`handoffs.${index}`, `no agent named \`${agent}\``);
  }
  for (const [index, tool] of definition.tools.entries()) {
    if (tool.type === 'app' && !checks.appToolExists(tool.name))
      throw invalid(`tools.${index}.name`, `no installed app provides a tool named \`${tool.name}\``);
    if (tool.type === 'agent' && tool.agent !== definition.name && !checks.others.has(tool.agent)) {
      throw invalid(`tools.${index}.agent`, `no agent named \`${tool.agent}\``);
    }
    const url = tool.type === 'http' ? tool.request.url : tool.type === 'mcp' && 'url' in tool.server ? tool.server.url : undefined;
    if (url !== undefined) {
      const problem = await checks.urlProblem(fixedPart(url));
      if (problem) throw invalid(tool.type === 'http' ? `tools.${index}.request.url` : `tools.${index}.server.url`, problem);
    }
  }
  const cycle = findCycle(definition, checks.others);
  if (cycle) throw invalid(cycle.param, `calling ${cycle.path.map((name) => `\`${name}\``).join(' → ')} would loop forever`);
}

/** The part of a URL template before its first expression: scheme and host are always literal there. */
function fixedPart(template: string): string {
  const brace = template.indexOf('{');
  return brace === -1 ? template : template.slice(0, brace);
}

/** A path from the definition back to itself through handoffs and agent tools, if there is one. */
function findCycle(
  definition: AgentDefinition,
  others: ReadonlyMap<string, AgentDefinition>,
): { param: string; path: string[] } | undefined {
  const edgesOf = (name: string): string[] => {
    if (name === definition.name) return calledAgents(definition);
    const other = others.get(name);
    return other ? calledAgents(other) : [];
  };
  const start = calledAgents(definition);
  for (const [index, first] of start.entries()) {
    const stack: string[][] = [[definition.name, first]];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const path = stack.pop() as string[];
      const last = path.at(-1) as string;
      if (last === definition.name) {
        const param = index < definition.handoffs.length ? `handoffs.${index}` : 'tools';
        return { param, path };
      }
      if (visited.has(last)) continue;
      visited.add(last);
      for (const next of edgesOf(last)) stack.push([...path, next]);
    }
  }
  return undefined;
}
