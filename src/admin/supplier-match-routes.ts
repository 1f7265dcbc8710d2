import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { importCatalogue, type SupplierMatchApp } from '../apps/supplier-match/index.js';
import { HubError, parseInput } from '../core/index.js';
import { installBody as appInstallBody, installationDto, installationParams, listQuery } from './app-routes.js';

// A catalogue of 50,000 suppliers as JSON is ~40 MB.
const CATALOGUE_BODY_LIMIT = 64 * 1024 * 1024;
const catalogueBody = z.union([z.strictObject({ csv: z.string().min(1) }), z.strictObject({ suppliers: z.array(z.unknown()).min(1) })]);
const installBody = appInstallBody.extend({
  seed: z.number().int().min(0).max(4_294_967_295).optional(),
  size: z.number().int().min(1).max(50_000).optional(),
  catalogue: catalogueBody.optional(),
  embedding_model: z.string().min(1).max(200).optional(),
});

const importedSuppliers = (body: z.infer<typeof catalogueBody>) =>
  'csv' in body ? importCatalogue(body.csv, 'csv') : importCatalogue(JSON.stringify(body.suppliers), 'json');

/** `/admin/v1/apps/supplier-match`: install the supplier-matching app for a tenant, list installations, import a catalogue. */
export function registerSupplierMatchRoutes(app: FastifyInstance, supplierMatch: SupplierMatchApp): void {
  app.post('/admin/v1/apps/supplier-match/install', { bodyLimit: CATALOGUE_BODY_LIMIT }, async (request, reply) => {
    const body = parseInput(installBody, request.body);
    if (body.catalogue && (body.seed !== undefined || body.size !== undefined)) {
      throw new HubError('INVALID_REQUEST', '`seed` and `size` shape the generated catalogue: leave them out with `catalogue`.', {
        param: 'catalogue',
      });
    }
    const installed = await supplierMatch.install({
      tenantId: body.tenant_id,
      model: body.model,
      ...(body.name ? { name: body.name } : {}),
      ...(body.seed !== undefined ? { seed: body.seed } : {}),
      ...(body.size !== undefined ? { size: body.size } : {}),
      ...(body.catalogue ? { suppliers: importedSuppliers(body.catalogue) } : {}),
      ...(body.embedding_model ? { embeddingModel: body.embedding_model } : {}),
    });
    return reply.code(201).send({
      installation: installationDto(installed.installation),
      agent: installed.agent,
      workflow: installed.workflow,
      suppliers: installed.suppliers,
      embedding_model: body.embedding_model ?? null,
    });
  });

  app.get('/admin/v1/apps/supplier-match', async (request) => {
    const query = parseInput(listQuery, request.query);
    return { object: 'list', data: (await supplierMatch.list(query.tenant_id)).map(installationDto) };
  });

  app.put('/admin/v1/apps/supplier-match/:installation/catalogue', { bodyLimit: CATALOGUE_BODY_LIMIT }, async (request) => {
    const { installation } = parseInput(installationParams, request.params);
    const body = parseInput(catalogueBody, request.body);
    await supplierMatch.installation(installation);
    const suppliers = await supplierMatch.replaceCatalogue(installation, importedSuppliers(body));
    return { object: 'app.catalogue', installation, suppliers };
  });
}
