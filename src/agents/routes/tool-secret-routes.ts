import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { HubError, type SecretBox } from '../../core/index.js';
import type { Database } from '../../storage/index.js';
import { parseDefinition } from '../agent-service.js';
import { ToolSecrets } from '../tool-secrets.js';
import type { AuthenticateTenant } from './tenant-auth.js';

export const toolSecretParams = z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -') });
export const toolSecretBody = z.strictObject({ value: z.string().min(1) });

const WRITE = ['agents:write'] as const;

/**
 * `/v1/tool-secrets`: the named secrets a tenant's HTTP and MCP tools reference as `{{secret:NAME}}`, sealed
 * at rest with `TOKENHUB_SECRET_KEY` and never shown again (lists give names and dates only).
 */
export function toolSecretRoutes(deps: {
  db: Database;
  secretBox: SecretBox | undefined;
  authenticate: AuthenticateTenant;
}): FastifyPluginAsync {
  const secretsOf = (tenantId: string): ToolSecrets => {
    if (!deps.secretBox) {
      throw new HubError('INVALID_REQUEST', 'TOKENHUB_SECRET_KEY is not set: the hub cannot store secrets.', {
        code: 'secret_key_not_configured',
      });
    }
    return new ToolSecrets(deps.db, deps.secretBox, tenantId);
  };
  const infoDto = (info: { name: string; createdAt: Date; updatedAt: Date }) => ({
    object: 'tool_secret',
    name: info.name,
    created_at: info.createdAt.toISOString(),
    updated_at: info.updatedAt.toISOString(),
  });
  return async (app) => {
    app.get('/v1/tool-secrets', async (request) => {
      const caller = await deps.authenticate(request, WRITE);
      return { object: 'list', data: (await secretsOf(caller.tenantId).list()).map(infoDto) };
    });

    app.put('/v1/tool-secrets/:name', async (request) => {
      const caller = await deps.authenticate(request, WRITE);
      const { name } = parseDefinition(toolSecretParams, request.params);
      const { value } = parseDefinition(toolSecretBody, request.body);
      return infoDto(await secretsOf(caller.tenantId).set(name, value));
    });

    app.delete('/v1/tool-secrets/:name', async (request, reply) => {
      const caller = await deps.authenticate(request, WRITE);
      const { name } = parseDefinition(toolSecretParams, request.params);
      if (!(await secretsOf(caller.tenantId).delete(name))) {
        throw new HubError('NOT_FOUND', `No tool secret named \`${name}\`.`, { code: 'tool_secret_not_found' });
      }
      return reply.code(204).send();
    });
  };
}
