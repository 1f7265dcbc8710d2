import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { Economy, LedgerPage, LedgerQuery } from '../economy/index.js';
import type * as Api from './contract.js';
import { csvHeader, csvLine } from './csv.js';
import { ledgerDto } from './dto.js';
import type { ledgerQuery } from './validation.js';

const CSV_PAGE = 1_000;

/** The ledger query of a parsed `GET …/ledger`; `tenantId` is the caller's own on the tenant routes, whatever the query says. */
export function ledgerQueryOf(query: z.output<typeof ledgerQuery>, tenantId: string | undefined): LedgerQuery {
  return {
    ...(tenantId ? { tenantId } : {}),
    ...(query.project_id ? { projectId: query.project_id } : {}),
    ...(query.key_id ? { keyId: query.key_id } : {}),
    ...(query.model ? { model: query.model } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.agent ? { agent: query.agent } : {}),
    ...(query.run_id ? { runId: query.run_id } : {}),
    ...(query.request_id ? { requestId: query.request_id } : {}),
    ...(query.usage_kind ? { usageKind: query.usage_kind } : {}),
    ...(query.sandbox_id ? { sandboxId: query.sandbox_id } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
    limit: query.limit,
  };
}

/** Answers a ledger request: one page as JSON, or with `format=csv` every matching row as a streamed download. */
export async function sendLedger(reply: FastifyReply, economy: Economy, base: LedgerQuery, format: 'json' | 'csv'): Promise<unknown> {
  if (format === 'csv') {
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
