/**
 * The one permission table against the running hub: every tenant route the hub registers is in
 * `ROUTE_PERMISSIONS` and nothing else is; each role (by its personal key) is refused exactly the routes
 * its permissions lack, a service key is refused the people's routes, and one tenant's owner sees nothing
 * of another tenant's tasks, users or threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS, ROLES, type Role, scopesPermit } from '../../src/identity/roles.js';
import { isGuardedUrl, ROUTE_PERMISSIONS } from '../../src/identity/route-permissions.js';
import { call, createAgent, createPerson, errorCode, handOff, type Json, type Person, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { registeredRoutes } from '../support/routes.js';

const SERVICE_SCOPES = ['agents:write', 'agents:run'];

let hub: TestHub;
let tenantId: string;
let serviceKey: string;
const people = new Map<Role, Person>();

beforeAll(async () => {
  hub = await startTestHub(SCRIPTED_CONFIG);
  tenantId = (await createTenant(hub, 'roles')).id;
  serviceKey = (await createKey(hub, { tenant_id: tenantId, scopes: SERVICE_SCOPES })).key;
  for (const role of ROLES) people.set(role, await createPerson(hub, tenantId, role, `${role}@roles.test`));
});

afterAll(async () => {
  await hub?.close();
});

/** `GET /v1/models/*` as registered; printRoutes shows a trailing wildcard as `/v1/models*`. */
const shape = (route: string): string => route.replace(/\/?\*$/, '/*');

/** The tenant routes the hub serves, as `METHOD url`. */
function guardedRoutes(): string[] {
  return registeredRoutes(hub.hub.app.printRoutes({ commonPrefix: false }))
    .map(shape)
    .filter((route) => isGuardedUrl(route.slice(route.indexOf(' ') + 1)));
}

/** Fills every path parameter with a dummy id. */
const concretePath = (url: string): string => url.replace(/:[A-Za-z_]+/g, 'nope').replace(/\*$/, 'nope');

