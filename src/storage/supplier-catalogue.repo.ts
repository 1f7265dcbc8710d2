import type { Database, Queryable } from './database.js';
import { asNumber } from './values.js';

export interface SupplierPriceTier {
  minQuantity: number;
  unitPriceCents: number;
}

/** One factory of a supplier catalogue. Money in integer US cents; the first tier starts at the MOQ. */
export interface SupplierCatalogueRecord {
  id: string;
  nameEn: string;
  nameZh: string;
  descriptionEn: string;
  descriptionZh: string;
  category: string;
  /** Products it makes, in English and (same order) in Chinese. */
  products: string[];
  productsZh: string[];
  capabilities: string[];
  moq: number;
  /** Three tiers, ascending in quantity and descending in price. */
  priceTiers: [SupplierPriceTier, SupplierPriceTier, SupplierPriceTier];
  leadDays: number;
  certifications: string[];
  city: string;
  province: string;
  exportMarkets: string[];
  exportYears: number;
  /** 1.0–5.0. */
  rating: number;
  founded: number;
  employees: number;
}

/** The structured filters of a catalogue search; every one given must hold. Text comparisons ignore case. */
export interface SupplierFilters {
  category?: string;
  /** The order quantity: the supplier's MOQ must not exceed it; it also picks the price tier. */
  quantity?: number;
  /** The most per unit at `quantity`'s tier (the first tier without a quantity). */
  maxUnitPriceCents?: number;
  /** The supplier must hold every one. */
  certifications?: string[];
  maxLeadDays?: number;
  /** The supplier must export to it. */
  market?: string;
  city?: string;
  province?: string;
}

export interface SupplierSearchHit {
  supplier: SupplierCatalogueRecord;
  /** `ts_rank` of the text query (0 without one). */
  textRank: number;
}

const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
const LATIN_WORD = /[\p{L}\p{N}]+/gu;

/**
 * The character bigrams of the Chinese text in `text`, space-separated (a single character stands for
 * itself): how Chinese is indexed and queried (see the schema's note).
 */
export function cjkBigrams(text: string): string[] {
  const grams: string[] = [];
  for (const run of text.match(CJK_RUN) ?? []) {
    const characters = [...run];
    if (characters.length === 1) grams.push(run);
    for (let index = 0; index + 1 < characters.length; index++) grams.push(`${characters[index]}${characters[index + 1]}`);
  }
  return grams;
}

/** The words of `text` that are not Chinese, lower-cased. */
export function latinWords(text: string): string[] {
  return (text.replace(CJK_RUN, ' ').match(LATIN_WORD) ?? []).map((word) => word.toLowerCase());
}

const COLUMNS = `id, position, name_en, name_zh, description_en, description_zh, category, products, products_zh, capabilities, moq,
  tier1_min_quantity, tier1_unit_price_cents, tier2_min_quantity, tier2_unit_price_cents, tier3_min_quantity, tier3_unit_price_cents,
  lead_days, certifications, city, province, export_markets, export_years, rating, founded, employees`;

type Row = Record<string, unknown>;

const textArray = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value === '{}'
      ? []
      : value
          .replace(/^\{|\}$/g, '')
          .split(',')
          .map((item) => item.replace(/^"|"$/g, ''));
  return [];
};

const toRecord = (row: Row): SupplierCatalogueRecord => ({
  id: String(row.id),
  nameEn: String(row.name_en),
  nameZh: String(row.name_zh),
  descriptionEn: String(row.description_en),
  descriptionZh: String(row.description_zh),
  category: String(row.category),
  products: textArray(row.products),
  productsZh: textArray(row.products_zh),
  capabilities: textArray(row.capabilities),
  moq: asNumber(row.moq),
  priceTiers: [
    { minQuantity: asNumber(row.tier1_min_quantity), unitPriceCents: asNumber(row.tier1_unit_price_cents) },
    { minQuantity: asNumber(row.tier2_min_quantity), unitPriceCents: asNumber(row.tier2_unit_price_cents) },
    { minQuantity: asNumber(row.tier3_min_quantity), unitPriceCents: asNumber(row.tier3_unit_price_cents) },
  ],
  leadDays: asNumber(row.lead_days),
  certifications: textArray(row.certifications),
  city: String(row.city),
  province: String(row.province),
  exportMarkets: textArray(row.export_markets),
  exportYears: asNumber(row.export_years),
  // real comes back as 4.69999980926514 from some drivers: the catalogue holds one decimal.
  rating: Math.round(asNumber(row.rating) * 10) / 10,
  founded: asNumber(row.founded),
  employees: asNumber(row.employees),
});

