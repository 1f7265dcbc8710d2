import type { JsonObject } from '../../core/index.js';
import { NeedsAttentionError, type RunContext } from '../../runs/index.js';
import { validateToolArguments } from '../tools/argument-validation.js';
import type { ModelReply } from './call-model.js';
import type { AgentRunState } from './run-input.js';
import type { RunTelemetry } from './run-telemetry.js';
import type { RunTool } from './run-tools.js';

type RequestedCall = ModelReply['tool_calls'][number];
type ToolResult = { callId: string; content: string; failed: boolean };

/** What the model's tool calls of one turn came to. */
export type ToolTurn =
  | { kind: 'continue'; results: { callId: string; content: string }[]; invalidArguments: number; executed: number; failed: number }
  | { kind: 'pause'; results: { callId: string; content: string }[]; pending: AgentRunState['pending_approvals']; executed: number }
  | { kind: 'to-human'; summary: string; reason?: string; executed: number }
  | { kind: 'to-agent'; agent: string; callId: string; executed: number };

/**
 * Resolves the tool calls of one turn, in parallel where the model asked for several: arguments are validated
 * against the tool's schema (invalid ones go back to the model as a tool error, the tool never sees them); a
 * tool that needs approval waits for a person's decision (the run pauses until every pending call has one); a
 * rejected call is reported to the model; every call that runs is an effect, so after a crash it is replayed
 * from the record, retried with its idempotency key, or stops the run for a person.
 */
export async function resolveToolCalls(
  context: RunContext,
  calls: readonly RequestedCall[],
  tools: readonly RunTool[],
  state: AgentRunState,
  telemetry?: RunTelemetry,
): Promise<ToolTurn> {
  const byName = new Map(tools.map((tool) => [tool.spec.name, tool]));
  const handoff = calls.map((call) => byName.get(call.name)).find((tool) => tool?.kind === 'handoff');
  if (handoff?.kind === 'handoff') {
    const call = calls.find((candidate) => candidate.name === handoff.spec.name) as RequestedCall;
    return { kind: 'to-agent', agent: handoff.agent, callId: call.id, executed: 0 };
  }

  const results: { callId: string; content: string }[] = [];
  const pending: AgentRunState['pending_approvals'] = [];
  let invalidArguments = 0;
  const runs: Promise<ToolResult | { toHuman: { summary: string; reason?: string } }>[] = [];
  for (const call of calls) {
    const tool = byName.get(call.name);
    if (!tool || tool.kind !== 'call') {
      results.push({ callId: call.id, content: `Error: there is no tool named \`${call.name}\`.` });
      continue;
    }
    const parsed = parseArguments(call.arguments);
    const checked = parsed === undefined ? undefined : validateToolArguments(tool.spec.name, tool.spec.parameters, parsed);
    if (!checked?.ok) {
      invalidArguments++;
      const message = checked && !checked.ok ? checked.message : 'the arguments are not a JSON object';
      results.push({ callId: call.id, content: `Error: invalid arguments for \`${call.name}\`: ${message}` });
      continue;
    }
    if (tool.tool.approval === 'always') {
      const decision = state.decisions[call.id];
      if (!decision) {
        pending.push({ call_id: call.id, tool: call.name, arguments: checked.arguments });
        continue;
      }
      if (decision.decision === 'reject') {
        results.push({ callId: call.id, content: `A person rejected this call${decision.reason ? `: ${decision.reason}` : '.'}` });
        continue;
      }
    }
    // Started in order (effects are numbered as they start), awaited together.
    runs.push(runTool(context, tool, call, checked.arguments, telemetry));
  }
  const outcomes = await Promise.all(runs);
  const executed = runs.length;
  let failed = 0;
  for (const outcome of outcomes) {
    if ('toHuman' in outcome) return { kind: 'to-human', ...outcome.toHuman, executed };
    if (outcome.failed) failed++;
    results.push({ callId: outcome.callId, content: outcome.content });
  }
  if (pending.length > 0) return { kind: 'pause', results, pending, executed };
  return { kind: 'continue', results, invalidArguments, executed, failed };
}

async function runTool(
  context: RunContext,
  tool: Extract<RunTool, { kind: 'call' }>,
  call: RequestedCall,
  args: JsonObject,
  telemetry: RunTelemetry | undefined,
): Promise<ToolResult | { toHuman: { summary: string; reason?: string } }> {
  let outcome: JsonObject;
  try {
    outcome = await context.effect(
      { kind: 'tool', name: call.name, idempotent: tool.tool.idempotent, input: { call_id: call.id, arguments: args } },
      async ({ idempotencyKey, signal }) => {
        // Only reached when the call really runs (a replayed one returns its recorded outcome).
        await context.emit('tool.started', { call_id: call.id, tool: call.name, arguments: args });
        const invoke = () =>
          tool.tool.invoke(args, { tenantId: context.run.tenantId, runId: context.run.id, callId: call.id, idempotencyKey, signal });
        const result = await (telemetry
          ? telemetry.toolCall({ name: call.name, callId: call.id, type: tool.type }, (answer) => answer.type === 'error', invoke)
          : invoke());
        return result as unknown as JsonObject;
      },
    );
  } catch (error) {
    // A tool that threw (now, or when the call first ran) failed like one that answered an error.
    if (context.signal.aborted || error instanceof NeedsAttentionError || !(error instanceof Error)) throw error;
    outcome = { type: 'error', message: error.message };
  }
  if (!context.replayingRecord) await context.emit('tool.completed', { call_id: call.id, tool: call.name, outcome });
  if (outcome.type === 'handoff') {
    return { toHuman: { summary: String(outcome.summary ?? ''), ...(outcome.reason ? { reason: String(outcome.reason) } : {}) } };
  }
  const content = outcome.type === 'result' ? String(outcome.content ?? '') : `Error: ${String(outcome.message ?? 'the tool failed')}`;
  return { callId: call.id, content, failed: outcome.type !== 'result' };
}

function parseArguments(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
