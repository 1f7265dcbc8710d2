/**
 * The agent lane of the supplier-match eval, through a real hub's HTTP API: the installed agent run with each
 * seller's sentence, its search calls' suppliers scored. On the scripted model (which cannot read, so it passes
 * the sentence as the query) the lane must score exactly what the text mode scores: the agent path reaches the
 * search unchanged. On a model behind a fake OpenAI-wire upstream that answers fixed, structured tool calls for
 * three hand-written requests, the lane must score exactly what those calls' searches return. Both report
 * their cost from the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EvalRequest,
  evaluateAgentLane,
  evaluateSearch,
  generateCatalogue,
  generateEvalRequests,
  ndcgAtK,
  precisionAtK,
  relevanceOf,
  type SupplierCriteria,
  scriptedSearchScript,
  searchSuppliers,
} from '../../src/apps/supplier-match/index.js';
import type { ScriptStepInput } from '../../src/config/index.js';
import { EvalHubClient } from '../../src/evals/index.js';
import { SupplierCatalogueRepository } from '../../src/storage/index.js';
import { admin, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { type FakeSupplierModel, FINAL_USAGE, startFakeSupplierModel, TOOL_CALL_USAGE } from './supplier-match-fakes.js';

type Json = Record<string, unknown>;
const SLOW = { timeout: 180_000 };
const SIZE = 3000;
const suppliers = generateCatalogue({ count: SIZE });

/** A request written by hand, labelled by the generator's own grading of every supplier against its criteria. */
function handWritten(id: string, text: string, product: string, criteria: EvalRequest['criteria']): EvalRequest {
  const relevance: EvalRequest['relevance'] = {};
  for (const supplier of suppliers) {
    const grade = relevanceOf(supplier, { product, criteria });
    if (grade !== 0) relevance[supplier.id] = grade;
  }
  return { id, language: 'en', text, product, criteria, relevance };
}

const HAND_WRITTEN: { request: EvalRequest; toolCall: Json }[] = [
  {
    request: handWritten(
      'hand-1',
      'Looking for 2,000 bluetooth speakers to sell in the EU, CE certified, at most $9 each, delivered within 30 days.',
      'bluetooth speaker',
      {
        query: 'bluetooth speaker',
        category: 'electronics',
        quantity: 2000,
        targetPriceCents: 900,
        certifications: ['CE'],
        maxLeadDays: 30,
        market: 'EU',
      },
    ),
    // What a model that read the sentence well passes.
    toolCall: {
      query: 'bluetooth speaker',
      category: 'electronics',
      quantity: 2000,
      target_price_usd: 9,
      certifications: ['CE'],
      max_lead_days: 30,
      market: 'EU',
      limit: 10,
    },
  },
  {
    request: handWritten('hand-2', 'We need 5000 OEKO-TEX cotton t-shirts for the US under $3.50, within 45 days.', 'cotton t-shirt', {
      query: 'cotton t-shirt',
      category: 'textiles',
      quantity: 5000,
      targetPriceCents: 350,
      certifications: ['OEKO-TEX'],
      maxLeadDays: 45,
      market: 'US',
    }),
    // A model that missed the lead time and the price.
    toolCall: { query: 'cotton t-shirt', quantity: 5000, certifications: ['OEKO-TEX'], market: 'US', limit: 10 },
  },
  {
    request: handWritten('hand-3', '10,000 kraft mailers for the UK, FSC, $0.15 a piece max, 40 days.', 'kraft mailer', {
      query: 'kraft mailer',
      category: 'packaging',
      quantity: 10_000,
      targetPriceCents: 15,
      certifications: ['FSC'],
      maxLeadDays: 40,
      market: 'UK',
    }),
    // A model that asked for five only.
    toolCall: { query: 'kraft mailer', quantity: 10_000, target_price_usd: 0.15, certifications: ['FSC'], market: 'UK', limit: 5 },
  },
];

