/**
 * The supplier-matching app's catalogue: the factories of one installation of the app in one tenant.
 *
 * Full-text search: `search_vector` is generated from four text columns the repository fills. English
 * text (name, category, products, capabilities; description) is indexed with the `english` configuration
 * (stemmed, so "speakers" finds "speaker"). PostgreSQL has no Chinese word segmenter, and its default
 * parser keeps a run of Chinese characters as one token, so a search for 音箱 would never match 蓝牙音箱:
 * Chinese text is stored as its character bigrams (蓝牙 牙音 音箱) under the `simple` configuration, and
 * queries are split into bigrams the same way. That finds any Chinese phrase of two characters or more that
 * occurs in the text, at the price of some false bigrams across word boundaries; it is not segmentation.
 * Weights: A for the name and products, B for descriptions.
 */
export const SUPPLIER_CATALOGUE_DDL = `
  create table supplier_catalogue (
    tenant_id text not null,
    installation_id text not null,
    id text not null,
    position integer not null,
    name_en text not null,
    name_zh text not null,
    description_en text not null,
    description_zh text not null,
    category text not null,
    products text[] not null,
    products_zh text[] not null,
    capabilities text[] not null,
    moq integer not null,
    tier1_min_quantity integer not null,
    tier1_unit_price_cents integer not null,
    tier2_min_quantity integer not null,
    tier2_unit_price_cents integer not null,
    tier3_min_quantity integer not null,
    tier3_unit_price_cents integer not null,
    lead_days integer not null,
    certifications text[] not null,
    city text not null,
    province text not null,
    export_markets text[] not null,
    export_years integer not null,
    rating real not null,
    founded integer not null,
    employees integer not null,
    keywords_en text not null,
    keywords_zh_bigrams text not null,
    description_zh_bigrams text not null,
    search_vector tsvector generated always as (
      setweight(to_tsvector('english', keywords_en), 'A') ||
      setweight(to_tsvector('simple', keywords_zh_bigrams), 'A') ||
      setweight(to_tsvector('english', description_en), 'B') ||
      setweight(to_tsvector('simple', description_zh_bigrams), 'B')
    ) stored,
    primary key (tenant_id, installation_id, id)
  );
  create index supplier_catalogue_search_idx on supplier_catalogue using gin (search_vector);
  create index supplier_catalogue_category_idx on supplier_catalogue (tenant_id, installation_id, category, moq);`;
