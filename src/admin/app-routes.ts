import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SupportApp } from '../apps/support/index.js';
import { parseInput } from '../core/index.js';
import type { AppInstallationRecord } from '../storage/index.js';

/** What every shipped app's admin routes take: a tenant, an installation, and the install body's common fields. */
export const tenantId = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a tenant id');
export const installBody = z.strictObject({
  tenant_id: tenantId,
  model: z.string().min(1).max(200),
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -')
    .optional(),
});
export const installationParams = z.object({ installation: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not an installation id') });
export const listQuery = z.strictObject({ tenant_id: tenantId.optional() });

export const installationDto = (installation: AppInstallationRecord) => ({
  id: installation.id,
  object: 'app.installation' as const,
  app: installation.app,
  tenant_id: installation.tenantId,
  name: installation.name,
  agent: installation.agent,
  chat_url: installation.keyId ? `/apps/support/chat?installation=${installation.id}` : null,
  created_at: installation.createdAt.toISOString(),
});

/** `/admin/v1/apps/support`: install the support app for a tenant, and read or reset an installation's store. */
export function registerAppRoutes(
  app: FastifyInstance,
  support: SupportApp,
  serviceKey: (tenantId: string, name: string) => Promise<string>,
): void {
  app.post('/admin/v1/apps/support/install', async (request, reply) => {
    const body = parseInput(installBody, request.body);
    const installed = await support.install(
      { tenantId: body.tenant_id, model: body.model, ...(body.name ? { name: body.name } : {}) },
      serviceKey,
    );
    return reply.code(201).send({ installation: installationDto(installed.installation), agent: installed.agent });
  });

  app.get('/admin/v1/apps/support', async (request) => {
    const query = parseInput(listQuery, request.query);
    return { object: 'list', data: (await support.list(query.tenant_id)).map(installationDto) };
  });

  app.get('/admin/v1/apps/support/:installation/store', async (request, reply) => {
    const { installation } = parseInput(installationParams, request.params);
    const store = await support.store(installation);
    // The text keeps db.json's key order (a JS object would reorder numeric-looking ids).
    return reply.type('application/json').send(await store.repository.exportText());
  });

  app.post('/admin/v1/apps/support/:installation/store/reset', async (request) => {
    const { installation } = parseInput(installationParams, request.params);
    await support.resetStore(installation);
    return { object: 'app.store', installation, reset: true };
  });
}
