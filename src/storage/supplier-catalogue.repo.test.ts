/**
 * The supplier catalogue (migration 24) on PGlite and PostgreSQL: a bulk insert round-trips every field,
 * full-text search finds English (stemmed) and Chinese (bigrams) text, every structured filter holds, and
 * no query of one installation or tenant reaches another's suppliers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { cjkBigrams, type SupplierCatalogueRecord, SupplierCatalogueRepository } from './index.js';

const SLOW = { timeout: 120_000 };

const supplier = (id: string, patch: Partial<SupplierCatalogueRecord> = {}): SupplierCatalogueRecord => ({
  id,
  nameEn: `Shenzhen ${id} Electronics Co., Ltd.`,
  nameZh: '深圳市明辉电子有限公司',
  descriptionEn: 'Consumer electronics manufacturer. We make bluetooth speakers.',
  descriptionZh: '广东深圳消费电子生产厂家，主营蓝牙音箱。',
  category: 'electronics',
  products: ['bluetooth speaker'],
  productsZh: ['蓝牙音箱'],
  capabilities: ['OEM', 'custom logo'],
  moq: 500,
  priceTiers: [
    { minQuantity: 500, unitPriceCents: 900 },
    { minQuantity: 2000, unitPriceCents: 800 },
    { minQuantity: 10000, unitPriceCents: 700 },
  ],
  leadDays: 20,
  certifications: ['CE', 'ISO 9001'],
  city: 'Shenzhen',
  province: 'Guangdong',
  exportMarkets: ['EU', 'US'],
  exportYears: 8,
  rating: 4.7,
  founded: 2009,
  employees: 300,
  ...patch,
});

describe('Chinese bigrams', () => {
  it('splits each run of Chinese characters into overlapping pairs', () => {
    expect(cjkBigrams('蓝牙音箱 LED灯泡 杯')).toEqual(['蓝牙', '牙音', '音箱', '灯泡', '杯']);
  });
});

describe.each(TEST_ENGINES)('supplier catalogue repository (%s)', (engine) => {
  let testDb: TestDb;
  let catalogue: SupplierCatalogueRepository;
  const ids = (hits: { supplier: SupplierCatalogueRecord }[]) => hits.map((hit) => hit.supplier.id).sort();

  beforeAll(async () => {
    testDb = await getTestDb({ engine });
    catalogue = new SupplierCatalogueRepository(testDb.db, 'ten_a', 'ins_1');
    await catalogue.insertMany([
      supplier('s1'),
      supplier('s2', { moq: 3000, leadDays: 35, certifications: ['RoHS'], exportMarkets: ['JP'], city: 'Dongguan' }),
      supplier('s3', {
        category: 'textiles',
        nameEn: 'Ningbo Everwin Garment Co., Ltd.',
        nameZh: '宁波市恒胜服装有限公司',
        products: ['cotton t-shirt'],
        productsZh: ['纯棉T恤'],
        descriptionEn: 'Garment factory making cotton t-shirts.',
        descriptionZh: '浙江宁波纺织服装生产厂家，主营纯棉T恤。',
        province: 'Zhejiang',
        city: 'Ningbo',
      }),
    ]);
    // The same ids in another installation and another tenant, with other text.
    await new SupplierCatalogueRepository(testDb.db, 'ten_a', 'ins_2').insertMany([
      supplier('s1', { products: ['power bank'], descriptionEn: 'power banks' }),
    ]);
    await new SupplierCatalogueRepository(testDb.db, 'ten_b', 'ins_1').insertMany([supplier('s9')]);
  }, 120_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it('round-trips every field of a bulk insert, in catalogue order', SLOW, async () => {
    expect(await catalogue.count()).toBe(3);
    const [first] = await catalogue.get(['s1']);
    expect(first).toEqual(supplier('s1'));
    expect((await catalogue.all()).map((row) => row.id)).toEqual(['s1', 's2', 's3']);
    expect((await catalogue.get(['s3', 'missing', 's1'])).map((row) => row.id)).toEqual(['s3', 's1']);
  });

  it('finds English text, stemmed, and ranks the name and products above the description', SLOW, async () => {
    expect(ids(await catalogue.search({}, 'Speakers', 10))).toEqual(['s1', 's2']);
    expect(ids(await catalogue.search({}, 't-shirts for summer', 10))).toEqual(['s3']);
    expect(await catalogue.search({}, 'sofa', 10)).toEqual([]);
    const ranked = await catalogue.search({}, 'speaker', 10);
    expect(ranked[0]?.textRank).toBeGreaterThan(0);
  });

  it('finds Chinese text by its bigrams, also inside a longer word', SLOW, async () => {
    expect(ids(await catalogue.search({}, '音箱', 10))).toEqual(['s1', 's2']);
    expect(ids(await catalogue.search({}, '我们需要纯棉T恤', 10))).toEqual(['s3']);
    expect(ids(await catalogue.search({}, '宁波', 10))).toEqual(['s3']);
  });

  it('applies every structured filter', SLOW, async () => {
    expect(ids(await catalogue.search({ category: 'Electronics' }, undefined, 10))).toEqual(['s1', 's2']);
    expect(ids(await catalogue.search({ quantity: 1000 }, undefined, 10))).toEqual(['s1', 's3']);
    expect(ids(await catalogue.search({ certifications: ['iso 9001', 'CE'] }, undefined, 10))).toEqual(['s1', 's3']);
    expect(ids(await catalogue.search({ maxLeadDays: 30 }, undefined, 10))).toEqual(['s1', 's3']);
    expect(ids(await catalogue.search({ market: 'jp' }, undefined, 10))).toEqual(['s2']);
    expect(ids(await catalogue.search({ city: 'dongguan' }, undefined, 10))).toEqual(['s2']);
    expect(ids(await catalogue.search({ province: 'Zhejiang' }, undefined, 10))).toEqual(['s3']);
    // 1,000 units buy at tier 1 ($9.00), 2,000 at tier 2 ($8.00): the price filter reads the quantity's tier.
    expect(ids(await catalogue.search({ quantity: 1000, maxUnitPriceCents: 850 }, undefined, 10))).toEqual([]);
    expect(ids(await catalogue.search({ quantity: 2000, maxUnitPriceCents: 850 }, undefined, 10))).toEqual(['s1', 's3']);
    expect(ids(await catalogue.search({ maxUnitPriceCents: 900 }, 'speaker', 10))).toEqual(['s1', 's2']);
  });

  it('keeps installations and tenants apart', SLOW, async () => {
    expect(ids(await catalogue.search({}, 'power bank', 10))).toEqual([]);
    expect(ids(await new SupplierCatalogueRepository(testDb.db, 'ten_a', 'ins_2').search({}, 'power bank', 10))).toEqual(['s1']);
    expect(await new SupplierCatalogueRepository(testDb.db, 'ten_b', 'ins_2').count()).toBe(0);
    expect((await new SupplierCatalogueRepository(testDb.db, 'ten_b', 'ins_1').all()).map((row) => row.id)).toEqual(['s9']);
  });

  it('replaces a catalogue in one go, and refuses a duplicate id without a partial insert', SLOW, async () => {
    const other = new SupplierCatalogueRepository(testDb.db, 'ten_c', 'ins_1');
    await other.insertMany([supplier('a'), supplier('b')]);
    await expect(other.insertMany([supplier('c'), supplier('a')])).rejects.toThrow();
    expect(await other.count()).toBe(2);
    expect(await other.replace([supplier('z')])).toBe(1);
    expect((await other.all()).map((row) => row.id)).toEqual(['z']);
  });
});
