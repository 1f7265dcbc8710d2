import { type ChatMessage, type ChatRequest, type ContentPart, HubError, type ToolChoice } from '../../core/index.js';
import {
  ANTHROPIC_IMAGE_MEDIA_TYPES,
  type AnthropicContentBlock,
  type AnthropicImageBlock,
  type AnthropicImageMediaType,
  type AnthropicMessagesRequest,
  type AnthropicTextBlock,
  type AnthropicToolChoice,
  type AnthropicToolResultBlock,
  type AnthropicTurn,
} from './messages.request.js';
import { parseToolArguments } from './tool-arguments.js';

/**
 * Canonical request → Anthropic Messages body, for Anthropic upstreams reached from another protocol.
 * `defaultMaxTokens` fills the `max_tokens` Anthropic requires when the client set none. Features with no
 * Anthropic equivalent are refused with UNSUPPORTED_FEATURE rather than silently dropped.
 */
export function canonicalToAnthropic(request: ChatRequest, defaultMaxTokens: number): AnthropicMessagesRequest {
  refuseUntranslatable(request);
  const systemContents: ChatMessage['content'][] = [];
  const messages: AnthropicTurn[] = [];
  for (const item of request.messages) {
    if (item.role === 'system' || item.role === 'developer') {
      systemContents.push(item.content);
      continue;
    }
    const converted = messageFromCanonical(item);
    if (converted) appendMerged(messages, converted);
  }

  const body: AnthropicMessagesRequest = {
    model: request.model,
    messages,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
  };
  const system = systemFromCanonical(systemContents);
  if (system !== undefined) body.system = system;
  if (request.stream) body.stream = true;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop?.length) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      input_schema: tool.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoiceFromCanonical(request.toolChoice, request.parallelToolCalls);
    if (choice) body.tool_choice = choice;
  }
  return body;
}

function refuseUntranslatable(request: ChatRequest): void {
  if (request.n !== undefined && request.n > 1) {
    throw new HubError('UNSUPPORTED_FEATURE', 'Anthropic models return one choice per request; n must be 1', { param: 'n' });
  }
  if (request.responseFormat?.type === 'json_schema') {
    throw new HubError('UNSUPPORTED_FEATURE', 'response_format json_schema has no Anthropic equivalent', {
      param: 'response_format',
    });
  }
  if (request.logprobs === true || (request.topLogprobs ?? 0) > 0) {
    throw new HubError('UNSUPPORTED_FEATURE', 'Anthropic models return no logprobs', { param: 'logprobs' });
  }
  // OpenAI allows up to 2; Anthropic's range ends at 1, and clamping would change the sampling asked for.
  if (request.temperature !== undefined && request.temperature > 1) {
    throw new HubError('INVALID_REQUEST', 'temperature must be between 0 and 1 for Anthropic models', { param: 'temperature' });
  }
}

/** System and developer messages, wherever they stood, become the top-level `system` prompt in order. */
function systemFromCanonical(contents: ChatMessage['content'][]): string | AnthropicTextBlock[] | undefined {
  const only = contents.length === 1 ? contents[0] : undefined;
  // A lone string prompt stays a string, as clients of Anthropic itself send it.
  if (typeof only === 'string') return only.length > 0 ? only : undefined;
  const blocks = contents.flatMap(systemToBlocks);
  return blocks.length > 0 ? blocks : undefined;
}

function systemToBlocks(content: ChatMessage['content']): AnthropicTextBlock[] {
  if (content === null) return [];
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  return content.map((part): AnthropicTextBlock => {
    if (part.type !== 'text') {
      throw new HubError('UNSUPPORTED_FEATURE', 'Anthropic system prompts take text only', { param: 'messages' });
    }
    return { type: 'text', text: part.text };
  });
}

function messageFromCanonical(item: ChatMessage): AnthropicTurn | null {
  switch (item.role) {
    case 'user':
      if (typeof item.content === 'string') return { role: 'user', content: item.content };
      return nonEmpty('user', partsToBlocks(item.content ?? []));
    case 'tool': {
      const result: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: item.toolCallId ?? '' };
      if (typeof item.content === 'string') result.content = item.content;
      else if (item.content !== null) result.content = partsToBlocks(item.content);
      return { role: 'user', content: [result] };
    }
    case 'assistant': {
      // Reasoning is not replayed: Anthropic accepts thinking blocks only with its own signature.
      if (!item.toolCalls?.length && typeof item.content === 'string') return { role: 'assistant', content: item.content };
      const blocks: AnthropicContentBlock[] =
        typeof item.content === 'string' ? textBlocks(item.content) : partsToBlocks(item.content ?? []);
      for (const call of item.toolCalls ?? []) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseToolArguments(call.arguments) });
      }
      return nonEmpty('assistant', blocks);
    }
    case 'system':
    case 'developer':
      return null;
  }
}

function nonEmpty(role: AnthropicTurn['role'], blocks: AnthropicContentBlock[]): AnthropicTurn | null {
  return blocks.length > 0 ? { role, content: blocks } : null;
}

/** Anthropic wants user and assistant turns to alternate: consecutive same-role messages become one. */
function appendMerged(messages: AnthropicTurn[], next: AnthropicTurn): void {
  const last = messages.at(-1);
  if (!last || last.role !== next.role) {
    messages.push(next);
    return;
  }
  last.content = [...asBlocks(last.content), ...asBlocks(next.content)];
}

function asBlocks(content: AnthropicTurn['content']): AnthropicContentBlock[] {
  return typeof content === 'string' ? textBlocks(content) : content;
}

/** Anthropic refuses empty text blocks. */
function textBlocks(text: string): AnthropicContentBlock[] {
  return text.length > 0 ? [{ type: 'text', text }] : [];
}

function partsToBlocks(parts: ContentPart[]): (AnthropicTextBlock | AnthropicImageBlock)[] {
  const blocks: (AnthropicTextBlock | AnthropicImageBlock)[] = [];
  for (const part of parts) {
    if (part.type === 'text') {
      if (part.text.length > 0) blocks.push({ type: 'text', text: part.text });
    } else blocks.push(imageFromCanonical(part.url));
  }
  return blocks;
}

const DATA_URL = /^data:([^;,]+)(?:;[^;,]+)*;base64,(.*)$/s;

function imageFromCanonical(url: string): AnthropicImageBlock {
  if (!url.startsWith('data:')) return { type: 'image', source: { type: 'url', url } };
  const match = DATA_URL.exec(url);
  const mediaType = match?.[1]?.toLowerCase();
  const data = match?.[2];
  if (!mediaType || !data) {
    throw new HubError('INVALID_REQUEST', 'image data URLs must be base64-encoded', { param: 'messages' });
  }
  if (!isImageMediaType(mediaType)) {
    throw new HubError('UNSUPPORTED_FEATURE', `Anthropic models take ${ANTHROPIC_IMAGE_MEDIA_TYPES.join(', ')} images, not ${mediaType}`, {
      param: 'messages',
    });
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

function isImageMediaType(value: string): value is AnthropicImageMediaType {
  return (ANTHROPIC_IMAGE_MEDIA_TYPES as readonly string[]).includes(value);
}

function toolChoiceFromCanonical(choice: ToolChoice | undefined, parallelToolCalls: boolean | undefined): AnthropicToolChoice | undefined {
  if (choice === 'none') return { type: 'none' };
  const parallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'required') return { type: 'any', ...parallel };
  if (typeof choice === 'object') return { type: 'tool', name: choice.name, ...parallel };
  if (choice === 'auto' || parallelToolCalls === false) return { type: 'auto', ...parallel };
  return undefined;
}
