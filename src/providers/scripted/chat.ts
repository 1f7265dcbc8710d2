import type { ScriptStep } from '../../config/index.js';
import { type ChatRequest, type ChatResult, type FinishReason, HubError, type Usage } from '../../core/index.js';
import type { CallContext } from '../spec.js';
import { errorFromUpstreamStatus } from '../upstream-error.js';
import type { ScriptCursor, ScriptedReply } from './script.js';
import { scriptedUsage } from './usage.js';

export interface PlayedStep {
  id: string;
  created: number;
  reply: ScriptedReply;
  finishReason: FinishReason;
  usage: Usage;
}

/**
 * Takes the call's step, waits its `delay_ms`, and fails the call as an upstream would when the step says
 * so: everything a real upstream does before its first byte, so the router retries and falls back alike.
 */
export async function playStep(cursor: ScriptCursor, providerId: string, request: ChatRequest, context: CallContext): Promise<PlayedStep> {
  const { step, reply } = cursor.take(request);
  if (step.delay_ms) await delay(step.delay_ms, context.signal);
  if (context.signal.aborted) throw aborted(context.signal);
  if (step.error) {
    const body = JSON.stringify({ error: { message: step.error.message ?? `scripted error ${step.error.status}` } });
    throw errorFromUpstreamStatus(providerId, step.error.status, body, {});
  }
  return {
    id: `chatcmpl-scripted-${context.requestId}`,
    created: Math.floor(Date.now() / 1000),
    reply,
    finishReason: finishReasonOf(step, reply),
    usage: scriptedUsage(request, step, reply),
  };
}

export async function scriptedChat(
  cursor: ScriptCursor,
  providerId: string,
  request: ChatRequest,
  context: CallContext,
): Promise<ChatResult> {
  const played = await playStep(cursor, providerId, request, context);
  const { reply } = played;
  return {
    id: played.id,
    model: request.model,
    created: played.created,
    choices: [
      {
        index: 0,
        message: {
          content: reply.text ?? null,
          ...(reply.toolCalls.length > 0 ? { toolCalls: reply.toolCalls } : {}),
          ...(reply.reasoning !== undefined ? { reasoning: reply.reasoning } : {}),
        },
        finishReason: played.finishReason,
      },
    ],
    usage: played.usage,
  };
}

function finishReasonOf(step: ScriptStep, reply: ScriptedReply): FinishReason {
  return step.finish_reason ?? (reply.toolCalls.length > 0 ? 'tool_calls' : 'stop');
}

const aborted = (signal: AbortSignal): HubError =>
  signal.reason instanceof HubError ? signal.reason : new HubError('UPSTREAM_ERROR', 'the scripted call was aborted');

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(aborted(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
