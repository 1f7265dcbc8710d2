import type { ChatChoice, ChatResult, FinishReason, JsonValue, ToolCall } from '../../core/index.js';
import { type OpenAIUsage, usageFromOpenAI, usageToOpenAI } from './usage.js';

interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: string | null;
      tool_calls?: OpenAIToolCall[];
      reasoning_content?: string;
    };
    logprobs: JsonValue | null;
    finish_reason: string | null;
  }[];
  usage?: OpenAIUsage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

const FINISH_REASONS = new Set(['stop', 'length', 'tool_calls', 'content_filter']);

export function finishReasonFromOpenAI(reason: string | null | undefined): FinishReason | null {
  if (reason == null) return null;
  if (reason === 'function_call') return 'tool_calls';
  return FINISH_REASONS.has(reason) ? (reason as FinishReason) : 'stop';
}

export function chatCompletionToCanonical(body: OpenAIChatCompletion): ChatResult {
  const result: ChatResult = {
    id: body.id,
    model: body.model,
    created: body.created,
    choices: body.choices.map((choice): ChatChoice => {
      const out: ChatChoice = {
        index: choice.index,
        message: { content: choice.message.content ?? null },
        finishReason: finishReasonFromOpenAI(choice.finish_reason),
      };
      if (choice.message.tool_calls?.length) {
        out.message.toolCalls = choice.message.tool_calls.map(
          (call): ToolCall => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }),
        );
      }
      if (choice.message.reasoning_content) out.message.reasoning = choice.message.reasoning_content;
      if (choice.logprobs != null) out.logprobs = choice.logprobs;
      return out;
    }),
    usage: body.usage
      ? usageFromOpenAI(body.usage)
      : { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'tokenizer' },
  };
  if (body.system_fingerprint) result.systemFingerprint = body.system_fingerprint;
  return result;
}

export function canonicalToChatCompletion(result: ChatResult): OpenAIChatCompletion {
  return {
    id: result.id,
    object: 'chat.completion',
    created: result.created,
    model: result.model,
    choices: result.choices.map((choice) => {
      const message: OpenAIChatCompletion['choices'][number]['message'] = {
        role: 'assistant',
        content: choice.message.content,
        refusal: null,
      };
      if (choice.message.toolCalls?.length) {
        message.tool_calls = choice.message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      if (choice.message.reasoning) message.reasoning_content = choice.message.reasoning;
      return {
        index: choice.index,
        message,
        logprobs: choice.logprobs ?? null,
        finish_reason: choice.finishReason ?? 'stop',
      };
    }),
    usage: usageToOpenAI(result.usage),
    system_fingerprint: result.systemFingerprint ?? null,
  };
}
