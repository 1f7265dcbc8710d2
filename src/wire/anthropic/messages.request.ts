import { z } from 'zod';
import {
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  HubError,
  type JsonObject,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '../../core/index.js';

/** The media types the Messages API takes for images. */
export const ANTHROPIC_IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
export type AnthropicImageMediaType = (typeof ANTHROPIC_IMAGE_MEDIA_TYPES)[number];

/**
 * Block types the Messages API defines that have no canonical form (documents, server-tool traffic, …).
 * They pass validation so that same-protocol traffic can be forwarded untouched; translating them to
 * another protocol is refused.
 */
const UNTRANSLATABLE_BLOCK_TYPES = [
  'document',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'tool_reference',
  'container_upload',
  'mcp_tool_use',
  'mcp_tool_result',
] as const;

const textBlock = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const imageSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.enum(ANTHROPIC_IMAGE_MEDIA_TYPES), data: z.string().min(1) }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
  z.object({ type: z.literal('file'), file_id: z.string().min(1) }),
]);
const imageBlock = z.object({ type: z.literal('image'), source: imageSource }).passthrough();
const untranslatableBlock = z.object({ type: z.enum(UNTRANSLATABLE_BLOCK_TYPES) }).passthrough();
const toolUseBlock = z
  .object({
    type: z.literal('tool_use'),
    id: z.string().min(1),
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
  })
  .passthrough();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock, untranslatableBlock]))]).optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }).passthrough();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).passthrough();

const contentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
  untranslatableBlock,
]);

const turnContent = z.union([z.string(), z.array(contentBlock)]);
const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: turnContent }),
  z.object({ role: z.literal('assistant'), content: turnContent }),
  // Newer SDKs type system-role messages in `messages` beside the top-level `system` prompt.
  z.object({ role: z.literal('system'), content: z.union([z.string(), z.array(textBlock)]) }),
]);

const customTool = z
  .object({
    type: z.literal('custom').optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()),
  })
  .passthrough();
/** Anthropic-hosted tools (`web_search_20250305`, `bash_20250124`, …), typed by version. */
const serverTool = z
  .object({ type: z.string().refine((type) => type !== 'custom', 'custom tools need an input_schema'), name: z.string().min(1) })
  .passthrough();

const parallelFlag = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), ...parallelFlag }),
  z.object({ type: z.literal('any'), ...parallelFlag }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), ...parallelFlag }),
  z.object({ type: z.literal('none') }),
]);

/**
 * The Messages request fields TokenHub reads or must range-check. Unknown top-level fields (`thinking`,
 * `service_tier`, …) are kept as sent, so same-protocol traffic reaches Anthropic unchanged.
 */
export const anthropicMessagesRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    max_tokens: z.number().int().positive(),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    stop_sequences: z.array(z.string()).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    stream: z.boolean().optional(),
    tools: z.array(z.union([customTool, serverTool])).optional(),
    tool_choice: toolChoice.optional(),
    metadata: z.object({ user_id: z.string().nullish() }).passthrough().optional(),
  })
  .passthrough();

export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;

/** `POST /v1/messages/count_tokens`: a Messages request without `max_tokens` (sampling fields are ignored). */
export const anthropicCountTokensRequestSchema = anthropicMessagesRequestSchema.omit({ max_tokens: true });
export type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensRequestSchema>;

/** The count_tokens answer. */
export interface AnthropicTokenCount {
  input_tokens: number;
}
export type AnthropicMessageParam = z.infer<typeof message>;
/** A user or assistant turn: what TokenHub itself sends. */
export type AnthropicTurn = Extract<AnthropicMessageParam, { role: 'user' | 'assistant' }>;
export type AnthropicContentBlock = z.infer<typeof contentBlock>;
export type AnthropicTextBlock = z.infer<typeof textBlock>;
export type AnthropicImageBlock = z.infer<typeof imageBlock>;
export type AnthropicToolResultBlock = z.infer<typeof toolResultBlock>;
export type AnthropicTool = z.infer<typeof customTool> | z.infer<typeof serverTool>;
export type AnthropicCustomTool = z.infer<typeof customTool>;
export type AnthropicToolChoice = z.infer<typeof toolChoice>;

export interface AnthropicToCanonicalOptions {
  /**
   * When false, blocks and tools with no canonical form are dropped instead of refused: for requests that
   * will be forwarded byte-for-byte to Anthropic and whose canonical form only feeds admission and estimates.
   */
  strict?: boolean;
}

