import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { HubError, parseInput } from '../../core/index.js';
import type { CreatedKey } from '../../economy/index.js';
import { permits } from '../caller.js';
import type { Identity } from '../identity.js';
import { userDto } from '../user-service.js';
import { newKeyBody, newUserBody, userIdParams, userListQuery, userPatchBody } from './user-schemas.js';

/** A personal key as created: the secret in `key`, shown this once. */
export const personalKeyDto = (created: CreatedKey) => ({
  id: created.record.id,
  object: 'api_key' as const,
  name: created.record.name,
  key: created.secret,
  key_prefix: created.record.keyPrefix,
  scopes: created.record.scopes,
  user_id: created.record.userId,
  created_at: created.record.createdAt.toISOString(),
});

export const createdUserDto = (created: { user: Parameters<typeof userDto>[0]; key: CreatedKey }) => ({
  ...userDto(created.user),
  key: created.key.secret,
  key_id: created.key.record.id,
});

/** `/v1/users`: a tenant's people, managed by its owners; anyone may add personal keys for themselves. */
export function userRoutes(identity: Identity): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/users', async (request) => {
      const caller = await identity.tenantCaller(request, 'users:read');
      const query = parseInput(userListQuery, request.query);
      const users = await identity.users.list(caller.tenantId, query.role ? { role: query.role } : {});
      return { object: 'list', data: users.map(userDto) };
    });

    app.post('/v1/users', async (request, reply: FastifyReply) => {
      const caller = await identity.tenantCaller(request, 'users:write');
      const body = parseInput(newUserBody, request.body);
      const created = await identity.users.create({ tenantId: caller.tenantId, ...body });
      return reply.code(201).send(createdUserDto(created));
    });

    app.get('/v1/users/:id', async (request) => {
      const caller = await identity.tenantCaller(request, 'users:read');
      const { id } = parseInput(userIdParams, request.params);
      return userDto(await identity.users.get(caller.tenantId, id));
    });

    app.patch('/v1/users/:id', async (request) => {
      const caller = await identity.tenantCaller(request, 'users:write');
      const { id } = parseInput(userIdParams, request.params);
      const body = parseInput(userPatchBody, request.body);
      return userDto(await identity.users.update(caller.tenantId, id, body));
    });

    app.post('/v1/users/:id/keys', async (request, reply: FastifyReply) => {
      const caller = await identity.tenantCaller(request, 'keys:write');
      const { id } = parseInput(userIdParams, request.params);
      if (caller.user?.id !== id && !permits(caller, 'users:write')) {
        throw new HubError('FORBIDDEN', 'You may add personal keys for yourself only.', { code: 'permission_denied' });
      }
      const body = parseInput(newKeyBody, request.body);
      return reply.code(201).send(personalKeyDto(await identity.users.addKey(caller.tenantId, id, body.name)));
    });
  };
}
