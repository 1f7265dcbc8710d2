import { createRequire } from 'node:module';
import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';

// The same relative path from src/gateway/openapi and dist/gateway/openapi; npm always ships package.json.
const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

/**
 * The OpenAPI 3.1 document of the whole HTTP API, from path descriptions built on the zod schemas the
 * routes validate with (the gateway's own and those the composition root adds, e.g. the admin API).
 * Built once at start: `createDocument` walks every schema, which is far too slow for a request.
 */
export function buildApiDocument(paths: ZodOpenApiPathsObject[]): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'TokenHub API',
      version,
      description:
        'OpenAI-, Anthropic- and Responses-compatible gateway, its self-service endpoint and the admin API. ' +
        'Request schemas are the ones the hub validates with; unknown fields are kept where the schema allows them.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A virtual key (`thk_…`) or, for `/admin/v1/*`, the admin key.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same keys, as Anthropic clients send them.' },
      },
    },
    paths: Object.assign({}, ...paths) as ZodOpenApiPathsObject,
  });
}
