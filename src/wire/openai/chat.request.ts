import { z } from 'zod';
import type { ChatMessage, ChatRequest, ContentPart, JsonObject, ResponseFormat, ToolChoice, ToolDefinition } from '../../core/index.js';
import { writeSamplingFields } from './sampling.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const otherPart = z.object({ type: z.enum(['input_audio', 'file', 'refusal']) }).passthrough();
const contentPart = z.discriminatedUnion('type', [textPart, imagePart, otherPart]);
const content = z.union([z.string(), z.array(contentPart)]);

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content, name: z.string().optional() }),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }),
  z.object({
    role: z.literal('assistant'),
    content: content.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    reasoning_content: z.string().optional(),
  }),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string() }),
]);

const jsonObject = z.record(z.string(), z.unknown());

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: jsonObject.optional(),
    strict: z.boolean().nullish(),
  }),
});

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: jsonObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/**
 * The fields TokenHub reads or must range-check. Everything else is kept as sent and passed through
 * to OpenAI-compatible upstreams untouched.
 */
export const openaiChatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    n: z.number().int().min(1).max(128).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    tools: z.array(tool).nullish(),
    tool_choice: z
      .union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
      .nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    response_format: responseFormat.nullish(),
    user: z.string().nullish(),
  })
  .passthrough();

export type OpenAIChatRequest = z.infer<typeof openaiChatRequestSchema>;
type OpenAIMessage = z.infer<typeof message>;
type OpenAIContent = z.infer<typeof content>;

function contentToCanonical(value: OpenAIContent | null | undefined): string | ContentPart[] | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  const parts: ContentPart[] = [];
  for (const part of value) {
    if (part.type === 'text') parts.push({ type: 'text', text: (part as { text: string }).text });
    else if (part.type === 'image_url') {
      const image = (part as z.infer<typeof imagePart>).image_url;
      parts.push(image.detail ? { type: 'image', url: image.url, detail: image.detail } : { type: 'image', url: image.url });
    }
    // audio/file/refusal parts have no canonical form yet; providers that take them get the raw body.
  }
  return parts;
}

function messageToCanonical(input: OpenAIMessage): ChatMessage {
  switch (input.role) {
    case 'system':
    case 'developer':
    case 'user': {
      const out: ChatMessage = { role: input.role, content: contentToCanonical(input.content) };
      if (input.name) out.name = input.name;
      return out;
    }
    case 'assistant': {
      const out: ChatMessage = { role: 'assistant', content: contentToCanonical(input.content) };
      if (input.tool_calls?.length) {
        out.toolCalls = input.tool_calls.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        }));
      }
      if (input.reasoning_content) out.reasoning = input.reasoning_content;
      return out;
    }
    case 'tool':
      return { role: 'tool', content: contentToCanonical(input.content), toolCallId: input.tool_call_id };
  }
}

export function openaiChatToCanonical(body: OpenAIChatRequest): ChatRequest {
  const request: ChatRequest = {
    model: body.model,
    messages: body.messages.map(messageToCanonical),
    stream: body.stream === true,
  };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.n != null) request.n = body.n;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  if (body.presence_penalty != null) request.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) request.frequencyPenalty = body.frequency_penalty;
  if (body.logprobs != null) request.logprobs = body.logprobs;
  if (body.top_logprobs != null) request.topLogprobs = body.top_logprobs;
  if (body.user != null) request.user = body.user;
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  if (body.tools?.length) {
    request.tools = body.tools.map((item): ToolDefinition => {
      const definition: ToolDefinition = { name: item.function.name };
      if (item.function.description !== undefined) definition.description = item.function.description;
      if (item.function.parameters) definition.parameters = item.function.parameters as JsonObject;
      if (item.function.strict != null) definition.strict = item.function.strict;
      return definition;
    });
  }
  if (body.tool_choice != null) {
    request.toolChoice = typeof body.tool_choice === 'string' ? body.tool_choice : { name: body.tool_choice.function.name };
  }
  if (body.response_format != null) request.responseFormat = responseFormatToCanonical(body.response_format);
  return request;
}

function responseFormatToCanonical(format: z.infer<typeof responseFormat>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  const out: ResponseFormat = {
    type: 'json_schema',
    name: format.json_schema.name,
    schema: (format.json_schema.schema ?? {}) as JsonObject,
  };
  if (format.json_schema.strict != null) out.strict = format.json_schema.strict;
  if (format.json_schema.description !== undefined) out.description = format.json_schema.description;
  return out;
}

/** Canonical → OpenAI chat request body, for OpenAI-compatible upstreams reached from another protocol. */
export function canonicalToOpenAIChat(request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map(messageFromCanonical),
  };
  writeSamplingFields(request, body);
  if (request.logprobs !== undefined) body.logprobs = request.logprobs;
  if (request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.tools?.length) {
    body.tools = request.tools.map((definition) => ({
      type: 'function',
      function: {
        name: definition.name,
        ...(definition.description !== undefined ? { description: definition.description } : {}),
        parameters: definition.parameters ?? { type: 'object', properties: {} },
        ...(definition.strict !== undefined ? { strict: definition.strict } : {}),
      },
    }));
  }
  if (request.toolChoice !== undefined) body.tool_choice = toolChoiceFromCanonical(request.toolChoice);
  if (request.responseFormat) {
    const format = request.responseFormat;
    body.response_format =
      format.type === 'json_schema'
        ? {
            type: 'json_schema',
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.strict !== undefined ? { strict: format.strict } : {}),
              ...(format.description !== undefined ? { description: format.description } : {}),
            },
          }
        : { type: format.type };
  }
  return body;
}

function toolChoiceFromCanonical(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function contentFromCanonical(value: string | ContentPart[] | null): unknown {
  if (value === null || typeof value === 'string') return value;
  return value.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'image_url', image_url: part.detail ? { url: part.url, detail: part.detail } : { url: part.url } },
  );
}

function messageFromCanonical(input: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: input.role, content: contentFromCanonical(input.content) };
  if (input.name) out.name = input.name;
  if (input.role === 'tool') out.tool_call_id = input.toolCallId ?? '';
  if (input.toolCalls?.length) {
    out.tool_calls = input.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return out;
}
