import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedKey, LedgerPage, Tenant } from '../../src/admin/contract.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort, startHubProcess } from '../support/hub-process.js';

const ADMIN_KEY = 'thadm_kill9_test_admin_key';

let upstream: FakeOpenAI;
let dataDir: string;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ chunks: 20, chunkDelayMs: 2 });
});

afterAll(async () => {
  await upstream?.close();
});

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-kill9-'));
});

afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call<T>(url: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

describe.each(['process', 'machine'] as const)('SIGKILL under load loses no completed request (%s durability)', (durability) => {
  it('every response the client saw complete is in the ledger after a restart, once', async () => {
    const config = {
      economy: { durability },
      providers: [{ id: 'up', type: 'openai', base_url: upstream.url }],
      models: [
        { name: 'gpt-4o-mini', targets: [{ provider: 'up', model: 'gpt-4o-mini' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
      ],
    };
    // TokenHub's own database: PostgreSQL when the suite runs against it, else PGlite in the data dir.
    const env: Record<string, string> = { TOKENHUB_ADMIN_KEY: ADMIN_KEY };
    const databaseUrl = process.env.TOKENHUB_TEST_DATABASE_URL;
    if (databaseUrl) {
      const schema = `kill9_${process.pid}_${Date.now().toString(36)}`;
      const { default: pg } = await import('pg');
      const adminClient = new pg.Client({ connectionString: databaseUrl });
      await adminClient.connect();
      await adminClient.query(`create schema "${schema}"`);
      await adminClient.end();
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env.TOKENHUB_DATABASE_URL = url.toString();
    }
    const port = await freePort();
    const first = await startHubProcess({ dataDir, config, port, env });
    const tenant = await call<Tenant>(first.url, ADMIN_KEY, 'POST', '/admin/v1/tenants', { name: 'kill9' });
    const key = await call<CreatedKey>(first.url, ADMIN_KEY, 'POST', '/admin/v1/keys', { tenant_id: tenant.id });

    const completed = new Set<string>();
    let stop = false;
    const worker = async (index: number): Promise<void> => {
      while (!stop) {
        try {
          const stream = index % 2 === 0;
          const response = await fetch(`${first.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${index}` }], stream }),
          });
          const text = await response.text();
          const requestId = response.headers.get('x-request-id');
          // Complete means: a 200 whose body ended the way the protocol ends a whole answer.
          const whole = stream ? text.includes('data: [DONE]') : text.includes('"finish_reason"');
          if (response.status === 200 && whole && requestId) completed.add(requestId);
        } catch {
          // the hub died under this request: it never completed
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, index) => worker(index));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    first.child.kill('SIGKILL');
    await first.exited;
    stop = true;
    await Promise.all(workers);
    expect(completed.size).toBeGreaterThan(20);

    const second = await startHubProcess({ dataDir, config, port, env });
    try {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: LedgerPage = await call<LedgerPage>(
          second.url,
          ADMIN_KEY,
          'GET',
          `/admin/v1/ledger?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ids.push(...page.data.map((row) => row.request_id));
        cursor = page.next_cursor;
      } while (cursor);
      const missing = [...completed].filter((id) => !ids.includes(id));
      expect(missing).toEqual([]);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 180_000);
});
