import type { AgentRuntime } from '../../agents/index.js';
import type { Clock } from '../../core/index.js';
import type { Principal, RunBudget } from '../../economy/index.js';
import type { GatewayClient } from '../../gateway/client.js';
import type { RunContext } from '../../runs/index.js';
import type { RunRecord } from '../../storage/index.js';
import type { WorkflowDocument } from '../document.js';
import type { WorkflowRunInput, WorkflowRunState } from './run-input.js';

/** What a workflow run stands on, supplied by the composition. */
export interface WorkflowRunDeps {
  /** Every model call of a workflow goes through the in-process gateway client: admitted, budgeted and billed like an API call. */
  client: GatewayClient;
  principalFor(tenantId: string, keyId: string): Promise<Principal>;
  /** Agents (agent steps are child runs), the engine (child runs), tools, people's decisions. */
  runtime: Pick<AgentRuntime, 'agents' | 'runs' | 'engine' | 'openTools'>;
  /** A version of a tenant's workflow (the active one when `version` is absent). */
  loadVersion(tenantId: string, name: string, version?: number): Promise<{ version: number; document: WorkflowDocument } | undefined>;
  clock: Clock;
}

/** One attempt of one workflow run, as its steps see it. */
export interface StepEnvironment {
  deps: WorkflowRunDeps;
  context: RunContext;
  run: RunRecord;
  input: WorkflowRunInput;
  state: WorkflowRunState;
  principal: Principal;
  /** The run's own limit and its ancestors', for the run's model calls. */
  runBudgets: RunBudget[];
  /** The same limits as child runs carry them. */
  childBudgets: { run_id: string; max_cost_usd: string }[];
}
