import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';

const ERRORS = {
  default: { description: 'An error, as `{ "error": { "message", "type", "param", "code" } }`.', content: { 'application/json': {} } },
};
const json = (description: string) => ({ description, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } });
const site = z.object({ tenant: z.string(), slug: z.string() });
const tenantQuery = z.object({ tenant_id: z.string() });
const SECURITY_HEADERS =
  "Served with `content-security-policy: default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'` and `x-content-type-options: nosniff`.";

const COST = '`{object: "site.build_cost", run_id, input_tokens, output_tokens, model_calls, sandbox_cpu_ms, sandbox_calls, cost_usd}`.';

/** The site-builder app's admin routes, its owner's routes and the public routes of the sites it publishes. */
export function openApiPaths(): ZodOpenApiPathsObject {
  return {
    '/v1/apps/site-builder/runs/{run}/approval': {
      post: {
        summary: "Decide a build's plan: approve it (as drafted, with changes, or with an edited plan replacing it) or reject it",
        description:
          "A tenant key with `agents:run`. An edited `plan` has the plan step's schema (pages, solution); an invalid one is a 400 `invalid_plan` naming the place, and the approval stays open. A run not waiting for it is a 409 `run_not_waiting`.",
        tags: ['Apps'],
        requestParams: { path: z.object({ run: z.string() }) },
        requestBody: {
          content: {
            'application/json': {
              schema: z.object({
                decision: z.enum(['approve', 'reject']),
                reason: z.string().optional(),
                changes: z.string().optional(),
                plan: z.record(z.string(), z.unknown()).optional(),
              }),
            },
          },
        },
        responses: { '200': json('The workflow run, as `GET /v1/workflow-runs/{id}` shows it.'), ...ERRORS },
      },
    },
    '/v1/apps/site-builder/runs/{run}/cost': {
      get: {
        summary: 'What a build of the tenant spent: tokens, sandbox time and cost, from the ledger',
        description: "A tenant key with `agents:write` or `agents:run` (people: `workflows:read`); another tenant's run is a 404.",
        tags: ['Apps'],
        requestParams: { path: z.object({ run: z.string() }) },
        responses: { '200': json(COST), ...ERRORS },
      },
    },
    '/admin/v1/apps/site-builder/install': {
      post: {
        summary: 'Install the site-builder app for a tenant: its builder agent and the site-builder workflow',
        tags: ['Admin'],
        requestBody: {
          content: { 'application/json': { schema: z.object({ tenant_id: z.string(), model: z.string(), name: z.string().optional() }) } },
        },
        responses: { '201': json('The installation, its agent and its workflow.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/site-builder/runs/{run}/cost': {
      get: {
        summary: 'What a build (a run of the site-builder workflow) spent: tokens, sandbox time and cost, from the ledger',
        tags: ['Admin'],
        requestParams: { path: z.object({ run: z.string() }), query: tenantQuery },
        responses: {
          '200': json(COST),
          ...ERRORS,
        },
      },
    },
    '/admin/v1/apps/site-builder/sites/{slug}/versions': {
      get: {
        summary: "A published site's versions, newest first, with the one served",
        tags: ['Admin'],
        requestParams: { path: z.object({ slug: z.string() }), query: tenantQuery },
        responses: { '200': json('`{object: "list", data: [{version, current, files, bytes, run_id, created_at}]}`.'), ...ERRORS },
      },
    },
    '/admin/v1/apps/site-builder/sites/{slug}/rollback': {
      post: {
        summary: 'Serve an earlier version of a site (default: the one before the current)',
        tags: ['Admin'],
        requestParams: { path: z.object({ slug: z.string() }) },
        requestBody: {
          content: { 'application/json': { schema: z.object({ tenant_id: z.string(), version: z.number().int().optional() }) } },
        },
        responses: { '200': json('The version now served.'), ...ERRORS },
      },
    },
    '/sites/{tenant}/{slug}': {
      get: {
        summary: "A published site's home page (public; without the trailing slash, a 301 to it)",
        tags: ['Sites'],
        requestParams: { path: site },
        responses: {
          '200': { description: `The current version's index.html. ${SECURITY_HEADERS}`, content: { 'text/html': {} } },
          ...ERRORS,
        },
      },
    },
    '/sites/{tenant}/{slug}/{path}': {
      get: {
        summary: "A file of a published site (public); `_solution.html` and `_solution.pdf` are the owner's solution document",
        tags: ['Sites'],
        requestParams: { path: site.extend({ path: z.string() }) },
        responses: {
          '200': {
            description: `The file, with its content type. ${SECURITY_HEADERS}`,
            content: { 'text/html': {}, 'text/css': {}, 'image/svg+xml': {}, 'application/pdf': {} },
          },
          ...ERRORS,
        },
      },
    },
  };
}
