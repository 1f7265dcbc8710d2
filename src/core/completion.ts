/**
 * Canonical legacy text completion (`/v1/completions`): a raw prompt continued by the model, with no
 * chat template. Base models (no template in their weights) can only be used this way.
 *
 * Streams reuse the chat stream parts (`core/stream.ts`): a completion stream carries only
 * `response-start`, `text-delta`, `logprobs-delta`, `choice-finish` and `usage-final`.
 */
import type { FinishReason, JsonObject, JsonValue, Usage } from './chat.js';

export interface TextCompletionRequest {
  /** The name the upstream knows the model by (set by the router). */
  model: string;
  prompt: string;
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
  /** Return the prompt in front of the completion. */
  echo?: boolean;
  /** Text that comes after the completion (insertion). */
  suffix?: string;
  /** Number of most likely tokens to report logprobs for (0–5). */
  logprobs?: number;
  bestOf?: number;
  /** Token id (as a string) → bias −100…100. */
  logitBias?: JsonObject;
  user?: string;
}

export interface TextCompletionChoice {
  index: number;
  text: string;
  finishReason: FinishReason | null;
  /** Provider-native logprobs object, passed through untouched. */
  logprobs?: JsonValue;
}

export interface TextCompletionResult {
  id: string;
  model: string;
  created: number;
  choices: TextCompletionChoice[];
  usage: Usage;
  systemFingerprint?: string;
}
