import type { JsonObject } from '../../core/index.js';
import type { AgentDefinition } from '../definition.js';
import { validateToolArguments } from '../tools/argument-validation.js';

/** A run's limits as they stand this turn; a limit reached ends the run with its status. */
export function limitReached(
  definition: AgentDefinition,
  counts: { turns: number; toolCalls: number },
  startedAt: Date,
  now: number,
): { status: 'max_turns' | 'failed'; error: JsonObject } | undefined {
  const { limits } = definition;
  if (counts.turns >= limits.max_turns) {
    return { status: 'max_turns', error: { code: 'max_turns', message: `The run reached its limit of ${limits.max_turns} model calls.` } };
  }
  if (counts.toolCalls > limits.max_tool_calls) {
    return {
      status: 'max_turns',
      error: { code: 'max_tool_calls', message: `The run reached its limit of ${limits.max_tool_calls} tool calls.` },
    };
  }
  if (now - startedAt.getTime() > limits.timeout_s * 1000) {
    return { status: 'failed', error: { code: 'timeout', message: `The run took longer than its limit of ${limits.timeout_s} s.` } };
  }
  return undefined;
}

/** Consecutive turns of invalid tool arguments a model gets to correct itself before the run fails. */
export const MAX_INVALID_ARGUMENT_TURNS = 3;

/** The final answer against the agent's output schema: its JSON, or why it does not fit (sent back to the model). */
export function checkOutput(definition: AgentDefinition, text: string): { ok: true; json?: unknown } | { ok: false; message: string } {
  if (!definition.output_schema) return { ok: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the answer is not JSON' };
  }
  const checked = validateToolArguments('output', definition.output_schema as JsonObject, value);
  return checked.ok ? { ok: true, json: value } : { ok: false, message: checked.message };
}
