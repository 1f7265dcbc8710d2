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

  // signing in
  'POST /v1/auth/login': 'public',
  'POST /v1/auth/logout': 'signed-in',
  'GET /v1/me': 'signed-in',

  // people
  'GET /v1/users': 'users:read',
  'POST /v1/users': 'users:write',
  'GET /v1/users/:id': 'users:read',
  'PATCH /v1/users/:id': 'users:write',
  'POST /v1/users/:id/keys': 'keys:write',

  // agents, runs, threads, tools
  'GET /v1/agents': 'agents:read',
  'POST /v1/agents': 'agents:write',
  'GET /v1/agents/:name': 'agents:read',
  'PUT /v1/agents/:name': 'agents:write',
  'DELETE /v1/agents/:name': 'agents:write',
  'GET /v1/agents/:name/versions': 'agents:read',
  'POST /v1/agents/:name/activate': 'agents:write',
  'POST /v1/agents/:name/runs': 'agents:run',
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

  // shipped apps' public pages (each acts with its installation's own service key)
  'GET /apps/support/chat': 'public',
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
export const GUARDED_PREFIXES = ['/v1/', '/mcp', '/apps/'] as const;

export const routeKey = (method: string, url: string): string => `${method} ${url}`;

export const isGuardedUrl = (url: string): boolean =>
  GUARDED_PREFIXES.some((prefix) => url === prefix.replace(/\/$/, '') || url.startsWith(prefix));
