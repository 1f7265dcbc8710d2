/**
 * The supplier-matching app: a seller describes a product and its constraints; the app finds factories in a
 * catalogue, compares them, drafts RFQs, and — once a person approved which to send — compares the replies.
 *
 * - the catalogue: a deterministic generator of a synthetic one (`generateCatalogue`, a few thousand factories
 *   with English and Chinese names and descriptions) and an import from CSV or JSON (`importCatalogue`), held per
 *   installation in the hub database (`SupplierCatalogueRepository` in storage);
 * - the search: PostgreSQL full-text search (English stemmed, Chinese by character bigrams) within structured
 *   filters, ranked and explained per supplier, with an optional semantic ranker (`searchSuppliers`);
 * - the tools `search_suppliers`, `compare_suppliers`, `draft_rfq`, `simulate_replies` (`runSupplierTool`);
 * - the installer `SupplierMatchApp` (catalogue, agent, the `supplier-match` workflow of workflow.yaml);
 * - the eval: labelled requests from the generator (`generateEvalRequests`), precision@5 and nDCG@10 of the search
 *   asked directly (`evaluateSearch`) and of the installed agent run through the hub (`evaluateAgentLane`).
 */
export {
  catalogueJsonText,
  DEFAULT_SEED,
  DEFAULT_SUPPLIER_COUNT,
  type EvalRequest,
  generateCatalogue,
  generateEvalRequests,
  type Relevance,
  relevanceOf,
  type SupplierCriteria,
} from './catalogue/generator.js';
export { CSV_COLUMNS, catalogueCsv, type ImportProblem, importCatalogue, parseCatalogue } from './catalogue/import.js';
export {
  type AgentLaneHub,
  type AgentLaneOptions,
  type AgentLaneResult,
  type AgentLaneSearch,
  evaluateAgentLane,
  scriptedSearchScript,
  searchesOf,
} from './eval/agent-lane.js';
export { ndcgAtK, precisionAtK, type RankingReport, rankingReport } from './eval/metrics.js';
export { evaluateSearch, type SearchEvalMode, type SearchEvalResult } from './eval/search-eval.js';
export { type PriceTier, type Supplier, type SupplierJson, supplierJson, tierAt } from './model.js';
export {
  embeddingRanker,
  type SearchOutcome,
  type SearchRequest,
  type SemanticRanker,
  type SupplierMatch,
  searchSuppliers,
} from './search.js';
export {
  SUPPLIER_MATCH_APP,
  type SupplierEmbeddingCall,
  type SupplierEmbeddings,
  SupplierMatchApp,
  type SupplierMatchInstallation,
  type SupplierMatchInstallRequest,
  supplierMatchWorkflow,
  supplierToolRef,
} from './supplier-match-app.js';
export { runSupplierTool, SUPPLIER_TOOLS, type SupplierToolName, type SupplierToolSpec } from './tools.js';
