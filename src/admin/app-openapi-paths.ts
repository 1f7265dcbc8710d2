import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';

const ERRORS = {
  default: { description: 'An error, as `{ "error": { "message", "type", "param", "code" } }`.', content: { 'application/json': {} } },
};
const json = (description: string, schema: z.ZodType = z.record(z.string(), z.unknown())) => ({
  description,
  content: { 'application/json': { schema } },
});
const installation = z.object({ installation: z.string() });
const thread = z.object({ installation: z.string(), thread: z.string() });

/** The shipped apps' admin routes (support, supplier-match) and the support app's public chat routes. */
export function appApiPaths(): ZodOpenApiPathsObject {
  return {
    '/admin/v1/apps/support/install': {
      post: {
        summary: 'Install the support app for a tenant',
        tags: ['Admin'],
        requestBody: {
          content: { 'application/json': { schema: z.object({ tenant_id: z.string(), model: z.string(), name: z.string().optional() }) } },
        },
        responses: { '201': json('The installation and its agent.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/support': {
      get: {
        summary: 'List installations of the support app',
        tags: ['Admin'],
        requestParams: { query: z.object({ tenant_id: z.string().optional() }) },
        responses: { '200': json('Installations, oldest first.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/support/{installation}/store': {
      get: {
        summary: "An installation's store in τ²'s db.json shape and key order",
        tags: ['Admin'],
        requestParams: { path: installation },
        responses: { '200': json('`{products, users, orders}`.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/support/{installation}/store/reset': {
      post: {
        summary: "Put an installation's store back to the shipped data",
        tags: ['Admin'],
        requestParams: { path: installation },
        responses: { '200': json('Reset.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/supplier-match/install': {
      post: {
        summary:
          'Install the supplier-matching app for a tenant: a catalogue (generated, or imported), its agent and the supplier-match workflow',
        tags: ['Admin'],
        requestBody: {
          content: {
            'application/json': {
              schema: z.object({
                tenant_id: z.string(),
                model: z.string(),
                name: z.string().optional(),
                seed: z.number().int().optional(),
                size: z.number().int().optional(),
                catalogue: z
                  .union([z.object({ csv: z.string() }), z.object({ suppliers: z.array(z.record(z.string(), z.unknown())) })])
                  .optional(),
                embedding_model: z.string().optional().describe('An embedding model the hub routes: searches blend semantic similarity.'),
              }),
            },
          },
        },
        responses: { '201': json('The installation, its agent and workflow, and how many suppliers its catalogue holds.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/supplier-match': {
      get: {
        summary: 'List installations of the supplier-matching app',
        tags: ['Admin'],
        requestParams: { query: z.object({ tenant_id: z.string().optional() }) },
        responses: { '200': json('Installations, oldest first.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/supplier-match/{installation}/catalogue': {
      put: {
        summary: "Replace an installation's catalogue with one imported from CSV or JSON",
        tags: ['Admin'],
        requestParams: { path: installation },
        requestBody: {
          content: {
            'application/json': {
              schema: z.union([z.object({ csv: z.string() }), z.object({ suppliers: z.array(z.record(z.string(), z.unknown())) })]),
            },
          },
        },
        responses: {
          '200': json(
            '`{object: "app.catalogue", installation, suppliers}`; a 400 `invalid_catalogue` names the rows and fields at fault.',
          ),
          ...ERRORS,
        },
      },
    },
    '/apps/support/chat': {
      get: {
        summary: "The customer's chat page of an installation",
        tags: ['Apps'],
        requestParams: { query: z.object({ installation: z.string() }) },
        responses: { '200': { description: 'An HTML page.', content: { 'text/html': {} } }, ...ERRORS },
      },
    },
    '/apps/support/{installation}/threads': {
      post: {
        summary: 'Start a customer conversation (no key: the thread id is the handle)',
        tags: ['Apps'],
        requestParams: { path: installation },
        responses: { '201': json('The thread.'), ...ERRORS },
      },
    },
    '/apps/support/{installation}/threads/{thread}/messages': {
      get: {
        summary: "A customer conversation's messages (people's notes left out)",
        tags: ['Apps'],
        requestParams: { path: thread },
        responses: { '200': json('The messages, oldest first.'), ...ERRORS },
      },
      post: {
        summary: "Send the customer's message; the agent answers (or the person holding the thread will)",
        tags: ['Apps'],
        requestParams: { path: thread },
        requestBody: { content: { 'application/json': { schema: z.object({ content: z.string() }) } } },
        responses: { '200': json("The agent's reply, or `handoff: true`."), ...ERRORS },
      },
    },
  };
}
