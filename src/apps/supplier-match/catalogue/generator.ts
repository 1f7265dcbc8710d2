import { type PriceTier, type Supplier, supplierJson, tierAt, usd } from '../model.js';
import { Prng } from './prng.js';
import { BRAND_WORDS, CAPABILITIES, CAPABILITIES_ZH, CATEGORIES, type Category, CITIES, MARKETS } from './vocabulary.js';

export const DEFAULT_SEED = 20_240_601;
export const DEFAULT_SUPPLIER_COUNT = 3000;

/** A rounded quantity buyers and factories quote: 50, 100, 250, 500, 1,000, … */
function roundQuantity(value: number): number {
  const steps = [
    10, 20, 50, 100, 200, 250, 300, 500, 800, 1000, 1500, 2000, 2500, 3000, 5000, 8000, 10_000, 15_000, 20_000, 30_000, 50_000,
  ];
  let best = steps[0] as number;
  for (const step of steps) if (Math.abs(step - value) < Math.abs(best - value)) best = step;
  if (value > 50_000) best = Math.round(value / 10_000) * 10_000;
  return best;
}

const categoryOf = (id: string): Category => {
  const category = CATEGORIES.find((candidate) => candidate.id === id);
  if (!category) throw new Error(`no category ${id}`);
  return category;
};

function generateSupplier(random: Prng, index: number): Supplier {
  const category = random.pick(CATEGORIES);
  const cityKey = random.pick(category.cities);
  const city = CITIES[cityKey];
  if (!city) throw new Error(`no city ${cityKey}`);
  const [brand, brandZh] = random.pick(BRAND_WORDS);
  const wordIndex = random.int(0, category.nameWords.length - 1);
  const nameEn = `${city.en} ${brand} ${category.nameWords[wordIndex]} Co., Ltd.`;
  const nameZh = `${city.zh}市${brandZh}${category.nameWordsZh[wordIndex]}有限公司`;
  const products = random.sample(category.products, random.int(1, Math.min(3, category.products.length)));
  const capabilities = random.sample(CAPABILITIES, random.int(1, 4));
  const certifications = category.certifications.filter((certification) => random.chance(certification === 'ISO 9001' ? 0.6 : 0.4));
  const exportMarkets = random.sample(MARKETS, random.int(1, 5));
  const moq = roundQuantity(category.moq[0] * (category.moq[1] / category.moq[0]) ** random.next());
  const leadDays = random.int(category.leadDays[0], category.leadDays[1]);
  const anchor = products[0];
  if (!anchor) throw new Error('a supplier without products');
  const first = Math.max(1, Math.round(anchor.priceCents * (0.75 + random.next() * 0.6)));
  const second = Math.max(1, Math.round(first * (0.86 + random.next() * 0.08)));
  const third = Math.max(1, Math.round(second * (0.85 + random.next() * 0.08)));
  const secondMin = roundQuantity(moq * random.int(3, 5));
  const thirdMin = Math.max(secondMin + 1, roundQuantity(secondMin * random.int(3, 5)));
  const priceTiers: [PriceTier, PriceTier, PriceTier] = [
    { minQuantity: moq, unitPriceCents: first },
    { minQuantity: Math.max(moq + 1, secondMin), unitPriceCents: second },
    { minQuantity: Math.max(moq + 2, thirdMin), unitPriceCents: third },
  ];
  const founded = random.int(1988, 2020);
  const employees = roundQuantity(20 + random.next() ** 2 * 2000);
  const exportYears = Math.max(1, Math.min(2025 - founded, random.int(1, 25)));
  const rating = Math.round((3 + random.next() * 2) * 10) / 10;
  const productList = products.map((product) => `${product.en}s`).join(', ');
  const marketList = exportMarkets.join(', ');
  const descriptionEn =
    `${category.en} manufacturer in ${city.en}, ${city.province}, founded in ${founded} with about ${employees} employees. ` +
    `We make ${productList}; services: ${capabilities.join(', ')}. ` +
    (certifications.length > 0 ? `Certified: ${certifications.join(', ')}. ` : '') +
    `${exportYears} years of export experience to ${marketList}.`;
  const descriptionZh =
    `${city.provinceZh}${city.zh}${category.zh}生产厂家，成立于${founded}年，员工约${employees}人。` +
    `主营${products.map((product) => product.zh).join('、')}；服务：${capabilities.map((capability) => CAPABILITIES_ZH[capability] ?? capability).join('、')}。` +
    (certifications.length > 0 ? `认证：${certifications.join('、')}。` : '') +
    `出口经验${exportYears}年，市场：${marketList}。`;
  return {
    id: `sup_${String(index + 1).padStart(5, '0')}`,
    nameEn,
    nameZh,
    descriptionEn,
    descriptionZh,
    category: category.id,
    products: products.map((product) => product.en),
    productsZh: products.map((product) => product.zh),
    capabilities,
    moq,
    priceTiers,
    leadDays,
    certifications,
    city: city.en,
    province: city.province,
    exportMarkets,
    exportYears,
    rating,
    founded,
    employees,
  };
}

/** A synthetic catalogue of `count` factories; the same seed gives the same catalogue, byte for byte. */
export function generateCatalogue(options: { seed?: number; count?: number } = {}): Supplier[] {
  const random = new Prng(options.seed ?? DEFAULT_SEED);
  const count = options.count ?? DEFAULT_SUPPLIER_COUNT;
  return Array.from({ length: count }, (_, index) => generateSupplier(random, index));
}

