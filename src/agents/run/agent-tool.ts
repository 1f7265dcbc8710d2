import type { RunRecord } from '../../storage/index.js';
import type { AgentTool } from '../tools/tool.js';
import type { AgentToolDefinition } from '../tools/tool-definitions.js';
import type { ChildRuns } from './child-runs.js';

export interface AgentToolDeps {
  children: ChildRuns;
  /** The run calling the tool: its child runs for the same key and count against its limits too. */
  parent: RunRecord;
  keyId: string;
  /** The parent's own limit and its ancestors', outermost first. */
  budgets: { run_id: string; max_cost_usd: string }[];
}

/**
 * Another agent of the tenant called as a tool: each call is a child run (its tokens billed once, on the child,
 * counted in the parent's usage and limits). Safe to repeat after a crash: the child's id comes from the call's
 * idempotency key, so a replayed call waits for the child it started before.
 */
export function createAgentTool(definition: AgentToolDefinition, deps: AgentToolDeps): AgentTool {
  return {
    spec: {
      name: definition.name,
      description: definition.description,
      parameters: {
        type: 'object',
        properties: { input: { type: 'string', description: `What to ask the agent \`${definition.agent}\`.` } },
        required: ['input'],
        additionalProperties: false,
      },
    },
    approval: definition.approval,
    idempotent: true,
    async invoke(args, context) {
      const child = await deps.children.run(
        {
          parent: deps.parent,
          idempotencyKey: context.idempotencyKey,
          agent: definition.agent,
          input: String(args.input ?? ''),
          keyId: deps.keyId,
          ancestorBudgets: deps.budgets,
        },
        context.signal,
      );
      const text = typeof child.output?.text === 'string' ? child.output.text : '';
      switch (child.status) {
        case 'completed':
          return { type: 'result', content: text };
        case 'handed_off':
          return { type: 'result', content: `The agent \`${definition.agent}\` handed the matter to a person: ${text}` };
        default: {
          const message = typeof child.error?.message === 'string' ? child.error.message : `it ended ${child.status}`;
          return { type: 'error', message: `The agent \`${definition.agent}\` could not answer (${child.status}): ${message}` };
        }
      }
    },
  };
}
