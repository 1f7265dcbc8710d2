/**
 * examples/agent-http-tool.md (what the README's "Agents in a minute" points to), followed as written: its
 * config, its agent definition and its run, against a real hub; only the hub's address differs.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ListResponse, UsageRow } from '../../src/admin/contract.js';
import { admin, createKey, createTenant } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';

const example = await readFile(new URL('../../examples/agent-http-tool.md', import.meta.url), 'utf8');
const blocks = (language: string): string[] =>
  [...example.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '');

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub(parse(blocks('yaml')[0] ?? '') as ConfigInput);
});

afterAll(async () => {
  await hub?.close();
});

describe('examples/agent-http-tool.md', () => {
  it('defines the agent with its HTTP tool and runs it to the answer, on the ledger by run', async () => {
    const tenant = await createTenant(hub, 'acme');
    const key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['inference', 'agents:write', 'agents:run'] })).key;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const definition = (blocks('json')[0] ?? '').replaceAll('http://127.0.0.1:8080', hub.url);
    const created = await fetch(`${hub.url}/v1/agents`, { method: 'POST', headers, body: definition });
    expect(created.status, await created.clone().text()).toBe(201);

    const runBody = /-d '(\{"input":[^']*\})'/.exec(example)?.[1] ?? '';
    const run = (await (await fetch(`${hub.url}/v1/agents/ops/runs`, { method: 'POST', headers, body: runBody })).json()) as {
      id: string;
      status: string;
      output: { text: string };
      usage: { cost_usd: string };
    };
    expect(run).toMatchObject({ status: 'completed', output: { text: 'The hub answered its health check with ok.' } });

    const read = (await (await fetch(`${hub.url}/v1/runs/${run.id}`, { headers })).json()) as { steps: { kind: string; name: string }[] };
    expect(read.steps.map((step) => `${step.kind} ${step.name}`)).toEqual(['model demo', 'tool check_hub', 'model demo']);

    // The README's own definition of the agent (on qwen-plus there) is accepted as written.
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const readmeDefinition = /\/v1\/agents -H [^\n]* -d '(\{[\s\S]*?\})'\n/.exec(readme)?.[1] ?? '';
    const fromReadme = JSON.parse(readmeDefinition.replaceAll('http://127.0.0.1:8080', hub.url)) as Record<string, unknown>;
    const accepted = await fetch(`${hub.url}/v1/agents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...fromReadme, name: 'ops-readme', model: 'demo' }),
    });
    expect(accepted.status, await accepted.clone().text()).toBe(201);

    await hub.hub.economy.flush();
    const usage = await admin<ListResponse<UsageRow>>(hub, 'GET', `/admin/v1/usage?group_by=run&agent=ops&tenant_id=${tenant.id}`);
    expect(usage.data).toEqual([expect.objectContaining({ group: run.id, requests: 2, cost_usd: run.usage.cost_usd })]);
  });
});
