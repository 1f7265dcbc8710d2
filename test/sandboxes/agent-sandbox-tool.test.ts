/**
 * An agent's `sandbox` tool: the model writes and runs code in the run's own sandbox, the code's CPU time is
 * billed on the ledger to the run (same key, same budgets), and the sandbox ends with the run unless kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxId } from '../../src/agents/tools/sandbox-tools.js';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
let tenantId: string;
let key: string;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 1 } },
    ],
    sandboxes: { pricing: { cpu_second_usd: 0.001 } },
  });
  hub.hub.scripted('script').setScript([
    { when: { last_tool_result_contains: '"result":55' }, text: 'The sum is 55; it is in sum.txt.', repeat: true },
    {
      when: { last_tool_result_contains: '"size"' },
      tool_calls: [
        { name: 'run_code', arguments: { language: 'python', code: 'n = sum(range(11))\nopen("sum.txt", "w").write(str(n))\nn' } },
      ],
      repeat: true,
    },
    { tool_calls: [{ name: 'write_file', arguments: { path: 'notes/plan.md', content: '# add 1..10' } }], repeat: true },
  ]);
  tenantId = (await createTenant(hub, 'agent-sandbox')).id;
  key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
  for (const agent of [
    { name: 'coder', model: 'scripted', instructions: 'You compute with code.', tools: [{ type: 'sandbox' }] },
    {
      name: 'keeper',
      model: 'scripted',
      instructions: 'You compute and keep your files.',
      tools: [{ type: 'sandbox', keep: true, languages: ['python'] }],
    },
  ]) {
    const created = await call('POST', '/v1/agents', agent);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  await hub?.close();
});

interface Run {
  id: string;
  status: string;
  output: { text: string } | null;
}

describe('the sandbox tool', () => {
  it("runs the model's code in the run's sandbox, bills it to the run, and ends the sandbox with the run", async () => {
    const { status, body: run } = await call<Run>('POST', '/v1/agents/coder/runs', { input: 'Add 1 to 10.' });
    expect(status, JSON.stringify(run)).toBe(200);
    expect(run.status).toBe('completed');
    expect(run.output?.text).toBe('The sum is 55; it is in sum.txt.');

    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === run.id);
    const sandboxRows = rows.filter((row) => row.usage_kind === 'sandbox');
    expect(sandboxRows).toHaveLength(1);
    expect(sandboxRows[0]).toMatchObject({ agent: 'coder', model_served: 'sandbox:python', sandbox_id: runSandboxId(run.id, 'sandbox') });
    expect(rows.filter((row) => row.usage_kind === 'tokens').length).toBe(3);

    const sandbox = await hub.hub.sandboxes.service.get(tenantId, runSandboxId(run.id, 'sandbox'));
    await expect.poll(async () => (await hub.hub.sandboxes.service.get(tenantId, sandbox.id)).status).toBe('deleted');
    expect((await hub.hub.sandboxes.service.get(tenantId, sandbox.id)).endReason).toBe('run_ended');
  }, 60_000);

  it('keeps a `keep` sandbox and its files after the run', async () => {
    const { body: run } = await call<Run>('POST', '/v1/agents/keeper/runs', { input: 'Add 1 to 10.' });
    expect(run.status).toBe('completed');
    const id = runSandboxId(run.id, 'sandbox');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sandbox = await hub.hub.sandboxes.service.get(tenantId, id);
    expect(sandbox.status).toBe('live');
    const files = await hub.hub.sandboxes.service.listFiles(tenantId, id);
    expect(files.map((file) => file.path)).toEqual(['notes/plan.md', 'sum.txt']);
    await hub.hub.sandboxes.service.delete(tenantId, id);
  }, 60_000);
});
