import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { decodeSeqCursor, encodeSeqCursor } from '../core/index.js';
import type { AuditLogRepository, AuditRow } from '../storage/index.js';
import type * as Api from './contract.js';
import { auditQuery, parse } from './validation.js';

const CURSOR_PREFIX = 'audit';

const auditDto = (row: AuditRow): Api.AuditEntry => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  target_type: row.targetType,
  target_id: row.targetId,
  tenant_id: row.tenantId,
  request_id: row.requestId,
  method: row.method,
  path: row.path,
  status: row.status,
  error_code: row.errorCode,
  before: row.before,
  after: row.after,
});

/** One page of the audit log, newest first: every tenant's entries, or with `tenantId` that tenant's only. */
export async function auditPage(
  audit: AuditLogRepository,
  tenantId: string | undefined,
  query: Omit<z.output<typeof auditQuery>, 'tenant_id'>,
): Promise<Api.AuditPage> {
  const rows = await audit.page(
    {
      ...(tenantId ? { tenantId } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.actor ? { actor: query.actor } : {}),
      ...(query.target_type ? { targetType: query.target_type } : {}),
      ...(query.target_id ? { targetId: query.target_id } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
    },
    { ...(query.cursor ? { before: decodeSeqCursor(CURSOR_PREFIX, query.cursor) } : {}), limit: query.limit + 1 },
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeSeqCursor(CURSOR_PREFIX, last.seq) : null;
  return { object: 'list', data: page.map(auditDto), next_cursor: nextCursor, has_more: nextCursor !== null };
}

export function registerAuditRoutes(app: FastifyInstance, audit: AuditLogRepository): void {
  app.get('/admin/v1/audit', async (request): Promise<Api.AuditPage> => {
    const query = parse(auditQuery, request.query);
    return auditPage(audit, query.tenant_id, query);
  });
}
