import { randomBytes } from 'node:crypto';
import { mapPooled, picosToUsd, usdToPicos } from '../../../core/index.js';
import type { EvalRequest } from '../catalogue/generator.js';
import { ndcgAtK, precisionAtK, type RankingReport, rankingReport } from './metrics.js';

type Json = Record<string, unknown>;

/** The hub as the lane reaches it over HTTP: the admin API with the admin key, the tenant API with a key (`EvalHubClient` is one). */
export interface AgentLaneHub {
  admin<T = Json>(method: string, path: string, body?: unknown): Promise<T>;
  request<T = Json>(key: string, method: string, path: string, body?: unknown): Promise<T>;
}

export interface AgentLaneOptions {
  hub: AgentLaneHub;
  tenantId: string;
  /** The model the installed agent runs on: any model the hub routes. */
  model: string;
  requests: readonly EvalRequest[];
  /** The generated catalogue the requests were labelled on: the installation generates the same one. */
  seed?: number;
  size: number;
  /** Runs at once (default 4). */
  concurrency?: number;
  /** The installation's name (default `eval-sm-<id>`); it names the agent too. */
  name?: string;
  /** An embedding model for the installation's searches (default none). */
  embeddingModel?: string;
  progress?: (line: string) => void;
}

export interface AgentLaneSearch {
  arguments: Json;
  supplier_ids: string[];
}

export interface AgentLaneResult extends RankingReport {
  mode: 'agent';
  model: string;
  installation: string;
  agent: string;
  /** Runs that did not end `completed` (their ranking is what their searches returned before, often nothing). */
  failedRuns: number;
  /** Requests whose agent never called `search_suppliers`. */
  noSearch: number;
  /** What the lane's runs spent, from the ledger rows of the lane's own key. */
  cost: { ledger_rows: number; model_calls: number; input_tokens: number; output_tokens: number; usd: string };
  perRequest: {
    id: string;
    run_id: string | null;
    status: string;
    /** Why a run did not complete (its error, or the hub's refusal). */
    error?: string;
    searches: AgentLaneSearch[];
    ranking: string[];
    precisionAt5: number;
    ndcgAt10: number;
  }[];
}

interface RunStep {
  kind: string;
  name: string;
  input: Json | null;
  output: Json | null;
}

/**
 * The search calls of a run, in order: each call's arguments and the suppliers it returned. The ranking the
 * lane scores is their suppliers in that order, each once: everything the agent was shown.
 */
export function searchesOf(steps: readonly RunStep[]): AgentLaneSearch[] {
  return steps
    .filter((step) => step.kind === 'tool' && step.name === 'search_suppliers' && step.output?.type === 'result')
    .map((step) => {
      let ids: string[] = [];
      try {
        const content = JSON.parse(String(step.output?.content ?? '')) as { supplier_ids?: unknown };
        if (Array.isArray(content.supplier_ids)) ids = content.supplier_ids.map(String);
      } catch {
        // A result that is not the tool's JSON shortlists nothing.
      }
      return { arguments: ((step.input?.arguments as Json | undefined) ?? {}) as Json, supplier_ids: ids };
    });
}

const rankingOf = (searches: readonly AgentLaneSearch[]): string[] => [...new Set(searches.flatMap((search) => search.supplier_ids))];

/**
 * What an honest script plays on the scripted provider: it cannot read the sentence, so for each request it
 * searches with the seller's sentence itself as the query, no filters (10 results, as the search lanes rank),
 * then says it is done. Steps are matched by the user's message, longest first, so runs can go in parallel.
 */
export function scriptedSearchScript(requests: readonly Pick<EvalRequest, 'text'>[]): Json[] {
  const texts = [...new Set(requests.map((request) => request.text))].sort((left, right) => right.length - left.length);
  return [
    ...texts.map((text) => ({
      when: { last_role: 'user', last_user_message_contains: text },
      tool_calls: [{ name: 'search_suppliers', arguments: { query: text, limit: 10 } }],
      repeat: true,
    })),
    { when: { last_role: 'tool' }, text: 'These are the suppliers the catalogue search found.', repeat: true },
  ];
}

interface LedgerRow {
  model_requested: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: string;
}

