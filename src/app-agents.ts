import type { Logger } from 'pino';
import { Agent } from 'undici';
import { apiKeyOf } from './admin/index.js';
import { type AgentDefinition, type AgentRuntime, agentDefinitionSchema, createAgentRuntime } from './agents/index.js';
import { ConfigError, type HubConfig } from './config/index.js';
import { HubError, type SecretBox } from './core/index.js';
import { type Economy, hasScope, requireScope } from './economy/index.js';
import type { GatewayClient } from './gateway/index.js';
import { checkUpstreamUrl, guardedConnector, guardedLookup, type UpstreamAddressPolicy } from './providers/index.js';
import type { ModelCatalog } from './routing/index.js';
import type { Database } from './storage/index.js';

/** The config file's agents, checked against the definition schema; a bad one fails the start naming it. */
export function configAgents(config: HubConfig): AgentDefinition[] {
  const problems: string[] = [];
  const agents = config.agents.flatMap((raw, index) => {
    const parsed = agentDefinitionSchema.safeParse(raw);
    if (parsed.success) return [parsed.data];
    const issue = parsed.error.issues[0];
    problems.push(`agents.${index}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message}`);
    return [];
  });
  if (problems.length > 0) throw new ConfigError('(config)', problems);
  return agents;
}

/** Composition of the agent runtime from the hub's parts: the gateway client, the economy, the address policy. */
export function composeAgents(parts: {
  db: Database;
  config: HubConfig;
  economy: Economy;
  client: GatewayClient;
  catalog: ModelCatalog;
  policy: UpstreamAddressPolicy;
  secretBox: SecretBox | undefined;
  logger: Logger;
}): AgentRuntime {
  const { economy, policy } = parts;
  return createAgentRuntime({
    db: parts.db,
    broadcast: economy.broadcast,
    client: parts.client,
    configAgents: configAgents(parts.config),
    modelExists: (name) => parts.catalog.find(name) !== undefined,
    urlProblem: async (url) => {
      try {
        await checkUpstreamUrl(url, policy, { param: 'url', subject: 'url' });
        return undefined;
      } catch (error) {
        return error instanceof HubError ? error.message.replace(/^Invalid url: /, '') : String(error);
      }
    },
    principalFor: (tenantId, keyId) => economy.principalForKey(tenantId, keyId),
    authenticate: async (headers, scopes) => {
      const principal = await economy.gate.authenticate(apiKeyOf(headers));
      if (principal.kind === 'admin' || !principal.tenantId || !principal.keyId) {
        throw new HubError('FORBIDDEN', 'Agents belong to a tenant: use a virtual key here, or /admin/v1/agents with the admin key.', {
          code: 'virtual_key_required',
        });
      }
      if (!scopes.some((scope) => hasScope(principal, scope))) requireScope(principal, scopes[0] ?? 'agents:run');
      return { tenantId: principal.tenantId, keyId: principal.keyId };
    },
    dispatcher: new Agent({ connect: guardedConnector(guardedLookup(policy)) }),
    secretBox: parts.secretBox,
    flushLedger: () => economy.flush(),
    logger: parts.logger,
  });
}
