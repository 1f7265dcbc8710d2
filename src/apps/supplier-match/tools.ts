import { createHash } from 'node:crypto';
import type { JsonObject } from '../../core/index.js';
import type { SupplierCatalogueRepository } from '../../storage/index.js';
import { type Supplier, tierAt, usd } from './model.js';
import { type SemanticRanker, searchSuppliers } from './search.js';

/** What the model (or a workflow's tool step) is told about one tool. */
export interface SupplierToolSpec {
  name: SupplierToolName;
  description: string;
  parameters: JsonObject;
  /** Reads only: safe to repeat after a crash. */
  idempotent: boolean;
}

export type SupplierToolName = 'search_suppliers' | 'compare_suppliers' | 'draft_rfq' | 'simulate_replies';

const ids = { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 20 };
const quantity = { type: 'integer', minimum: 1, description: 'Units to order.' };
const targetPrice = { type: 'number', minimum: 0, description: 'The most per unit in US dollars at that quantity (0: none).' };
const certifications = {
  type: 'array',
  items: { type: 'string' },
  description: 'Every one is required (ISO 9001, CE, RoHS, FDA, BSCI, …).',
};
const market = {
  type: 'string',
  description: 'Where the goods are sold: US, EU, UK, JP, AU, CA, Middle East, Southeast Asia, Latin America ("": any).',
};

export const SUPPLIER_TOOLS: readonly SupplierToolSpec[] = [
  {
    name: 'search_suppliers',
    description:
      'Search the supplier catalogue: full text (English or Chinese) within structured filters. Each result says why it matches (MOQ, certifications, lead time, price tier).',
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['query'],
      additionalProperties: false,
      properties: {
        query: { type: 'string', description: 'The product and what matters about it, in English or Chinese.' },
        category: {
          type: 'string',
          description: 'electronics, textiles, furniture, packaging, kitchenware, toys, cosmetics, hardware, sporting, lighting ("": any).',
        },
        quantity,
        target_price_usd: targetPrice,
        certifications,
        max_lead_days: { type: 'integer', minimum: 0, description: 'Latest delivery in days (0: any).' },
        market,
        city: { type: 'string' },
        province: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 20 },
      },
    },
  },
  {
    name: 'compare_suppliers',
    description:
      'Compare suppliers side by side at a quantity: MOQ, price tier and unit price, lead time, certifications, rating. Returns a table.',
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['supplier_ids'],
      additionalProperties: false,
      properties: { supplier_ids: ids, quantity, target_price_usd: targetPrice },
    },
  },
  {
    name: 'draft_rfq',
    description: 'Draft a request for quotation (English and Chinese) to each supplier. Nothing is sent: a person approves which to send.',
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['supplier_ids', 'product', 'quantity'],
      additionalProperties: false,
      properties: {
        supplier_ids: ids,
        product: { type: 'string' },
        quantity,
        target_price_usd: targetPrice,
        market,
        certifications,
        notes: { type: 'string' },
      },
    },
  },
  {
    name: 'simulate_replies',
    description:
      "The suppliers' replies to the RFQs that were sent (simulated from the catalogue in this demo), compared in a table, cheapest first.",
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['supplier_ids', 'quantity'],
      additionalProperties: false,
      properties: {
        supplier_ids: ids,
        send_to: { type: 'string', description: 'The ones the person approved: comma-separated ids, or "all" (default).' },
        quantity,
        target_price_usd: targetPrice,
      },
    },
  },
];

export type ToolResult = { ok: true; content: JsonObject } | { ok: false; error: string };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const positive = (value: unknown): number | undefined => (typeof value === 'number' && value > 0 ? value : undefined);
const cents = (value: unknown): number | undefined => {
  const dollars = positive(value);
  return dollars === undefined ? undefined : Math.round(dollars * 100);
};
const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim())
    : [];

/** A stable number in [0, 1) from the words given: the demo's replies vary by supplier, never by run. */
function stableFraction(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('|')).digest().readUInt32BE(0) / 2 ** 32;
}

