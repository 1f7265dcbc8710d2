/**
 * The real hub (`tokenhub start`, a child process) SIGKILLed while two workflow runs are in the middle of a
 * `map` over 20 items whose body is one HTTP tool step, then started again on the same database. Some items
 * had finished (recorded), five were in flight, five not started. The run whose tool is idempotent completes:
 * finished items replay from the record (never called again), interrupted ones are called again with the same
 * `Idempotency-Key`, the rest run, every output in its place. The run whose tool is not idempotent stops in
 * `needs_attention` and the interrupted items are not called again. On PostgreSQL (and Redis) when the suite has
 * them, else on PGlite in the data directory, which the restarted process reopens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedKey, Tenant } from '../../src/admin/contract.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-db.js';

const ADMIN_KEY = 'thadm_workflow_crash_test_admin_key';
const ITEMS = Array.from({ length: 20 }, (_, index) => `i${String(index).padStart(2, '0')}`);
const CONCURRENCY = 5;
/**
 * The items whose first call hangs until the hub dies. Items start in index order and each hanging one holds
 * its worker, so when the fifth hangs every worker is held: items 0–14 were called, 10 of them answered, 15–19
 * not started.
 */
const HANGING = new Set([2, 6, 9, 11, 14]);
const CALLED_BEFORE_KILL = 15;

interface ToolRequest {
  /** `a` (the idempotent tool) or `b`. */
  lane: string;
  item: string;
  idempotencyKey: string;
}

interface StepView {
  key: string;
  id: string;
  kind: string;
  status: string;
  attempt: number;
  output: { content?: string; json?: { answer?: string } } | null;
}

interface RunView {
  id: string;
  status: string;
  output: unknown;
  error: { code?: string; step?: { name?: string; idempotency_key?: string } } | null;
  steps: StepView[];
}

const toolRequests: ToolRequest[] = [];
const hanging: ServerResponse[] = [];
let tools: Server;
let dataDir: string;
let schema: string | undefined;
let hub: HubProcess | undefined;
let runIds: { idempotent: string; nonIdempotent: string };
let runs: { idempotent: RunView; nonIdempotent: RunView };
/** The items of each run recorded as finished, and as still running, when the hub was killed. */
let atKill: { finished: Map<string, Set<number>>; running: Map<string, Set<number>> };

/** `/a/i07` → lane `a`, item `i07`. Answers at once, except an item in HANGING on its first call. */
function toolServer(request: IncomingMessage, response: ServerResponse): void {
  const [, lane = '', item = ''] = (request.url ?? '').split('/');
  const first = !toolRequests.some((entry) => entry.lane === lane && entry.item === item);
  toolRequests.push({ lane, item, idempotencyKey: String(request.headers['idempotency-key'] ?? '') });
  request.resume();
  if (first && HANGING.has(ITEMS.indexOf(item))) {
    hanging.push(response);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ answer: `done ${item}` }));
}

function mapWorkflow(name: string, lane: string, idempotent: boolean, toolsUrl: string): Record<string, unknown> {
  return {
    apiVersion: 'tokenhub.dev/v1',
    kind: 'Workflow',
    metadata: { name },
    spec: {
      inputs: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } }, required: ['items'] },
      steps: [
        {
          id: 'each',
          kind: 'map',
          items: 'input.items',
          concurrency: CONCURRENCY,
          steps: [
            {
              id: 'fetch',
              kind: 'tool',
              tool: {
                type: 'http',
                name: `fetch_${lane}`,
                description: 'Fetches an item',
                parameters: { type: 'object', properties: { item: { type: 'string' } }, required: ['item'] },
                request: { method: 'POST', url: `${toolsUrl}/${lane}/{item}`, body: 'arguments' },
                idempotent,
                // Longer than the test: a hanging call ends because the hub dies, not because the tool timed out.
                timeout_ms: 60_000,
              },
              arguments: { item: '${{ item }}' },
            },
          ],
        },
      ],
      output: { answers: '${{ steps.each.output.map(r, r.json.answer) }}' },
    },
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

/** The map items (by index) whose tool step has the given status in the run's view. */
function itemsWith(run: RunView, status: string): Set<number> {
  const found = new Set<number>();
  for (const step of run.steps) {
    const match = /^each\[(\d+)\]\.fetch$/.exec(step.key);
    if (match && step.status === status) found.add(Number(match[1]));
  }
  return found;
}

const requestsFor = (lane: string, index: number): ToolRequest[] =>
  toolRequests.filter((entry) => entry.lane === lane && entry.item === ITEMS[index]);

