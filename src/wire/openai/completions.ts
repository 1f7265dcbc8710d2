/**
 * The legacy OpenAI text completions protocol (`POST /v1/completions`): request schema, canonical
 * conversions both ways, and the stream chunk codec.
 */
import { z } from 'zod';
import {
  HubError,
  type JsonValue,
  type StreamPart,
  type TextCompletionChoice,
  type TextCompletionRequest,
  type TextCompletionResult,
} from '../../core/index.js';
import { finishReasonFromOpenAI } from './chat.response.js';
import { writeSamplingFields } from './sampling.js';
import { type OpenAIUsage, usageFromOpenAI, usageToOpenAI } from './usage.js';

/** Fields TokenHub reads or range-checks; anything else is accepted and ignored. */
export const openaiCompletionRequestSchema = z
  .object({
    model: z.string().min(1),
    prompt: z.union([
      z.string(),
      z.array(z.string()).min(1),
      z.array(z.number().int().nonnegative()).min(1),
      z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
    ]),
    suffix: z.string().nullish(),
    // 0 is legal with `echo` (score the prompt without generating).
    max_tokens: z.number().int().nonnegative().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    // Not in OpenAI's API; vLLM, llama.cpp and TokenHub's local engine take it.
    top_k: z.number().int().nonnegative().nullish(),
    n: z.number().int().min(1).max(128).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullish(),
    logprobs: z.number().int().min(0).max(5).nullish(),
    echo: z.boolean().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    best_of: z.number().int().min(1).max(20).nullish(),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
    seed: z.number().int().nullish(),
    user: z.string().nullish(),
  })
  .passthrough();

export type OpenAICompletionRequest = z.infer<typeof openaiCompletionRequestSchema>;

export interface OpenAITextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: { index: number; text: string; logprobs: JsonValue | null; finish_reason: string | null }[];
  usage?: OpenAIUsage;
  system_fingerprint?: string | null;
}

/** A stream chunk has the same shape as the whole answer, one delta of text per choice. */
export type OpenAICompletionChunk = Omit<OpenAITextCompletion, 'usage'> & { usage?: OpenAIUsage | null };

/** The single text prompt of a request; token-id prompts and batches of prompts have no canonical form. */
function promptText(prompt: OpenAICompletionRequest['prompt']): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw new HubError(
    'UNSUPPORTED_FEATURE',
    'TokenHub takes one text prompt per completion request; send a string (not token ids or a batch of prompts).',
    { param: 'prompt' },
  );
}

export function openaiCompletionToCanonical(body: OpenAICompletionRequest): TextCompletionRequest {
  const request: TextCompletionRequest = { model: body.model, prompt: promptText(body.prompt), stream: body.stream === true };
  if (body.max_tokens != null) request.maxTokens = body.max_tokens;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  if (body.top_k != null) request.topK = body.top_k;
  if (body.n != null) request.n = body.n;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  if (body.presence_penalty != null) request.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) request.frequencyPenalty = body.frequency_penalty;
  if (body.echo != null) request.echo = body.echo;
  if (body.suffix != null) request.suffix = body.suffix;
  if (body.logprobs != null) request.logprobs = body.logprobs;
  if (body.best_of != null) request.bestOf = body.best_of;
  if (body.logit_bias != null) request.logitBias = body.logit_bias;
  if (body.user != null) request.user = body.user;
  return request;
}

/** Canonical → upstream request body, for OpenAI-compatible providers. */
export function canonicalToOpenAICompletion(request: TextCompletionRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, prompt: request.prompt };
  writeSamplingFields(request, body);
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.echo !== undefined) body.echo = request.echo;
  if (request.suffix !== undefined) body.suffix = request.suffix;
  if (request.logprobs !== undefined) body.logprobs = request.logprobs;
  if (request.bestOf !== undefined) body.best_of = request.bestOf;
  if (request.logitBias !== undefined) body.logit_bias = request.logitBias;
  return body;
}

export function textCompletionToCanonical(body: OpenAITextCompletion): TextCompletionResult {
  const result: TextCompletionResult = {
    id: body.id,
    model: body.model,
    created: body.created,
    choices: body.choices.map((choice): TextCompletionChoice => {
      const out: TextCompletionChoice = {
        index: choice.index,
        text: choice.text ?? '',
        finishReason: finishReasonFromOpenAI(choice.finish_reason),
      };
      if (choice.logprobs != null) out.logprobs = choice.logprobs;
      return out;
    }),
    usage: body.usage
      ? usageFromOpenAI(body.usage)
      : { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'tokenizer' },
  };
  if (body.system_fingerprint) result.systemFingerprint = body.system_fingerprint;
  return result;
}

export function canonicalToTextCompletion(result: TextCompletionResult): OpenAITextCompletion {
  return {
    id: result.id,
    object: 'text_completion',
    created: result.created,
    model: result.model,
    choices: result.choices.map((choice) => ({
      index: choice.index,
      text: choice.text,
      logprobs: choice.logprobs ?? null,
      finish_reason: choice.finishReason ?? 'stop',
    })),
    usage: usageToOpenAI(result.usage),
    system_fingerprint: result.systemFingerprint ?? null,
  };
}

/** Upstream completion chunk → canonical stream parts. */
export class CompletionChunkDecoder {
  private started = false;

  decode(chunk: OpenAICompletionChunk): StreamPart[] {
    const parts: StreamPart[] = [];
    if (!this.started) {
      this.started = true;
      parts.push({ type: 'response-start', id: chunk.id, model: chunk.model, created: chunk.created });
    }
    for (const choice of chunk.choices ?? []) {
      if (choice.text) parts.push({ type: 'text-delta', index: choice.index, text: choice.text });
      if (choice.logprobs != null) parts.push({ type: 'logprobs-delta', index: choice.index, logprobs: choice.logprobs });
      const reason = finishReasonFromOpenAI(choice.finish_reason);
      if (reason) parts.push({ type: 'choice-finish', index: choice.index, reason });
    }
    if (chunk.usage) parts.push({ type: 'usage-final', usage: usageFromOpenAI(chunk.usage) });
    return parts;
  }
}

/** Canonical stream parts → completion chunks, as OpenAI itself streams them. */
export class CompletionChunkEncoder {
  private id = '';
  private created = 0;
  private readonly model: string;
  private readonly includeUsage: boolean;

  constructor(model: string, includeUsage: boolean) {
    this.model = model;
    this.includeUsage = includeUsage;
  }

  encode(part: StreamPart): OpenAICompletionChunk | null {
    switch (part.type) {
      case 'response-start':
        this.id = part.id;
        this.created = part.created;
        return null;
      case 'text-delta':
        return this.choiceChunk(part.index, part.text, null, null);
      case 'logprobs-delta':
        return this.choiceChunk(part.index, '', part.logprobs, null);
      case 'choice-finish':
        return this.choiceChunk(part.index, '', null, part.reason);
      case 'usage-final':
        if (!this.includeUsage) return null;
        return { ...this.base(), choices: [], usage: usageToOpenAI(part.usage) };
      // Chat-only parts never occur in a completion stream.
      case 'reasoning-delta':
      case 'tool-call-start':
      case 'tool-call-delta':
        return null;
    }
  }

  private base(): Omit<OpenAICompletionChunk, 'choices'> {
    return { id: this.id, object: 'text_completion', created: this.created, model: this.model };
  }

  private choiceChunk(index: number, text: string, logprobs: JsonValue | null, finishReason: string | null): OpenAICompletionChunk {
    return { ...this.base(), choices: [{ index, text, logprobs, finish_reason: finishReason }] };
  }
}
