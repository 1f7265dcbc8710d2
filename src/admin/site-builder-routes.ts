import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SiteBuilderApp } from '../apps/site-builder/index.js';
import { HubError, parseInput } from '../core/index.js';
import { installationDto, installBody, tenantId } from './app-routes.js';

const tenantQuery = z.strictObject({ tenant_id: tenantId });
const runParams = z.object({ run: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a run id') });
const slugParams = z.object({ slug: z.string().regex(/^[a-z0-9-]{1,48}$/, 'is not a site slug') });
const rollbackBody = z.strictObject({ tenant_id: tenantId, version: z.number().int().min(1).optional() });

const versionDto = (version: {
  version: number;
  current: boolean;
  filesCount: number;
  filesBytes: number;
  runId: string | null;
  createdAt: Date;
}) => ({
  object: 'site.version',
  version: version.version,
  current: version.current,
  files: version.filesCount,
  bytes: version.filesBytes,
  run_id: version.runId,
  created_at: version.createdAt.toISOString(),
});

/** `/admin/v1/apps/site-builder`: install the app for a tenant, a build's cost, a site's versions and its rollback. */
export function registerSiteBuilderRoutes(app: FastifyInstance, siteBuilder: SiteBuilderApp): void {
  app.post('/admin/v1/apps/site-builder/install', async (request, reply) => {
    const body = parseInput(installBody, request.body);
    const installed = await siteBuilder.install({ tenantId: body.tenant_id, model: body.model, ...(body.name ? { name: body.name } : {}) });
    return reply
      .code(201)
      .send({ installation: installationDto(installed.installation), agent: installed.agent, workflow: installed.workflow });
  });

  app.get('/admin/v1/apps/site-builder/runs/:run/cost', async (request) => {
    const { run } = parseInput(runParams, request.params);
    const query = parseInput(tenantQuery, request.query);
    return { object: 'site.build_cost', ...(await siteBuilder.buildCost(query.tenant_id, run)) };
  });

  app.get('/admin/v1/apps/site-builder/sites/:slug/versions', async (request) => {
    const { slug } = parseInput(slugParams, request.params);
    const query = parseInput(tenantQuery, request.query);
    return { object: 'list', data: (await siteBuilder.sites(query.tenant_id).versions(slug)).map(versionDto) };
  });

  app.post('/admin/v1/apps/site-builder/sites/:slug/rollback', async (request) => {
    const { slug } = parseInput(slugParams, request.params);
    const body = parseInput(rollbackBody, request.body);
    const served = await siteBuilder.sites(body.tenant_id).rollback(slug, new Date(), body.version);
    if (!served) {
      throw new HubError(
        'NOT_FOUND',
        body.version ? `Site \`${slug}\` has no version ${body.version}.` : `Site \`${slug}\` has no earlier version.`,
        {
          code: 'site_version_not_found',
        },
      );
    }
    return versionDto(served);
  });
}
