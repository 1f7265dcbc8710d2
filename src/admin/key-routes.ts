import type { FastifyInstance } from 'fastify';
import type { Economy } from '../economy/index.js';
import type { ApiKeyPatch, KeyRateLimits } from '../storage/index.js';
import type * as Api from './contract.js';
import { budgetDto, keyDto } from './dto.js';
import { createKeyBody, idParams, parse, tenantQuery, toPicos, updateKeyBody } from './validation.js';

export const rateLimitsOf = (limits: Api.RateLimits | undefined): KeyRateLimits => ({
  ...(limits?.rpm !== undefined ? { rpm: limits.rpm } : {}),
  ...(limits?.tpm !== undefined ? { tpm: limits.tpm } : {}),
  ...(limits?.max_concurrency !== undefined ? { maxConcurrency: limits.max_concurrency } : {}),
});

export const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];

export function registerKeyRoutes(app: FastifyInstance, economy: Economy): void {
  app.post('/admin/v1/keys', async (request, reply): Promise<Api.CreatedKey> => {
    const body = parse(createKeyBody, request.body);
    const created = await economy.keys.create({
      tenantId: body.tenant_id,
      projectId: body.project_id ?? null,
      name: body.name ?? null,
      models: body.models ?? null,
      rateLimits: rateLimitsOf(body.rate_limits),
      ...(body.scopes ? { scopes: distinct(body.scopes) } : {}),
      ...(body.budget ? { budget: { limitPicos: toPicos(body.budget.limit_usd, 'budget.limit_usd'), period: body.budget.period } } : {}),
    });
    const budget = created.budget ? budgetDto(await economy.budgets.get(created.budget.id)) : null;
    reply.code(201);
    return { ...keyDto(created.record), key: created.secret, budget };
  });

  app.get('/admin/v1/keys', async (request): Promise<Api.ListResponse<Api.ApiKey>> => {
    const query = parse(tenantQuery, request.query);
    const keys = await economy.keys.list({
      ...(query.tenant_id ? { tenantId: query.tenant_id } : {}),
      ...(query.project_id ? { projectId: query.project_id } : {}),
    });
    return { object: 'list', data: keys.map(keyDto) };
  });

  app.get('/admin/v1/keys/:id', async (request): Promise<Api.ApiKey> => {
    const { id } = parse(idParams, request.params);
    return keyDto(await economy.keys.get(id));
  });

  app.patch('/admin/v1/keys/:id', async (request): Promise<Api.ApiKey> => {
    const { id } = parse(idParams, request.params);
    const body = parse(updateKeyBody, request.body);
    const patch: ApiKeyPatch = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.models !== undefined ? { models: body.models } : {}),
      ...(body.rate_limits !== undefined ? { rateLimits: rateLimitsOf(body.rate_limits) } : {}),
      ...(body.scopes !== undefined ? { scopes: distinct(body.scopes) } : {}),
    };
    return keyDto(await economy.keys.update(id, patch));
  });

  app.delete('/admin/v1/keys/:id', async (request): Promise<Api.ApiKey> => {
    const { id } = parse(idParams, request.params);
    return keyDto(await economy.keys.revoke(id));
  });
}
