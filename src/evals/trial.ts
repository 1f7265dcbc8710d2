import { checkOutputs, MemoryStore, type OutputCheck, storeHash } from '../apps/support/index.js';
import { type AgentOverride, applyOverride } from './agent-under-test.js';
import type { EvalHubClient, Json } from './hub-client.js';
import { type EvalTask, expectsTransfer } from './suite.js';
import { AGENT_GREETING, type ConversationTurn, endOf, UserSimulator, withoutEndTokens } from './user-simulator.js';

/** What the eval knows when a trial starts: the hub, the eval tenant and its keys, the models. */
export interface TrialContext {
  client: EvalHubClient;
  tenantId: string;
  /** `agents:run`: threads and runs. */
  agentKey: string;
  /** `inference`: the simulator's calls. */
  simulatorKey: string;
  /** The support agent's model when no agent override is given. */
  agentModel: string;
  override: AgentOverride | undefined;
  userModel: string;
  /** Names this eval's installations and tags its simulator calls. */
  evalId: string;
  maxTurns: number;
  /** The expected store's hash for a task (τ²'s expected actions replayed on a fresh store). */
  expectedHash(task: EvalTask, freshStoreText: () => Promise<string>): Promise<string>;
}

export type TrialEnd = 'stop' | 'transfer' | 'out_of_scope' | 'handoff' | 'max_turns' | 'agent_error' | 'error';

/** One tool call a trial's runs made, from the run steps. */
export interface TrialToolCall {
  run_id: string;
  tool: string;
  arguments: Json;
  ok: boolean;
  /** The result text, or the error (τ²'s `Error: …`, or the policy's refusal). */
  text: string;
  /** The policy rule that refused the call. */
  refused_by?: string;
}

export interface TrialResult {
  task_id: string;
  trial: number;
  installation: string;
  agent: string;
  thread_id: string | null;
  reward: 0 | 1;
  end: TrialEnd;
  /** Customer messages sent to the agent. */
  turns: number;
  db: { match: boolean; expected_hash: string; actual_hash: string } | null;
  outputs: OutputCheck[];
  transfer_expected: boolean;
  handed_off: boolean;
  run_ids: string[];
  tool_calls: TrialToolCall[];
  /** Filled from the ledger when the eval ends. */
  cost: { agent_usd: string; simulator_usd: string; agent_tokens: TokenCount; simulator_tokens: TokenCount };
  /** How many model calls the simulator made (its ledger rows). */
  simulator_calls: number;
  error?: string;
  duration_ms: number;
}

export interface TokenCount {
  input: number;
  output: number;
}

const REFUSAL = /^Refused by policy rule "([^"]+)"/;

/** A name for the trial's installation and agent: 1–64 letters, digits, _ or -. */
export function installationName(evalId: string, taskId: string, trial: number): string {
  return `eval-${evalId}-${taskId.replace(/[^a-zA-Z0-9_-]/g, '_')}-${trial}`.slice(0, 64);
}

/** The `x-client-request-id` prefix of a trial's simulator calls. */
export const simulatorRequestPrefix = (evalId: string, taskId: string, trial: number): string =>
  `eval.${evalId}.${taskId.replace(/[^A-Za-z0-9_-]/g, '_')}.${trial}.`.slice(0, 120);

/**
 * One trial of one task, as τ² runs it: a fresh store (the trial's own installation of the support app),
 * the simulated customer and the agent taking turns on a thread until the customer ends it (`###STOP###`),
 * the agent hands off, or `maxTurns` customer messages; then the DB check (the store's hash against the
 * expected one), the outputs, and the hand-off for tasks that expect a transfer. The trial's cost is filled in
 * from the ledger afterwards.
 */
