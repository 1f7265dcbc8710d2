import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { anthropicCountTokensRequestSchema, anthropicMessagesRequestSchema } from '../../wire/anthropic/index.js';
import { openaiChatRequestSchema, openaiCompletionRequestSchema, openaiEmbeddingsRequestSchema } from '../../wire/openai/index.js';
import { responsesRequestSchema } from '../../wire/responses/index.js';
import { inputItemsQuery } from '../surfaces/responses.js';

// Named once at load: zod's registry refuses a second schema under the same id.
const requests = {
  chat: openaiChatRequestSchema.meta({ id: 'ChatCompletionRequest' }),
  completion: openaiCompletionRequestSchema.meta({ id: 'CompletionRequest' }),
  embeddings: openaiEmbeddingsRequestSchema.meta({ id: 'EmbeddingsRequest' }),
  messages: anthropicMessagesRequestSchema.meta({ id: 'AnthropicMessagesRequest' }),
  countTokens: anthropicCountTokensRequestSchema.meta({ id: 'AnthropicCountTokensRequest' }),
  responses: responsesRequestSchema.meta({ id: 'ResponsesRequest' }),
};
const healthSchema = z.object({ status: z.literal('ok') });
const readinessSchema = z.object({
  status: z.enum(['ready', 'degraded', 'not ready']),
  checks: z
    .record(z.string(), z.string())
    .meta({ description: 'One line per check: config, migrations, database, cluster, ledger, upstreams…' }),
});
const responseIdParams = z.object({ id: z.string().meta({ description: 'A stored response id (`resp_…`).' }) });
const tokenCountSchema = z.object({ input_tokens: z.number().int() });
const modelParams = z.object({ model: z.string().meta({ description: 'A model name; it may contain `/`.' }) });

const OPENAI_ERROR = 'An error in the OpenAI shape: `{ "error": { "message", "type", "param", "code" } }`.';
const ANTHROPIC_ERROR = 'An error in the Anthropic shape: `{ "type": "error", "error": { "type", "message" } }`.';
const json = { 'application/json': {} };
const ANTHROPIC_HEADERS = ['anthropic-version', 'anthropic-beta'].map((name) => ({
  name,
  in: 'header' as const,
  required: false,
  schema: { type: 'string' as const },
  description: 'Forwarded to Anthropic upstreams.',
}));

const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

/** A 200 answered as JSON, or as server-sent events when the body asks for `stream: true`. */
function generated(jsonDescription: string, streamDescription?: string, error = OPENAI_ERROR): ZodOpenApiResponsesObject {
  return {
    '200': {
      description: streamDescription ? `${jsonDescription} With \`stream: true\`: ${streamDescription}` : jsonDescription,
      content: streamDescription ? { ...json, 'text/event-stream': {} } : json,
    },
    default: { description: error, content: json },
  };
}

