import { splitJsonObject } from '../../../storage/index.js';
import type { Product, ProductRecord } from '../model.js';

/** A product parsed from its JSON text, with its variants in the text's order. */
export function productRecordFromText(text: string): ProductRecord {
  const product = JSON.parse(text) as Product;
  const variants = splitJsonObject(text).find(([key]) => key === 'variants');
  return { product, variantOrder: variants ? splitJsonObject(variants[1]).map(([id]) => id) : Object.keys(product.variants) };
}
