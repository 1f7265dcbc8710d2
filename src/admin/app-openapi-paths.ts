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

/** The support app's admin routes and its public chat routes. */
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
