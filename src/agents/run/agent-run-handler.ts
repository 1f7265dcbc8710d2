import { type Clock, HubError, type JsonObject, picosToUsd, systemClock, usdToPicos } from '../../core/index.js';
import type { Principal, RunBudget } from '../../economy/index.js';
import type { GatewayClient } from '../../gateway/client.js';
import { RecordedEffectError, type RunContext, type RunHandler, type RunOutcome } from '../../runs/index.js';
import type { SandboxService } from '../../sandboxes/index.js';
import type { RunRecord } from '../../storage/index.js';
import type { AgentService, ResolvedAgent } from '../agent-service.js';
import type { AppToolRegistry } from '../tools/app-tools.js';
import type { ResolveToolsDeps } from '../tools/resolve-tools.js';
import { createSandboxTools } from '../tools/sandbox-tools.js';
import type { AgentToolDefinition } from '../tools/tool-definitions.js';
import { createAgentTool } from './agent-tool.js';
import { callModel, type ModelReply } from './call-model.js';
import type { ChildRuns } from './child-runs.js';
import { Conversation } from './conversation.js';
import { checkOutput, limitReached, MAX_INVALID_ARGUMENT_TURNS } from './guardrails.js';
import { prepareTurn } from './prepare-turn.js';
import { resolveToolCalls } from './resolve-tool-calls.js';
import { agentRunInputSchema, loadRunState, toChatMessages } from './run-input.js';
import { RunTelemetry } from './run-telemetry.js';
import { openRunTools, type RunToolSet } from './run-tools.js';

export const AGENT_RUN_KIND = 'agent';

export interface AgentRuntimeDeps {
  agents: AgentService;
  client: GatewayClient;
  /** The principal of the key that started a run, as it stands now. */
  principalFor(tenantId: string, keyId: string): Promise<Principal>;
  /** How a run's tools reach the network and the tenant's secrets. */
  toolsFor(tenantId: string, signal: AbortSignal): Omit<ResolveToolsDeps, 'signal'>;
  /** Records a completed run's final answer on its thread (the run has one); must be safe to repeat on resume. */
  recordReply?(run: RunRecord, text: string): Promise<void>;
  /** Starts and waits for the child runs of agent tools. */
  children: ChildRuns;
  /** Tools installed apps registered in process. */
  appTools: AppToolRegistry;
  /** Where `sandbox` tools run (absent: an agent with one fails to open its tools). */
  sandboxes?: SandboxService;
  clock?: Clock;
  /** Metrics and spans of runs (default: none). */
  telemetry?: RunTelemetry;
}

const isBudgetRefusal = (error: unknown): boolean =>
  (error instanceof HubError && error.code === 'BUDGET_EXCEEDED') ||
  (error instanceof RecordedEffectError && error.code === 'BUDGET_EXCEEDED');

/**
 * Runs an agent: turn after turn, the model is called (an effect billed like any API call) and the tools it
 * asks for are resolved, until it answers without tool calls, hands the conversation to a person or to
 * another agent, waits for an approval, or reaches a limit. Everything it decides follows from recorded
 * effects, so a resumed run replays them and continues where the last attempt stopped.
 */
export class AgentRunHandler implements RunHandler {
  readonly kind = AGENT_RUN_KIND;
  private readonly deps: AgentRuntimeDeps;
  private readonly clock: Clock;
  private readonly telemetry: RunTelemetry;

  constructor(deps: AgentRuntimeDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.telemetry = deps.telemetry ?? new RunTelemetry();
  }

  execute(run: RunRecord, context: RunContext): Promise<RunOutcome> {
    return this.telemetry.attempt(run, () => this.attempt(run, context));
  }

