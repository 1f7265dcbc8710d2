/** Helpers of the workflow run tests: a hub with a priced scripted model, a tenant key, and calls that apply, run and follow workflows. */
import { expect } from 'vitest';
import { createKey, createTenant } from './economy.js';
import { startTestHub, type TestHub } from './hub.js';
import { type Answer, call, type Json } from './workflows.js';

export interface WorkflowRunHub {
  hub: TestHub;
  /** A key of the tenant with `agents:write` and `agents:run`; the tenant has the agent `triage`. */
  key: string;
  /** A key of another tenant. */
  otherKey: string;
  apply(document: Json): Promise<void>;
  run(name: string, input?: Json, mode?: string): Promise<Answer>;
  /** Reads the run until it is in one of `statuses`. */
  until(runId: string, statuses: string[], timeoutMs?: number): Promise<Json>;
}

export const workflow = (name: string, spec: Json): Json => ({ apiVersion: 'tokenhub.dev/v1', kind: 'Workflow', metadata: { name }, spec });

export const stepsOf = (body: Json) =>
  body.steps as { key: string; id: string; kind: string; status: string; output: unknown; cost_usd: string | null }[];

export async function startWorkflowRunHub(tenantName: string): Promise<WorkflowRunHub> {
  const hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, tenantName);
  const key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  const other = await createTenant(hub, `${tenantName}-b`);
  const otherKey = (await createKey(hub, { tenant_id: other.id, scopes: ['agents:write', 'agents:run'] })).key;
  const agent = await call(hub, 'POST', '/v1/agents', key, { name: 'triage', model: 'scripted', instructions: 'You triage.' });
  if (agent.status !== 201) throw new Error(`agent: ${agent.status} ${JSON.stringify(agent.body)}`);
  return {
    hub,
    key,
    otherKey,
    async apply(document) {
      const answer = await call(hub, 'POST', '/v1/workflows', key, document);
      expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
    },
    run: (name, input = {}, mode = 'sync') => call(hub, 'POST', `/v1/workflows/${name}/runs`, key, { input, mode }),
    async until(runId, statuses, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
        if (statuses.includes(String(read.body.status))) return read.body;
        if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(read.body.status)}: ${JSON.stringify(read.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** The run's status and state, its decided events, and its inbox tasks' rows: what a refused decision must leave as it was. */
export async function decisionState(hub: TestHub, runId: string): Promise<Json> {
  const db = hub.hub.db;
  const [runs, decided, tasks] = await Promise.all([
    db.query<Json>('select status, state, updated_at from runs where id = $1', [runId]),
    db.query<Json>(`select count(*)::int as n from run_events where run_id = $1 and type = 'approval.decided'`, [runId]),
    db.query<Json>('select status, assignee, resolution, updated_at from inbox_tasks where run_id = $1', [runId]),
  ]);
  return { run: runs[0], decided: decided[0]?.n, tasks };
}
