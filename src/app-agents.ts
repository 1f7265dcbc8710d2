import type { Logger } from 'pino';
import { Agent } from 'undici';
import {
  type AgentDefinition,
  type AgentRuntime,
  type AuthenticateTenant,
  agentDefinitionSchema,
  createAgentRuntime,
} from './agents/index.js';
import { ConfigError, type HubConfig } from './config/index.js';
import { HubError, type SecretBox } from './core/index.js';
import type { Economy } from './economy/index.js';
import { AGENT_MODEL_PREFIX, type AgentModels, type GatewayClient } from './gateway/index.js';
import type { Identity } from './identity/index.js';
import type { HubMetrics, Tracer } from './observability/index.js';
import { checkUpstreamUrl, guardedConnector, guardedLookup, type UpstreamAddressPolicy } from './providers/index.js';
import type { ModelCatalog } from './routing/index.js';
import type { SandboxService } from './sandboxes/index.js';
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

/** Why the upstream address policy refuses a URL (for tools and webhooks), or undefined when it allows it. */
export function urlProblemOf(policy: UpstreamAddressPolicy): (url: string) => Promise<string | undefined> {
  return async (url) => {
    try {
      await checkUpstreamUrl(url, policy, { param: 'url', subject: 'url' });
      return undefined;
    } catch (error) {
      return error instanceof HubError ? error.message.replace(/^Invalid url: /, '') : String(error);
    }
  };
}

/** Carries outbound requests of tools and webhooks, with the address policy checked on every connect. */
export const guardedDispatcherOf = (policy: UpstreamAddressPolicy): Agent =>
  new Agent({ connect: guardedConnector(guardedLookup(policy)) });

/**
 * Authenticates the caller of a tenant route of the agent runtime or of workflows (`what` names them in the
 * refusal of the admin key, which manages them under `/admin/v1/<what>`).
 */
export function tenantAuthenticator(identity: Identity, what: 'agents' | 'workflows' | 'sandboxes'): AuthenticateTenant {
  return async (request, scopes) => {
    const caller = await identity.caller(request);
    if (caller.kind === 'admin') {
      const subject = `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
      throw new HubError('FORBIDDEN', `${subject} belong to a tenant: use a virtual key here, or /admin/v1/${what} with the admin key.`, {
        code: 'virtual_key_required',
      });
    }
    // People are held to their role by the identity guard on every tenant route; service keys to their scopes.
    if (!caller.user && !scopes.some((scope) => caller.scopes.includes(scope))) {
      throw new HubError(
        'FORBIDDEN',
        `This API key lacks the "${scopes[0]}" scope; create or change the key with scopes including "${scopes[0]}".`,
        { code: 'missing_scope' },
      );
    }
    return { tenantId: caller.tenantId, keyId: await identity.billingKeyOf(caller) };
  };
}

/** Composition of the agent runtime from the hub's parts: the gateway client, the economy, the address policy. */
export function composeAgents(parts: {
  db: Database;
  config: HubConfig;
  economy: Economy;
  identity: Identity;
  client: GatewayClient;
  catalog: ModelCatalog;
  policy: UpstreamAddressPolicy;
  secretBox: SecretBox | undefined;
  logger: Logger;
  metrics?: HubMetrics;
  tracer?: Tracer;
  sandboxes?: SandboxService;
}): AgentRuntime {
  const { economy, identity, policy } = parts;
  return createAgentRuntime({
    db: parts.db,
    broadcast: economy.broadcast,
    client: parts.client,
    configAgents: configAgents(parts.config),
    modelExists: (name) => parts.catalog.find(name) !== undefined,
    urlProblem: urlProblemOf(policy),
    principalFor: (tenantId, keyId) => economy.principalForKey(tenantId, keyId),
    authenticate: tenantAuthenticator(identity, 'agents'),
    dispatcher: guardedDispatcherOf(policy),
    secretBox: parts.secretBox,
    flushLedger: () => economy.flush(),
    logger: parts.logger,
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
    ...(parts.tracer ? { tracer: parts.tracer } : {}),
    ...(parts.sandboxes ? { sandboxes: parts.sandboxes } : {}),
  });
}

/**
 * The agent runtime as the gateway's agent models (`agent/<name>`): a run of the caller's agent on the
 * request's conversation, waited for like a non-background run. A client that goes away cancels it, since
 * its answer has nowhere to go; the run stays readable at `GET /v1/runs/{id}`.
 */
export function agentModelsOf(runtime: AgentRuntime): AgentModels {
  const tenantOf = (principal: { kind: string; tenantId: string | null; keyId: string | null }) => {
    if (principal.kind === 'admin' || !principal.tenantId || !principal.keyId) {
      throw new HubError('FORBIDDEN', 'Agents belong to a tenant: run an agent model with a virtual key of that tenant.', {
        code: 'virtual_key_required',
      });
    }
    return { tenantId: principal.tenantId, keyId: principal.keyId };
  };
  return {
    async run({ principal, agent, messages, signal }) {
      const caller = tenantOf(principal);
      const started = await runtime.runs.start({ ...caller, agent, input: messages }).catch((error: unknown) => {
        if (error instanceof HubError && error.details.code === 'agent_not_found') {
          const model = `${AGENT_MODEL_PREFIX}${agent}`;
          throw new HubError('MODEL_NOT_FOUND', `The model \`${model}\` does not exist or you do not have access to it.`, {
            param: 'model',
            code: 'model_not_found',
          });
        }
        throw error;
      });
      const settled = await runtime.runs.settled(caller.tenantId, started.id, signal);
      const run = signal.aborted ? await runtime.runs.cancel(caller.tenantId, started.id) : settled;
      const view = await runtime.runs.view(run, { exact: true });
      const text = view.output?.text;
      const reason = view.error?.message;
      return {
        runId: view.id,
        status: view.status,
        text: typeof text === 'string' ? text : '',
        ...(typeof reason === 'string' ? { reason } : {}),
        usage: { inputTokens: view.usage.input_tokens, outputTokens: view.usage.output_tokens },
      };
    },
    list: async (principal) => (await runtime.agents.list(tenantOf(principal).tenantId)).map((agent) => agent.name),
  };
}
