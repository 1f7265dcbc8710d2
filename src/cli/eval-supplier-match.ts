import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { createHub } from '../app.js';
import {
  type AgentLaneResult,
  type EvalRequest,
  evaluateAgentLane,
  evaluateSearch,
  generateCatalogue,
  generateEvalRequests,
  type SearchEvalMode,
  type SearchEvalResult,
  scriptedSearchScript,
} from '../apps/supplier-match/index.js';
import { configSchema, type ScriptStepInput } from '../config/index.js';
import { generateAdminKey } from '../economy/index.js';
import { EvalHubClient } from '../evals/index.js';
import { type Database, migrate, openDatabase, SupplierCatalogueRepository } from '../storage/index.js';
import { addHubOptions, adminTarget } from './admin-client.js';

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
};

interface EvalOptions {
  size: number;
  requests: number;
  seed?: number;
  json?: boolean;
  /** false with `--no-agent`. */
  agent: boolean;
  model?: string;
  embeddingModel?: string;
  concurrency: number;
  tenant?: string;
  url?: string;
  adminKey?: string;
}

/** The scripted lane's model, on a hub of the eval's own (priced, so the ledger shows a cost). */
const SCRIPTED_PROVIDER = 'eval-model';
const SCRIPTED_MODEL = 'scripted';

/** Search lanes over a catalogue: the request's constraints as filters, and the sentence alone. */
async function searchLanes(catalogue: SupplierCatalogueRepository, requests: readonly EvalRequest[]): Promise<SearchEvalResult[]> {
  const modes: SearchEvalMode[] = ['criteria', 'text'];
  const results: SearchEvalResult[] = [];
  for (const mode of modes) results.push(await evaluateSearch(catalogue, requests, mode));
  return results;
}

async function localCatalogue(options: EvalOptions, work: (catalogue: SupplierCatalogueRepository) => Promise<void>): Promise<void> {
  const db = await openDatabase({});
  try {
    await migrate(db);
    const catalogue = new SupplierCatalogueRepository(db, 'ten_eval', 'ins_eval');
    await catalogue.insertMany(generateCatalogue({ ...(options.seed !== undefined ? { seed: options.seed } : {}), count: options.size }));
    await work(catalogue);
  } finally {
    await db.close();
  }
}

/** The tenant named `eval` (created when absent), as the support eval picks it. */
async function evalTenant(client: EvalHubClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const tenants = await client.admin<{ data: { id: string; name: string }[] }>('GET', '/admin/v1/tenants');
  const found = tenants.data.find((tenant) => tenant.name === 'eval');
  return found ? found.id : String((await client.admin<{ id: string }>('POST', '/admin/v1/tenants', { name: 'eval' })).id);
}

