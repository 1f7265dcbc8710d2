import type { AgentRuntime, AgentTool, ToolOutcome } from '../../agents/index.js';
import { type Clock, HubError, newId, systemClock } from '../../core/index.js';
import {
  type AppInstallationRecord,
  AppInstallationsRepository,
  type Database,
  RunsRepository,
  ThreadsRepository,
} from '../../storage/index.js';
import { retailPolicy } from './data.js';
import { runSupportTool } from './executor.js';
import type { Conversation, ConversationMessage } from './policy/conversation.js';
import { isWriteTool } from './policy/rules.js';
import { type DatabaseStore, resetShippedStore, seedShippedStore, supportStore } from './store/db-store.js';
import { SUPPORT_TOOLS } from './tools/registry.js';

export const SUPPORT_APP = 'support';
/** The registry name of a support tool (app tool names are global; the model sees τ²'s own name). */
export const supportToolRef = (tool: string): string => `support-${tool}`;

const PREAMBLE = `You are the customer service agent of an online retail store. Follow the policy below exactly.
Before any change to an order or an account, state the exact action (with the order id and the items) and wait
for the customer's explicit "yes" in their next message. Use transfer_to_human_agents only as the policy says.

`;

export interface SupportInstallRequest {
  tenantId: string;
  model: string;
  /** The installation's name, unique per tenant (default `support`); it also names the agent. */
  name?: string;
}

