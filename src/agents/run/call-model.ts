import { type ChatRequest, HubError, type JsonObject, type ToolCall } from '../../core/index.js';
import type { CallAttribution, Principal } from '../../economy/index.js';
import type { GatewayClient } from '../../gateway/client.js';
import type { RunContext } from '../../runs/index.js';
import type { RunTelemetry } from './run-telemetry.js';

/** A model's reply as a run records it (the step's output): what the next turns are built from. */
export interface ModelReply extends JsonObject {
  content: string | null;
  tool_calls: { id: string; name: string; arguments: string }[];
  finish_reason: string | null;
}

export interface ModelCall {
  client: GatewayClient;
  principal: Principal;
  attribution: CallAttribution;
  telemetry?: RunTelemetry;
}

/**
 * One model call of a run, as an effect: through the in-process gateway client, so it is admitted,
 * rate-limited, reserved against the key's budgets and the run's own limit, and billed on the ledger with
 * the run's attribution, exactly like an API call. Safe to repeat after a crash (it only costs tokens).
 */
export async function callModel(context: RunContext, call: ModelCall, request: ChatRequest, turn: number): Promise<ModelReply> {
  return context.effect({ kind: 'model', name: request.model, idempotent: true, input: { turn } }, async ({ signal, idempotencyKey }) => {
    // The step's key (`<run id>:<seq>`) on its ledger row ties the step to what it cost (the run's timeline).
    const chat = () =>
      call.client.chat(request, { principal: call.principal, signal, attribution: call.attribution, clientRequestId: idempotencyKey });
    const result = await (call.telemetry ? call.telemetry.modelStep(chat) : chat());
    const choice = result.choices[0];
    if (!choice) throw new HubError('UPSTREAM_ERROR', `model ${request.model} answered no choice`);
    const toolCalls: ToolCall[] = choice.message.toolCalls ?? [];
    return {
      content: choice.message.content,
      tool_calls: toolCalls.map((toolCall) => ({ id: toolCall.id, name: toolCall.name, arguments: toolCall.arguments })),
      finish_reason: choice.finishReason,
    };
  });
}
