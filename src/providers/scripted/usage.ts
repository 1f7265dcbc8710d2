import type { ScriptStep } from '../../config/index.js';
import type { ChatMessage, ChatRequest, Usage } from '../../core/index.js';
import type { ScriptedReply } from './script.js';

/**
 * Usage of a scripted reply: the step's own `usage` when it gives one, else counted as one token per word
 * (run of non-space characters), which a test can predict by eye: the input from every message's text and
 * tool-call arguments, the output from the reply's text, reasoning, and tool names and arguments.
 * Reported as the upstream's (`source: upstream`), so the ledger bills exactly this, like any provider's.
 */
export function scriptedUsage(request: ChatRequest, step: ScriptStep, reply: ScriptedReply): Usage {
  if (step.usage) {
    return {
      inputTokens: step.usage.input_tokens,
      outputTokens: step.usage.output_tokens,
      cachedInputTokens: Math.min(step.usage.cached_input_tokens ?? 0, step.usage.input_tokens),
      cacheWriteInputTokens: 0,
      ...(step.usage.reasoning_tokens !== undefined
        ? { reasoningTokens: Math.min(step.usage.reasoning_tokens, step.usage.output_tokens) }
        : {}),
      source: 'upstream',
    };
  }
  const reasoningTokens = words(reply.reasoning ?? '');
  const outputTokens =
    words(reply.text ?? '') + reasoningTokens + reply.toolCalls.reduce((sum, call) => sum + words(call.name) + words(call.arguments), 0);
  return {
    inputTokens: request.messages.reduce((sum, message) => sum + messageWords(message), 0),
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    ...(reply.reasoning !== undefined ? { reasoningTokens } : {}),
    source: 'upstream',
  };
}

const words = (text: string): number => text.match(/\S+/g)?.length ?? 0;

function messageWords(message: ChatMessage): number {
  const calls = message.toolCalls?.reduce((sum, call) => sum + words(call.name) + words(call.arguments), 0) ?? 0;
  return words(messageText(message)) + calls;
}

/** The text of a message's content (text parts joined; images carry none). */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (!message.content) return '';
  return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}