export interface SupportInstallation {
  installation: AppInstallationRecord;
  agent: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The support app on the agent runtime: installs (a store seeded from τ²'s data, an agent whose tools are the
 * store's), and serves its tools to runs of that agent, with the policy reading the conversation the call is
 * made in (the thread across runs, or the run's own input) and the customer the conversation identified.
 */
export class SupportApp {
  private readonly db: Database;
  private readonly runtime: AgentRuntime;
  private readonly clock: Clock;
  private readonly installations: AppInstallationsRepository;

  constructor(options: { db: Database; runtime: AgentRuntime; clock?: Clock }) {
    this.db = options.db;
    this.runtime = options.runtime;
    this.clock = options.clock ?? systemClock;
    this.installations = new AppInstallationsRepository(options.db);
    for (const tool of SUPPORT_TOOLS) {
      options.runtime.appTools.register(supportToolRef(tool.name), (context) => this.toolFor(tool.name, context));
    }
  }

  /**
   * Installs the app for a tenant: the store (seeded), the agent (the policy as instructions, the τ² tools,
   * escalation to the `support` queue), and, given `serviceKey`, the key its chat page acts with.
   */
  async install(
    request: SupportInstallRequest,
    serviceKey?: (tenantId: string, name: string) => Promise<string>,
  ): Promise<SupportInstallation> {
    const name = request.name ?? 'support';
    const id = newId('ins');
    const agent = name;
    await this.runtime.agents.create(request.tenantId, {
      name: agent,
      model: request.model,
      instructions: PREAMBLE + retailPolicy(),
      tools: SUPPORT_TOOLS.map((tool) => ({ type: 'app', name: supportToolRef(tool.name), idempotent: !isWriteTool(tool.name) })),
      limits: { max_turns: 40, max_tool_calls: 80, timeout_s: 600 },
      escalation: { queue: 'support', priority: 'normal', on_customer_request: false, tool_errors: 4, on_budget_exhausted: true },
      metadata: { app: SUPPORT_APP, installation: id },
    });
    const keyId = serviceKey ? await serviceKey(request.tenantId, `support chat (${name})`) : null;
    const installation = await this.installations.create(
      { id, tenantId: request.tenantId, app: SUPPORT_APP, name, agent, keyId, config: { model: request.model } },
      this.now(),
    );
    if (!installation) {
      await this.runtime.agents.delete(request.tenantId, agent).catch(() => {});
      throw new HubError('CONFLICT', `The support app is installed as \`${name}\` already.`, { code: 'app_installed', param: 'name' });
    }
    await seedShippedStore(supportStore(this.db, request.tenantId, id));
    return { installation, agent };
  }

  async installation(id: string, tenantId?: string): Promise<AppInstallationRecord> {
    const found = await this.installations.get(id);
    if (!found || found.app !== SUPPORT_APP || (tenantId !== undefined && found.tenantId !== tenantId)) {
      throw new HubError('NOT_FOUND', `No support installation \`${id}\`.`, { code: 'installation_not_found' });
    }
    return found;
  }

  list(tenantId?: string): Promise<AppInstallationRecord[]> {
    return this.installations.list({ app: SUPPORT_APP, ...(tenantId ? { tenantId } : {}) });
  }

  async store(id: string, tenantId?: string): Promise<DatabaseStore> {
    const installation = await this.installation(id, tenantId);
    return supportStore(this.db, installation.tenantId, installation.id);
  }

  async resetStore(id: string, tenantId?: string): Promise<void> {
    await resetShippedStore(await this.store(id, tenantId));
  }

  private async toolFor(name: string, context: { tenantId: string; runId: string }): Promise<AgentTool> {
    const tool = SUPPORT_TOOLS.find((candidate) => candidate.name === name);
    if (!tool) throw new Error(`no support tool ${name}`);
    const run = await new RunsRepository(this.db, context.tenantId).get(context.runId);
    const installation = run ? await this.installations.byAgent(context.tenantId, SUPPORT_APP, run.subject) : undefined;
    const conversationId = run?.threadId ?? context.runId;
    return {
      spec: { name: tool.name, description: tool.description, parameters: tool.parameters as unknown as AgentTool['spec']['parameters'] },
      approval: 'never',
      idempotent: !isWriteTool(name),
      invoke: async (args): Promise<ToolOutcome> => {
        if (!installation) return { type: 'error', message: 'This agent is not an installation of the support app.' };
        if (name === 'transfer_to_human_agents') {
          const summary = typeof args.summary === 'string' && args.summary.length > 0 ? args.summary : 'The customer needs a person.';
          return { type: 'handoff', summary, reason: 'transfer_to_human_agents' };
        }
        const conversation = await this.conversationOf(
          context.tenantId,
          installation.id,
          conversationId,
          run?.threadId ?? null,
          run?.input,
        );
        const result = await runSupportTool(name, args, { store: supportStore(this.db, context.tenantId, installation.id), conversation });
        if (!result.ok) return { type: 'error', message: result.error.replace(/^Error:\s*/, '') };
        if (result.identifiedUserId) {
          await this.installations.addFacts(
            context.tenantId,
            installation.id,
            conversationId,
            { identified_user_id: result.identifiedUserId },
            this.now(),
          );
        }
        return { type: 'result', content: result.result };
      },
    };
  }

  /** What the policy reads: the thread's messages (or the run's input), and the customer identified in it. */
  private async conversationOf(
    tenantId: string,
    installationId: string,
    conversationId: string,
    threadId: string | null,
    input: unknown,
  ): Promise<Conversation> {
    const facts = await this.installations.facts(tenantId, installationId, conversationId);
    let messages: ConversationMessage[];
    if (threadId) {
      const thread = await new ThreadsRepository(this.db, tenantId).messages(threadId, { limit: 10_000 });
      messages = thread.flatMap((message) =>
        message.role === 'user' || message.role === 'assistant' || message.role === 'human'
          ? [{ role: message.role, content: message.content }]
          : [],
      );
    } else {
      const given = isRecord(input) && Array.isArray(input.messages) ? input.messages : [];
      messages = given.flatMap((message: unknown) =>
        isRecord(message) && (message.role === 'user' || message.role === 'assistant') && typeof message.content === 'string'
          ? [{ role: message.role, content: message.content }]
          : [],
      );
    }
    return { messages, identifiedUserId: typeof facts.identified_user_id === 'string' ? facts.identified_user_id : null };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
