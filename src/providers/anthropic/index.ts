/**
 * Anthropic Messages upstreams (api.anthropic.com, or anything speaking its protocol). Canonical
 * requests are translated to `/messages`; same-protocol traffic is forwarded byte-for-byte. Anthropic
 * serves no embeddings.
 */
import type { ProviderConfig } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { Provider, ProviderOptions } from '../spec.js';
import { primeStream } from '../sse-events.js';
import { createAnthropicClient, forwardedHeaders } from './api.js';
import { anthropicChat } from './chat.js';
import { anthropicStream } from './stream.js';

export { ANTHROPIC_BASE_URL, ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_VERSION } from './api.js';

export function createAnthropicProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const client = createAnthropicClient(config, options);
  return {
    id: config.id,
    type: 'anthropic',
    passthrough: 'anthropic',
    responsesApi: false,
    chat: (request, context) => anthropicChat(client, request, context),
    streamChat: (request, context) => anthropicStream(client, request, context),
    embeddings: () => Promise.reject(new HubError('UNSUPPORTED_FEATURE', `provider ${config.id} (anthropic) serves no embeddings`)),
    forward: async (call, context) => {
      const answer = await client.post(call.path, call.body, context.signal, forwardedHeaders(call.headers));
      const body = call.stream ? await primeStream(answer.body[Symbol.asyncIterator](), config.id) : answer.body;
      return { status: answer.status, headers: answer.headers, body };
    },
    close: (options) => client.close(options),
  };
}
