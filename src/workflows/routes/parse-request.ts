import type { z } from 'zod';
import { HubError } from '../../core/index.js';

/** Parses a route's params or body with zod; the first issue becomes a 400 naming the field. */
export function parseRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  throw new HubError('INVALID_REQUEST', `Invalid ${param ?? 'request body'}: ${issue?.message}`, { ...(param ? { param } : {}) });
}
