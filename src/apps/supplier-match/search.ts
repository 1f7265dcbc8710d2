import { cjkBigrams, latinWords, type SupplierCatalogueRepository, type SupplierFilters } from '../../storage/index.js';
import type { SupplierCriteria } from './catalogue/generator.js';
import { type Supplier, tierAt, usd } from './model.js';

/**
 * Semantic similarity between the request and candidate suppliers, when an embedding model is routed: one
 * number per text, higher is closer (cosine similarity for embeddings). Absent, the search ranks by text and
 * structure only.
 */
export interface SemanticRanker {
  similarities(query: string, texts: readonly string[]): Promise<number[]>;
}

/** A `SemanticRanker` over any embedding function (e.g. the gateway's `/v1/embeddings` for a routed model). */
export function embeddingRanker(embed: (texts: string[]) => Promise<number[][]>): SemanticRanker {
  return {
    async similarities(query, texts) {
      const [queryVector, ...vectors] = await embed([query, ...texts]);
      if (!queryVector || vectors.length !== texts.length) throw new Error('the embedding model answered the wrong number of vectors');
      return vectors.map((vector) => cosine(queryVector, vector));
    },
  };
}

function cosine(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const a = left[index] as number;
    const b = right[index] as number;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}

export interface SearchRequest extends SupplierCriteria {
  /** How many to return (default 10, at most 50). */
  limit?: number;
}

export interface SupplierMatch {
  supplier: Supplier;
  score: number;
  textRank: number;
  /** Present when a semantic ranker took part. */
  semantic?: number;
  /** The price tier at the requested quantity (the first without one) and its unit price. */
  tier: 1 | 2 | 3;
  unitPriceCents: number;
  /** Why it is here, in the words a seller reads: "meets MOQ 500, ISO 9001, 12-day lead time, price tier 2 of 3". */
  reasons: string[];
  explanation: string;
}

export interface SearchOutcome {
  matches: SupplierMatch[];
  /** How many suppliers passed the filters (and the text, when it matched), up to the candidate pool. */
  candidates: number;
  /** False when no supplier matched the text and the ranking fell back to the filters alone. */
  textMatched: boolean;
  semantic: boolean;
  /** Why semantic similarity was asked for and not used (the embedding call failed): the ranking is text and filters only. */
  semanticError?: string;
}

// Enough to rank well past the first page without reading a whole catalogue into memory.
const CANDIDATE_POOL = 300;
const WEIGHTS = { text: 0.5, semantic: 0.3, price: 0.15, lead: 0.1, rating: 0.25 };

const filtersOf = (request: SearchRequest): SupplierFilters => ({
  ...(request.category ? { category: request.category } : {}),
  ...(request.quantity !== undefined ? { quantity: request.quantity } : {}),
  ...(request.targetPriceCents !== undefined ? { maxUnitPriceCents: request.targetPriceCents } : {}),
  ...(request.certifications && request.certifications.length > 0 ? { certifications: request.certifications } : {}),
  ...(request.maxLeadDays !== undefined ? { maxLeadDays: request.maxLeadDays } : {}),
  ...(request.market ? { market: request.market } : {}),
  ...(request.city ? { city: request.city } : {}),
  ...(request.province ? { province: request.province } : {}),
});

/** The words and bigrams of the query that a supplier's own text holds (for the explanation). */
function matchedTerms(query: string | undefined, supplier: Supplier): string[] {
  if (!query) return [];
  const haystack = [
    supplier.nameEn,
    supplier.nameZh,
    ...supplier.products,
    ...supplier.productsZh,
    supplier.descriptionEn,
    supplier.descriptionZh,
  ]
    .join(' ')
    .toLowerCase();
  const terms = [...new Set(latinWords(query).filter((word) => word.length > 2 || /\d/.test(word)))];
  // A crude stem for the explanation only (the index stems properly): "speakers" shows as matched by "speaker".
  const english = terms.filter((word) => haystack.includes(word) || haystack.includes(word.replace(/(es|s)$/, '')));
  const chinese = cjkBigrams(query).filter((gram) => haystack.includes(gram));
  return [...english, ...chinese];
}