/** The search's own arguments for a tool call, as the tool reads them. */
const criteriaOf = (args: Json): SupplierCriteria & { limit: number } => ({
  query: String(args.query),
  ...(args.category ? { category: String(args.category) } : {}),
  ...(args.quantity ? { quantity: Number(args.quantity) } : {}),
  ...(args.target_price_usd ? { targetPriceCents: Math.round(Number(args.target_price_usd) * 100) } : {}),
  certifications: (args.certifications as string[] | undefined) ?? [],
  ...(args.max_lead_days ? { maxLeadDays: Number(args.max_lead_days) } : {}),
  ...(args.market ? { market: String(args.market) } : {}),
  limit: Number(args.limit ?? 5),
});

describe('the supplier-match eval, agent lane', () => {
  let hub: TestHub;
  let fake: FakeSupplierModel;
  let client: EvalHubClient;
  let tenantId: string;

  beforeAll(async () => {
    fake = await startFakeSupplierModel(new Map(HAND_WRITTEN.map((entry) => [entry.request.text, entry.toolCall])));
    hub = await startTestHub({
      providers: [
        { id: 'script', type: 'scripted' },
        { id: 'fake', type: 'openai', base_url: fake.url },
      ],
      models: [
        { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 0.5, output_per_mtok: 1.5 } },
        { name: 'fake-gpt', targets: [{ provider: 'fake', model: 'gpt-fake' }], pricing: { input_per_mtok: 2, output_per_mtok: 8 } },
      ],
      routing: { retries: 0, backoff_ms: 1 },
    });
    client = new EvalHubClient({ url: hub.url, adminKey: hub.adminKey });
    tenantId = (await createTenant(hub, 'eval')).id;
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await fake?.close();
  });

  it('on the scripted model scores exactly what the text mode scores, and costs what the ledger says', SLOW, async () => {
    const requests = generateEvalRequests(suppliers, { count: 12 });
    hub.hub.scripted('script').setScript(scriptedSearchScript(requests) as unknown as ScriptStepInput[]);
    const lane = await evaluateAgentLane({ hub: client, tenantId, model: 'scripted', requests, size: SIZE });
    const catalogue = new SupplierCatalogueRepository(hub.hub.db, tenantId, lane.installation);
    const text = await evaluateSearch(catalogue, requests, 'text');
    console.log(
      `scripted agent lane (${requests.length} requests): P@5 ${lane.precisionAt5.toFixed(3)} nDCG@10 ${lane.ndcgAt10.toFixed(3)}; ` +
        `text mode P@5 ${text.precisionAt5.toFixed(3)} nDCG@10 ${text.ndcgAt10.toFixed(3)}; ${JSON.stringify(lane.cost)}`,
    );
    expect(lane.failedRuns, JSON.stringify(lane.perRequest.map((entry) => entry.error))).toBe(0);
    expect(lane.noSearch).toBe(0);
    for (const [index, entry] of lane.perRequest.entries()) {
      const request = requests[index] as EvalRequest;
      expect(entry.searches.map((search) => search.arguments)).toEqual([{ query: request.text, limit: 10 }]);
      expect(entry.ranking).toEqual(text.perRequest[index]?.ranking);
      expect(entry.ranking.length).toBeGreaterThan(0);
    }
    expect(lane.precisionAt5).toBe(text.precisionAt5);
    expect(lane.ndcgAt10).toBe(text.ndcgAt10);
    // The ranking is not trivially perfect or empty: the labels make a difference between requests.
    expect(new Set(lane.perRequest.map((entry) => entry.precisionAt5)).size).toBeGreaterThan(1);

    // Two model calls per run (the search, then the answer); the same rows read by agent instead of by key.
    expect(lane.cost.model_calls).toBe(2 * requests.length);
    const ledger = await admin<{ data: { agent: string | null; prompt_tokens: number; completion_tokens: number; cost_usd: string }[] }>(
      hub,
      'GET',
      `/admin/v1/ledger?tenant_id=${tenantId}&limit=1000`,
    );
    const rows = ledger.data.filter((row) => row.agent === lane.agent);
    expect(rows).toHaveLength(lane.cost.ledger_rows);
    expect(rows.reduce((sum, row) => sum + row.prompt_tokens, 0)).toBe(lane.cost.input_tokens);
    expect(rows.reduce((sum, row) => sum + row.completion_tokens, 0)).toBe(lane.cost.output_tokens);
    expect(lane.cost.input_tokens).toBeGreaterThan(0);
    expect(Number(lane.cost.usd)).toBeGreaterThan(0);
  });

  it("on a real model's wire scores exactly what its tool calls' searches return", SLOW, async () => {
    const requests = HAND_WRITTEN.map((entry) => entry.request);
    for (const request of requests) expect(Object.values(request.relevance).filter((grade) => grade === 3).length).toBeGreaterThan(0);
    const before = fake.chats.length;
    const lane = await evaluateAgentLane({ hub: client, tenantId, model: 'fake-gpt', requests, size: SIZE, concurrency: 2 });
    const catalogue = new SupplierCatalogueRepository(hub.hub.db, tenantId, lane.installation);
    expect(lane.failedRuns, JSON.stringify(lane.perRequest.map((entry) => entry.error))).toBe(0);

    for (const [index, { request, toolCall }] of HAND_WRITTEN.entries()) {
      const entry = lane.perRequest[index];
      expect(entry?.searches.map((search) => search.arguments)).toEqual([toolCall]);
      const direct = await searchSuppliers(catalogue, criteriaOf(toolCall));
      const expected = direct.matches.map((match) => match.supplier.id);
      expect(entry?.ranking).toEqual(expected);
      expect(entry?.precisionAt5).toBe(precisionAtK(expected, request.relevance, 5));
      expect(entry?.ndcgAt10).toBe(ndcgAtK(expected, request.relevance, 10));
    }
    // A good reading of the first request puts every supplier that fully meets it first (the catalogue has four);
    // the third asked for five, so its nDCG@10 counts five.
    const fullyMeeting = Object.values(HAND_WRITTEN[0]?.request.relevance ?? {}).filter((grade) => grade === 3).length;
    expect(fullyMeeting).toBe(4);
    expect(lane.perRequest[0]?.precisionAt5).toBe(fullyMeeting / 5);
    expect(lane.perRequest[2]?.ranking).toHaveLength(5);
    console.log(
      `fake-model agent lane: ${lane.perRequest.map((entry) => `${entry.id} P@5 ${entry.precisionAt5} nDCG@10 ${entry.ndcgAt10.toFixed(3)}`).join('; ')}`,
    );

    // The model was given the seller's sentence and the search tool.
    const calls = fake.chats.slice(before);
    expect(calls).toHaveLength(2 * requests.length);
    const first = calls.filter((call) => ((call.messages as Json[]).at(-1) as Json).role === 'user');
    expect(first.map((call) => ((call.messages as Json[]).at(-1) as Json).content).sort()).toEqual(requests.map((r) => r.text).sort());
    const tools = (first[0]?.tools ?? []) as { function: { name: string } }[];
    expect(tools.map((tool) => tool.function.name)).toContain('search_suppliers');

    // The cost is the upstream's usage at the model's prices: 3 × (900 + 1400) in, 3 × (40 + 12) out.
    expect(lane.cost).toEqual({
      ledger_rows: 6,
      model_calls: 6,
      input_tokens: 3 * (TOOL_CALL_USAGE.prompt_tokens + FINAL_USAGE.prompt_tokens),
      output_tokens: 3 * (TOOL_CALL_USAGE.completion_tokens + FINAL_USAGE.completion_tokens),
      usd: expect.any(String),
    });
    expect(Number(lane.cost.usd)).toBeCloseTo((6900 * 2 + 156 * 8) / 1e6, 12);
  });
});