function compareRow(supplier: Supplier, quantity: number | undefined, target: number | undefined) {
  const { tier, unitPriceCents } = tierAt(supplier, quantity ?? supplier.moq);
  return {
    supplier_id: supplier.id,
    name: supplier.nameEn,
    name_zh: supplier.nameZh,
    location: `${supplier.city}, ${supplier.province}`,
    moq: supplier.moq,
    meets_moq: quantity === undefined || supplier.moq <= quantity,
    tier,
    unit_price_usd: (unitPriceCents / 100).toFixed(2),
    within_target: target === undefined || unitPriceCents <= target,
    lead_days: supplier.leadDays,
    certifications: supplier.certifications,
    export_markets: supplier.exportMarkets,
    rating: supplier.rating,
  };
}

const markdownTable = (header: string[], rows: (string | number)[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

async function known(catalogue: SupplierCatalogueRepository, wanted: string[]): Promise<Supplier[] | string> {
  const found = await catalogue.get(wanted);
  const missing = wanted.filter((id) => !found.some((supplier) => supplier.id === id));
  return missing.length > 0 ? `No supplier ${missing.map((id) => `\`${id}\``).join(', ')} in the catalogue.` : found;
}

/** Runs one supplier tool on an installation's catalogue; arguments were validated against its parameters. */
export async function runSupplierTool(
  name: SupplierToolName,
  args: JsonObject,
  context: { catalogue: SupplierCatalogueRepository; semantic?: SemanticRanker },
): Promise<ToolResult> {
  const { catalogue } = context;
  const quantityArg = positive(args.quantity);
  const target = cents(args.target_price_usd);
  switch (name) {
    case 'search_suppliers': {
      const outcome = await searchSuppliers(
        catalogue,
        {
          query: text(args.query) ?? '',
          ...(text(args.category) ? { category: text(args.category) as string } : {}),
          ...(quantityArg !== undefined ? { quantity: quantityArg } : {}),
          ...(target !== undefined ? { targetPriceCents: target } : {}),
          certifications: strings(args.certifications),
          ...(positive(args.max_lead_days) !== undefined ? { maxLeadDays: positive(args.max_lead_days) as number } : {}),
          ...(text(args.market) ? { market: text(args.market) as string } : {}),
          ...(text(args.city) ? { city: text(args.city) as string } : {}),
          ...(text(args.province) ? { province: text(args.province) as string } : {}),
          limit: positive(args.limit) ?? 5,
        },
        context.semantic ? { semantic: context.semantic } : {},
      );
      return {
        ok: true,
        content: {
          supplier_ids: outcome.matches.map((match) => match.supplier.id),
          results: outcome.matches.map((match) => ({
            supplier_id: match.supplier.id,
            name: match.supplier.nameEn,
            name_zh: match.supplier.nameZh,
            location: `${match.supplier.city}, ${match.supplier.province}`,
            moq: match.supplier.moq,
            tier: match.tier,
            unit_price_usd: (match.unitPriceCents / 100).toFixed(2),
            lead_days: match.supplier.leadDays,
            certifications: match.supplier.certifications,
            rating: match.supplier.rating,
            score: match.score,
            why: match.explanation,
          })),
          candidates: outcome.candidates,
          text_matched: outcome.textMatched,
          semantic: outcome.semantic,
          ...(outcome.semanticError !== undefined
            ? { semantic_error: `semantic similarity unavailable, ranked by text and filters only: ${outcome.semanticError}` }
            : {}),
        },
      };
    }
    case 'compare_suppliers': {
      const suppliers = await known(catalogue, strings(args.supplier_ids));
      if (typeof suppliers === 'string') return { ok: false, error: suppliers };
      const rows = suppliers.map((supplier) => compareRow(supplier, quantityArg, target));
      const table = markdownTable(
        ['supplier', 'location', 'MOQ', 'tier', 'unit price', 'lead days', 'certifications', 'rating'],
        rows.map((row) => [
          `${row.name} (${row.supplier_id})`,
          row.location,
          `${row.moq}${row.meets_moq ? '' : ' ✗'}`,
          `${row.tier} of 3`,
          `$${row.unit_price_usd}${row.within_target ? '' : ' ✗'}`,
          row.lead_days,
          row.certifications.join(', ') || '—',
          row.rating.toFixed(1),
        ]),
      );
      return { ok: true, content: { suppliers: rows, table } };
    }
    case 'draft_rfq': {
      const suppliers = await known(catalogue, strings(args.supplier_ids));
      if (typeof suppliers === 'string') return { ok: false, error: suppliers };
      const product = text(args.product) ?? 'the product';
      const quantity = quantityArg ?? 0;
      const required = strings(args.certifications);
      const marketName = text(args.market);
      const notes = text(args.notes);
      const rfqs = suppliers.map((supplier) => ({
        supplier_id: supplier.id,
        to: supplier.nameEn,
        subject: `RFQ: ${quantity} × ${product}`,
        body_en: [
          `Dear ${supplier.nameEn} team,`,
          `We would like a quotation for ${quantity} units of ${product}${marketName ? ` for the ${marketName} market` : ''}.`,
          required.length > 0 ? `The goods must be ${required.join(', ')} certified; please attach the certificates.` : '',
          target !== undefined ? `Our target price is ${usd(target)} per unit.` : '',
          'Please state your unit price at this quantity, the MOQ, the lead time and the payment terms.',
          notes ?? '',
          'Best regards',
        ]
          .filter((line) => line !== '')
          .join('\n'),
        body_zh: [
          `${supplier.nameZh}：您好！`,
          `我们需要${quantity}件${product}的报价${marketName ? `，销往${marketName}市场` : ''}。`,
          required.length > 0 ? `产品需要${required.join('、')}认证，请附上证书。` : '',
          target !== undefined ? `目标单价为${usd(target)}。` : '',
          '请告知该数量下的单价、起订量、交货期和付款方式。谢谢！',
        ]
          .filter((line) => line !== '')
          .join('\n'),
      }));
      const summary = `${rfqs.length} RFQ drafts: ${rfqs.map((rfq) => `${rfq.to} (${rfq.supplier_id})`).join('; ')}.`;
      return { ok: true, content: { rfqs, summary } };
    }
    case 'simulate_replies': {
      const drafted = strings(args.supplier_ids);
      const approved = text(args.send_to);
      const chosen =
        approved === undefined || approved.toLowerCase() === 'all'
          ? drafted
          : approved
              .split(/[\s,;]+/)
              .map((id) => id.trim())
              .filter((id) => id !== '');
      const notDrafted = chosen.filter((id) => !drafted.includes(id));
      if (notDrafted.length > 0) return { ok: false, error: `No RFQ was drafted for ${notDrafted.join(', ')}.` };
      const suppliers = await known(catalogue, chosen);
      if (typeof suppliers === 'string') return { ok: false, error: suppliers };
      const quantity = quantityArg ?? 0;
      const replies = suppliers.map((supplier) => {
        const listed = tierAt(supplier, Math.max(quantity, supplier.moq)).unitPriceCents;
        // A factory quotes near its list price: between 5 % below and 3 % above, fixed per supplier and quantity.
        const quoted = Math.max(1, Math.round(listed * (0.95 + stableFraction(supplier.id, quantity) * 0.08)));
        const lead = Math.max(1, supplier.leadDays + Math.floor(stableFraction(supplier.id, 'lead', quantity) * 5) - 2);
        const moqOk = quantity >= supplier.moq;
        return {
          supplier_id: supplier.id,
          name: supplier.nameEn,
          unit_price_usd: (quoted / 100).toFixed(2),
          total_usd: ((quoted * Math.max(quantity, supplier.moq)) / 100).toFixed(2),
          lead_days: lead,
          moq: supplier.moq,
          within_target: target === undefined || quoted <= target,
          message: moqOk
            ? `We can supply ${quantity} units at ${usd(quoted)} each, delivered in ${lead} days.`
            : `Our MOQ is ${supplier.moq} units; at ${supplier.moq} we quote ${usd(quoted)} each, ${lead} days.`,
          unitPriceCents: quoted,
        };
      });
      replies.sort((left, right) => left.unitPriceCents - right.unitPriceCents || left.lead_days - right.lead_days);
      const table = markdownTable(
        ['supplier', 'unit price', 'total', 'lead days', 'MOQ', 'within target'],
        replies.map((reply) => [
          `${reply.name} (${reply.supplier_id})`,
          `$${reply.unit_price_usd}`,
          `$${reply.total_usd}`,
          reply.lead_days,
          reply.moq,
          reply.within_target ? 'yes' : 'no',
        ]),
      );
      return {
        ok: true,
        content: {
          sent_to: chosen,
          replies: replies.map(({ unitPriceCents: _, ...reply }) => reply),
          best: replies[0]?.supplier_id ?? null,
          table,
        },
      };
    }
  }
}