/** One call to a route with an empty JSON body for writes; a stream is read only up to its status. */
async function probe(method: string, url: string, key: string): Promise<{ status: number; code: unknown; body: Json }> {
  const controller = new AbortController();
  const write = method !== 'GET' && method !== 'DELETE';
  const response = await fetch(`${hub.url}${concretePath(url)}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/json, text/event-stream',
      ...(write ? { 'content-type': 'application/json' } : {}),
    },
    ...(write ? { body: '{}' } : {}),
    signal: controller.signal,
  });
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    controller.abort();
    return { status: response.status, code: undefined, body: {} };
  }
  const text = await response.text();
  let body: Json = {};
  try {
    body = text ? (JSON.parse(text) as Json) : {};
  } catch {
    body = { text };
  }
  return { status: response.status, code: (body.error as Json | undefined)?.code, body };
}

/** Table entries checked against a role or scopes (the rest are open to anyone, or checked by the model gate). */
const CHECKED = Object.entries(ROUTE_PERMISSIONS).filter(
  ([, permission]) => permission !== 'inference' && permission !== 'public' && permission !== 'signed-in',
);

describe('the permission table', () => {
  it('names every tenant route the hub registers, and no route it does not', () => {
    const registered = guardedRoutes();
    expect(registered.length).toBeGreaterThan(50);
    const table = Object.keys(ROUTE_PERMISSIONS);
    expect(
      registered.filter((route) => !table.includes(route)),
      'registered under /v1/, /mcp or /apps/ but missing from ROUTE_PERMISSIONS',
    ).toEqual([]);
    expect(
      table.filter((route) => !registered.includes(route)),
      'in ROUTE_PERMISSIONS but not registered',
    ).toEqual([]);
    for (const route of table) {
      const [method, url] = route.split(' ') as [string, string];
      expect(hub.hub.app.hasRoute({ method: method as 'GET', url }), route).toBe(true);
    }
  });

  it('names only permissions that some role holds', () => {
    const held = new Set(Object.values(ROLE_PERMISSIONS).flat());
    for (const [route, permission] of CHECKED) expect(held.has(permission as never), route).toBe(true);
  });

  for (const role of ROLES) {
    it(`refuses a ${role} exactly the routes their role lacks`, async () => {
      const person = people.get(role) as Person;
      const wrong: string[] = [];
      for (const [route, permission] of CHECKED) {
        const [method, url] = route.split(' ') as [string, string];
        const answer = await probe(method, url, person.key);
        const refused = answer.status === 403 && answer.code === 'permission_denied';
        const shouldRefuse = !(ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
        if (refused !== shouldRefuse)
          wrong.push(`${route} (${permission}) → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        // A route the role may use never answers 401 or 403 for a person with a live key.
        if (!shouldRefuse && (answer.status === 401 || answer.status === 403))
          wrong.push(`${route} → ${answer.status} ${String(answer.code)}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('holds people to their role on the MCP server, which checks keys itself', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'role-table', version: '1' } },
    };
    for (const role of ROLES) {
      const response = await fetch(`${hub.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${(people.get(role) as Person).key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(initialize),
      });
      const text = await response.text();
      if (ROLE_PERMISSIONS[role].includes('agents:run')) {
        expect([role, response.status]).toEqual([role, 200]);
        expect(text).toContain('"protocolVersion"');
      } else {
        expect([role, response.status]).toEqual([role, 403]);
        expect((JSON.parse(text) as { error: Json }).error.code).toBe('permission_denied');
      }
    }
  });

  it('refuses a service key the routes its scopes lack, the inbox and the people routes among them', async () => {
    const wrong: string[] = [];
    for (const [route, permission] of CHECKED) {
      const [method, url] = route.split(' ') as [string, string];
      const answer = await probe(method, url, serviceKey);
      const shouldRefuse = !scopesPermit(SERVICE_SCOPES, permission as never);
      const forUsersOrInbox = url.startsWith('/v1/inbox/') || url.startsWith('/v1/users');
      if (forUsersOrInbox && !shouldRefuse) wrong.push(`${route}: the table lets a service key in`);
      if (shouldRefuse) {
        if (answer.status !== 403 || !['missing_scope', 'person_required'].includes(String(answer.code))) {
          wrong.push(`${route} (${permission}) → ${answer.status} ${String(answer.code)}, wanted 403`);
        }
      } else if (answer.status === 401 || answer.status === 403) {
        wrong.push(`${route} (${permission}) → ${answer.status} ${String(answer.code)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('tenants', () => {
  it("keep one tenant's owner out of another tenant's tasks, users and threads", async () => {
    const operator = people.get('operator') as Person;
    await createAgent(hub, serviceKey, { name: 'support', tools: [{ type: 'builtin', name: 'transfer_to_human' }] });
    const { taskId, threadId } = await handOff(hub, { serviceKey, reader: operator.key, agent: 'support' });

    const otherTenant = (await createTenant(hub, 'roles-other')).id;
    const intruder = await createPerson(hub, otherTenant, 'owner', 'owner@other.test');
    const key = intruder.key;
    const expectAbsent = async (method: string, path: string, body: unknown, code: string) => {
      const answer = await call(hub, method, path, body, key);
      expect([method, path, answer.status, errorCode(answer)]).toEqual([method, path, 404, code]);
    };
    await expectAbsent('GET', `/v1/inbox/tasks/${taskId}`, undefined, 'task_not_found');
    for (const action of ['claim', 'release', 'resolve', 'handback', 'transfer', 'approve', 'reject', 'messages']) {
      const body =
        action === 'resolve'
          ? { resolution: 'mine now' }
          : action === 'transfer'
            ? { queue: 'elsewhere' }
            : action === 'messages'
              ? { content: 'hello from B' }
              : {};
      await expectAbsent('POST', `/v1/inbox/tasks/${taskId}/${action}`, body, 'task_not_found');
    }
    await expectAbsent('POST', `/v1/inbox/tasks/${taskId}/tools/calculator`, { arguments: { expression: '1' } }, 'task_not_found');
    const listed = await call(hub, 'GET', '/v1/inbox/tasks?limit=100', undefined, key);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([]);

    const victim = people.get('viewer') as Person;
    await expectAbsent('GET', `/v1/users/${victim.id}`, undefined, 'user_not_found');
    await expectAbsent('PATCH', `/v1/users/${victim.id}`, { role: 'owner' }, 'user_not_found');
    await expectAbsent('POST', `/v1/users/${victim.id}/keys`, {}, 'user_not_found');
    const users = await call(hub, 'GET', '/v1/users', undefined, key);
    expect((users.body.data as Json[]).map((user) => user.id)).toEqual([intruder.id]);

    for (const path of [`/v1/threads/${threadId}`, `/v1/threads/${threadId}/messages`]) {
      const answer = await call(hub, 'GET', path, undefined, key);
      expect([path, answer.status]).toEqual([path, 404]);
    }
    const posted = await call(hub, 'POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content: 'hi' }, key);
    expect(posted.status).toBe(404);

    // Nothing of it changed the task in tenant A.
    const unchanged = await call(hub, 'GET', `/v1/inbox/tasks/${taskId}`, undefined, operator.key);
    expect(unchanged.body).toMatchObject({ status: 'open', assignee: null, queue: 'default' });
    expect((unchanged.body.events as Json[]).map((event) => event.type)).toEqual(['task.created']);
  });
});
