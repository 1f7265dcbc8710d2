import type { FastifyInstance } from 'fastify';
import type * as Api from '../contract.js';
import { parse } from '../validation.js';
import type { UpstreamControl } from './upstream-control.js';
import {
  createModelBody,
  createProviderBody,
  modelParams,
  providerDraftTestBody,
  providerParams,
  providerTestBody,
  updateModelBody,
  updateProviderBody,
} from './validation.js';

/** `/admin/v1/providers` (with health and connection tests), `/admin/v1/models` and `/admin/v1/secrets/rotate`. */
export function registerUpstreamRoutes(
  app: FastifyInstance,
  control: UpstreamControl,
  options: { resealToolSecrets?: () => Promise<number> } = {},
): void {
  app.get(
    '/admin/v1/providers',
    async (): Promise<Api.ListResponse<Api.UpstreamProvider>> => ({
      object: 'list',
      data: control.providers.list(),
    }),
  );
  app.get('/admin/v1/providers/:id', async (request): Promise<Api.UpstreamProvider> => {
    const { id } = parse(providerParams, request.params);
    return control.providers.find(id);
  });
  app.post('/admin/v1/providers', async (request, reply): Promise<Api.UpstreamProvider> => {
    const body = parse(createProviderBody, request.body);
    const created = await control.providers.create(body);
    reply.code(201);
    return created;
  });
  app.patch('/admin/v1/providers/:id', async (request): Promise<Api.UpstreamProvider> => {
    const { id } = parse(providerParams, request.params);
    return control.providers.update(id, parse(updateProviderBody, request.body));
  });
  app.delete('/admin/v1/providers/:id', async (request): Promise<Api.UpstreamProvider> => {
    const { id } = parse(providerParams, request.params);
    return control.deleteProvider(id);
  });
  app.get('/admin/v1/providers/:id/health', async (request): Promise<Api.ProviderHealth> => {
    const { id } = parse(providerParams, request.params);
    return control.checks.health(id);
  });
  app.post('/admin/v1/providers/:id/test', async (request): Promise<Api.ProviderTestResult> => {
    const { id } = parse(providerParams, request.params);
    return control.checks.test(id, parse(providerTestBody, request.body));
  });
  app.post(
    '/admin/v1/providers/test',
    async (request): Promise<Api.ProviderTestResult> => control.checks.testDraft(parse(providerDraftTestBody, request.body)),
  );

  app.get('/admin/v1/models', async (): Promise<Api.ListResponse<Api.RoutedModel>> => ({ object: 'list', data: control.models.list() }));
  app.get('/admin/v1/models/:name', async (request): Promise<Api.RoutedModel> => {
    const { name } = parse(modelParams, request.params);
    return control.models.find(name);
  });
  app.post('/admin/v1/models', async (request, reply): Promise<Api.RoutedModel> => {
    const body = parse(createModelBody, request.body);
    const created = await control.models.create(body);
    reply.code(201);
    return created;
  });
  app.patch('/admin/v1/models/:name', async (request): Promise<Api.RoutedModel> => {
    const { name } = parse(modelParams, request.params);
    return control.models.update(name, parse(updateModelBody, request.body));
  });
  app.delete('/admin/v1/models/:name', async (request): Promise<Api.RoutedModel> => {
    const { name } = parse(modelParams, request.params);
    return control.models.delete(name);
  });

  // Providers first (one transaction), then agents' tool secrets (another): each refuses, changing nothing, if one does not open.
  app.post('/admin/v1/secrets/rotate', async (): Promise<Api.SecretRotation> => {
    const rotation = await control.providers.rotate();
    return { ...rotation, tool_secrets_resealed: (await options.resealToolSecrets?.()) ?? 0 };
  });
}
