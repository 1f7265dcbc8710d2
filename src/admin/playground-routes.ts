import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import { type Identity, keyScopesForRole, PLAYGROUND_KEY_NAME } from '../identity/index.js';
import { ApiKeysRepository, type Database } from '../storage/index.js';
import type * as Api from './contract.js';

export interface PlaygroundDeps {
  economy: Economy;
  identity: Identity;
  db: Database;
}

const personRequired = (): HubError =>
  new HubError('FORBIDDEN', 'The playground key is a personal key: sign in as a person to get one.', { code: 'person_required' });

/**
 * The console playground's key. The model APIs take API keys only (the hot path reads no session), so
 * `POST /v1/playground/key` gives the signed-in person a personal key of their own, named "console
 * playground" (their role's scopes, their budgets and limits), revoking the earlier ones so one stays live
 * per person; the console keeps its secret in the tab's sessionStorage. The cost of a reply is its ledger
 * row, read with the session from `GET /v1/ledger?request_id=` by the `x-request-id` the reply carried.
 */
export function playgroundRoutes(deps: PlaygroundDeps): FastifyPluginAsync {
  return async (app) => {
    app.post('/v1/playground/key', async (request, reply): Promise<Api.PlaygroundKey> => {
      // The permission table names `inference` (checked by the gate on the model APIs): the role is checked here.
      const caller = await deps.identity.tenantCaller(request, 'inference');
      deps.identity.requirePermission(caller, 'keys:write');
      const user = caller.user;
      if (!user) throw personRequired();
      const earlier = (await new ApiKeysRepository(deps.db, caller.tenantId).forUser(user.id)).filter(
        (key) => key.name === PLAYGROUND_KEY_NAME && key.revokedAt === null,
      );
      const created = await deps.economy.keys.create({
        tenantId: caller.tenantId,
        name: PLAYGROUND_KEY_NAME,
        scopes: keyScopesForRole(user.role),
        userId: user.id,
      });
      // The key this request came with (a playground key calling for a fresh one) is revoked too: it is being replaced.
      for (const key of earlier) await deps.economy.keys.revoke(key.id);
      reply.code(201);
      return {
        object: 'playground_key',
        key: created.secret,
        key_id: created.record.id,
        key_prefix: created.record.keyPrefix,
        name: PLAYGROUND_KEY_NAME,
        scopes: [...created.record.scopes],
        revoked: earlier.length,
      };
    });
  };
}
