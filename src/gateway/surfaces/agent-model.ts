import type { FastifyReply } from 'fastify';
import { type ChatMessage, type ChatResult, HubError, newId, type StreamPart } from '../../core/index.js';
import type { AgentModelAnswer, AgentModelMessage, AgentModels } from '../agent-models.js';
import type { GatewayCall } from '../pipeline/index.js';

/** The run an answer came from, on every answer to an agent model (errors included). */
export const RUN_ID_HEADER = 'x-tokenhub-run-id';

/**
 * Runs the agent a model name names on the request's conversation and answers its final text as a
 * canonical result, for the surface to render in its protocol. A run that did not complete is answered
 * with an error saying how it stands (see `runOutcomeError`). The run is not idempotent, so every such
 * answer tells OpenAI's SDKs not to retry (`x-should-retry: false`): a retry would start another run.
 */
export async function runAgentModel(
  agentModels: AgentModels,
  call: GatewayCall,
  reply: FastifyReply,
  agent: string,
  messages: readonly ChatMessage[],
): Promise<{ result: ChatResult; runId: string }> {
  const answer = await agentModels.run({ principal: call.principal, agent, messages: agentMessages(messages), signal: call.signal });
  reply.header(RUN_ID_HEADER, answer.runId);
  if (answer.status !== 'completed') {
    reply.header('x-should-retry', 'false');
    throw runOutcomeError(agent, answer, call.signal.aborted);
  }
  const result: ChatResult = {
    id: newId('chatcmpl'),
    model: `agent/${agent}`,
    created: Math.floor(Date.now() / 1000),
    choices: [{ index: 0, message: { content: answer.text }, finishReason: 'stop' }],
    usage: {
      inputTokens: answer.usage.inputTokens,
      outputTokens: answer.usage.outputTokens,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      source: 'upstream',
    },
  };
  return { result, runId: answer.runId };
}

/** The result as a stream: the whole answer as one text delta (the run is over before the stream opens). */
export async function* resultParts(result: ChatResult): AsyncIterable<StreamPart> {
  yield { type: 'response-start', id: result.id, model: result.model, created: result.created };
  const text = result.choices[0]?.message.content ?? '';
  if (text.length > 0) yield { type: 'text-delta', index: 0, text };
  yield { type: 'choice-finish', index: 0, reason: 'stop' };
  yield { type: 'usage-final', usage: result.usage };
}

/** The request's conversation as text messages; tool calls and images have no place in an agent's input. */
function agentMessages(messages: readonly ChatMessage[]): AgentModelMessage[] {
  return messages.map((message, index) => {
    if (message.role === 'tool' || (message.toolCalls?.length ?? 0) > 0) {
      throw new HubError('UNSUPPORTED_FEATURE', 'An agent model takes text messages only: its tool calls stay inside the hub.', {
        param: `messages.${index}`,
        code: 'unsupported_feature',
      });
    }
    return { role: message.role, content: textOf(message, index) };
  });
}

function textOf(message: ChatMessage, index: number): string {
  if (message.content === null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => {
      if (part.type === 'text') return part.text;
      throw new HubError('UNSUPPORTED_FEATURE', 'An agent model takes text only, not images.', {
        param: `messages.${index}.content`,
        code: 'unsupported_feature',
      });
    })
    .join('\n');
}

/**
 * How a run that did not complete is answered: a hand-off or a pause for a person is a 409 naming the run
 * (and the summary left for the person), a run out of budget a 402, a run that failed a 502.
 */
export function runOutcomeError(agent: string, answer: AgentModelAnswer, clientGone: boolean): HubError {
  const run = `run \`${answer.runId}\``;
  const reason = answer.reason ? `: ${answer.reason}` : '.';
  switch (answer.status) {
    case 'handed_off':
      return new HubError(
        'CONFLICT',
        `Agent \`${agent}\` handed the conversation to a person (${run})${answer.text ? `: ${answer.text}` : '.'}`,
        {
          code: 'agent_handed_off',
        },
      );
    case 'waiting_approval':
      return new HubError(
        'CONFLICT',
        `Agent \`${agent}\` waits for a person to approve a tool call (${run}); decide with POST /v1/runs/${answer.runId}/approvals and read its answer from GET /v1/runs/${answer.runId}.`,
        { code: 'agent_waiting_approval' },
      );
    case 'needs_attention':
      return new HubError('CONFLICT', `Agent \`${agent}\` stopped for a person to look at (${run})${reason}`, {
        code: 'agent_needs_attention',
      });
    case 'budget_exceeded':
      return new HubError('BUDGET_EXCEEDED', `Agent \`${agent}\` ran out of budget (${run})${reason}`, { code: 'budget_exceeded' });
    case 'max_turns':
      return new HubError('CONFLICT', `Agent \`${agent}\` reached a limit of its run (${run})${reason}`, { code: 'agent_limit_reached' });
    case 'cancelled':
      return new HubError('CONFLICT', `The run of agent \`${agent}\` was cancelled (${run}).`, { code: 'agent_run_cancelled' });
    case 'failed':
      return new HubError('UPSTREAM_ERROR', `Agent \`${agent}\` failed (${run})${reason}`, { code: 'agent_run_failed' });
    case 'queued':
    case 'running':
    case 'waiting':
    case 'completed':
      return clientGone
        ? new HubError('CLIENT_CLOSED', `The client went away; ${run} was cancelled.`)
        : new HubError('INTERNAL', `The run of agent \`${agent}\` stopped being followed before it settled (${run}).`);
  }
}
