/**
 * Canonical chat model: a superset of OpenAI chat completions that every surface translates into
 * and every provider translates out of.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export type ContentPart =
  | { type: 'text'; text: string }
  /** `url` is an http(s) URL or a `data:` URL. */
  | { type: 'image'; url: string; detail?: string };

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model produced it. */
  arguments: string;
}

export interface ChatMessage {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  toolCalls?: ToolCall[];
  /** For role `tool`: the call this message answers. */
  toolCallId?: string;
  reasoning?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: JsonObject;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean; description?: string };

export interface ChatRequest {
  /** The name the upstream knows the model by (set by the router). */
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  n?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  logprobs?: boolean;
  topLogprobs?: number;
  user?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatChoice {
  index: number;
  message: {
    content: string | null;
    toolCalls?: ToolCall[];
    reasoning?: string;
  };
  finishReason: FinishReason | null;
  /** Provider-native logprobs object, passed through untouched. */
  logprobs?: JsonValue;
}

export interface ChatResult {
  id: string;
  model: string;
  created: number;
  choices: ChatChoice[];
  usage: Usage;
  systemFingerprint?: string;
}

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encodingFormat?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
}

export interface EmbeddingsResult {
  model: string;
  data: { index: number; embedding: number[] | string }[];
  usage: Usage;
}

/** How a usage number was obtained. */
export type UsageSource = 'upstream' | 'tokenizer';

/**
 * Why the billed usage differs from what the upstream reported: its counts were not believable
 * (counted with the tokenizer instead), a sub-count exceeded its total (cut to fit), or the output
 * exceeded the `max_tokens` the client set (billed at the cap). Recorded on the ledger row.
 */
export type UsageAnomaly = 'invalid_upstream_usage' | 'sub_count_exceeds_total' | 'output_exceeds_max_tokens';

export interface Usage {
  /** All prompt tokens, including cached and cache-write ones. */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's cache (subset of inputTokens). */
  cachedInputTokens: number;
  /** Prompt tokens written to the provider's cache (subset of inputTokens; Anthropic). */
  cacheWriteInputTokens: number;
  reasoningTokens?: number;
  source: UsageSource;
  /** Set when what the upstream reported was not billed as it stood. */
  anomaly?: UsageAnomaly;
}

export const emptyUsage = (source: UsageSource = 'upstream'): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  source,
});