// Per statement: 26 array parameters of this many elements each stay far below any parameter limit.
const INSERT_BATCH = 500;

const INSERT_SQL = `
  insert into supplier_catalogue (tenant_id, installation_id, ${COLUMNS}, keywords_en, keywords_zh_bigrams, description_zh_bigrams)
  select $1, $2, id, position, name_en, name_zh, description_en, description_zh, category,
    array(select jsonb_array_elements_text(products::jsonb)), array(select jsonb_array_elements_text(products_zh::jsonb)),
    array(select jsonb_array_elements_text(capabilities::jsonb)), moq,
    t1q, t1p, t2q, t2p, t3q, t3p, lead_days, array(select jsonb_array_elements_text(certifications::jsonb)), city, province,
    array(select jsonb_array_elements_text(export_markets::jsonb)), export_years, rating, founded, employees,
    keywords_en, keywords_zh_bigrams, description_zh_bigrams
  from unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
    $13::int[], $14::int[], $15::int[], $16::int[], $17::int[], $18::int[], $19::int[], $20::int[], $21::text[], $22::text[], $23::text[],
    $24::text[], $25::int[], $26::real[], $27::int[], $28::int[], $29::text[], $30::text[], $31::text[])
    as source(id, position, name_en, name_zh, description_en, description_zh, category, products, products_zh, capabilities, moq,
      t1q, t1p, t2q, t2p, t3q, t3p, lead_days, certifications, city, province, export_markets, export_years, rating, founded, employees,
      keywords_en, keywords_zh_bigrams, description_zh_bigrams)`;

/**
 * The supplier catalogue of one installation of the supplier-matching app in one tenant. Every query carries
 * both, so two installations (or tenants) never see each other's suppliers. Search combines PostgreSQL
 * full-text search over English and Chinese (see the schema's note on bigrams) with structured filters.
 */
export class SupplierCatalogueRepository {
  private readonly db: Database;
  readonly tenantId: string;
  readonly installationId: string;

  constructor(db: Database, tenantId: string, installationId: string) {
    this.db = db;
    this.tenantId = tenantId;
    this.installationId = installationId;
  }

  /** Adds suppliers after those held (in their order); a supplier id held already fails the whole call. */
  async insertMany(suppliers: readonly SupplierCatalogueRecord[]): Promise<number> {
    return this.db.transaction((tx) => this.insertWith(tx, suppliers));
  }

