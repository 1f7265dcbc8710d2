import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { AgentRuntime, AgentTool, ToolOutcome } from '../../agents/index.js';
import { type Clock, HubError, newId, systemClock } from '../../core/index.js';
import {
  type AppInstallationRecord,
  AppInstallationsRepository,
  type Database,
  RunsRepository,
  SupplierCatalogueRepository,
} from '../../storage/index.js';
import type { WorkflowService } from '../../workflows/index.js';
import { DEFAULT_SEED, DEFAULT_SUPPLIER_COUNT, generateCatalogue } from './catalogue/generator.js';
import type { Supplier } from './model.js';
import { embeddingRanker } from './search.js';
import { runSupplierTool, SUPPLIER_TOOLS, type SupplierToolName } from './tools.js';

export const SUPPLIER_MATCH_APP = 'supplier-match';
/** The registry name of a supplier tool (app tool names are global; the model sees the tool's own name). */
export const supplierToolRef = (tool: string): string => `supplier-match-${tool}`;

const INSTRUCTIONS = `You help an online seller source products from Chinese factories. Use search_suppliers to find
factories in the catalogue (pass the product as query, and quantity, target price, certifications, lead time and market
when the seller gave them), compare_suppliers to set the best side by side, and draft_rfq to draft requests for quotation.
Never claim an RFQ was sent: a person approves which ones go out. Say plainly what the seller left unclear (the market's
certifications, a price below what the catalogue offers at that quantity, a lead time too short).`;

export interface SupplierMatchInstallRequest {
  tenantId: string;
  model: string;
  /** The installation's name, unique per tenant (default `supplier-match`); it also names the agent and the workflow. */
  name?: string;
  /** The generated catalogue's seed and size (default 20240601 and 3,000), unless `suppliers` is given. */
  seed?: number;
  size?: number;
  /** A real catalogue instead of the generated one (already validated, see `importCatalogue`). */
  suppliers?: Supplier[];
  /** An embedding model the hub routes: searches then blend semantic similarity (absent: text and filters only). */
  embeddingModel?: string;
}

/** One embeddings call of a search, made for a run: the key that started the run pays, its ledger row names the run. */
export interface SupplierEmbeddingCall {
  tenantId: string;
  keyId: string;
  model: string;
  runId: string;
  agent?: string;
  workflow?: string;
  threadId: string | null;
}

/** Embeds texts through the hub's gateway (admitted, metered and billed like any call): one vector per text, in order. */
export type SupplierEmbeddings = (texts: string[], call: SupplierEmbeddingCall) => Promise<number[][]>;

export interface SupplierMatchInstallation {
  installation: AppInstallationRecord;
  agent: string;
  workflow: string;
  suppliers: number;
}

/** The shipped workflow document, next to this module (the build copies it into dist: scripts/copy-build-assets.js). */
function workflowTemplate(): Record<string, unknown> {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'workflow.yaml');
  return parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The template under the installation's name: the workflow's own name and its agent step's agent. */
export function supplierMatchWorkflow(name: string): Record<string, unknown> {
  const document = workflowTemplate();
  (document.metadata as Record<string, unknown>).name = name;
  for (const step of (document.spec as { steps: Record<string, unknown>[] }).steps) {
    if (step.kind === 'agent') step.agent = name;
  }
  return document;
}

/**
 * The supplier-matching app on the agent runtime: installs (a catalogue, generated or imported, an agent whose
 * tools search it, and the `supplier-match` workflow with its approval step), and serves its tools to runs of
 * that agent and of that workflow. The installation's name names the agent and the workflow both, so a tool
 * call finds its installation from the run's subject whichever of the two it belongs to.
 */
export class SupplierMatchApp {
  private readonly db: Database;
  private readonly runtime: AgentRuntime;
  private readonly workflows: WorkflowService;
  private readonly clock: Clock;
  private readonly installations: AppInstallationsRepository;
  private readonly embeddings: SupplierEmbeddings | undefined;

  constructor(options: {
    db: Database;
    runtime: AgentRuntime;
    workflows: WorkflowService;
    clock?: Clock;
    /** The hub's embeddings, for installations that name an embedding model (absent: text and filters only). */
    embeddings?: SupplierEmbeddings;
  }) {
    this.db = options.db;
    this.runtime = options.runtime;
    this.workflows = options.workflows;
    this.clock = options.clock ?? systemClock;
    this.installations = new AppInstallationsRepository(options.db);
    this.embeddings = options.embeddings;
    for (const tool of SUPPLIER_TOOLS) {
      options.runtime.appTools.register(supplierToolRef(tool.name), (context) => this.toolFor(tool.name, context));
    }
  }

