import type { ChatResult, FinishReason, HubError, Usage } from '../../core/index.js';
import { functionCallItemId, messageItemId, type OutputItem, outputText, reasoningItemId } from './items.js';
import type { ResponsesRequest } from './request.js';
import { type ResponsesUsage, usageToResponses } from './usage.js';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** The Response object, as `POST /v1/responses` returns it and `GET /v1/responses/{id}` replays it. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number;
  text: { format: Record<string, unknown>; verbosity?: string };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number;
  truncation: 'auto' | 'disabled';
  usage: ResponsesUsage | null;
  user: string | null;
  metadata: Record<string, string>;
  completed_at?: number | null;
}

/**
 * The response as created, before any output: the request's settings echoed back with OpenAI's
 * defaults filled in, so a client reading `temperature` or `tools` sees what the call ran with.
 */
export function responseEnvelope(body: ResponsesRequest, id: string, createdAt: number): ResponseObject {
  const text: ResponseObject['text'] = { format: (body.text?.format as Record<string, unknown> | null | undefined) ?? { type: 'text' } };
  if (body.text?.verbosity) text.verbosity = body.text.verbosity;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: body.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text,
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

/** How a finished generation ends up: `length` and `content_filter` make the response incomplete. */
export function terminalState(reason: FinishReason | null): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function finishResponse(
  envelope: ResponseObject,
  output: OutputItem[],
  usage: Usage | null,
  reason: FinishReason | null,
  completedAt: number,
): ResponseObject {
  const state = terminalState(reason);
  return {
    ...envelope,
    ...state,
    output,
    usage: usage ? usageToResponses(usage) : null,
    completed_at: state.status === 'completed' ? completedAt : null,
  };
}

export function failResponse(envelope: ResponseObject, output: OutputItem[], error: HubError, usage: Usage | null): ResponseObject {
  return {
    ...envelope,
    status: 'failed',
    error: { code: error.details.code ?? error.code.toLowerCase(), message: error.message },
    output,
    usage: usage ? usageToResponses(usage) : null,
  };
}

/** Output items of a canonical answer: reasoning, then the message, then one item per tool call. */
export function outputFromResult(result: ChatResult): OutputItem[] {
  const choice = result.choices[0];
  if (!choice) return [];
  const itemStatus = choice.finishReason === 'length' ? 'incomplete' : 'completed';
  const output: OutputItem[] = [];
  if (choice.message.reasoning) {
    output.push({
      type: 'reasoning',
      id: reasoningItemId(),
      summary: [],
      content: [{ type: 'reasoning_text', text: choice.message.reasoning }],
      status: itemStatus,
    });
  }
  if (choice.message.content) {
    output.push({
      type: 'message',
      id: messageItemId(),
      status: itemStatus,
      role: 'assistant',
      content: [outputText(choice.message.content)],
    });
  }
  for (const call of choice.message.toolCalls ?? []) {
    output.push({
      type: 'function_call',
      id: functionCallItemId(),
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: itemStatus,
    });
  }
  return output;
}

/**
 * A non-streamed canonical answer as a Response. Usage an upstream did not report is `null`, never
 * zeros: TokenHub still bills it (by tokenizer), but a made-up count would mislead the client.
 */
export function resultToResponse(envelope: ResponseObject, result: ChatResult, completedAt: number): ResponseObject {
  const usage = result.usage.source === 'upstream' ? result.usage : null;
  return finishResponse(envelope, outputFromResult(result), usage, result.choices[0]?.finishReason ?? null, completedAt);
}
