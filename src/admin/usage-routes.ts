import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Economy, LedgerPage, LedgerQuery } from '../economy/index.js';
import type * as Api from './contract.js';
import { csvHeader, csvLine } from './csv.js';
import { ledgerDto, usageDto } from './dto.js';
import { ledgerQuery, parse, usageQuery } from './validation.js';

const CSV_PAGE = 1_000;

export function registerUsageRoutes(app: FastifyInstance, economy: Economy): void {
  app.get('/admin/v1/usage', async (request): Promise<Api.ListResponse<Api.UsageRow>> => {
    const query = parse(usageQuery, request.query);
    const rows = await economy.usage.summarize({
      ...(query.tenant_id ? { tenantId: query.tenant_id } : {}),
      ...(query.project_id ? { projectId: query.project_id } : {}),
      ...(query.key_id ? { keyId: query.key_id } : {}),
      ...(query.model ? { model: query.model } : {}),
      ...(query.agent ? { agent: query.agent } : {}),
      ...(query.run_id ? { runId: query.run_id } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      groupBy: query.group_by,
    });
    return { object: 'list', data: rows.map(usageDto) };
  });

  app.get('/admin/v1/ledger', async (request, reply) => {
    const query = parse(ledgerQuery, request.query);
    const base: LedgerQuery = {
      ...(query.tenant_id ? { tenantId: query.tenant_id } : {}),
      ...(query.project_id ? { projectId: query.project_id } : {}),
      ...(query.key_id ? { keyId: query.key_id } : {}),
      ...(query.model ? { model: query.model } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit,
    };
    if (query.format === 'csv') {
      // The export streams every matching row page by page, so memory stays flat at millions of rows.
      // The first page is read before the 200 goes out, so a bad cursor is still a 400, not a cut stream.
      const pages = { ...base, limit: CSV_PAGE };
      const first = await economy.usage.ledger(pages);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="tokenhub-ledger.csv"');
      return reply.send(Readable.from(csvRows(economy, pages, first)));
    }
    const page = await economy.usage.ledger(base);
    const body: Api.LedgerPage = {
      object: 'list',
      data: page.rows.map(ledgerDto),
      next_cursor: page.nextCursor,
      has_more: page.nextCursor !== null,
    };
    return body;
  });
}

async function* csvRows(economy: Economy, query: LedgerQuery, first: LedgerPage): AsyncGenerator<string> {
  yield csvHeader();
  let page = first;
  for (;;) {
    for (const row of page.rows) yield csvLine(ledgerDto(row));
    if (!page.nextCursor) return;
    page = await economy.usage.ledger({ ...query, cursor: page.nextCursor });
  }
}
