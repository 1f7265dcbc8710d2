import { newId } from '../../core/index.js';

/**
 * The item shapes of the Responses API that TokenHub produces (output) and stores (input, normalised
 * with ids). Ids carry OpenAI's prefixes (`resp_`, `msg_`, `fc_`, `rs_`) because clients and agent
 * SDKs branch on them.
 */
export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface ReasoningTextPart {
  type: 'reasoning_text';
  text: string;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputMessageItem {
  type: 'message';
  id: string;
  status: ItemStatus;
  role: 'assistant';
  content: OutputTextPart[];
}

export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: ItemStatus;
}

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: { type: 'summary_text'; text: string }[];
  content: ReasoningTextPart[];
  status: ItemStatus;
}

export type OutputItem = OutputMessageItem | FunctionCallItem | ReasoningItem;

/**
 * An input item as stored and listed by `GET /v1/responses/{id}/input_items`: the client's item with
 * an `id` added when it had none. Kept as the client's JSON, so nothing it sent is lost on replay.
 */
export type StoredInputItem = Record<string, unknown> & { id: string; type: string };

export const responseId = (): string => newId('resp', 32);
export const messageItemId = (): string => newId('msg', 32);
export const functionCallItemId = (): string => newId('fc', 32);
export const reasoningItemId = (): string => newId('rs', 32);
export const toolCallId = (): string => newId('call', 24);

export const outputText = (text: string): OutputTextPart => ({ type: 'output_text', text, annotations: [], logprobs: [] });
