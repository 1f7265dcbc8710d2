/**
 * The supplier search over the generated catalogue of 3,000 factories in the hub database: structured
 * filters always hold, each match explains itself, it works without an embedding model and takes one into
 * account when given, and the eval's precision@5 and nDCG@10 over labelled requests stay at what was measured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, type TestDb } from '../../../test/support/test-db.js';
import { SupplierCatalogueRepository } from '../../storage/index.js';
import { generateCatalogue, generateEvalRequests } from './catalogue/generator.js';
import { evaluateSearch } from './eval/search-eval.js';
import { tierAt } from './model.js';
import { embeddingRanker, searchSuppliers } from './search.js';

const SLOW = { timeout: 120_000 };

describe('supplier search', () => {
  let testDb: TestDb;
  let catalogue: SupplierCatalogueRepository;
  const suppliers = generateCatalogue();

  beforeAll(async () => {
    testDb = await getTestDb();
    catalogue = new SupplierCatalogueRepository(testDb.db, 'ten_s', 'ins_s');
    await catalogue.insertMany(suppliers);
  }, 120_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it('returns only suppliers that meet every constraint, each with its reasons', SLOW, async () => {
    const request = {
      query: 'bluetooth speaker',
      category: 'electronics',
      quantity: 2000,
      targetPriceCents: 900,
      certifications: ['CE'],
      maxLeadDays: 30,
      market: 'EU',
    };
    const outcome = await searchSuppliers(catalogue, { ...request, limit: 10 });
    expect(outcome.matches.length).toBeGreaterThan(0);
    expect(outcome.semantic).toBe(false);
    expect(outcome.textMatched).toBe(true);
    for (const match of outcome.matches) {
      const { supplier } = match;
      expect(supplier.moq).toBeLessThanOrEqual(2000);
      expect(tierAt(supplier, 2000).unitPriceCents).toBeLessThanOrEqual(900);
      expect(supplier.certifications).toContain('CE');
      expect(supplier.leadDays).toBeLessThanOrEqual(30);
      expect(supplier.exportMarkets).toContain('EU');
      expect(match.explanation).toContain(`meets MOQ ${supplier.moq} (you need 2000)`);
      expect(match.explanation).toMatch(new RegExp(`price tier ${match.tier} of 3: \\$\\d+\\.\\d\\d/unit \\(target \\$9\\.00\\)`));
      expect(match.explanation).toContain(`${supplier.leadDays}-day lead time (≤ 30)`);
    }
    // The product asked for ranks first: every supplier making it comes before any that does not.
    const makes = outcome.matches.map((match) => match.supplier.products.includes('bluetooth speaker'));
    expect(makes.indexOf(false) === -1 || makes.lastIndexOf(true) < makes.indexOf(false)).toBe(true);
    expect(makes[0]).toBe(true);
    expect(outcome.matches[0]?.explanation).toMatch(/^matches “bluetooth speaker”/);
  });

  it('finds Chinese requests through the bigram index', SLOW, async () => {
    const outcome = await searchSuppliers(catalogue, { query: '蓝牙音箱', limit: 5 });
    expect(outcome.matches).toHaveLength(5);
    for (const match of outcome.matches) expect(match.supplier.productsZh).toContain('蓝牙音箱');
  });

  it('falls back to the filters when the text matches nothing, and says so', SLOW, async () => {
    const outcome = await searchSuppliers(catalogue, { query: 'zzyzx', category: 'toys', limit: 3 });
    expect(outcome.textMatched).toBe(false);
    expect(outcome.matches.map((match) => match.supplier.category)).toEqual(['toys', 'toys', 'toys']);
  });

  it('blends in semantic similarity when an embedding model is given', SLOW, async () => {
    // A stand-in embedding: a vector that is 1 only for texts naming "Shenzhen" — it must lift those suppliers.
    const ranker = embeddingRanker(async (texts) => texts.map((text) => [text.includes('Shenzhen') || text === 'speaker' ? 1 : 0, 1]));
    const plain = await searchSuppliers(catalogue, { query: 'speaker', limit: 10 });
    const blended = await searchSuppliers(catalogue, { query: 'speaker', limit: 10 }, { semantic: ranker });
    expect(blended.semantic).toBe(true);
    expect(blended.matches.every((match) => match.semantic !== undefined)).toBe(true);
    const shenzhen = (outcome: typeof plain) => outcome.matches.filter((match) => match.supplier.city === 'Shenzhen').length;
    expect(shenzhen(blended)).toBeGreaterThan(shenzhen(plain));
  });

  it('measures precision@5 and nDCG@10 over 50 labelled requests', SLOW, async () => {
    const requests = generateEvalRequests(suppliers, { count: 50 });
    const criteria = await evaluateSearch(catalogue, requests, 'criteria');
    const text = await evaluateSearch(catalogue, requests, 'text');
    console.log(
      `supplier search eval (3,000 suppliers, 50 requests): criteria P@5 ${criteria.precisionAt5.toFixed(3)} nDCG@10 ${criteria.ndcgAt10.toFixed(3)}; ` +
        `text only P@5 ${text.precisionAt5.toFixed(3)} nDCG@10 ${text.ndcgAt10.toFixed(3)}`,
    );
    expect(criteria.requests).toBe(50);
    expect(criteria.precisionAt5).toBeGreaterThan(0.9);
    expect(criteria.ndcgAt10).toBeGreaterThan(0.8);
    expect(text.precisionAt5).toBeLessThan(criteria.precisionAt5);
  });
});
