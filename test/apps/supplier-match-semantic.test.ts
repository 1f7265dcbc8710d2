/**
 * Semantic similarity in the supplier search, through the HTTP API of a real hub: an installation that names
 * an embedding model (routed to a fake OpenAI-wire upstream with deterministic vectors) blends it into the
 * agent's and the workflow's searches, each embeddings call on the ledger with its run; one without the setting
 * searches by text and filters; a failing embedding call leaves the search answering, by text, saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingRanker, searchSuppliers } from '../../src/apps/supplier-match/index.js';
import { SupplierCatalogueRepository } from '../../src/storage/index.js';
import { admin, createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { call, type Json } from '../support/workflows.js';
import { type FakeSupplierModel, fakeVector, startFakeSupplierModel } from './supplier-match-fakes.js';

const SLOW = { timeout: 120_000 };
const SEARCH = { query: 'bluetooth speaker with a long battery', limit: 5 };

interface SearchResult {
  supplier_ids: string[];
  semantic: boolean;
  semantic_error?: string;
}

interface LedgerRow {
  model_requested: string;
  run_id: string | null;
  agent: string | null;
  workflow: string | null;
  prompt_tokens: number;
  cost_usd: string;
}

describe('supplier search with an embedding model, over HTTP', () => {
  let hub: TestHub;
  let fake: FakeSupplierModel;
  let tenantId: string;
  let key: string;
  let semanticInstallation: string;

  /** Runs an installation's agent, scripted to make one search; answers the run and the search's result. */
  const searchAs = async (agent: string): Promise<{ run: Json; result: SearchResult }> => {
    const script = hub.hub.scripted('script');
    script.setScript([{ tool_calls: [{ name: 'search_suppliers', arguments: SEARCH }] }, { when: { last_role: 'tool' }, text: 'Done.' }]);
    const run = await call(hub, 'POST', `/v1/agents/${agent}/runs`, key, { input: 'Speakers with a long battery, please.' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.status, JSON.stringify(run.body.error)).toBe('completed');
    const toolMessage = script.calls.at(-1)?.request.messages.find((message) => message.role === 'tool');
    return { run: run.body, result: JSON.parse(String(toolMessage?.content)) as SearchResult };
  };

  const ledger = async (): Promise<LedgerRow[]> => {
    await hub.hub.economy.flush();
    return (await admin<{ data: LedgerRow[] }>(hub, 'GET', `/admin/v1/ledger?tenant_id=${tenantId}&limit=1000`)).data;
  };

  beforeAll(async () => {
    fake = await startFakeSupplierModel();
    hub = await startTestHub({
      providers: [
        { id: 'script', type: 'scripted' },
        { id: 'fake', type: 'openai', base_url: fake.url },
      ],
      models: [
        { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] },
        {
          name: 'embed',
          kind: 'embedding',
          targets: [{ provider: 'fake', model: 'text-embedding-fake' }],
          pricing: { input_per_mtok: 0.1, output_per_mtok: 0 },
        },
      ],
      routing: { retries: 0, backoff_ms: 1 },
    });
    tenantId = (await createTenant(hub, 'semantic-seller')).id;
    key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
    const installed = await call(hub, 'POST', '/admin/v1/apps/supplier-match/install', hub.adminKey, {
      tenant_id: tenantId,
      model: 'scripted',
      name: 'sm-semantic',
      size: 600,
      embedding_model: 'embed',
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    expect(installed.body.embedding_model).toBe('embed');
    semanticInstallation = String((installed.body.installation as Json).id);
    const plain = await call(hub, 'POST', '/admin/v1/apps/supplier-match/install', hub.adminKey, {
      tenant_id: tenantId,
      model: 'scripted',
      name: 'sm-plain',
      size: 600,
    });
    expect(plain.body.embedding_model).toBeNull();
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await fake?.close();
  });

  it("blends the routed embedding model into the agent's search, metered on the ledger with the run", SLOW, async () => {
    const before = fake.embeddings.length;
    const { run, result } = await searchAs('sm-semantic');
    expect(result.semantic).toBe(true);
    expect(result.semantic_error).toBeUndefined();
    // The order is the blend of the fake's vectors: the same search with the same vectors, asked directly.
    const catalogue = new SupplierCatalogueRepository(hub.hub.db, tenantId, semanticInstallation);
    const ranker = embeddingRanker(async (texts) => texts.map(fakeVector));
    const blended = await searchSuppliers(catalogue, SEARCH, { semantic: ranker });
    expect(result.supplier_ids).toEqual(blended.matches.map((match) => match.supplier.id));
    const plain = await searchSuppliers(catalogue, SEARCH);
    expect(result.supplier_ids).not.toEqual(plain.matches.map((match) => match.supplier.id));

    // One embeddings call: the query first, then every candidate; its row names the run and the agent.
    const calls = fake.embeddings.slice(before);
    expect(calls).toHaveLength(1);
    const inputs = calls[0]?.input as string[];
    expect(inputs[0]).toBe(SEARCH.query);
    expect(inputs.length).toBe(1 + blended.candidates);
    const rows = (await ledger()).filter((row) => row.model_requested === 'embed');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ run_id: run.id, agent: 'sm-semantic', workflow: null });
    const words = inputs.reduce((sum, text) => sum + (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).length, 0);
    expect(rows[0]?.prompt_tokens).toBe(words);
    expect(Number(rows[0]?.cost_usd)).toBeCloseTo((words * 0.1) / 1e6, 12);
  });

  it('searches by text and filters when the installation names no embedding model', SLOW, async () => {
    const before = fake.embeddings.length;
    const { result } = await searchAs('sm-plain');
    expect(result.semantic).toBe(false);
    expect(result.semantic_error).toBeUndefined();
    expect(result.supplier_ids).toHaveLength(5);
    expect(fake.embeddings.length).toBe(before);
  });

  it('falls back to text and filters when the embedding call fails, and says so', SLOW, async () => {
    fake.failEmbeddings = true;
    try {
      const { result } = await searchAs('sm-semantic');
      expect(result.semantic).toBe(false);
      expect(result.semantic_error).toMatch(/^semantic similarity unavailable, ranked by text and filters only: .+/);
      const catalogue = new SupplierCatalogueRepository(hub.hub.db, tenantId, semanticInstallation);
      const plain = await searchSuppliers(catalogue, SEARCH);
      expect(result.supplier_ids).toEqual(plain.matches.map((match) => match.supplier.id));
    } finally {
      fake.failEmbeddings = false;
    }
  });

  it("blends it into the workflow's shortlist too, the row naming the workflow run", SLOW, async () => {
    hub.hub.scripted('script').setScript([{ text: 'I will look for bluetooth speaker factories.', repeat: true }]);
    const started = await call(hub, 'POST', '/v1/workflows/sm-semantic/runs', key, {
      input: { product: 'bluetooth speaker', quantity: 1000 },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const runId = String(started.body.id);
    const deadline = Date.now() + 30_000;
    let read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
    while (!['waiting_approval', 'failed'].includes(String(read.body.status)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
    }
    expect(read.body.status, JSON.stringify(read.body.error)).toBe('waiting_approval');
    const shortlist = (read.body.steps as { id: string; output: Json }[]).find((step) => step.id === 'shortlist')?.output
      .json as SearchResult;
    expect(shortlist.semantic).toBe(true);
    const rows = (await ledger()).filter((row) => row.model_requested === 'embed' && row.workflow === 'sm-semantic');
    expect(rows.map((row) => row.run_id)).toContain(runId);
  });
});
