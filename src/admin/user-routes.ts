import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HubError, parseInput } from '../core/index.js';
import { adminNewUserBody, createdUserDto, type Identity, userDto, userIdParams, userPatchBody } from '../identity/index.js';
import type { Database } from '../storage/index.js';
import { UserLookup } from '../storage/index.js';

const listQuery = z.strictObject({
  tenant_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a tenant id'),
  role: z.enum(['owner', 'developer', 'operator', 'viewer']).optional(),
});

/** `/admin/v1/users`: people of any tenant, for the admin key (a tenant's owners use `/v1/users`). */
export function registerUserRoutes(app: FastifyInstance, identity: Identity, db: Database): void {
  const tenantOf = async (id: string): Promise<string> => {
    const user = await new UserLookup(db).byId(id);
    if (!user) throw new HubError('NOT_FOUND', `No user \`${id}\`.`, { code: 'user_not_found', param: 'id' });
    return user.tenantId;
  };

  app.post('/admin/v1/users', async (request, reply) => {
    const body = parseInput(adminNewUserBody, request.body);
    const { tenant_id: tenantId, ...user } = body;
    return reply.code(201).send(createdUserDto(await identity.users.create({ tenantId, ...user })));
  });

  app.get('/admin/v1/users', async (request) => {
    const query = parseInput(listQuery, request.query);
    await identity.requireTenant(query.tenant_id);
    const users = await identity.users.list(query.tenant_id, query.role ? { role: query.role } : {});
    return { object: 'list', data: users.map(userDto) };
  });

  app.get('/admin/v1/users/:id', async (request) => {
    const { id } = parseInput(userIdParams, request.params);
    return userDto(await identity.users.get(await tenantOf(id), id));
  });

  app.patch('/admin/v1/users/:id', async (request) => {
    const { id } = parseInput(userIdParams, request.params);
    const body = parseInput(userPatchBody, request.body);
    return userDto(await identity.users.update(await tenantOf(id), id, body));
  });
}
