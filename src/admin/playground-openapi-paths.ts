import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import type * as Api from './contract.js';

const ERRORS = {
  default: { description: 'An error, as `{ "error": { "message", "type", "param", "code" } }`.', content: { 'application/json': {} } },
};
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: ['Console'],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

const playgroundKeySchema = z
  .object({
    object: z.literal('playground_key'),
    key: z.string().meta({ description: 'The secret, shown this once.' }),
    key_id: z.string(),
    key_prefix: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    revoked: z.number().int().meta({ description: 'How many earlier playground keys of this person were revoked.' }),
  })
  .meta({ id: 'PlaygroundKey' });

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const contractCheck: Same<z.output<typeof playgroundKeySchema>, Api.PlaygroundKey> = true;
void contractCheck;

/** The console playground's key (`/v1/playground/key`). */
export function playgroundApiPaths(): ZodOpenApiPathsObject {
  return {
    '/v1/playground/key': {
      post: operation("A person's console playground key", {
        description:
          'For a signed-in person whose role may call models (`inference` and `keys:write`): a new personal key named "console playground" with their role\'s scopes, so their budgets and limits apply to what they try; the earlier playground keys of this person are revoked. Never the key their agent runs are billed to. 403 `person_required` for a service key.',
        responses: { '201': json('The key with its secret, shown this once.', playgroundKeySchema) },
      }),
    },
  };
}
