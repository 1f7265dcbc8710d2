import type { LlamaModel, Token } from 'node-llama-cpp';
import { type FinishReason, HubError, newId, type TextCompletionRequest, type TextCompletionResult, type Usage } from '../../core/index.js';
import type { CallContext } from '../spec.js';
import type { GenerationEvents } from './chat.js';
import { finishReasonOf } from './finish-reason.js';
import type { Lease, LocalModel } from './model-pool.js';
import { outputBudget, samplingOptions } from './sampling.js';
import { localUsage } from './usage.js';

/** OpenAI's default for the legacy completions API (a completion without max_tokens is 16 tokens). */
const DEFAULT_COMPLETION_TOKENS = 16;

export interface CompletionOutcome {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
}

/**
 * The prompt as the engine evaluates it. node-llama-cpp's LlamaCompletion prepends BOS itself when the
 * vocabulary wants one (and then tokenizes without a leading space), so the tokens handed to it must
 * not carry it; counting it here keeps `prompt_tokens` exact.
 */
export function promptTokensOf(model: LlamaModel, prompt: string): { tokens: Token[]; count: number } {
  const vocabulary = String(model.vocabularyType);
  const prependsBos =
    vocabulary !== 'rwkv' &&
    vocabulary !== 'ugm' &&
    model.tokens.bos !== null &&
    (vocabulary === 'wpm' || model.tokens.shouldPrependBosToken);
  const tokens = model.tokenize(prompt, false, prependsBos ? 'trimLeadingSpace' : undefined);
  return { tokens, count: tokens.length + (prependsBos ? 1 : 0) };
}

function rejectUnsupported(request: TextCompletionRequest): void {
  const unsupported: [keyof TextCompletionRequest, boolean, string][] = [
    ['suffix', request.suffix !== undefined && request.suffix !== '', 'suffix (insertion)'],
    ['logprobs', request.logprobs !== undefined && request.logprobs > 0, 'logprobs'],
    ['bestOf', request.bestOf !== undefined && request.bestOf > 1, 'best_of'],
    ['logitBias', request.logitBias !== undefined && Object.keys(request.logitBias).length > 0, 'logit_bias'],
  ];
  for (const [, present, name] of unsupported) {
    if (present) {
      throw new HubError('UNSUPPORTED_FEATURE', `Local models do not support \`${name}\` yet.`, { param: name.split(' ')[0] ?? name });
    }
  }
}

/** One raw-prompt continuation on a leased slot; works on every model, template or not. */
export async function generateCompletion(
  lease: Lease,
  request: TextCompletionRequest,
  signal: AbortSignal,
  events: GenerationEvents = {},
): Promise<CompletionOutcome> {
  rejectUnsupported(request);
  const sequence = lease.sequence;
  if (!sequence) throw new HubError('INTERNAL', 'completion lease without a context sequence');
  const sampling = samplingOptions(request, lease.contextSize);
  const prompt = promptTokensOf(lease.model, request.prompt);
  const echoed = request.echo ? request.prompt : '';
  if (echoed) events.onText?.(echoed);
  // max_tokens 0 with echo is how clients score a prompt: nothing to generate.
  if (request.maxTokens === 0) {
    return {
      text: echoed,
      finishReason: 'length',
      usage: localUsage(prompt.count, { usedInputTokens: 0, usedOutputTokens: 0 }, { usedInputTokens: 0, usedOutputTokens: 0 }),
    };
  }
  const maxTokens = outputBudget(request.maxTokens ?? DEFAULT_COMPLETION_TOKENS, prompt.count, lease.contextSize);
  const completion = new lease.lib.LlamaCompletion({ contextSequence: sequence });
  const meterBefore = sequence.tokenMeter.getState();
  try {
    const response = await completion.generateCompletionWithMeta(prompt.tokens, {
      ...sampling,
      maxTokens,
      signal,
      stopOnAbortSignal: false,
      // The budget was checked above; shifting the window would silently forget the prompt's start.
      disableContextShift: true,
      onTextChunk: (text) => {
        if (text !== '') events.onText?.(text);
      },
    });
    return {
      text: echoed + response.response,
      finishReason: finishReasonOf(response.metadata.stopReason),
      usage: localUsage(prompt.count, meterBefore, sequence.tokenMeter.getState()),
    };
  } finally {
    completion.dispose({ disposeSequence: false });
  }
}

/** `complete` of the provider: waits for a slot, generates, frees the slot. */
export async function localComplete(
  model: LocalModel,
  request: TextCompletionRequest,
  context: CallContext,
): Promise<TextCompletionResult> {
  const lease = await model.lease(context.signal);
  try {
    const outcome = await generateCompletion(lease, request, context.signal);
    return {
      id: newId('cmpl'),
      model: request.model,
      created: Math.floor(Date.now() / 1000),
      choices: [{ index: 0, text: outcome.text, finishReason: outcome.finishReason }],
      usage: outcome.usage,
    };
  } finally {
    await lease.release();
  }
}