/** The scripted lane: a fresh hub in this process (PGlite in memory, a scripted model), whose database the search lanes reuse. */
async function scriptedRun(
  options: EvalOptions,
  requests: readonly EvalRequest[],
): Promise<{ search: SearchEvalResult[]; agent: AgentLaneResult }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-eval-'));
  const database: Database = await openDatabase({});
  const adminKey = generateAdminKey();
  const hub = await createHub({
    config: configSchema.parse({
      providers: [{ id: SCRIPTED_PROVIDER, type: 'scripted' }],
      models: [
        {
          name: SCRIPTED_MODEL,
          targets: [{ provider: SCRIPTED_PROVIDER, model: 'scripted' }],
          pricing: { input_per_mtok: 0.5, output_per_mtok: 1.5 },
        },
      ],
      apps: { site_builder: { chromium: false } },
    }),
    dataDir,
    database,
    adminKey,
    logger: pino({ level: 'silent' }),
  });
  try {
    const url = await hub.listen(0, '127.0.0.1');
    const client = new EvalHubClient({ url, adminKey });
    const tenantId = await evalTenant(client, undefined);
    hub.scripted(SCRIPTED_PROVIDER).setScript(scriptedSearchScript(requests) as unknown as ScriptStepInput[]);
    const agent = await evaluateAgentLane({
      hub: client,
      tenantId,
      model: SCRIPTED_MODEL,
      requests,
      size: options.size,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      concurrency: options.concurrency,
    });
    const search = await searchLanes(new SupplierCatalogueRepository(hub.db, tenantId, agent.installation), requests);
    return { search, agent };
  } finally {
    await hub.close();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const LABELS: Record<SearchEvalMode, string> = {
  criteria: "the request's constraints as filters, its product as text (upper bound)",
  text: "the seller's sentence as text, no filters",
};

function print(options: EvalOptions, requests: number, search: SearchEvalResult[], agent: AgentLaneResult | undefined): void {
  if (options.json) {
    const summaries: Record<string, unknown>[] = search.map(({ perRequest: _perRequest, ...summary }) => summary);
    // The agent lane keeps its requests: each run, its searches' arguments, and why a run failed.
    if (agent) summaries.push({ ...agent });
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    return;
  }
  process.stdout.write(`supplier-match search: ${options.size} suppliers, ${requests} labelled requests\n\n`);
  process.stdout.write('| the search is asked with | precision@5 | nDCG@10 |\n|---|---|---|\n');
  for (const result of search) {
    process.stdout.write(`| ${LABELS[result.mode]} | ${result.precisionAt5.toFixed(3)} | ${result.ndcgAt10.toFixed(3)} |\n`);
  }
  if (!agent) return;
  const who =
    agent.model === SCRIPTED_MODEL && !options.model
      ? 'the installed agent on the scripted model (the sentence as its query: the pipeline end to end)'
      : `the installed agent on ${agent.model}, reading the sentence`;
  process.stdout.write(`| ${who} | ${agent.precisionAt5.toFixed(3)} | ${agent.ndcgAt10.toFixed(3)} |\n\n`);
  process.stdout.write(
    `agent lane: ${agent.failedRuns} runs not completed, ${agent.noSearch} without a search; cost, from the ledger: ` +
      `${agent.cost.model_calls} model calls (${agent.cost.input_tokens} + ${agent.cost.output_tokens} tokens) $${agent.cost.usd}` +
      ` — installation ${agent.installation}\n`,
  );
}

/**
 * `tokenhub eval supplier-match`: precision@5 and nDCG@10 on the generator's labelled seller requests, in three
 * lanes: the search asked with each request's constraints as filters (a perfect reading of the request: the
 * upper bound), with the seller's sentence alone (full-text search, no model), and the installed agent run
 * through a hub with the sentence. The agent lane runs on the scripted model in a hub of this process by
 * default, or with `--model` on any model a running hub (`--url`, `--admin-key`) routes, as `eval run` does.
 */
export function registerSupplierMatchEval(evals: Command): void {
  addHubOptions(evals.command('supplier-match'))
    .description('score the supplier-match search and agent on labelled seller requests: precision@5 and nDCG@10')
    .option('--size <n>', 'suppliers in the generated catalogue', positiveInteger, 3000)
    .option('--requests <n>', 'labelled seller requests', positiveInteger, 50)
    .option('--seed <n>', 'generator seed', positiveInteger)
    .option('--model <model>', 'the agent lane on this model of the hub at --url (default: the scripted model, in this process)')
    .option('--embedding-model <model>', 'with --model: an embedding model of that hub for the searches of the agent lane')
    .option('--tenant <id>', 'with --model: the tenant of the installation and its spend (default: the tenant named "eval")')
    .option('--concurrency <n>', 'agent runs at once', positiveInteger, 4)
    .option('--no-agent', 'only the search lanes (no hub)')
    .action(async (options: EvalOptions) => {
      const seed = options.seed !== undefined ? { seed: options.seed } : {};
      const requests = generateEvalRequests(generateCatalogue({ ...seed, count: options.size }), { ...seed, count: options.requests });
      if (!options.agent) {
        await localCatalogue(options, async (catalogue) =>
          print(options, requests.length, await searchLanes(catalogue, requests), undefined),
        );
        return;
      }
      if (!options.model) {
        const { search, agent } = await scriptedRun(options, requests);
        print(options, requests.length, search, agent);
        return;
      }
      const client = new EvalHubClient(adminTarget(options));
      const agent = await evaluateAgentLane({
        hub: client,
        tenantId: await evalTenant(client, options.tenant),
        model: options.model,
        requests,
        size: options.size,
        ...seed,
        concurrency: options.concurrency,
        ...(options.embeddingModel ? { embeddingModel: options.embeddingModel } : {}),
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      await localCatalogue(options, async (catalogue) => print(options, requests.length, await searchLanes(catalogue, requests), agent));
    });
}
