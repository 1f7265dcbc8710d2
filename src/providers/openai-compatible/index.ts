/** OpenAI-compatible upstreams (OpenAI, DashScope/Qwen, DeepSeek, vLLM, SGLang, Ollama, llama.cpp, …). */
import type { ProviderConfig } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { ForwardResponse, Provider, ProviderOptions } from '../spec.js';
import { primeStream } from '../sse-events.js';
import { createOpenAIClient, resolvePreset } from './api.js';
import { openaiChat } from './chat.js';
import { openaiComplete, openaiStreamComplete } from './completions.js';
import { openaiEmbeddings } from './embeddings.js';
import { openaiStream } from './stream.js';

export { resolvePreset } from './api.js';
export { OPENAI_COMPATIBLE_PRESETS, type OpenAICompatiblePreset } from './presets.js';

export function createOpenAICompatibleProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const preset = resolvePreset(config);
  const client = createOpenAIClient(config, preset, options);
  const noCompletions = (): Promise<never> =>
    Promise.reject(
      new HubError(
        'UNSUPPORTED_FEATURE',
        `provider ${config.id} (${config.preset}) serves no legacy /completions; use /v1/chat/completions`,
      ),
    );
  return {
    id: config.id,
    type: 'openai',
    passthrough: 'openai',
    responsesApi: config.responses_api ?? preset.responses ?? false,
    chat: (request, context) => openaiChat(client, request, context),
    streamChat: (request, context) => openaiStream(client, request, context),
    embeddings: (request, context) => {
      if (!preset.embeddings) {
        return Promise.reject(new HubError('UNSUPPORTED_FEATURE', `provider ${config.id} (${config.preset}) serves no embeddings`));
      }
      return openaiEmbeddings(client, request, context);
    },
    complete: (request, context) => (preset.completions ? openaiComplete(client, request, context) : noCompletions()),
    streamComplete: (request, context) => (preset.completions ? openaiStreamComplete(client, request, context) : noCompletions()),
    forward: async (call, context): Promise<ForwardResponse> => {
      if (!call.stream) {
        const { status, headers, text } = await client.postText(call.path, call.body, context.signal, call.headers);
        return { status, headers, body: bytesOf(text), text };
      }
      const answer = await client.post(call.path, call.body, context.signal, call.headers);
      return { status: answer.status, headers: answer.headers, body: await primeStream(answer.body[Symbol.asyncIterator](), config.id) };
    },
    close: (options) => client.close(options),
  };
}

/** A body read whole, for a caller that iterates instead of taking `text`. */
async function* bytesOf(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}