/** The catalogue as the JSON the import reads (one supplier per line inside the array, for diffs). */
export function catalogueJsonText(suppliers: readonly Supplier[]): string {
  return `[\n${suppliers.map((supplier) => JSON.stringify(supplierJson(supplier))).join(',\n')}\n]\n`;
}

/** What a seller asks for, as the search tool takes it. Money in US cents. */
export interface SupplierCriteria {
  /** Free text: the product and anything else the seller said (English or Chinese). */
  query?: string;
  category?: string;
  quantity?: number;
  /** The most the seller pays per unit at `quantity`'s tier. */
  targetPriceCents?: number;
  certifications?: string[];
  maxLeadDays?: number;
  market?: string;
  city?: string;
  province?: string;
}

/** 3: meets every constraint and makes the product; 2: makes it, misses lead time or price by ≤ 20 %; 1: meets every constraint with another product of the category. */
export type Relevance = 0 | 1 | 2 | 3;

export interface EvalRequest {
  id: string;
  language: 'en' | 'zh';
  /** The seller's words. */
  text: string;
  product: string;
  criteria: Required<
    Pick<SupplierCriteria, 'query' | 'category' | 'quantity' | 'targetPriceCents' | 'certifications' | 'maxLeadDays' | 'market'>
  >;
  /** Suppliers with relevance above 0 (every other supplier is 0). */
  relevance: Record<string, Exclude<Relevance, 0>>;
}

/** How well a supplier answers a request, from the catalogue's own fields (the labels of the eval). */
export function relevanceOf(supplier: Supplier, request: Pick<EvalRequest, 'product' | 'criteria'>): Relevance {
  const { criteria } = request;
  if (supplier.category !== criteria.category) return 0;
  const base =
    supplier.moq <= criteria.quantity &&
    criteria.certifications.every((certification) => supplier.certifications.includes(certification)) &&
    supplier.exportMarkets.includes(criteria.market);
  if (!base) return 0;
  const price = tierAt(supplier, criteria.quantity).unitPriceCents;
  const leadOk = supplier.leadDays <= criteria.maxLeadDays;
  const priceOk = price <= criteria.targetPriceCents;
  const makes = supplier.products.includes(request.product);
  if (makes && leadOk && priceOk) return 3;
  if (makes) {
    const nearLead = leadOk || supplier.leadDays <= criteria.maxLeadDays * 1.2;
    const nearPrice = priceOk || price <= criteria.targetPriceCents * 1.2;
    return (leadOk || priceOk) && nearLead && nearPrice ? 2 : 0;
  }
  return leadOk && priceOk ? 1 : 0;
}

/**
 * Labelled seller requests for the eval: each is built around one supplier of the catalogue (so at least one
 * answer exists), worded as a seller would, and labelled against every supplier with `relevanceOf`. Only
 * requests that at least `minRelevant` suppliers fully satisfy are kept, so precision@5 can reach 1.
 */
export function generateEvalRequests(
  suppliers: readonly Supplier[],
  options: { seed?: number; count?: number; minRelevant?: number } = {},
): EvalRequest[] {
  const random = new Prng((options.seed ?? DEFAULT_SEED) ^ 0x5eed);
  const count = options.count ?? 50;
  const minRelevant = options.minRelevant ?? 5;
  const requests: EvalRequest[] = [];
  for (let attempt = 0; requests.length < count && attempt < count * 50; attempt++) {
    const anchor = random.pick(suppliers);
    const productIndex = random.int(0, anchor.products.length - 1);
    const product = anchor.products[productIndex] as string;
    const productZh = anchor.productsZh[productIndex] as string;
    const quantity = Math.max(anchor.moq, roundQuantity(anchor.moq * (1.2 + random.next() * 5)));
    const certifications = random.sample(anchor.certifications, random.int(0, Math.min(2, anchor.certifications.length))).sort();
    const maxLeadDays = anchor.leadDays + random.int(0, 10);
    const targetPriceCents = Math.ceil(tierAt(anchor, quantity).unitPriceCents * (1 + random.next() * 0.3));
    const market = random.pick(anchor.exportMarkets);
    const language = random.chance(0.3) ? 'zh' : 'en';
    const criteria = {
      query: language === 'zh' ? productZh : product,
      category: anchor.category,
      quantity,
      targetPriceCents,
      certifications,
      maxLeadDays,
      market,
    };
    const relevance: Record<string, Exclude<Relevance, 0>> = {};
    let satisfied = 0;
    for (const supplier of suppliers) {
      const grade = relevanceOf(supplier, { product, criteria });
      if (grade > 0) relevance[supplier.id] = grade as Exclude<Relevance, 0>;
      if (grade === 3) satisfied += 1;
    }
    if (satisfied < minRelevant) continue;
    const certificationText = certifications.length > 0 ? certifications.join(language === 'zh' ? '、' : ' and ') : '';
    const text =
      language === 'zh'
        ? `我们需要${quantity}件${productZh}，出口${market}市场。${certificationText ? `需要${certificationText}认证。` : ''}目标单价不超过${usd(targetPriceCents)}，${maxLeadDays}天内交货。`
        : `We need ${quantity.toLocaleString('en-US')} ${product}s for the ${market} market.${certificationText ? ` They must be ${certificationText} certified.` : ''} Target price ${usd(targetPriceCents)} a unit or less, delivered within ${maxLeadDays} days.`;
    requests.push({ id: `req_${String(requests.length + 1).padStart(3, '0')}`, language, text, product, criteria, relevance });
  }
  return requests;
}

export { categoryOf };