  /** Replaces the whole catalogue in one transaction. */
  async replace(suppliers: readonly SupplierCatalogueRecord[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query('delete from supplier_catalogue where tenant_id = $1 and installation_id = $2', [this.tenantId, this.installationId]);
      return this.insertWith(tx, suppliers);
    });
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ count: unknown }>(
      'select count(*) as count from supplier_catalogue where tenant_id = $1 and installation_id = $2',
      [this.tenantId, this.installationId],
    );
    return asNumber(row?.count);
  }

  /** The suppliers of these ids that the catalogue holds, in the order asked. */
  async get(ids: readonly string[]): Promise<SupplierCatalogueRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<Row>(
      `select ${COLUMNS} from supplier_catalogue where tenant_id = $1 and installation_id = $2 and id = any($3::text[])`,
      [this.tenantId, this.installationId, [...ids]],
    );
    const byId = new Map(rows.map((row) => [String(row.id), toRecord(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Every supplier, in catalogue order (exports, evals). */
  async all(): Promise<SupplierCatalogueRecord[]> {
    const rows = await this.db.query<Row>(
      `select ${COLUMNS} from supplier_catalogue where tenant_id = $1 and installation_id = $2 order by position`,
      [this.tenantId, this.installationId],
    );
    return rows.map(toRecord);
  }

  /**
   * Suppliers that pass every filter; with `text`, only those matching any of its words (English, stemmed)
   * or Chinese bigrams, ranked by `ts_rank`. At most `limit`, best text rank first, then catalogue order.
   */
  async search(filters: SupplierFilters, text: string | undefined, limit: number): Promise<SupplierSearchHit[]> {
    const params: unknown[] = [this.tenantId, this.installationId];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['tenant_id = $1', 'installation_id = $2'];
    if (filters.category !== undefined) where.push(`lower(category) = lower(${param(filters.category)})`);
    if (filters.quantity !== undefined) where.push(`moq <= ${param(filters.quantity)}::int`);
    if (filters.maxUnitPriceCents !== undefined) {
      const quantity = filters.quantity === undefined ? 'tier1_min_quantity' : `${param(filters.quantity)}::int`;
      where.push(
        `(case when ${quantity} >= tier3_min_quantity then tier3_unit_price_cents when ${quantity} >= tier2_min_quantity then tier2_unit_price_cents
          else tier1_unit_price_cents end) <= ${param(filters.maxUnitPriceCents)}::int`,
      );
    }
    if (filters.certifications && filters.certifications.length > 0) {
      where.push(
        `array(select lower(c) from unnest(certifications) c) @> ${param(filters.certifications.map((c) => c.toLowerCase()))}::text[]`,
      );
    }
    if (filters.maxLeadDays !== undefined) where.push(`lead_days <= ${param(filters.maxLeadDays)}::int`);
    if (filters.market !== undefined)
      where.push(`exists (select 1 from unnest(export_markets) m where lower(m) = lower(${param(filters.market)}))`);
    if (filters.city !== undefined) where.push(`lower(city) = lower(${param(filters.city)})`);
    if (filters.province !== undefined) where.push(`lower(province) = lower(${param(filters.province)})`);
    const query = textQuery(text, param);
    if (query) where.push(`search_vector @@ ${query}`);
    const rows = await this.db.query<Row>(
      `select ${COLUMNS}, ${query ? `ts_rank(search_vector, ${query})` : '0'} as text_rank
       from supplier_catalogue where ${where.join(' and ')}
       order by text_rank desc, position limit ${param(limit)}::int`,
      params,
    );
    return rows.map((row) => ({ supplier: toRecord(row), textRank: asNumber(row.text_rank) }));
  }

  private async insertWith(tx: Queryable, suppliers: readonly SupplierCatalogueRecord[]): Promise<number> {
    const [last] = await tx.query<{ position: unknown }>(
      'select coalesce(max(position), -1) as position from supplier_catalogue where tenant_id = $1 and installation_id = $2',
      [this.tenantId, this.installationId],
    );
    let position = asNumber(last?.position) + 1;
    for (let start = 0; start < suppliers.length; start += INSERT_BATCH) {
      const batch = suppliers.slice(start, start + INSERT_BATCH);
      const column = <T>(read: (supplier: SupplierCatalogueRecord) => T): T[] => batch.map(read);
      await tx.query(INSERT_SQL, [
        this.tenantId,
        this.installationId,
        column((s) => s.id),
        batch.map((_, index) => position + index),
        column((s) => s.nameEn),
        column((s) => s.nameZh),
        column((s) => s.descriptionEn),
        column((s) => s.descriptionZh),
        column((s) => s.category),
        column((s) => JSON.stringify(s.products)),
        column((s) => JSON.stringify(s.productsZh)),
        column((s) => JSON.stringify(s.capabilities)),
        column((s) => s.moq),
        column((s) => s.priceTiers[0].minQuantity),
        column((s) => s.priceTiers[0].unitPriceCents),
        column((s) => s.priceTiers[1].minQuantity),
        column((s) => s.priceTiers[1].unitPriceCents),
        column((s) => s.priceTiers[2].minQuantity),
        column((s) => s.priceTiers[2].unitPriceCents),
        column((s) => s.leadDays),
        column((s) => JSON.stringify(s.certifications)),
        column((s) => s.city),
        column((s) => s.province),
        column((s) => JSON.stringify(s.exportMarkets)),
        column((s) => s.exportYears),
        column((s) => s.rating),
        column((s) => s.founded),
        column((s) => s.employees),
        column((s) => [s.nameEn, s.category, ...s.products, ...s.capabilities, ...s.certifications, s.city, s.province].join(' ')),
        column((s) => cjkBigrams([s.nameZh, ...s.productsZh].join(' ')).join(' ')),
        column((s) => cjkBigrams(s.descriptionZh).join(' ')),
      ]);
      position += batch.length;
    }
    return suppliers.length;
  }
}

/** `to_tsquery(…) || to_tsquery(…)` of any word or bigram of `text`, or undefined when it has none. */
function textQuery(text: string | undefined, param: (value: unknown) => string): string | undefined {
  if (!text) return undefined;
  // Only letters and digits reach to_tsquery, so no operator in the text can change the query's meaning.
  const words = [...new Set(latinWords(text))];
  const grams = [...new Set(cjkBigrams(text))];
  const parts: string[] = [];
  if (words.length > 0) parts.push(`to_tsquery('english', ${param(words.join(' | '))})`);
  if (grams.length > 0) parts.push(`to_tsquery('simple', ${param(grams.join(' | '))})`);
  return parts.length > 0 ? `(${parts.join(' || ')})` : undefined;
}
