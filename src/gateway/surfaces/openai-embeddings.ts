import type { FastifyInstance } from 'fastify';
import { type EmbeddingsRequest, HubError } from '../../core/index.js';
import { encodeEmbedding, type OpenAIEmbeddingsResponse, openaiEmbeddingsRequestSchema } from '../../wire/openai/index.js';
import { servedModelHeaders } from './served-model.js';
import type { SurfaceContext } from './surface-context.js';
import { validateBody } from './validate.js';

/** `POST /v1/embeddings`. */
export function registerOpenAIEmbeddings(app: FastifyInstance, surface: SurfaceContext): void {
  app.post('/v1/embeddings', { config: { protocol: 'openai' } }, async (request, reply) => {
    const body = validateBody(openaiEmbeddingsRequestSchema, request.body);
    const call = await surface.begin(request, reply, 'openai');
    const model = surface.catalog.get(body.model);
    if (model.kind !== 'embedding') {
      throw new HubError('INVALID_REQUEST', `Model \`${body.model}\` is not an embedding model.`, { param: 'model' });
    }
    const canonical: EmbeddingsRequest = { model: body.model, input: body.input };
    if (body.encoding_format) canonical.encodingFormat = body.encoding_format;
    if (body.dimensions !== undefined) canonical.dimensions = body.dimensions;
    if (body.user !== undefined) canonical.user = body.user;
    const result = await surface.pipeline.embeddings(call, canonical);
    const response: OpenAIEmbeddingsResponse = {
      object: 'list',
      data: result.data.map((item) => ({
        object: 'embedding',
        index: item.index,
        embedding: encodeEmbedding(item.embedding, body.encoding_format),
      })),
      model: body.model,
      usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
    };
    return reply
      .headers(servedModelHeaders(result.model))
      .header('server-timing', call.timing.header())
      .type('application/json')
      .send(JSON.stringify(response));
  });
}
