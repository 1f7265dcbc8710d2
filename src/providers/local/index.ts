/**
 * The local inference engine: GGUF models run in-process with node-llama-cpp (llama.cpp's prebuilt
 * CPU binary from npm; nothing is built or downloaded at run time). A `local` provider serves chat
 * (the model's own chat template), legacy text completions, embeddings, grammar-constrained JSON and
 * tool calls, with `parallel` requests decoding at once per model and a bounded queue behind them.
 * Usage is exact: the engine counts the tokens. There is no byte pass-through (`passthrough: null`).
 */
import type { ProviderConfig } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { Provider } from '../spec.js';
import { localChat } from './chat.js';
import { localComplete } from './completions.js';
import { localEmbeddings } from './embeddings.js';
import { LocalModel, type LocalModelStatus } from './model-pool.js';
import { localStreamChat, localStreamComplete } from './stream.js';

export { checkLocalModels } from './check.js';
export type { LocalModelState, LocalModelStatus } from './model-pool.js';

/** Models of every live local provider, for the status list. */
const liveProviders = new Set<ReadonlyMap<string, LocalModel>>();

/** State, slots and memory of every configured local model, across providers. */
export function listLocalModels(): LocalModelStatus[] {
  const list: LocalModelStatus[] = [];
  for (const models of liveProviders) for (const model of models.values()) list.push(model.status());
  return list;
}

export function createLocalProvider(config: ProviderConfig): Provider {
  const models = new Map<string, LocalModel>();
  for (const modelConfig of config.models ?? []) models.set(modelConfig.id, new LocalModel(config.id, modelConfig));
  liveProviders.add(models);
  for (const model of models.values()) if (model.config.load === 'start') model.preload();

  const modelFor = (id: string): LocalModel => {
    const model = models.get(id);
    if (!model) {
      throw new HubError('MODEL_NOT_FOUND', `local provider ${config.id} has no model "${id}" (it has: ${[...models.keys()].join(', ')})`, {
        param: 'model',
      });
    }
    return model;
  };

  return {
    id: config.id,
    type: 'local',
    passthrough: null,
    responsesApi: false,
    chat: async (request, context) => localChat(modelFor(request.model), request, context),
    streamChat: async (request, context) => localStreamChat(modelFor(request.model), request, context),
    embeddings: async (request, context) => localEmbeddings(modelFor(request.model), request, context),
    complete: async (request, context) => localComplete(modelFor(request.model), request, context),
    streamComplete: async (request, context) => localStreamComplete(modelFor(request.model), request, context),
    async close() {
      liveProviders.delete(models);
      await Promise.allSettled([...models.values()].map((model) => model.close()));
    },
  };
}
