import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { bodyLoggingBody, requestIdParams } from '../body-logging-routes.js';
import type * as Api from '../contract.js';
import * as Out from '../contract.schemas.js';
import { idParams } from '../validation.js';
import { scopedLedgerQuery } from './ledger.js';

const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field (on `/v1` a `tenant_id` is one: the tenant is always the caller\'s), 401, 403 (`permission_denied` naming the role and permission; the admin key on `/v1`, a virtual key on `/admin/v1`), 404 (`request_bodies_not_found`, `key_not_found`, `project_not_found`) for a missing id or one of another tenant alike.',
    content: { 'application/json': {} },
  },
};

const time = z.string().meta({ description: 'ISO 8601 UTC time' });

// Named once at load: zod's registry refuses a second schema under the same id.
const schemas = {
  bodyLoggingRequest: bodyLoggingBody.meta({ id: 'BodyLoggingRequest' }),
  bodyLogging: z
    .object({
      object: z.literal('body_logging'),
      scope: z.enum(['key', 'project']),
      id: z.string(),
      tenant_id: z.string(),
      setting: z
        .object({ enabled: z.boolean(), retention_days: z.number().int(), updated_at: time })
        .nullable()
        .meta({ description: 'Its own setting; null: none (a key then follows its project’s).' }),
      effective: z.object({
        enabled: z.boolean(),
        retention_days: z.number().int().nullable(),
        source: z.enum(['key', 'project']).nullable(),
      }),
      max_body_bytes: z.number().int().meta({ description: 'Each kept body holds at most this many bytes of UTF-8; the rest is cut.' }),
    })
    .meta({ id: 'BodyLogging' }),
  requestBodies: z
    .object({
      object: z.literal('request_bodies'),
      request_id: z.string(),
      tenant_id: z.string(),
      key_id: z.string().nullable(),
      created_at: time,
      expires_at: time,
      request: z.object({ body: z.string(), truncated: z.boolean() }),
      response: z.object({ body: z.string(), truncated: z.boolean(), kind: z.enum(['json', 'stream', 'text']) }),
    })
    .meta({ id: 'RequestBodies' }),
};

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const contractChecks: [
  Same<z.output<typeof schemas.bodyLogging>, Api.BodyLogging>,
  Same<z.output<typeof schemas.requestBodies>, Api.RequestBodies>,
] = [true, true];
void contractChecks;

const answer = (description: string, schema: z.ZodType) => ({ '200': { description, content: { 'application/json': { schema } } } });

function operation(tag: string, summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject {
  return { summary, tags: [tag], ...rest, responses: { ...rest.responses, ...ERRORS } };
}

const LEDGER_DESCRIPTION =
  'One row per request, newest first, with a cursor (`next_cursor`). Filters: `key_id`, `project_id`, `model` (served), `status` (`success`: below 400, `error`: 400 and up, or one HTTP status), `agent`, `run_id`, `request_id` (the hub’s `x-request-id`, exactly), `from`/`to` (admission time). `format=csv` streams every matching row as a CSV download, page by page.';

const BODY_DESCRIPTION =
  'Only for calls of a key that keeps its bodies (its own or its project’s `body-logging`): the request and the response (a stream’s text, assembled), each redacted — API keys, bearer tokens, JWTs, private keys, passwords, emails and secret fields such as `api_key` are masked — and cut at `max_body_bytes` (64 KiB), until the retention sweep deletes them.';

const SETTING_DESCRIPTION =
  'Opt-in: while enabled, the request and response bodies of the key’s (or the project’s keys’) model calls are kept, redacted and capped, for `retention_days` (1–365, default 30; fixed per body when it is written). A key’s own setting wins over its project’s (`enabled: false` opts a key out); `DELETE` removes the own setting. Keys that keep nothing pay nothing on the request path.';

/** The request log's routes: `/v1/ledger` (the tenant's mirror of `/admin/v1/ledger`), kept bodies, and body retention per key or project, on both APIs. */
export function ledgerApiPaths(): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {
    '/v1/ledger': {
      get: operation('Tenant administration', "The tenant's ledger (usage:read)", {
        description: LEDGER_DESCRIPTION,
        requestParams: { query: scopedLedgerQuery },
        responses: {
          '200': {
            description: 'A page as JSON, or with `format=csv` every matching row of this tenant as a CSV download.',
            content: { 'application/json': { schema: Out.ledgerPageSchema }, 'text/csv': {} },
          },
        },
      }),
    },
    '/v1/ledger/{request_id}/body': {
      get: operation('Tenant administration', "A call's kept request and response bodies (usage:read)", {
        description: BODY_DESCRIPTION,
        requestParams: { path: requestIdParams },
        responses: answer('The redacted bodies.', schemas.requestBodies),
      }),
    },
    '/admin/v1/ledger/{request_id}/body': {
      get: operation('Admin', "A call's kept request and response bodies", {
        description: BODY_DESCRIPTION,
        requestParams: { path: requestIdParams },
        responses: answer('The redacted bodies.', schemas.requestBodies),
      }),
    },
  };
  for (const [base, tag] of [
    ['/v1', 'Tenant administration'],
    ['/admin/v1', 'Admin'],
  ] as const) {
    for (const scope of ['key', 'project'] as const) {
      const read = base === '/v1' ? (scope === 'key' ? ' (keys:read)' : ' (projects:read)') : '';
      const write = base === '/v1' ? (scope === 'key' ? ' (service_keys:write)' : ' (projects:write)') : '';
      paths[`${base}/${scope}s/{id}/body-logging`] = {
        get: operation(tag, `Whether a ${scope} keeps request and response bodies${read}`, {
          description: SETTING_DESCRIPTION,
          requestParams: { path: idParams },
          responses: answer('Its own setting and what applies to its calls.', schemas.bodyLogging),
        }),
        put: operation(tag, `Keep (or stop keeping) a ${scope}'s request and response bodies${write}`, {
          description: SETTING_DESCRIPTION,
          requestParams: { path: idParams },
          requestBody: { content: { 'application/json': { schema: schemas.bodyLoggingRequest } } },
          responses: answer('The setting now; the keys follow on every replica at once.', schemas.bodyLogging),
        }),
        delete: operation(tag, `Remove a ${scope}'s own body retention setting${write}`, {
          requestParams: { path: idParams },
          responses: answer('The setting now (a key follows its project’s).', schemas.bodyLogging),
        }),
      };
    }
  }
  return paths;
}
