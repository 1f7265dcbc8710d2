/**
 * The real hub (`tokenhub start`, a child process) SIGKILLed while two agent runs wait on their HTTP tools,
 * then started again on the same database: the run whose tool is idempotent is resumed and retries the call
 * with the same `Idempotency-Key`; the run whose tool is not idempotent is not repeated but stops in
 * `needs_attention`, naming the call, for a person to decide. On PostgreSQL when the suite has one, else on
 * PGlite in the data directory, which the restarted process reopens (the dead one's lock is stale).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedKey, Tenant } from '../../src/admin/contract.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';
import { TEST_DATABASE_URL } from '../support/test-db.js';

const ADMIN_KEY = 'thadm_agent_crash_test_admin_key';
/** The promise: a run is taken up again within 10 s of the restart (the dead owner's lease is 6 s). */
const RESUME_WITHIN_MS = 10_000;

interface ToolRequest {
  path: string;
  idempotencyKey: string;
}

interface RunView {
  id: string;
  status: string;
  output: { text?: string } | null;
  error: { code?: string; step?: { name?: string; input?: { call_id?: string; arguments?: unknown } } } | null;
  steps: { seq: number; kind: string; name: string; status: string; attempts: number }[];
}

const toolRequests: ToolRequest[] = [];
const hanging: ServerResponse[] = [];
let tools: Server;
let dataDir: string;
let schema: string | undefined;
let hub: HubProcess | undefined;
let runs: { idempotent: RunView; nonIdempotent: RunView };
let resumedInMs: number;
let idempotentRunId: string;
let nonIdempotentRunId: string;

/** Answers every tool call, except the first call of each tool, which hangs until the hub dies. */
function toolServer(request: IncomingMessage, response: ServerResponse): void {
  const path = request.url ?? '';
  const first = !toolRequests.some((entry) => entry.path === path);
  toolRequests.push({ path, idempotencyKey: String(request.headers['idempotency-key'] ?? '') });
  request.resume();
  if (first) {
    hanging.push(response);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'shipped' }));
}

const httpTool = (name: string, idempotent: boolean, toolsUrl: string) => ({
  type: 'http',
  name,
  description: `${name} an order`,
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  request: { method: 'POST', url: `${toolsUrl}/${name}/{order_id}`, body: 'arguments' },
  idempotent,
  // Longer than the test: the call ends because the hub dies, not because the tool timed out.
  timeout_ms: 60_000,
});

/**
 * The script lives in the config file, so the restarted process has it too; it starts over there, so every
 * step is chosen by the conversation it answers (`when`), never by its position.
 */
function hubConfig(toolsUrl: string): Record<string, unknown> {
  return {
    providers: [
      {
        id: 'script',
        type: 'scripted',
        script: [
          { when: { last_tool_result_contains: 'shipped' }, text: 'All done.', repeat: true },
          {
            when: { last_user_message_contains: 'charge' },
            tool_calls: [{ id: 'call_charge', name: 'charge_card', arguments: { order_id: 'W1' } }],
            repeat: true,
          },
          {
            when: { last_user_message_contains: 'dispatch' },
            tool_calls: [{ id: 'call_dispatch', name: 'dispatch_parcel', arguments: { order_id: 'W2' } }],
            repeat: true,
          },
        ],
      },
    ],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
    agents: [
      { name: 'payer', model: 'scripted', instructions: 'You charge cards.', tools: [httpTool('charge_card', true, toolsUrl)] },
      { name: 'courier', model: 'scripted', instructions: 'You dispatch parcels.', tools: [httpTool('dispatch_parcel', false, toolsUrl)] },
    ],
  };
}

