import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tierAt } from '../model.js';
import { catalogueJsonText, generateCatalogue, generateEvalRequests, relevanceOf } from './generator.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the synthetic supplier catalogue', () => {
  it('is byte-identical for the same seed and differs for another', () => {
    const first = catalogueJsonText(generateCatalogue({ seed: 7, count: 500 }));
    const again = catalogueJsonText(generateCatalogue({ seed: 7, count: 500 }));
    const other = catalogueJsonText(generateCatalogue({ seed: 8, count: 500 }));
    expect(sha(again)).toBe(sha(first));
    expect(sha(other)).not.toBe(sha(first));
  });

  it('makes 3,000 well-formed suppliers by default, in English and Chinese', () => {
    const suppliers = generateCatalogue();
    expect(suppliers).toHaveLength(3000);
    expect(new Set(suppliers.map((supplier) => supplier.id)).size).toBe(3000);
    for (const supplier of suppliers) {
      const [first, second, third] = supplier.priceTiers;
      expect(first.minQuantity).toBe(supplier.moq);
      expect(second.minQuantity).toBeGreaterThan(first.minQuantity);
      expect(third.minQuantity).toBeGreaterThan(second.minQuantity);
      expect(second.unitPriceCents).toBeLessThanOrEqual(first.unitPriceCents);
      expect(third.unitPriceCents).toBeLessThanOrEqual(second.unitPriceCents);
      expect(supplier.nameZh).toMatch(/[\u4e00-\u9fff]+有限公司$/);
      expect(supplier.descriptionZh).toMatch(/[\u4e00-\u9fff]/);
      expect(supplier.products).toHaveLength(supplier.productsZh.length);
      expect(supplier.rating).toBeGreaterThanOrEqual(3);
      expect(supplier.rating).toBeLessThanOrEqual(5);
    }
    const categories = new Set(suppliers.map((supplier) => supplier.category));
    expect([...categories].sort()).toEqual(
      ['cosmetics', 'electronics', 'furniture', 'hardware', 'kitchenware', 'lighting', 'packaging', 'sporting', 'textiles', 'toys'].sort(),
    );
    expect(new Set(suppliers.map((supplier) => supplier.city))).toContain('Shenzhen');
    expect(suppliers.filter((supplier) => supplier.certifications.includes('ISO 9001')).length).toBeGreaterThan(500);
  });

  it('labels eval requests by what the suppliers truly offer', () => {
    const suppliers = generateCatalogue({ count: 3000 });
    const requests = generateEvalRequests(suppliers, { count: 20 });
    expect(requests).toHaveLength(20);
    expect(generateEvalRequests(suppliers, { count: 20 })).toEqual(requests);
    for (const request of requests) {
      const satisfying = Object.entries(request.relevance).filter(([, grade]) => grade === 3);
      expect(satisfying.length).toBeGreaterThanOrEqual(5);
      for (const [id, grade] of Object.entries(request.relevance)) {
        const supplier = suppliers.find((candidate) => candidate.id === id);
        if (!supplier) throw new Error(id);
        if (grade === 3) {
          expect(supplier.products).toContain(request.product);
          expect(supplier.moq).toBeLessThanOrEqual(request.criteria.quantity);
          expect(tierAt(supplier, request.criteria.quantity).unitPriceCents).toBeLessThanOrEqual(request.criteria.targetPriceCents);
          expect(supplier.leadDays).toBeLessThanOrEqual(request.criteria.maxLeadDays);
          for (const certification of request.criteria.certifications) expect(supplier.certifications).toContain(certification);
          expect(supplier.exportMarkets).toContain(request.criteria.market);
        }
      }
      const unlabelled = suppliers.filter((supplier) => !(supplier.id in request.relevance));
      for (const supplier of unlabelled.slice(0, 200)) expect(relevanceOf(supplier, request)).toBe(0);
    }
    expect(requests.some((request) => request.language === 'zh')).toBe(true);
  });
});
