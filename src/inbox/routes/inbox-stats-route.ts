import type { FastifyPluginAsync } from 'fastify';
import { parseInput } from '../../core/index.js';
import type { Identity } from '../../identity/index.js';
import type { InboxStats } from '../inbox-stats.js';
import { statsQuery } from './inbox-schemas.js';

/** `GET /v1/inbox/stats`: the division-of-labour measures of the caller's tenant, per agent and UTC day. */
export function inboxStatsRoute(deps: { stats: InboxStats; identity: Identity }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/inbox/stats', async (request) => {
      const caller = await deps.identity.tenantCaller(request, 'inbox:read');
      const query = parseInput(statsQuery, request.query);
      return deps.stats.measure(caller.tenantId, query);
    });
  };
}
