import { z } from 'zod';
import { HubError } from '../../../core/index.js';
import { type PriceTier, type Supplier, type SupplierJson, supplierJson } from '../model.js';
import { CsvSyntaxError, csvLine, parseCsv } from './csv.js';

/** One problem of an imported catalogue: the row (1 = the first supplier, the CSV header not counted) and field. */
export interface ImportProblem {
  row: number;
  field: string;
  message: string;
}

/** The columns of the CSV form; list columns hold `;`-separated values, prices are integer US cents. */
export const CSV_COLUMNS = [
  'id',
  'name_en',
  'name_zh',
  'description_en',
  'description_zh',
  'category',
  'products',
  'products_zh',
  'capabilities',
  'moq',
  'tier1_min_quantity',
  'tier1_unit_price_cents',
  'tier2_min_quantity',
  'tier2_unit_price_cents',
  'tier3_min_quantity',
  'tier3_unit_price_cents',
  'lead_days',
  'certifications',
  'city',
  'province',
  'export_markets',
  'export_years',
  'rating',
  'founded',
  'employees',
] as const;

const REQUIRED_CSV_COLUMNS = ['id', 'name_en', 'category', 'products', 'moq', 'tier1_unit_price_cents', 'lead_days'];
const LIST_SEPARATOR = ';';
export const MAX_IMPORT_SUPPLIERS = 50_000;

const text = (max: number) => z.string().trim().max(max);
const count = z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(100_000_000);
const positive = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(100_000_000);
const list = z.array(z.string().trim().min(1).max(200)).max(100);
const tier = z.strictObject({ min_quantity: positive.optional(), unit_price_cents: positive });

const rowSchema = z.strictObject({
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1–100 letters, digits, _ . : or -'),
  name_en: text(300).min(1, 'is required'),
  name_zh: text(300).default(''),
  description_en: text(5000).default(''),
  description_zh: text(5000).default(''),
  category: text(100).min(1, 'is required'),
  products: list.min(1, 'needs at least one product'),
  products_zh: list.default([]),
  capabilities: list.default([]),
  moq: positive,
  price_tiers: z.array(tier).min(1, 'needs at least one tier').max(3, 'has at most 3 tiers'),
  lead_days: z.coerce.number().int('must be a whole number').min(0).max(3650),
  certifications: list.default([]),
  city: text(100).default(''),
  province: text(100).default(''),
  export_markets: list.default([]),
  export_years: count.default(0),
  rating: z.coerce.number().min(0, 'must be 0–5').max(5, 'must be 0–5').default(0),
  founded: count.default(0),
  employees: count.default(0),
});

type ImportRow = z.infer<typeof rowSchema>;

function toSupplier(row: ImportRow): Supplier | ImportProblem[] {
  const problems: Omit<ImportProblem, 'row'>[] = [];
  // The first tier starts at the MOQ unless the row says otherwise; a later tier must say where it starts.
  const tiers = row.price_tiers.map((entry, index) => ({
    min_quantity: entry.min_quantity ?? (index === 0 ? row.moq : 0),
    unit_price_cents: entry.unit_price_cents,
  }));
  for (let index = 1; index < tiers.length; index++) {
    const previous = tiers[index - 1] as { min_quantity: number };
    const current = tiers[index] as { min_quantity: number };
    if (row.price_tiers[index]?.min_quantity === undefined)
      problems.push({ field: `price_tiers.${index}.min_quantity`, message: 'is required' });
    else if (current.min_quantity <= previous.min_quantity)
      problems.push({ field: `price_tiers.${index}.min_quantity`, message: 'must be above the tier before' });
  }
  const first = tiers[0];
  if (first && first.min_quantity !== row.moq)
    problems.push({ field: 'price_tiers.0.min_quantity', message: `must equal moq (${row.moq})` });
  if (row.products_zh.length > 0 && row.products_zh.length !== row.products.length) {
    problems.push({ field: 'products_zh', message: `must list as many products as products (${row.products.length})` });
  }
  if (problems.length > 0) return problems.map((problem) => ({ row: 0, ...problem }));
  // Fewer than three tiers: the last one's price holds from its quantity on.
  const padded = [...tiers];
  while (padded.length < 3) padded.push(padded[padded.length - 1] as { min_quantity: number; unit_price_cents: number });
  const priceTiers = padded.map(
    (entry): PriceTier => ({ minQuantity: entry.min_quantity, unitPriceCents: entry.unit_price_cents }),
  ) as Supplier['priceTiers'];
  return {
    id: row.id,
    nameEn: row.name_en,
    nameZh: row.name_zh,
    descriptionEn: row.description_en,
    descriptionZh: row.description_zh,
    category: row.category,
    products: row.products,
    productsZh: row.products_zh,
    capabilities: row.capabilities,
    moq: row.moq,
    priceTiers,
    leadDays: row.lead_days,
    certifications: row.certifications,
    city: row.city,
    province: row.province,
    exportMarkets: row.export_markets,
    exportYears: row.export_years,
    rating: row.rating,
    founded: row.founded,
    employees: row.employees,
  };
}

/** Validates raw rows (objects in the JSON shape); every problem names its row and field. */
export function validateSupplierRows(rows: readonly unknown[]): { suppliers: Supplier[]; problems: ImportProblem[] } {
  const suppliers: Supplier[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  if (rows.length > MAX_IMPORT_SUPPLIERS) {
    return {
      suppliers,
      problems: [{ row: MAX_IMPORT_SUPPLIERS + 1, field: '', message: `a catalogue holds at most ${MAX_IMPORT_SUPPLIERS} suppliers` }],
    };
  }
  rows.forEach((raw, index) => {
    const row = index + 1;
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ row, field: issue.path.join('.'), message: issue.message });
      return;
    }
    const converted = toSupplier(parsed.data);
    if (Array.isArray(converted)) {
      problems.push(...converted.map((problem) => ({ ...problem, row })));
      return;
    }
    const earlier = seen.get(converted.id);
    if (earlier !== undefined) {
      problems.push({ row, field: 'id', message: `repeats the id of row ${earlier}` });
      return;
    }
    seen.set(converted.id, row);
    suppliers.push(converted);
  });
  return { suppliers, problems };
}

