import type { FinishReason, JsonValue, Usage } from './chat.js';

/** Stream parts of a canonical chat stream, named `<noun>-<verb>`. */
export type StreamPart =
  | { type: 'response-start'; id: string; model: string; created: number }
  | { type: 'text-delta'; index: number; text: string }
  | { type: 'reasoning-delta'; index: number; text: string }
  | { type: 'tool-call-start'; index: number; toolIndex: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; toolIndex: number; argumentsDelta: string }
  | { type: 'logprobs-delta'; index: number; logprobs: JsonValue }
  | { type: 'choice-finish'; index: number; reason: FinishReason }
  | { type: 'usage-final'; usage: Usage };

export type ChatStream = AsyncIterable<StreamPart>;