/** Anthropic Messages request → canonical request. Tool results become `tool` messages, in order. */
export function anthropicToCanonical(
  body: AnthropicMessagesRequest | AnthropicCountTokensRequest,
  options: AnthropicToCanonicalOptions = {},
): ChatRequest {
  const strict = options.strict ?? true;
  const messages: ChatMessage[] = [];
  const system = body.system === undefined ? null : systemToCanonical(body.system);
  if (system) messages.push(system);
  body.messages.forEach((item, index) => {
    const path = `messages.${index}`;
    if (item.role === 'user') messages.push(...userToCanonical(item.content, path, strict));
    else if (item.role === 'assistant') messages.push(assistantToCanonical(item.content, path, strict));
    else {
      const inline = systemToCanonical(item.content);
      if (inline) messages.push(inline);
    }
  });

  const request: ChatRequest = { model: body.model, messages, stream: body.stream === true };
  if ('max_tokens' in body && typeof body.max_tokens === 'number') request.maxTokens = body.max_tokens;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (body.stop_sequences?.length) request.stop = body.stop_sequences;
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  if (body.tools?.length) {
    const tools: ToolDefinition[] = [];
    for (const tool of body.tools) {
      if (isCustomTool(tool)) tools.push(toolToCanonical(tool));
      else if (strict) throw untranslatable(`tool type "${tool.type}"`, 'tools');
    }
    if (tools.length > 0) request.tools = tools;
  }
  if (body.tool_choice !== undefined) {
    request.toolChoice = toolChoiceToCanonical(body.tool_choice);
    if ('disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use === true) {
      request.parallelToolCalls = false;
    }
  }
  return request;
}

function systemToCanonical(content: string | AnthropicTextBlock[]): ChatMessage | null {
  if (typeof content === 'string') return content.length > 0 ? { role: 'system', content } : null;
  if (content.length === 0) return null;
  return { role: 'system', content: content.map((block): ContentPart => ({ type: 'text', text: block.text })) };
}

function untranslatable(what: string, param: string): HubError {
  return new HubError('UNSUPPORTED_FEATURE', `${what} can only be sent to Anthropic models`, { param });
}

function isCustomTool(tool: AnthropicTool): tool is AnthropicCustomTool {
  return (tool.type === undefined || tool.type === 'custom') && 'input_schema' in tool;
}

function toolToCanonical(tool: AnthropicCustomTool): ToolDefinition {
  const definition: ToolDefinition = { name: tool.name, parameters: tool.input_schema as JsonObject };
  if (tool.description !== undefined) definition.description = tool.description;
  return definition;
}

function toolChoiceToCanonical(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
}

function imageToCanonical(block: AnthropicImageBlock, path: string, strict: boolean): ContentPart | null {
  const source = block.source;
  if (source.type === 'base64') return { type: 'image', url: `data:${source.media_type};base64,${source.data}` };
  if (source.type === 'url') return { type: 'image', url: source.url };
  if (strict) throw untranslatable('images from the Files API', path);
  return null;
}

type ToolResultContent = NonNullable<AnthropicToolResultBlock['content']>;

function toolResultToCanonical(content: ToolResultContent | undefined, path: string, strict: boolean): string | ContentPart[] {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  const parts: ContentPart[] = [];
  content.forEach((block, index) => {
    if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') {
      const image = imageToCanonical(block, `${path}.content.${index}`, strict);
      if (image) parts.push(image);
    } else if (strict) throw untranslatable(`a "${block.type}" block`, `${path}.content.${index}`);
  });
  return parts;
}

function userToCanonical(content: AnthropicTurn['content'], path: string, strict: boolean): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  let parts: ContentPart[] = [];
  const flush = (): void => {
    if (parts.length > 0) out.push({ role: 'user', content: parts });
    parts = [];
  };
  content.forEach((block, index) => {
    const blockPath = `${path}.content.${index}`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        return;
      case 'image': {
        const image = imageToCanonical(block, blockPath, strict);
        if (image) parts.push(image);
        return;
      }
      case 'tool_result':
        flush();
        out.push({ role: 'tool', toolCallId: block.tool_use_id, content: toolResultToCanonical(block.content, blockPath, strict) });
        return;
      case 'tool_use':
      case 'thinking':
      case 'redacted_thinking':
        throw new HubError('INVALID_REQUEST', `a "${block.type}" block belongs in an assistant message`, { param: blockPath });
      default:
        if (strict) throw untranslatable(`a "${block.type}" block`, blockPath);
    }
  });
  flush();
  return out;
}

function assistantToCanonical(content: AnthropicTurn['content'], path: string, strict: boolean): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  const reasoning: string[] = [];
  content.forEach((block, index) => {
    const blockPath = `${path}.content.${index}`;
    switch (block.type) {
      case 'text':
        texts.push({ type: 'text', text: block.text });
        return;
      case 'tool_use':
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        return;
      case 'thinking':
        reasoning.push(block.thinking);
        return;
      case 'redacted_thinking':
        // Encrypted reasoning only Anthropic can read; other upstreams lose nothing they could use.
        return;
      case 'image':
      case 'tool_result':
        throw new HubError('INVALID_REQUEST', `a "${block.type}" block belongs in a user message`, { param: blockPath });
      default:
        if (strict) throw untranslatable(`a "${block.type}" block`, blockPath);
    }
  });
  const single = texts.length === 1 ? texts[0] : undefined;
  const out: ChatMessage = {
    role: 'assistant',
    content: texts.length === 0 ? null : single?.type === 'text' ? single.text : texts,
  };
  if (toolCalls.length > 0) out.toolCalls = toolCalls;
  if (reasoning.length > 0) out.reasoning = reasoning.join('');
  return out;
}