  async install(request: SupplierMatchInstallRequest): Promise<SupplierMatchInstallation> {
    const name = request.name ?? SUPPLIER_MATCH_APP;
    const id = newId('ins');
    await this.runtime.agents.create(request.tenantId, {
      name,
      model: request.model,
      instructions: INSTRUCTIONS,
      tools: SUPPLIER_TOOLS.map((tool) => ({ type: 'app', name: supplierToolRef(tool.name), idempotent: tool.idempotent })),
      limits: { max_turns: 12, max_tool_calls: 20, timeout_s: 300 },
      metadata: { app: SUPPLIER_MATCH_APP, installation: id },
    });
    const undo = async () => {
      await this.workflows.delete(request.tenantId, name).catch(() => {});
      await this.runtime.agents.delete(request.tenantId, name).catch(() => {});
    };
    try {
      await this.workflows.apply(request.tenantId, supplierMatchWorkflow(name));
    } catch (error) {
      await undo();
      throw error;
    }
    const seed = request.seed ?? DEFAULT_SEED;
    const size = request.size ?? DEFAULT_SUPPLIER_COUNT;
    const installation = await this.installations.create(
      {
        id,
        tenantId: request.tenantId,
        app: SUPPLIER_MATCH_APP,
        name,
        agent: name,
        keyId: null,
        config: {
          model: request.model,
          workflow: name,
          catalogue: request.suppliers ? { source: 'import' } : { source: 'generated', seed, size },
          ...(request.embeddingModel ? { embedding_model: request.embeddingModel } : {}),
        },
      },
      this.now(),
    );
    if (!installation) {
      await undo();
      throw new HubError('CONFLICT', `The supplier-match app is installed as \`${name}\` already.`, {
        code: 'app_installed',
        param: 'name',
      });
    }
    const suppliers = request.suppliers ?? generateCatalogue({ seed, count: size });
    await new SupplierCatalogueRepository(this.db, request.tenantId, id).insertMany(suppliers);
    return { installation, agent: name, workflow: name, suppliers: suppliers.length };
  }

  async installation(id: string, tenantId?: string): Promise<AppInstallationRecord> {
    const found = await this.installations.get(id);
    if (!found || found.app !== SUPPLIER_MATCH_APP || (tenantId !== undefined && found.tenantId !== tenantId)) {
      throw new HubError('NOT_FOUND', `No supplier-match installation \`${id}\`.`, { code: 'installation_not_found' });
    }
    return found;
  }

  list(tenantId?: string): Promise<AppInstallationRecord[]> {
    return this.installations.list({ app: SUPPLIER_MATCH_APP, ...(tenantId ? { tenantId } : {}) });
  }

  async catalogue(id: string, tenantId?: string): Promise<SupplierCatalogueRepository> {
    const installation = await this.installation(id, tenantId);
    return new SupplierCatalogueRepository(this.db, installation.tenantId, installation.id);
  }

  /** Replaces an installation's catalogue with an imported one, in one transaction. */
  async replaceCatalogue(id: string, suppliers: Supplier[], tenantId?: string): Promise<number> {
    return (await this.catalogue(id, tenantId)).replace(suppliers);
  }

  private async toolFor(name: SupplierToolName, context: { tenantId: string; runId: string }): Promise<AgentTool> {
    const tool = SUPPLIER_TOOLS.find((candidate) => candidate.name === name);
    if (!tool) throw new Error(`no supplier tool ${name}`);
    const run = await new RunsRepository(this.db, context.tenantId).get(context.runId);
    const installation = run ? await this.installations.byAgent(context.tenantId, SUPPLIER_MATCH_APP, run.subject) : undefined;
    const embeddingModel = installation?.config.embedding_model;
    const keyId = run?.input.key_id;
    const embed = this.embeddings;
    const semantic =
      run && embed && typeof embeddingModel === 'string' && typeof keyId === 'string'
        ? embeddingRanker((texts) =>
            embed(texts, {
              tenantId: context.tenantId,
              keyId,
              model: embeddingModel,
              runId: run.id,
              ...(run.kind === 'workflow' ? { workflow: run.subject } : { agent: run.subject }),
              ...(run.kind !== 'workflow' && typeof run.input.workflow === 'string' ? { workflow: run.input.workflow } : {}),
              threadId: run.threadId,
            }),
          )
        : undefined;
    return {
      spec: { name: tool.name, description: tool.description, parameters: tool.parameters },
      approval: 'never',
      idempotent: tool.idempotent,
      invoke: async (args): Promise<ToolOutcome> => {
        if (!installation) return { type: 'error', message: 'This run is not of an installation of the supplier-match app.' };
        const result = await runSupplierTool(name, args, {
          catalogue: new SupplierCatalogueRepository(this.db, context.tenantId, installation.id),
          ...(semantic ? { semantic } : {}),
        });
        return result.ok ? { type: 'result', content: JSON.stringify(result.content) } : { type: 'error', message: result.error };
      },
    };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