beforeAll(async () => {
  tools = createServer(toolServer);
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  const toolsUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-workflow-crash-'));
  const env: Record<string, string> = { TOKENHUB_ADMIN_KEY: ADMIN_KEY };
  if (TEST_DATABASE_URL) {
    schema = `workflow_crash_${process.pid}_${Date.now().toString(36)}`;
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    await client.end();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env.TOKENHUB_DATABASE_URL = url.toString();
  }
  if (TEST_REDIS_URL) {
    // The restarted process keeps the dead one's cluster state (counters, run events), as a real restart does.
    env.TOKENHUB_REDIS_URL = TEST_REDIS_URL;
    env.TOKENHUB_REDIS_KEY_PREFIX = uniqueRedisPrefix('workflow-crash');
  }
  const start = async (): Promise<HubProcess> => startHubProcess({ dataDir, config: {}, port: await freePort(), env });

  hub = await start();
  const first = hub;
  const tenant = await call<Tenant>(first.url, ADMIN_KEY, 'POST', '/admin/v1/tenants', { name: 'workflow-crash' });
  const key = (
    await call<CreatedKey>(first.url, ADMIN_KEY, 'POST', '/admin/v1/keys', { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })
  ).key;
  await call(first.url, key, 'POST', '/v1/workflows', mapWorkflow('fetch-all', 'a', true, toolsUrl));
  await call(first.url, key, 'POST', '/v1/workflows', mapWorkflow('fetch-all-once', 'b', false, toolsUrl));
  const startRun = async (name: string) =>
    (await call<RunView>(first.url, key, 'POST', `/v1/workflows/${name}/runs`, { input: { items: ITEMS }, mode: 'background' })).id;
  runIds = { idempotent: await startRun('fetch-all'), nonIdempotent: await startRun('fetch-all-once') };

  // Every worker of both maps is held by a hanging call, and the answered calls are recorded as finished.
  await until('both maps are held by their hanging calls', () => hanging.length === 2 * HANGING.size, 30_000);
  const readFirst = (id: string) => call<RunView>(first.url, key, 'GET', `/v1/workflow-runs/${id}`);
  atKill = { finished: new Map(), running: new Map() };
  await until(
    'the answered items are recorded as finished',
    async () => {
      for (const id of [runIds.idempotent, runIds.nonIdempotent]) {
        const run = await readFirst(id);
        atKill.finished.set(id, itemsWith(run, 'completed'));
        atKill.running.set(id, itemsWith(run, 'running'));
      }
      return [...atKill.finished.values()].every((items) => items.size === CALLED_BEFORE_KILL - HANGING.size);
    },
    10_000,
  );
  const calledBeforeKill = toolRequests.length;
  first.child.kill('SIGKILL');
  await first.exited;
  for (const response of hanging) response.destroy();
  expect(calledBeforeKill).toBe(2 * CALLED_BEFORE_KILL);

  hub = await start();
  const second = hub;
  const read = (id: string) => call<RunView>(second.url, key, 'GET', `/v1/workflow-runs/${id}`);
  await until(
    'both runs settle after the restart',
    async () => {
      const [idempotent, nonIdempotent] = await Promise.all([read(runIds.idempotent), read(runIds.nonIdempotent)]);
      runs = { idempotent, nonIdempotent };
      return ![idempotent.status, nonIdempotent.status].some((status) => ['queued', 'running'].includes(status));
    },
    30_000,
  );
}, 90_000);

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

describe('a hub SIGKILLed in the middle of a map of tool calls', () => {
  it('was killed with the hanging items in flight and the others answered and recorded', () => {
    for (const id of [runIds.idempotent, runIds.nonIdempotent]) {
      expect(atKill.running.get(id)).toEqual(HANGING);
      const answered = Array.from({ length: CALLED_BEFORE_KILL }, (_, index) => index).filter((index) => !HANGING.has(index));
      expect(atKill.finished.get(id)).toEqual(new Set(answered));
    }
  });

  it('completes the idempotent map: every output in order, each item called as often as the crash demands', () => {
    const run = runs.idempotent;
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    expect(run.output).toEqual({ answers: ITEMS.map((item) => `done ${item}`) });
    const finished = atKill.finished.get(run.id) ?? new Set<number>();
    ITEMS.forEach((_, index) => {
      const calls = requestsFor('a', index);
      const expectedKey = `${run.id}:each[${index}].fetch`;
      // A finished item replays from the record; an interrupted one is called again under the same key; the rest once.
      expect(calls.length, ITEMS[index]).toBe(HANGING.has(index) ? 2 : 1);
      for (const request of calls) expect(request.idempotencyKey).toBe(expectedKey);
      if (finished.has(index)) expect(calls).toHaveLength(1);
    });
    const items = run.steps.filter((step) => step.id === 'fetch');
    expect(items.map((step) => step.key).sort()).toEqual(ITEMS.map((_, index) => `each[${index}].fetch`).sort());
    expect(items.every((step) => step.status === 'completed' && step.kind === 'tool')).toBe(true);
    expect(items.map((step) => step.output?.json?.answer).sort()).toEqual(ITEMS.map((item) => `done ${item}`).sort());
    expect(run.steps.find((step) => step.key === 'each')).toMatchObject({ kind: 'map', status: 'completed' });
  });

  it('stops the non-idempotent map in needs_attention without calling an interrupted item again', () => {
    const run = runs.nonIdempotent;
    expect(run.status, JSON.stringify(run)).toBe('needs_attention');
    expect(run.error?.code).toBe('interrupted_effect');
    const interruptedKeys = [...HANGING].map((index) => `${run.id}:each[${index}].fetch`);
    expect(interruptedKeys).toContain(run.error?.step?.idempotency_key);
    for (const index of HANGING) expect(requestsFor('b', index), ITEMS[index]).toHaveLength(1);
    // Each interrupted item holds its worker for good, so nothing past item 14 starts either; nothing is called twice.
    expect(toolRequests.filter((entry) => entry.lane === 'b')).toHaveLength(CALLED_BEFORE_KILL);
    expect(itemsWith(run, 'completed')).toEqual(atKill.finished.get(run.id));
  });
});