/** A CSV record as a JSON-shaped row: list columns split on `;`, tiers gathered, empty cells left out. */
function csvRow(header: readonly string[], fields: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const tiers: Record<string, unknown>[] = [{}, {}, {}];
  header.forEach((column, index) => {
    const value = fields[index] ?? '';
    if (value.trim() === '') return;
    const tierColumn = /^tier([123])_(min_quantity|unit_price_cents)$/.exec(column);
    if (tierColumn) {
      (tiers[Number(tierColumn[1]) - 1] as Record<string, unknown>)[tierColumn[2] as string] = value;
    } else if (['products', 'products_zh', 'capabilities', 'certifications', 'export_markets'].includes(column)) {
      row[column] = value
        .split(LIST_SEPARATOR)
        .map((item) => item.trim())
        .filter((item) => item !== '');
    } else {
      row[column] = value;
    }
  });
  row.price_tiers = tiers.filter((entry) => Object.keys(entry).length > 0 && entry.unit_price_cents !== undefined);
  return row;
}

/** Parses a catalogue in CSV (header row first) or JSON (an array, or `{suppliers: [...]}`) without throwing. */
export function parseCatalogue(body: string, format: 'csv' | 'json'): { suppliers: Supplier[]; problems: ImportProblem[] } {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return { suppliers: [], problems: [{ row: 0, field: '', message: `not JSON: ${(error as Error).message}` }] };
    }
    const rows = Array.isArray(parsed) ? parsed : (parsed as { suppliers?: unknown } | null)?.suppliers;
    if (!Array.isArray(rows))
      return { suppliers: [], problems: [{ row: 0, field: '', message: 'must be an array of suppliers or {"suppliers": [...]}' }] };
    return validateSupplierRows(rows);
  }
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(body);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { suppliers: [], problems: [{ row: 0, field: '', message: `CSV ${error.message}` }] };
    throw error;
  }
  const [headerRecord, ...dataRecords] = records;
  if (!headerRecord) return { suppliers: [], problems: [{ row: 0, field: '', message: 'the CSV is empty' }] };
  const header = headerRecord.fields.map((column) => column.trim().toLowerCase());
  const problems: ImportProblem[] = [];
  for (const column of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column))
      problems.push({ row: 0, field: column, message: 'is not a column of the catalogue CSV' });
  }
  for (const column of REQUIRED_CSV_COLUMNS)
    if (!header.includes(column)) problems.push({ row: 0, field: column, message: 'is a required column' });
  if (problems.length > 0) return { suppliers: [], problems };
  for (const [index, record] of dataRecords.entries()) {
    if (record.fields.length !== header.length) {
      problems.push({
        row: index + 1,
        field: '',
        message: `has ${record.fields.length} fields, the header ${header.length} (line ${record.line})`,
      });
    }
  }
  if (problems.length > 0) return { suppliers: [], problems };
  return validateSupplierRows(dataRecords.map((record) => csvRow(header, record.fields)));
}

/** Parses a catalogue or throws the 400 `invalid_catalogue`, naming the first problems' rows and fields. */
export function importCatalogue(body: string, format: 'csv' | 'json'): Supplier[] {
  const { suppliers, problems } = parseCatalogue(body, format);
  if (problems.length > 0) {
    const shown = problems
      .slice(0, 3)
      .map(
        (problem) => `${problem.row > 0 ? `row ${problem.row}` : 'file'}${problem.field ? `, ${problem.field}` : ''}: ${problem.message}`,
      );
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more problems)` : '';
    const first = problems[0] as ImportProblem;
    throw new HubError(
      'INVALID_REQUEST',
      `The catalogue has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}.`,
      {
        code: 'invalid_catalogue',
        param: first.row > 0 ? `rows[${first.row}].${first.field}` : first.field || 'body',
      },
    );
  }
  if (suppliers.length === 0)
    throw new HubError('INVALID_REQUEST', 'The catalogue has no suppliers.', { code: 'invalid_catalogue', param: 'body' });
  return suppliers;
}

/** A catalogue as CSV, in `CSV_COLUMNS` order (imports back to the same suppliers). */
export function catalogueCsv(suppliers: readonly Supplier[]): string {
  const lines = [csvLine(CSV_COLUMNS)];
  for (const supplier of suppliers) {
    const json: SupplierJson = supplierJson(supplier);
    const cell: Record<string, string> = {};
    for (const column of CSV_COLUMNS) {
      const tierColumn = /^tier([123])_(min_quantity|unit_price_cents)$/.exec(column);
      if (tierColumn) {
        const entry = json.price_tiers[Number(tierColumn[1]) - 1];
        cell[column] = entry ? String(tierColumn[2] === 'min_quantity' ? entry.min_quantity : entry.unit_price_cents) : '';
        continue;
      }
      const value = (json as unknown as Record<string, unknown>)[column];
      cell[column] = Array.isArray(value) ? value.join(LIST_SEPARATOR) : String(value ?? '');
    }
    lines.push(csvLine(CSV_COLUMNS.map((column) => cell[column] ?? '')));
  }
  return `${lines.join('\r\n')}\r\n`;
}
