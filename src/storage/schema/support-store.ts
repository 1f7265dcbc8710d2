/**
 * The support app's store (τ²-bench retail shapes): users, orders and products of one installation of
 * the app in one tenant, each a document keyed by (tenant_id, installation_id, id). `position` keeps
 * the order the source listed them in, so an export reproduces it. Documents are `json`, not `jsonb`:
 * jsonb re-sorts object keys (shortest first), and the tool results the model reads, such as an item's
 * options or a product's variants, must keep the source's key order.
 */
export const SUPPORT_STORE_DDL = ['users', 'orders', 'products']
  .map(
    (table) => `
  create table support_store_${table} (
    tenant_id text not null,
    installation_id text not null,
    id text not null,
    position integer not null,
    doc json not null,
    primary key (tenant_id, installation_id, id)
  );
  create index support_store_${table}_position_idx on support_store_${table} (tenant_id, installation_id, position);`,
  )
  .join('\n');