export async function runTrial(context: TrialContext, task: EvalTask, trial: number): Promise<TrialResult> {
  const started = Date.now();
  const { client, tenantId } = context;
  const name = installationName(context.evalId, task.id, trial);
  const result: TrialResult = {
    task_id: task.id,
    trial,
    installation: '',
    agent: name,
    thread_id: null,
    reward: 0,
    end: 'error',
    turns: 0,
    db: null,
    outputs: [],
    transfer_expected: expectsTransfer(task),
    handed_off: false,
    run_ids: [],
    tool_calls: [],
    cost: { agent_usd: '0', simulator_usd: '0', agent_tokens: { input: 0, output: 0 }, simulator_tokens: { input: 0, output: 0 } },
    simulator_calls: 0,
    duration_ms: 0,
  };
  let simulator: UserSimulator | undefined;
  try {
    const installed = await client.admin<{ installation: Json; agent: string }>('POST', '/admin/v1/apps/support/install', {
      tenant_id: tenantId,
      model: context.override?.model ?? context.agentModel,
      name,
    });
    result.installation = String(installed.installation.id);
    result.agent = installed.agent;
    const storePath = `/admin/v1/apps/support/${encodeURIComponent(result.installation)}/store`;
    const expectedHash = context.expectedHash(task, () => client.adminText(storePath));
    if (context.override) await applyOverride(client, tenantId, installed.agent, context.override);
    const thread = await client.request<Json>(context.agentKey, 'POST', '/v1/threads', {
      metadata: { eval: context.evalId, task: task.id, trial },
    });
    const threadId = String(thread.id);
    result.thread_id = threadId;

    simulator = new UserSimulator(client, {
      key: context.simulatorKey,
      model: context.userModel,
      task,
      requestIdPrefix: simulatorRequestPrefix(context.evalId, task.id, trial),
    });
    const conversation: ConversationTurn[] = [{ speaker: 'agent', content: AGENT_GREETING }];
    result.end = 'max_turns';
    while (result.turns < context.maxTurns) {
      const customer = await simulator.next(conversation);
      const end = endOf(customer.content);
      const message = end ? withoutEndTokens(customer.content) : customer.content;
      if (end || message.length === 0) {
        result.end = end ?? 'stop';
        break;
      }
      conversation.push({ speaker: 'customer', content: message });
      result.turns += 1;
      const reply = await client.request<Json>(context.agentKey, 'POST', `/v1/threads/${threadId}/messages`, {
        agent: installed.agent,
        content: message,
      });
      const run = reply.run as Json | null;
      if (run?.id) result.run_ids.push(String(run.id));
      if (reply.handoff || run?.status === 'handed_off') {
        result.handed_off = true;
        result.end = 'handoff';
        break;
      }
      if (run && run.status !== 'completed') {
        result.end = 'agent_error';
        result.error = `run ${String(run.id)} ended ${String(run.status)}: ${JSON.stringify(run.error)}`;
        break;
      }
      conversation.push({ speaker: 'agent', content: String((reply.message as Json | null)?.content ?? '') });
    }

    result.tool_calls = await toolCallsOf(client, context.agentKey, result.run_ids);
    const actualHash = await storeHash(MemoryStore.fromText(await client.adminText(storePath)));
    const expected = await expectedHash;
    result.db = { match: actualHash === expected, expected_hash: expected, actual_hash: actualHash };
    const messages = await client.request<{ data: { role: string; content: string }[] }>(
      context.agentKey,
      'GET',
      `/v1/threads/${threadId}/messages?limit=1000`,
    );
    result.outputs = checkOutputs(
      task,
      messages.data.flatMap((message) =>
        message.role === 'assistant' || message.role === 'user' ? [{ role: message.role, content: message.content }] : [],
      ),
    );
  } catch (error) {
    result.end = 'error';
    result.error = (error as Error).message;
  }
  result.simulator_calls = simulator?.callCount ?? 0;
  result.duration_ms = Date.now() - started;
  return result;
}

/**
 * A trial's reward as τ² computes it for the retail domain: the DB check, and every `communicate_info`
 * string in the agent's messages; a task that expects a transfer also needs the hand-off to have opened an
 * inbox task (`handoffOpened`).
 */
export function rewardOf(result: TrialResult, handoffOpened: boolean): 0 | 1 {
  if (result.end === 'error' || !result.db?.match) return 0;
  if (!result.outputs.every((output) => output.met)) return 0;
  if (result.transfer_expected && !handoffOpened) return 0;
  return 1;
}

interface StepDto {
  kind: string;
  name: string;
  input: Json | null;
  output: Json | null;
  error: Json | null;
}

/** The tool calls of runs, from their steps: each with its outcome and, for a refusal, the policy rule. */
export async function toolCallsOf(client: EvalHubClient, key: string, runIds: readonly string[]): Promise<TrialToolCall[]> {
  const calls: TrialToolCall[] = [];
  for (const runId of runIds) {
    const run = await client.request<{ steps?: StepDto[] }>(key, 'GET', `/v1/runs/${runId}`);
    for (const step of run.steps ?? []) {
      if (step.kind !== 'tool') continue;
      const output = step.output ?? {};
      const ok = output.type === 'result' || output.type === 'handoff';
      const text = ok
        ? String(output.content ?? output.summary ?? '')
        : String(output.message ?? (step.error as Json | null)?.message ?? 'the tool failed');
      const refusal = REFUSAL.exec(text);
      calls.push({
        run_id: runId,
        tool: step.name,
        arguments: ((step.input as Json | null)?.arguments as Json | undefined) ?? {},
        ok,
        text,
        ...(refusal?.[1] ? { refused_by: refusal[1] } : {}),
      });
    }
  }
  return calls;
}
