import type { SupplierCatalogueRecord, SupplierPriceTier } from '../../storage/index.js';

/** A price tier: from `minQuantity` units on, each unit costs `unitPriceCents` (US cents). */
export type PriceTier = SupplierPriceTier;
/** One factory of a catalogue (the storage record). */
export type Supplier = SupplierCatalogueRecord;

/** The tier that applies at a quantity (1–3), and its unit price; the first tier below the MOQ too. */
export function tierAt(supplier: Pick<Supplier, 'priceTiers'>, quantity: number): { tier: 1 | 2 | 3; unitPriceCents: number } {
  const [first, second, third] = supplier.priceTiers;
  if (quantity >= third.minQuantity) return { tier: 3, unitPriceCents: third.unitPriceCents };
  if (quantity >= second.minQuantity) return { tier: 2, unitPriceCents: second.unitPriceCents };
  return { tier: 1, unitPriceCents: first.unitPriceCents };
}

/** `$8.50` from 850 cents. */
export const usd = (cents: number): string => `$${(cents / 100).toFixed(2)}`;

/** The JSON (and CSV) shape of a supplier: what the import reads and the tools return. */
export interface SupplierJson {
  id: string;
  name_en: string;
  name_zh: string;
  description_en: string;
  description_zh: string;
  category: string;
  products: string[];
  products_zh: string[];
  capabilities: string[];
  moq: number;
  price_tiers: { min_quantity: number; unit_price_cents: number }[];
  lead_days: number;
  certifications: string[];
  city: string;
  province: string;
  export_markets: string[];
  export_years: number;
  rating: number;
  founded: number;
  employees: number;
}

export const supplierJson = (supplier: Supplier): SupplierJson => ({
  id: supplier.id,
  name_en: supplier.nameEn,
  name_zh: supplier.nameZh,
  description_en: supplier.descriptionEn,
  description_zh: supplier.descriptionZh,
  category: supplier.category,
  products: supplier.products,
  products_zh: supplier.productsZh,
  capabilities: supplier.capabilities,
  moq: supplier.moq,
  price_tiers: supplier.priceTiers.map((tier) => ({ min_quantity: tier.minQuantity, unit_price_cents: tier.unitPriceCents })),
  lead_days: supplier.leadDays,
  certifications: supplier.certifications,
  city: supplier.city,
  province: supplier.province,
  export_markets: supplier.exportMarkets,
  export_years: supplier.exportYears,
  rating: supplier.rating,
  founded: supplier.founded,
  employees: supplier.employees,
});