/** The ledger rows of a key, once the journal wrote at least `expected` (it flushes in batches) and they stopped growing. */
async function settledRows(hub: AgentLaneHub, tenantId: string, keyId: string, expected: number, timeoutMs = 15_000): Promise<LedgerRow[]> {
  const deadline = Date.now() + timeoutMs;
  let previous = -1;
  for (;;) {
    const rows: LedgerRow[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ tenant_id: tenantId, key_id: keyId, limit: '1000' });
      if (cursor) params.set('cursor', cursor);
      const page: { data: LedgerRow[]; next_cursor: string | null } = await hub.admin('GET', `/admin/v1/ledger?${params.toString()}`);
      rows.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    if ((rows.length >= expected && rows.length === previous) || Date.now() > deadline) return rows;
    previous = rows.length >= expected ? rows.length : -1;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The agent lane of the supplier-match eval: the app installed for the tenant on `model` (the same generated
 * catalogue the requests were labelled on), then for each request the installed agent run through the hub's
 * API with the seller's sentence as its input, the suppliers of its `search_suppliers` calls scored with
 * precision@5 and nDCG@10, and what its runs cost from the ledger rows of the lane's own key. The installation
 * is left in place, so its runs can be read afterwards.
 */
export async function evaluateAgentLane(options: AgentLaneOptions): Promise<AgentLaneResult> {
  const { hub, tenantId, requests } = options;
  const progress = options.progress ?? (() => {});
  const name = options.name ?? `eval-sm-${Date.now().toString(36).slice(-5)}${randomBytes(2).toString('hex')}`;
  const installed = await hub.admin<{ installation: { id: string }; agent: string }>('POST', '/admin/v1/apps/supplier-match/install', {
    tenant_id: tenantId,
    model: options.model,
    name,
    size: options.size,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.embeddingModel ? { embedding_model: options.embeddingModel } : {}),
  });
  const key = await hub.admin<{ id: string; key: string }>('POST', '/admin/v1/keys', {
    tenant_id: tenantId,
    name: `${name} eval`,
    scopes: ['agents:run'],
  });
  let done = 0;
  try {
    const perRequest = await mapPooled(requests, options.concurrency ?? 4, async (request) => {
      let runId: string | null = null;
      let status = 'failed';
      let error: string | undefined;
      let searches: AgentLaneSearch[] = [];
      let modelCalls = 0;
      try {
        const run = await hub.request<{ id: string; status: string; error: { message?: string } | null; usage: { model_calls: number } }>(
          key.key,
          'POST',
          `/v1/agents/${encodeURIComponent(installed.agent)}/runs`,
          { input: request.text },
        );
        runId = run.id;
        status = run.status;
        modelCalls = run.usage.model_calls;
        if (run.error) error = String(run.error.message ?? JSON.stringify(run.error));
        const read = await hub.request<{ steps?: RunStep[] }>(key.key, 'GET', `/v1/runs/${encodeURIComponent(run.id)}`);
        searches = searchesOf(read.steps ?? []);
      } catch (caught) {
        status = 'refused';
        error = (caught as Error).message;
      }
      const ranking = rankingOf(searches);
      done += 1;
      progress(
        `[${done}/${requests.length}] ${request.id}: ${status}${error ? ` (${error})` : ''}, ${searches.length} searches, ${ranking.length} suppliers`,
      );
      return {
        entry: {
          id: request.id,
          run_id: runId,
          status,
          ...(error !== undefined ? { error } : {}),
          searches,
          ranking,
          precisionAt5: precisionAtK(ranking, request.relevance, 5),
          ndcgAt10: ndcgAtK(ranking, request.relevance, 10),
        },
        modelCalls,
      };
    });
    const rows = await settledRows(
      hub,
      tenantId,
      key.id,
      perRequest.reduce((sum, entry) => sum + entry.modelCalls, 0),
    );
    const chat = rows.filter((row) => row.model_requested !== options.embeddingModel);
    const report = rankingReport(
      perRequest.map((entry, index) => ({ ranking: entry.entry.ranking, labels: (requests[index] as EvalRequest).relevance })),
    );
    return {
      mode: 'agent',
      model: options.model,
      installation: installed.installation.id,
      agent: installed.agent,
      ...report,
      failedRuns: perRequest.filter((entry) => entry.entry.status !== 'completed').length,
      noSearch: perRequest.filter((entry) => entry.entry.searches.length === 0).length,
      cost: {
        ledger_rows: rows.length,
        model_calls: chat.length,
        input_tokens: rows.reduce((sum, row) => sum + row.prompt_tokens, 0),
        output_tokens: rows.reduce((sum, row) => sum + row.completion_tokens, 0),
        usd: picosToUsd(rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n)),
      },
      perRequest: perRequest.map((entry) => entry.entry),
    };
  } finally {
    await hub.admin('DELETE', `/admin/v1/keys/${encodeURIComponent(key.id)}`).catch(() => {});
  }
}