function operation(tag: string, summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject {
  return { summary, tags: [tag], ...rest };
}

/** Unauthenticated operations: probes, metrics, the document and its reference page. */
const open = { security: [] };

/**
 * Every route `createGatewayApp` registers itself, described from the zod schemas its surfaces
 * validate with. Response bodies have no zod schema on these surfaces: they are named by content type
 * and described, not spelled out field by field.
 */
export function gatewayApiPaths(options: { responses: boolean }): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {
    '/v1/chat/completions': {
      post: operation('OpenAI', 'Create a chat completion', {
        requestBody: body(requests.chat),
        responses: generated('A chat completion object.', 'chat completion chunks, then `data: [DONE]`.'),
      }),
    },
    '/v1/completions': {
      post: operation('OpenAI', 'Create a text completion (legacy)', {
        requestBody: body(requests.completion),
        responses: generated('A text completion object.', 'text completion chunks, then `data: [DONE]`.'),
      }),
    },
    '/v1/embeddings': {
      post: operation('OpenAI', 'Create embeddings', {
        description: 'For models with `kind: embedding`.',
        requestBody: body(requests.embeddings),
        responses: generated('A list of embeddings, as floats or base64 as `encoding_format` asks.'),
      }),
    },
    '/v1/models': {
      get: operation('OpenAI', 'List models', {
        responses: generated('`{ "object": "list", "data": [model objects] }`: the model names this key may use.'),
      }),
    },
    '/v1/models/{model}': {
      get: operation('OpenAI', 'Retrieve a model', {
        requestParams: { path: modelParams },
        responses: generated('A model object (`id`, `object`, `created`, `owned_by`).'),
      }),
    },
    '/v1/messages': {
      post: operation('Anthropic', 'Create a message', {
        parameters: ANTHROPIC_HEADERS,
        requestBody: body(requests.messages),
        responses: generated('A Message object.', 'the Messages stream events (`message_start` … `message_stop`).', ANTHROPIC_ERROR),
      }),
    },
    '/v1/messages/count_tokens': {
      post: operation('Anthropic', 'Count the input tokens of a message', {
        description:
          "Every model: an Anthropic upstream counts, otherwise the hub's tokenizer for the upstream model (an estimate for non-OpenAI models). Admitted like other calls, never billed.",
        parameters: ANTHROPIC_HEADERS,
        requestBody: body(requests.countTokens),
        responses: {
          '200': { description: 'The input token count.', content: { 'application/json': { schema: tokenCountSchema } } },
          default: { description: ANTHROPIC_ERROR, content: json },
        },
      }),
    },
    '/admin/v1/local-models': {
      get: operation('Admin', 'List local models', {
        description: 'Every configured local GGUF model with its state, slots in use, queue and memory. Admin key only.',
        responses: generated('`{ "object": "list", "data": [local model status] }`.'),
      }),
    },
    '/healthz': {
      get: operation('Operations', 'Liveness', {
        ...open,
        responses: { '200': { description: 'The process answers.', content: { 'application/json': { schema: healthSchema } } } },
      }),
    },
    '/readyz': {
      get: operation('Operations', 'Readiness', {
        ...open,
        responses: {
          '200': {
            description: 'Ready, or `degraded` (served from caches and the journal).',
            content: { 'application/json': { schema: readinessSchema } },
          },
          '503': { description: 'Not ready.', content: { 'application/json': { schema: readinessSchema } } },
        },
      }),
    },
    '/metrics': {
      get: operation('Operations', 'Prometheus metrics', {
        ...open,
        responses: { '200': { description: 'The Prometheus text exposition format.', content: { 'text/plain': {} } } },
      }),
    },
    '/openapi.json': {
      get: operation('Operations', 'This document', {
        ...open,
        responses: { '200': { description: 'The OpenAPI 3.1 document of this hub.', content: json } },
      }),
    },
    '/docs': {
      get: operation('Operations', 'API reference page', {
        ...open,
        responses: {
          '200': { description: 'A browsable reference of this document, served by the hub itself.', content: { 'text/html': {} } },
        },
      }),
    },
    '/console': {
      get: operation('Operations', 'The console', {
        ...open,
        description: 'The web console (React). Its pages sign in with `/v1/auth/login` or the admin key; see docs/console.md.',
        responses: { '200': { description: 'The console app (its assets are under `/console/assets/`).', content: { 'text/html': {} } } },
      }),
    },
    '/console/{path}': {
      get: operation('Operations', 'A console page', {
        ...open,
        description: 'Any path under `/console` is the console app, whose router shows the page.',
        parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The console app.', content: { 'text/html': {} } } },
      }),
    },
  };
  if (options.responses) Object.assign(paths, responsesPaths());
  return paths;
}

function responsesPaths(): ZodOpenApiPathsObject {
  return {
    '/v1/responses': {
      post: operation('OpenAI Responses', 'Create a response', {
        description:
          'On every provider; stored per tenant unless `store: false`. Input items and tools are checked one by one after this schema.',
        requestBody: body(requests.responses),
        responses: generated('A Response object.', 'the `response.*` events, each with a `sequence_number`.'),
      }),
    },
    '/v1/responses/{id}': {
      get: operation('OpenAI Responses', 'Retrieve a stored response', {
        requestParams: { path: responseIdParams },
        responses: generated("The stored Response object; 404 for another tenant's."),
      }),
      delete: operation('OpenAI Responses', 'Delete a stored response', {
        requestParams: { path: responseIdParams },
        responses: generated('`{ "id", "object": "response", "deleted": true }`.'),
      }),
    },
    '/v1/responses/{id}/input_items': {
      get: operation('OpenAI Responses', 'List the input items of a stored response', {
        requestParams: { path: responseIdParams, query: inputItemsQuery },
        responses: generated('`{ "object": "list", "data": [items], "first_id", "last_id", "has_more" }`.'),
      }),
    },
  };
}
