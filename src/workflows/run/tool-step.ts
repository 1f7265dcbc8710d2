import { validateToolArguments } from '../../agents/index.js';
import type { JsonObject } from '../../core/index.js';
import type { ToolStep } from '../document.js';
import { type ExpressionScope, render } from '../expressions.js';
import { StepError } from './signals.js';
import type { StepEnvironment } from './step-environment.js';

/**
 * A `tool` step: one call of a tool the agent runtime knows (builtin, http, mcp, app), with its arguments
 * rendered and checked against the tool's parameters. Output `{content, json?}` (`json` when the content is
 * JSON). A tool's error fails the step with `tool_failed`. Repeated after a crash only when the step or the
 * tool says it is idempotent.
 */
export async function runToolStep(env: StepEnvironment, step: ToolStep, scope: ExpressionScope, key: string, signal: AbortSignal) {
  const args = render(step.arguments, scope) as JsonObject;
  const wanted = step.function ?? step.tool.name;
  const idempotent = step.idempotent ?? step.tool.idempotent;
  // Opened only when the call really runs: a replayed step connects to nothing.
  return env.context.keyedEffect(key, { kind: 'tool', name: key, idempotent, input: { tool: wanted, arguments: args } }, async (call) => {
    const opened = await env.deps.runtime.openTools({ tenantId: env.run.tenantId, runId: env.run.id, definitions: [step.tool], signal });
    try {
      const tool = opened.tools.find((candidate) => candidate.spec.name === wanted) ?? (step.function ? undefined : opened.tools[0]);
      if (!tool) {
        const offered = opened.tools.map((candidate) => candidate.spec.name).join(', ');
        throw new StepError(
          'tool_not_found',
          `the tool set \`${step.tool.name}\` has no tool \`${wanted}\` (it has: ${offered || 'none'})`,
        );
      }
      const checked = validateToolArguments(tool.spec.name, tool.spec.parameters, args);
      if (!checked.ok) throw new StepError('invalid_arguments', checked.message);
      const outcome = await tool.invoke(checked.arguments, {
        tenantId: env.run.tenantId,
        runId: env.run.id,
        callId: key,
        idempotencyKey: call.idempotencyKey,
        signal,
      });
      if (outcome.type === 'error') throw new StepError('tool_failed', outcome.message);
      if (outcome.type === 'handoff') throw new StepError('tool_failed', `the tool handed the matter to a person: ${outcome.summary}`);
      return { content: outcome.content, ...jsonOf(outcome.content) } as JsonObject;
    } finally {
      await opened.close();
    }
  });
}

function jsonOf(content: string): { json?: unknown } {
  const trimmed = content.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return {};
  try {
    return { json: JSON.parse(trimmed) };
  } catch {
    return {};
  }
}