function reasonsFor(supplier: Supplier, request: SearchRequest, tier: 1 | 2 | 3, unitPriceCents: number, terms: string[]): string[] {
  const reasons: string[] = [];
  if (terms.length > 0) reasons.push(`matches “${terms.slice(0, 4).join(' ')}”`);
  reasons.push(request.quantity !== undefined ? `meets MOQ ${supplier.moq} (you need ${request.quantity})` : `MOQ ${supplier.moq}`);
  const certifications = request.certifications?.length ? request.certifications : supplier.certifications;
  if (certifications.length > 0) reasons.push(certifications.join(', '));
  reasons.push(`${supplier.leadDays}-day lead time${request.maxLeadDays !== undefined ? ` (≤ ${request.maxLeadDays})` : ''}`);
  reasons.push(
    `price tier ${tier} of 3: ${usd(unitPriceCents)}/unit${request.targetPriceCents !== undefined ? ` (target ${usd(request.targetPriceCents)})` : ''}`,
  );
  if (request.market) reasons.push(`exports to ${request.market}`);
  reasons.push(`${supplier.city}, ${supplier.province}`);
  reasons.push(`rated ${supplier.rating.toFixed(1)}`);
  return reasons;
}

/**
 * Suppliers for a seller's request: the catalogue's full-text search (English and Chinese) within the
 * structured filters, then a ranking that adds how far under the target price and lead time each one is, its
 * rating, and semantic similarity when a ranker is given. Every match says why it is there.
 */
export async function searchSuppliers(
  catalogue: SupplierCatalogueRepository,
  request: SearchRequest,
  options: { semantic?: SemanticRanker } = {},
): Promise<SearchOutcome> {
  const limit = Math.min(Math.max(request.limit ?? 10, 1), 50);
  const filters = filtersOf(request);
  let hits = await catalogue.search(filters, request.query, CANDIDATE_POOL);
  let textMatched = Boolean(request.query);
  if (hits.length === 0 && request.query) {
    hits = await catalogue.search(filters, undefined, CANDIDATE_POOL);
    textMatched = false;
  }
  let semantic: number[] | undefined;
  let semanticError: string | undefined;
  if (options.semantic && request.query && hits.length > 0) {
    try {
      semantic = await options.semantic.similarities(
        request.query,
        hits.map((hit) => `${hit.supplier.nameEn}. ${hit.supplier.products.join(', ')}. ${hit.supplier.descriptionEn}`),
      );
    } catch (error) {
      // A search without its semantic part still answers the seller; the result says why it is missing.
      semanticError = error instanceof Error ? error.message : String(error);
    }
  }
  const topText = Math.max(...hits.map((hit) => hit.textRank), 0);
  const matches = hits.map((hit, index): SupplierMatch => {
    const { supplier } = hit;
    const { tier, unitPriceCents } = tierAt(supplier, request.quantity ?? supplier.moq);
    const text = topText > 0 ? hit.textRank / topText : 0;
    const price = request.targetPriceCents
      ? Math.min(Math.max((request.targetPriceCents - unitPriceCents) / request.targetPriceCents, 0), 0.5) * 2
      : 0;
    const lead = request.maxLeadDays ? Math.min(Math.max((request.maxLeadDays - supplier.leadDays) / request.maxLeadDays, 0), 1) : 0;
    const similarity = semantic?.[index];
    const score =
      WEIGHTS.text * text +
      WEIGHTS.price * price +
      WEIGHTS.lead * lead +
      WEIGHTS.rating * (supplier.rating / 5) +
      (similarity !== undefined ? WEIGHTS.semantic * similarity : 0);
    const reasons = reasonsFor(supplier, request, tier, unitPriceCents, matchedTerms(request.query, supplier));
    return {
      supplier,
      score: Math.round(score * 10_000) / 10_000,
      textRank: hit.textRank,
      ...(similarity !== undefined ? { semantic: Math.round(similarity * 10_000) / 10_000 } : {}),
      tier,
      unitPriceCents,
      reasons,
      explanation: reasons.join(', '),
    };
  });
  // Ties keep the catalogue's text order, so the ranking is deterministic.
  const ranked = matches
    .map((match, order) => ({ match, order }))
    .sort((left, right) => right.match.score - left.match.score || left.order - right.order)
    .map(({ match }) => match);
  return {
    matches: ranked.slice(0, limit),
    candidates: hits.length,
    textMatched,
    semantic: semantic !== undefined,
    ...(semanticError !== undefined ? { semanticError } : {}),
  };
}
