import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AuthenticateTenant } from '../../../agents/index.js';
import { isStorableText, parseInput, UNSTORABLE_TEXT_MESSAGE } from '../../../core/index.js';
import type { WorkflowRunService } from '../../../workflows/index.js';
import type { SiteBuilderApp } from '../site-builder-app.js';

const runParams = z.object({ run: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a run id') });

const storableText = (max: number) => z.string().max(max).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

export const planApprovalBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: storableText(4_000).optional(),
  /** Changes for the builder, in words. */
  changes: storableText(20_000).optional(),
  /** An edited plan, the plan step's schema (checked by the app, which names the place of a problem). */
  plan: z.unknown().optional(),
});

/**
 * The owner's side of a build, with a tenant key: `POST …/runs/{run}/approval` decides the plan (approve as
 * drafted, with changes, or with an edited plan; or reject) and `GET …/runs/{run}/cost` shows what the build
 * spent, from the ledger. A run of another tenant, or not of the app, is a 404.
 */
export function siteBuildRoutes(deps: {
  siteBuilder: SiteBuilderApp;
  workflowRuns: WorkflowRunService;
  authenticate: AuthenticateTenant;
}): FastifyPluginAsync {
  return async (app) => {
    app.post('/v1/apps/site-builder/runs/:run/approval', async (request) => {
      const caller = await deps.authenticate(request, ['agents:run']);
      const { run } = parseInput(runParams, request.params);
      const body = parseInput(planApprovalBody, request.body);
      const decided = await deps.siteBuilder.decidePlan(
        caller.tenantId,
        run,
        {
          decision: body.decision,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.changes !== undefined ? { changes: body.changes } : {}),
          ...(body.plan !== undefined ? { plan: body.plan } : {}),
        },
        `key:${caller.keyId}`,
      );
      return deps.workflowRuns.view(decided);
    });

    app.get('/v1/apps/site-builder/runs/:run/cost', async (request) => {
      const caller = await deps.authenticate(request, ['agents:write', 'agents:run']);
      const { run } = parseInput(runParams, request.params);
      return { object: 'site.build_cost', ...(await deps.siteBuilder.buildCost(caller.tenantId, run)) };
    });
  };
}
