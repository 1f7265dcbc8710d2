import type { ChatMessage, ChatRequest } from '../../core/index.js';
import { type ItemResolver, inputItemsToMessages } from './input-items.js';
import type { ResponsesRequest } from './request.js';
import { textFormatToCanonical, toolChoiceToCanonical, toolsToCanonical } from './tools.js';
import type { UnsupportedFeature } from './unsupported.js';

export interface ResponsesTranslation {
  request: ChatRequest;
  /** Features only a native Responses upstream can serve; empty when translation is faithful. */
  unsupported: UnsupportedFeature[];
}

/**
 * A Responses request → the canonical chat request. `history` is the stored conversation that
 * `previous_response_id` continues (input and output items of every earlier turn, oldest first);
 * `instructions` are not inherited from it, as on OpenAI.
 */
export function responsesToCanonical(
  body: ResponsesRequest,
  history: readonly Record<string, unknown>[] = [],
  resolve?: ItemResolver,
): ResponsesTranslation {
  const unsupported: UnsupportedFeature[] = [];
  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: 'system', content: body.instructions });

  const past = inputItemsToMessages(history, 'previous_response_id', resolve);
  messages.push(...past.messages);
  unsupported.push(...past.unsupported);

  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
  } else if (body.input) {
    const current = inputItemsToMessages(body.input, 'input', resolve);
    messages.push(...current.messages);
    unsupported.push(...current.unsupported);
  }

  const request: ChatRequest = { model: body.model, messages, stream: body.stream === true };
  if (body.max_output_tokens != null) request.maxTokens = body.max_output_tokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  const user = body.safety_identifier ?? body.user;
  if (user != null) request.user = user;
  if (body.tools?.length) {
    const tools = toolsToCanonical(body.tools, unsupported);
    if (tools.length) request.tools = tools;
  }
  if (body.tool_choice != null) {
    const choice = toolChoiceToCanonical(body.tool_choice, unsupported);
    if (choice !== undefined) request.toolChoice = choice;
  }
  const format = body.text?.format;
  if (format != null && format.type !== 'text') request.responseFormat = textFormatToCanonical(format);

  // `reasoning.effort`, `text.verbosity`, `truncation` and cache hints only steer how much an upstream
  // thinks, says or keeps; an upstream without the knob answers the same request correctly without it.
  if (body.background === true) unsupported.push({ feature: 'Background responses (background: true)', param: 'background' });
  if (body.conversation != null) unsupported.push({ feature: 'Conversations (conversation)', param: 'conversation' });
  if (body.prompt != null) unsupported.push({ feature: 'Stored prompt templates (prompt)', param: 'prompt' });
  if (body.top_logprobs) unsupported.push({ feature: 'Token log probabilities (top_logprobs)', param: 'top_logprobs' });
  return { request, unsupported };
}
