import type { ChatResult, FinishReason, ToolCall } from '../../core/index.js';
import { parseToolArguments } from './tool-arguments.js';
import { type AnthropicRenderedUsage, type AnthropicUsage, usageFromAnthropic, usageToAnthropic } from './usage.js';

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  /** Server-tool blocks and anything newer: kept by pass-through, ignored by translation. */
  | { type: string; [key: string]: unknown };

/** A Messages API response as Anthropic sends it. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** A Messages API response as TokenHub renders it. */
export interface AnthropicRenderedMessage extends AnthropicMessage {
  stop_reason: AnthropicStopReason | null;
  usage: AnthropicRenderedUsage;
}

export function finishReasonFromAnthropic(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn and reasons newer than this code
      return 'stop';
  }
}

export function stopReasonToAnthropic(reason: FinishReason | null): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case null:
      return 'end_turn';
  }
}

/** Anthropic has no creation time; `created` is when TokenHub received the answer. */
export function anthropicMessageToCanonical(message: AnthropicMessage, created = Math.floor(Date.now() / 1000)): ChatResult {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content ?? []) {
    if (isBlock(block, 'text')) texts.push(block.text);
    else if (isBlock(block, 'thinking')) reasoning.push(block.thinking);
    else if (isBlock(block, 'tool_use')) {
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  const choice: ChatResult['choices'][number] = {
    index: 0,
    message: { content: texts.length > 0 ? texts.join('') : null },
    finishReason: finishReasonFromAnthropic(message.stop_reason),
  };
  if (toolCalls.length > 0) choice.message.toolCalls = toolCalls;
  if (reasoning.length > 0) choice.message.reasoning = reasoning.join('');
  return {
    id: message.id,
    model: message.model,
    created,
    choices: [choice],
    usage: message.usage
      ? usageFromAnthropic(message.usage)
      : { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'tokenizer' },
  };
}

type KnownBlock = Extract<AnthropicResponseBlock, { type: 'text' | 'thinking' | 'tool_use' }>;

function isBlock<T extends KnownBlock['type']>(block: AnthropicResponseBlock, type: T): block is Extract<KnownBlock, { type: T }> {
  return block.type === type;
}

/**
 * Canonical result → Anthropic message, choice 0 only (the Anthropic surface never asks for more).
 * Reasoning from another upstream becomes a thinking block with an empty signature: readable, but not
 * replayable to Anthropic.
 */
export function canonicalToAnthropicMessage(result: ChatResult): AnthropicRenderedMessage {
  const choice = result.choices[0];
  const content: AnthropicResponseBlock[] = [];
  if (choice?.message.reasoning) content.push({ type: 'thinking', thinking: choice.message.reasoning, signature: '' });
  if (choice?.message.content) content.push({ type: 'text', text: choice.message.content });
  for (const call of choice?.message.toolCalls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseToolArguments(call.arguments) });
  }
  return {
    id: result.id,
    type: 'message',
    role: 'assistant',
    model: result.model,
    content,
    stop_reason: stopReasonToAnthropic(choice?.finishReason ?? null),
    stop_sequence: null,
    usage: usageToAnthropic(result.usage),
  };
}
