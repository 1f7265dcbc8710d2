import type { LLamaContextualRepeatPenalty } from 'node-llama-cpp';
import { HubError } from '../../core/index.js';

/** Sampling fields shared by chat and text completion requests. */
export interface SamplingRequest {
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stop?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  n?: number;
}

/** The llama.cpp sampler settings node-llama-cpp takes on every generate call. */
export interface SamplingOptions {
  temperature: number;
  topP?: number;
  topK?: number;
  seed?: number;
  repeatPenalty: false | LLamaContextualRepeatPenalty;
  customStopTriggers?: string[];
}

/** OpenAI's default; llama.cpp's own (0 in node-llama-cpp) would make unset requests greedy. */
const DEFAULT_TEMPERATURE = 1;

/**
 * OpenAI sampling parameters → llama.cpp's. Temperature 0 is greedy decoding (the same output every
 * time); with a temperature, `seed` fixes the sampler's random stream. OpenAI's presence/frequency
 * penalties are additive logit penalties over the tokens generated so far, which is exactly llama.cpp's
 * `penalty_present`/`penalty_freq`; its multiplicative repeat penalty stays off (1), as OpenAI has none.
 */
export function samplingOptions(request: SamplingRequest, contextSize: number): SamplingOptions {
  if (request.n !== undefined && request.n > 1) {
    throw new HubError('UNSUPPORTED_FEATURE', 'Local models generate one choice per request; `n` must be 1.', { param: 'n' });
  }
  const options: SamplingOptions = {
    temperature: request.temperature ?? DEFAULT_TEMPERATURE,
    repeatPenalty: false,
  };
  if (request.topP !== undefined) options.topP = request.topP;
  if (request.topK !== undefined) options.topK = request.topK;
  if (request.seed !== undefined) options.seed = seedFor(request.seed);
  if (request.stop?.length) options.customStopTriggers = request.stop.filter((stop) => stop.length > 0);
  const presence = request.presencePenalty ?? 0;
  const frequency = request.frequencyPenalty ?? 0;
  if (presence !== 0 || frequency !== 0) {
    options.repeatPenalty = {
      penalty: 1,
      presencePenalty: presence,
      frequencyPenalty: frequency,
      // OpenAI penalises every token generated so far, not a recent window.
      lastTokens: contextSize,
      penalizeNewLine: true,
    };
  }
  return options;
}

/** llama.cpp seeds are uint32; OpenAI's are any integer, so fold them into range deterministically. */
function seedFor(seed: number): number {
  return ((seed % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000;
}

/**
 * The output budget of a request: what the client asked for, which must fit beside the prompt (never
 * silently cut), or else all the room left in the context window.
 */
export function outputBudget(requested: number | undefined, promptTokens: number, contextSize: number): number {
  const room = contextSize - promptTokens;
  if (room <= 0 || (requested !== undefined && requested > room)) {
    const asked = requested === undefined ? '' : ` + ${requested} max_tokens`;
    throw new HubError(
      'INVALID_REQUEST',
      `This model's context window is ${contextSize} tokens; the prompt has ${promptTokens}${asked}. Shorten the prompt or lower max_tokens.`,
      { param: requested === undefined ? 'messages' : 'max_tokens', code: 'context_length_exceeded' },
    );
  }
  return requested ?? room;
}
