import type { SupplierCatalogueRepository } from '../../../storage/index.js';
import type { EvalRequest } from '../catalogue/generator.js';
import { type SemanticRanker, searchSuppliers } from '../search.js';
import { ndcgAtK, precisionAtK, type RankingReport, rankingReport } from './metrics.js';

/**
 * How the search is asked, per request: `criteria` — the request's constraints as structured filters and
 * its product as the text (what a model that read the request well would pass); `text` — the seller's whole
 * sentence as the only input, no filters (full-text search alone).
 */
export type SearchEvalMode = 'criteria' | 'text';

export interface SearchEvalResult extends RankingReport {
  mode: SearchEvalMode;
  perRequest: { id: string; ranking: string[]; precisionAt5: number; ndcgAt10: number }[];
}

export async function evaluateSearch(
  catalogue: SupplierCatalogueRepository,
  requests: readonly EvalRequest[],
  mode: SearchEvalMode,
  options: { semantic?: SemanticRanker } = {},
): Promise<SearchEvalResult> {
  const perRequest: SearchEvalResult['perRequest'] = [];
  for (const request of requests) {
    const outcome = await searchSuppliers(
      catalogue,
      mode === 'criteria' ? { ...request.criteria, limit: 10 } : { query: request.text, limit: 10 },
      options.semantic ? { semantic: options.semantic } : {},
    );
    const ranking = outcome.matches.map((match) => match.supplier.id);
    perRequest.push({
      id: request.id,
      ranking,
      precisionAt5: precisionAtK(ranking, request.relevance, 5),
      ndcgAt10: ndcgAtK(ranking, request.relevance, 10),
    });
  }
  const report = rankingReport(
    perRequest.map((entry, index) => ({ ranking: entry.ranking, labels: (requests[index] as EvalRequest).relevance })),
  );
  return { mode, ...report, perRequest };
}
