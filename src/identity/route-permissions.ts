import type { Permission } from './roles.js';

/**
 * What each tenant route needs, by Fastify route (`METHOD url`). `public`: anyone (signing in);
 * `signed-in`: any caller; `inference`: the model APIs, checked by the gate on the key's scopes so the hot
 * path reads no user. Every other route is checked against the caller's role (people) or key scopes
 * (service keys) before its handler runs. A route under `/v1/`, `/mcp` or `/apps/` missing here is refused
 * (and `route-permissions.test.ts` fails), so a new route cannot ship unguarded.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission | 'public' | 'signed-in'>> = Object.freeze({
  // the model APIs
  'POST /v1/chat/completions': 'inference',
  'POST /v1/completions': 'inference',
  'POST /v1/embeddings': 'inference',
  'POST /v1/messages': 'inference',
  'POST /v1/messages/count_tokens': 'inference',
  'GET /v1/models': 'inference',
  'GET /v1/models/*': 'inference',
  'POST /v1/responses': 'inference',
  'GET /v1/responses/:id': 'inference',
  'DELETE /v1/responses/:id': 'inference',
  'GET /v1/responses/:id/input_items': 'inference',
  'GET /v1/me/usage': 'signed-in',

  // sandboxes: code, files and kept workspaces
  'POST /v1/sandboxes': 'sandboxes:use',
  'GET /v1/sandboxes': 'sandboxes:use',
  'GET /v1/sandboxes/:id': 'sandboxes:use',
  'DELETE /v1/sandboxes/:id': 'sandboxes:use',
  'POST /v1/sandboxes/:id/code': 'sandboxes:use',
  'GET /v1/sandboxes/:id/files': 'sandboxes:use',
  'GET /v1/sandboxes/:id/files/*': 'sandboxes:use',
  'PUT /v1/sandboxes/:id/files/*': 'sandboxes:use',
  'DELETE /v1/sandboxes/:id/files/*': 'sandboxes:use',
  'POST /v1/sandboxes/:id/keep': 'sandboxes:use',
  'GET /v1/sandbox-workspaces': 'sandboxes:use',
  'DELETE /v1/sandbox-workspaces/:name': 'sandboxes:use',

  // signing in
  'POST /v1/auth/login': 'public',
  'POST /v1/auth/logout': 'signed-in',
  'GET /v1/me': 'signed-in',
  'GET /v1/auth/sso': 'public',
  'GET /v1/auth/sso/login': 'public',
  'GET /v1/auth/sso/callback': 'public',

  // people
  'GET /v1/users': 'users:read',
  'POST /v1/users': 'users:write',
  'GET /v1/users/:id': 'users:read',
  'PATCH /v1/users/:id': 'users:write',
  'POST /v1/users/:id/keys': 'keys:write',

  // the tenant's keys, budgets, projects, audit (console)
  'GET /v1/keys': 'keys:read',
  'POST /v1/keys': 'service_keys:write',
  'GET /v1/keys/:id': 'keys:read',
  'PATCH /v1/keys/:id': 'service_keys:write',
  // keys:write lets a person revoke their own personal key; the handler asks service_keys:write for a service key, users:write for someone else's.
  'DELETE /v1/keys/:id': 'keys:write',
  'GET /v1/budgets': 'usage:read',
  'POST /v1/budgets': 'budgets:write',
  'GET /v1/budgets/:id': 'usage:read',
  'PATCH /v1/budgets/:id': 'budgets:write',
  'DELETE /v1/budgets/:id': 'budgets:write',
  'GET /v1/projects': 'projects:read',
  'POST /v1/projects': 'projects:write',
  'GET /v1/audit': 'audit:read',

  // the console's request log: the ledger (JSON pages, CSV export), kept bodies, and who keeps them
  'GET /v1/ledger': 'usage:read',
  'GET /v1/ledger/:request_id/body': 'usage:read',
  'GET /v1/keys/:id/body-logging': 'keys:read',
  'PUT /v1/keys/:id/body-logging': 'service_keys:write',
  'DELETE /v1/keys/:id/body-logging': 'service_keys:write',
  'GET /v1/projects/:id/body-logging': 'projects:read',
  'PUT /v1/projects/:id/body-logging': 'projects:write',
  'DELETE /v1/projects/:id/body-logging': 'projects:write',

  // the console's overview: the tenant's usage totals and series, its budgets' burn-down
  'GET /v1/usage': 'usage:read',
  'GET /v1/usage/budgets': 'usage:read',

  // agents, runs, threads, tools
  'GET /v1/agents': 'agents:read',
  'POST /v1/agents': 'agents:write',
  'GET /v1/agents/:name': 'agents:read',
  'PUT /v1/agents/:name': 'agents:write',
  'DELETE /v1/agents/:name': 'agents:write',
  'GET /v1/agents/:name/versions': 'agents:read',
  'POST /v1/agents/:name/activate': 'agents:write',
  'POST /v1/agents/:name/runs': 'agents:run',
  // the console's Runs page: the tenant's runs, newest first
  'GET /v1/runs': 'agents:read',
  'GET /v1/runs/:id': 'agents:read',
  'GET /v1/runs/:id/events': 'agents:read',
  'POST /v1/runs/:id/cancel': 'agents:run',
  'POST /v1/runs/:id/approvals': 'agents:run',
  'POST /v1/threads': 'agents:run',
  'GET /v1/threads/:id': 'threads:read',
  'GET /v1/threads/:id/messages': 'threads:read',
  'POST /v1/threads/:id/messages': 'agents:run',
  'GET /v1/tool-secrets': 'tool_secrets:write',
  'PUT /v1/tool-secrets/:name': 'tool_secrets:write',
  'DELETE /v1/tool-secrets/:name': 'tool_secrets:write',
  'GET /mcp': 'agents:run',
  'POST /mcp': 'agents:run',
  'DELETE /mcp': 'agents:run',

  // workflows: definitions and their versions (the schema is public, for editors)
  'GET /v1/workflows': 'workflows:read',
  'POST /v1/workflows': 'workflows:write',
  'GET /v1/workflows/schema': 'public',
  'GET /v1/workflows/:name': 'workflows:read',
  'PUT /v1/workflows/:name': 'workflows:write',
  'DELETE /v1/workflows/:name': 'workflows:write',
  'GET /v1/workflows/:name/versions': 'workflows:read',
  'POST /v1/workflows/:name/activate': 'workflows:write',
  // workflow runs: run like agents, read like agents' runs
  'POST /v1/workflows/:name/runs': 'agents:run',
  'GET /v1/workflow-runs': 'workflows:read',
  'GET /v1/workflow-runs/:id': 'workflows:read',
  'GET /v1/workflow-runs/:id/events': 'workflows:read',
  'POST /v1/workflow-runs/:id/cancel': 'agents:run',
  'POST /v1/workflow-runs/:id/decisions': 'agents:run',
  // a workflow's signed webhook: made by who may change the workflow, called with its signature and no key
  'POST /v1/workflows/:name/webhook': 'workflows:write',
  'POST /v1/workflow-hooks/:id': 'public',

  // the inbox
  'GET /v1/inbox/tasks': 'inbox:read',
  'GET /v1/inbox/tasks/:id': 'inbox:read',
  'GET /v1/inbox/events': 'inbox:read',
  'GET /v1/inbox/stats': 'inbox:read',
  'POST /v1/inbox/tasks/:id/claim': 'inbox:work',
  'POST /v1/inbox/tasks/:id/renew': 'inbox:work',
  'POST /v1/inbox/tasks/:id/release': 'inbox:work',
  'POST /v1/inbox/tasks/:id/messages': 'inbox:work',
  'POST /v1/inbox/tasks/:id/tools/:name': 'inbox:work',
  'POST /v1/inbox/tasks/:id/approve': 'inbox:work',
  'POST /v1/inbox/tasks/:id/reject': 'inbox:work',
  'POST /v1/inbox/tasks/:id/handback': 'inbox:work',
  'POST /v1/inbox/tasks/:id/resolve': 'inbox:work',
  'POST /v1/inbox/tasks/:id/transfer': 'inbox:work',
  'GET /v1/inbox/webhooks': 'webhooks:read',
  'POST /v1/inbox/webhooks': 'webhooks:write',
  'GET /v1/inbox/webhooks/:id': 'webhooks:read',
  'PATCH /v1/inbox/webhooks/:id': 'webhooks:write',
  'DELETE /v1/inbox/webhooks/:id': 'webhooks:write',
  'GET /v1/inbox/webhooks/:id/deliveries': 'webhooks:read',
  'POST /v1/inbox/webhooks/:id/deliveries/:delivery_id/redeliver': 'webhooks:write',
  'POST /v1/inbox/webhooks/:id/test': 'webhooks:write',

  // the console playground: its key needs a role that may call models (`inference`: the handler checks the role and keys:write)
  'POST /v1/playground/key': 'inference',

  // shipped apps' public pages (each acts with its installation's own service key)
  'GET /apps/support/chat': 'public',
  // the site-builder app's published sites
  'GET /sites/:tenant/:slug': 'public',
  'GET /sites/:tenant/:slug/*': 'public',
  // a build's owner: decide its plan like a workflow's human step, read its cost like its run
  'POST /v1/apps/site-builder/runs/:run/approval': 'agents:run',
  'GET /v1/apps/site-builder/runs/:run/cost': 'workflows:read',
  'POST /apps/support/:installation/threads': 'public',
  'GET /apps/support/:installation/threads/:thread/messages': 'public',
  'POST /apps/support/:installation/threads/:thread/messages': 'public',
});

/**
 * Routes that check their entry themselves, because they answer refusals in their own protocol's shape
 * (MCP's JSON-RPC errors with `WWW-Authenticate`); the guard leaves them to it.
 */
export const SELF_CHECKED_URLS: ReadonlySet<string> = new Set(['/mcp']);

/** Route prefixes whose every route must be in the table. */
export const GUARDED_PREFIXES = ['/v1/', '/mcp', '/apps/', '/sites/'] as const;

export const routeKey = (method: string, url: string): string => `${method} ${url}`;

export const isGuardedUrl = (url: string): boolean =>
  GUARDED_PREFIXES.some((prefix) => url === prefix.replace(/\/$/, '') || url.startsWith(prefix));