  private async attempt(run: RunRecord, context: RunContext): Promise<RunOutcome> {
    const input = agentRunInputSchema.parse(run.input);
    const loaded = loadRunState(run.state);
    // A pause for a person ends when this attempt starts: its time is not the run's.
    const { paused_at: pausedAt, ...unpaused } = loaded;
    const pausedMs = loaded.paused_ms + (pausedAt ? Math.max(0, this.clock.now() - Date.parse(pausedAt)) : 0);
    const state = { ...unpaused, paused_ms: pausedMs };
    const activeSince = new Date(run.createdAt.getTime() + pausedMs);
    const principal = await this.deps.principalFor(run.tenantId, input.key_id);
    const root = await this.deps.agents.resolve(run.tenantId, run.subject, run.version);
    const maxCost = root.definition.limits.max_cost_usd;
    const runBudgets: RunBudget[] = [
      ...input.ancestor_budgets.map((budget) => ({ runId: budget.run_id, limitPicos: usdToPicos(budget.max_cost_usd) })),
      ...(maxCost !== undefined ? [{ runId: run.id, limitPicos: usdToPicos(maxCost) }] : []),
    ];
    let agent: ResolvedAgent = root;
    const conversation = new Conversation(agent.definition.instructions, toChatMessages(input.messages));
    // A child run counts against this run's limit and every limit this one counts against.
    const childBudgets = [
      ...input.ancestor_budgets,
      ...(maxCost !== undefined ? [{ run_id: run.id, max_cost_usd: picosToUsd(usdToPicos(maxCost)) }] : []),
    ];
    const agentTool = (definition: AgentToolDefinition) =>
      createAgentTool(definition, { children: this.deps.children, parent: run, keyId: input.key_id, budgets: childBudgets });
    const sandboxes = this.deps.sandboxes;
    // A stdio MCP server starts a program on the hub: only the operator's own (config-file) agents may.
    const open = (resolved: ResolvedAgent) =>
      openRunTools(
        resolved.definition,
        { ...this.deps.toolsFor(run.tenantId, context.signal), signal: context.signal, allowStdio: resolved.source === 'config' },
        agentTool,
        (name) => this.deps.appTools.create(name, { tenantId: run.tenantId, runId: run.id }),
        sandboxes
          ? (definition) =>
              createSandboxTools(definition, sandboxes, {
                tenantId: run.tenantId,
                runId: run.id,
                keyId: input.key_id,
                attribution: {
                  agent: resolved.name,
                  runId: run.id,
                  ...(input.workflow ? { workflow: input.workflow } : {}),
                  threadId: run.threadId,
                  ...(runBudgets.length > 0 ? { runBudgets } : {}),
                },
              })
          : undefined,
      );
    let tools: RunToolSet = await open(agent);
    const counts = { turns: 0, toolCalls: 0 };
    let invalidTurns = 0;
    let failedToolTurns = 0;
    try {
      for (;;) {
        const limit = limitReached(root.definition, counts, activeSince, this.clock.now());
        if (limit) return { status: limit.status, error: limit.error, state };
        const request = prepareTurn(agent.definition, conversation, tools.tools);
        counts.turns++;
        let reply: ModelReply;
        try {
          reply = await callModel(
            context,
            {
              client: this.deps.client,
              principal,
              telemetry: this.telemetry,
              attribution: {
                agent: agent.name,
                runId: run.id,
                ...(input.workflow ? { workflow: input.workflow } : {}),
                threadId: run.threadId,
                ...(runBudgets.length > 0 ? { runBudgets } : {}),
              },
            },
            request,
            counts.turns,
          );
        } catch (error) {
          if (isBudgetRefusal(error)) {
            // A conversation cut short by its budget goes to a person when the agent says so (the inbox reads the reason).
            const toPerson = root.definition.escalation?.on_budget_exhausted === true && run.threadId !== null;
            return {
              status: 'budget_exceeded',
              error: { code: 'budget_exceeded', message: (error as Error).message },
              ...(toPerson
                ? {
                    output: {
                      handoff: { summary: conversation.summaryForPerson('The run ran out of budget.'), reason: 'budget_exhausted' },
                    },
                  }
                : {}),
              state,
            };
          }
          throw error;
        }
        conversation.addAssistant(reply.content, reply.tool_calls);
        if (!context.replayingRecord) {
          await context.emit('model.completed', {
            turn: counts.turns,
            agent: agent.name,
            content: reply.content,
            tool_calls: reply.tool_calls,
          });
        }

        if (reply.tool_calls.length === 0) {
          const text = reply.content ?? '';
          const checked = checkOutput(agent.definition, text);
          if (checked.ok) {
            const output: JsonObject = { text, ...(checked.json !== undefined ? { json: checked.json as JsonObject } : {}) };
            if (run.threadId) await this.deps.recordReply?.(run, text);
            return { status: 'completed', output, state };
          }
          conversation.addUser(`Your answer must be JSON matching the output schema: ${checked.message}. Answer again.`);
          continue;
        }

        const turn = await resolveToolCalls(context, reply.tool_calls, tools.tools, state, this.telemetry);
        counts.toolCalls += turn.executed;
        switch (turn.kind) {
          case 'to-human':
            return {
              status: 'handed_off',
              output: { text: turn.summary, handoff: { summary: turn.summary, ...(turn.reason ? { reason: turn.reason } : {}) } },
              state,
            };
          case 'to-agent': {
            conversation.addToolResult(turn.callId, `Handed over to ${turn.agent}.`);
            agent = await this.deps.agents.resolve(run.tenantId, turn.agent);
            conversation.handOver(agent.definition.instructions);
            await tools.close();
            tools = await open(agent);
            if (!context.replayingRecord) await context.emit('agent.handoff', { to: agent.name, version: agent.version });
            continue;
          }
          case 'pause':
            if (!context.replayingRecord || state.pending_approvals.length === 0) {
              await context.emit('approval.requested', { pending_approvals: turn.pending });
            }
            return {
              status: 'waiting_approval',
              state: { ...state, pending_approvals: turn.pending, paused_at: new Date(this.clock.now()).toISOString() },
            };
          case 'continue':
            for (const result of turn.results) conversation.addToolResult(result.callId, result.content);
            failedToolTurns = turn.executed > 0 && turn.failed === turn.executed ? failedToolTurns + 1 : 0;
            if (root.definition.escalation?.tool_errors !== undefined && failedToolTurns >= root.definition.escalation.tool_errors) {
              const summary = conversation.summaryForPerson(`The agent's tool calls failed ${failedToolTurns} turns in a row.`);
              return { status: 'handed_off', output: { text: summary, handoff: { summary, reason: 'tool_errors' } }, state };
            }
            invalidTurns = turn.invalidArguments > 0 && turn.executed === 0 ? invalidTurns + 1 : 0;
            if (invalidTurns >= MAX_INVALID_ARGUMENT_TURNS) {
              return {
                status: 'failed',
                error: { code: 'invalid_tool_arguments', message: `The model sent invalid tool arguments ${invalidTurns} turns in a row.` },
                state,
              };
            }
            continue;
        }
      }
    } finally {
      await tools.close();
    }
  }
}