async function call<T>(url: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  tools = createServer(toolServer);
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  const toolsUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-agent-crash-'));
  const env: Record<string, string> = { TOKENHUB_ADMIN_KEY: ADMIN_KEY };
  if (TEST_DATABASE_URL) {
    schema = `agent_crash_${process.pid}_${Date.now().toString(36)}`;
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    await client.end();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env.TOKENHUB_DATABASE_URL = url.toString();
  }
  const config = hubConfig(toolsUrl);
  const start = async (): Promise<HubProcess> => startHubProcess({ dataDir, config, port: await freePort(), env });

  hub = await start();
  const first = hub;
  const tenant = await call<Tenant>(first.url, ADMIN_KEY, 'POST', '/admin/v1/tenants', { name: 'agent-crash' });
  const key = (await call<CreatedKey>(first.url, ADMIN_KEY, 'POST', '/admin/v1/keys', { tenant_id: tenant.id, scopes: ['agents:run'] }))
    .key;
  const startRun = (agent: string, input: string) =>
    call<{ id: string; status: string }>(first.url, key, 'POST', `/v1/agents/${agent}/runs`, { input, background: true });
  idempotentRunId = (await startRun('payer', 'Please charge order W1')).id;
  nonIdempotentRunId = (await startRun('courier', 'Please dispatch order W2')).id;

  // Both tool calls are in flight (and recorded as started): now the hub dies, without a word to anyone.
  await until('both tool calls reach the tool server', () => hanging.length === 2, 20_000);
  first.child.kill('SIGKILL');
  await first.exited;
  for (const response of hanging) response.destroy();

  hub = await start();
  const second = hub;
  const restartedAt = Date.now();
  const read = (id: string) => call<RunView>(second.url, key, 'GET', `/v1/runs/${id}`);
  await until(
    'both runs settle after the restart',
    async () => {
      const [idempotent, nonIdempotent] = await Promise.all([read(idempotentRunId), read(nonIdempotentRunId)]);
      runs = { idempotent, nonIdempotent };
      return !['queued', 'running'].includes(idempotent.status) && !['queued', 'running'].includes(nonIdempotent.status);
    },
    RESUME_WITHIN_MS + 5_000,
  );
  resumedInMs = Date.now() - restartedAt;
}, 120_000);

afterAll(async () => {
  if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
    hub.child.kill('SIGTERM');
    const stopped = await Promise.race([hub.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
    if (!stopped) hub.child.kill('SIGKILL');
  }
  tools?.closeAllConnections();
  await new Promise<void>((resolve) => tools?.close(() => resolve()));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (schema && TEST_DATABASE_URL) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await client.end();
  }
});

describe('a hub SIGKILLed while agent runs wait on their tools', () => {
  it('takes the runs up again within 10 s of the restart', () => {
    expect(resumedInMs).toBeLessThanOrEqual(RESUME_WITHIN_MS);
  });

  it('retries an interrupted idempotent tool call with the same Idempotency-Key, and completes the run', () => {
    const run = runs.idempotent;
    expect(run).toMatchObject({ status: 'completed', output: { text: 'All done.' } });
    const calls = toolRequests.filter((entry) => entry.path === '/charge_card/W1');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.idempotencyKey).toBe(`${idempotentRunId}:2`);
    expect(calls[1]?.idempotencyKey).toBe(calls[0]?.idempotencyKey);
    // The model call before the crash was replayed from the record, not made again; the tool step shows its second attempt.
    expect(run.steps.map((step) => [step.kind, step.name, step.status, step.attempts])).toEqual([
      ['model', 'scripted', 'finished', 1],
      ['tool', 'charge_card', 'finished', 2],
      ['model', 'scripted', 'finished', 1],
    ]);
  });

  it('does not repeat an interrupted non-idempotent tool call: the run needs attention, naming the call', () => {
    const run = runs.nonIdempotent;
    expect(run.status).toBe('needs_attention');
    expect(run.error).toMatchObject({
      code: 'interrupted_effect',
      step: { name: 'dispatch_parcel', input: { call_id: 'call_dispatch', arguments: { order_id: 'W2' } } },
    });
    expect(toolRequests.filter((entry) => entry.path === '/dispatch_parcel/W2')).toHaveLength(1);
    expect(run.steps.map((step) => [step.kind, step.name, step.status, step.attempts])).toEqual([
      ['model', 'scripted', 'finished', 1],
      ['tool', 'dispatch_parcel', 'started', 1],
    ]);
  });
});
